#include "data/spatial/spatialdata_tables.h"

#include <algorithm>

#include "data/anndata/zarr_anndata.h"
#include "data/anndata/zarr_elements.h"
#include "data/local_store.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Axis names and the dataset-0 + global transforms of an NGFF multiscales element.
Expected<Affine2D> elementAffine(const Store& s, const std::string& path) {
  auto a = azarr::attrs(s, path);
  if (!a) return std::unexpected(a.error());
  const json& root = a->contains("ome") ? (*a)["ome"] : *a;
  const json ms = root.value("multiscales", json::array());
  if (!ms.is_array() || ms.empty())
    return fail(Errc::Corrupt, storeKeyName(s, path) + ": no multiscales");
  std::vector<std::string> axes;
  for (const auto& ax : ms[0].value("axes", json::array()))
    axes.push_back(ax.is_object() ? ax.value("name", std::string()) : ax.get<std::string>());
  // Pixels of level 0 -> the element's intrinsic space: the level's own transforms are a pixel
  // size, and SpatialData puts the element -> coordinate-system transform at the top level.
  const std::string what = storeKeyName(s, path) + ": coordinateTransformations";
  auto global =
      affineFromNgffTransforms(ms[0].value("coordinateTransformations", json()), axes, what);
  if (!global) return std::unexpected(global.error());
  const json ds = ms[0].value("datasets", json::array());
  Affine2D level;
  if (ds.is_array() && !ds.empty()) {
    auto l = affineFromNgffTransforms(ds[0].value("coordinateTransformations", json()), axes, what);
    if (!l) return std::unexpected(l.error());
    level = *l;
  }
  return global->after(level);
}

std::vector<std::string> regionsOf(const json& spatialdataAttrs) {
  std::vector<std::string> regions;
  const json r = spatialdataAttrs.value("region", json());
  if (r.is_string()) regions.push_back(r.get<std::string>());
  if (r.is_array())
    for (const auto& x : r)
      if (x.is_string()) regions.push_back(x.get<std::string>());
  return regions;
}

}  // namespace

std::string spatialDataTableElement(const fs::path& dir, const std::string& name) {
  LocalStore store(dir);
  const auto tables = spatialDataTables(dir);
  if (tables.empty()) return {};
  auto a = azarr::attrs(store, "tables/" + (name.empty() ? tables.front() : name));
  if (!a) return {};
  for (const auto& region : regionsOf(a->value("spatialdata_attrs", json::object())))
    for (const char* kind : {"labels", "images"})
      if (const std::string el = std::string(kind) + "/" + region; azarr::nodeExists(store, el))
        return el;
  return {};
}

Expected<Affine2D> spatialDataElementTransform(const fs::path& dir, const std::string& element) {
  return elementAffine(LocalStore(dir), element);
}

Expected<Affine2D> spatialDataPixelsToPixels(const fs::path& dir, const std::string& from,
                                             const std::string& to) {
  auto f = spatialDataElementTransform(dir, from);
  if (!f) return std::unexpected(f.error());
  auto t = spatialDataElementTransform(dir, to);
  if (!t) return std::unexpected(t.error());
  auto inv = t->inverse();
  if (!inv)
    return fail(Errc::Corrupt, (dir / to).string() + ": coordinateTransformations are singular");
  return inv->after(*f);
}

std::string spatialDataFirstImage(const fs::path& dir) {
  auto names = azarr::children(LocalStore(dir), "images");
  std::sort(names.begin(), names.end());
  return names.empty() ? std::string() : "images/" + names.front();
}

bool isSpatialData(const fs::path& dir) {
  LocalStore s(dir);
  auto a = azarr::attrs(s, "");
  return a && a->contains("spatialdata_attrs");
}

std::vector<std::string> spatialDataTables(const fs::path& dir) {
  return azarr::children(LocalStore(dir), "tables");
}

Expected<CellTable> openSpatialDataTable(const fs::path& dir, const std::string& name) {
  auto store = std::make_shared<LocalStore>(dir);
  const auto tables = spatialDataTables(dir);
  if (tables.empty())
    return fail(Errc::NotFound, dir.string() + ": no tables/ in this SpatialData");
  const std::string tname = name.empty() ? tables.front() : name;
  const std::string path = "tables/" + tname;
  auto t = openAnnDataZarr(store, path);
  if (!t) return std::unexpected(t.error());
  t->format = "spatialdata";
  t->location = (dir / path).string();
  auto a = azarr::attrs(*store, path);
  if (!a) return std::unexpected(a.error());
  const json sd = a->value("spatialdata_attrs", json::object());
  const std::vector<std::string> regions = regionsOf(sd);
  if (regions.empty())
    t->messages.push_back(t->location + ": spatialdata_attrs has no \"region\"; not linked");
  for (const auto& key : {"region_key", "instance_key"})
    if (sd.contains(key) && sd[key].is_string() && !t->column(sd[key].get<std::string>()))
      return fail(Errc::Corrupt, t->location + ": " + key + " \"" + sd[key].get<std::string>() +
                                     "\" is not an obs column");
  if (sd.contains("instance_key") && sd["instance_key"].is_string())
    t->instanceKey = sd["instance_key"].get<std::string>();
  for (const auto& region : regions) {
    for (const char* kind : {"labels", "images"}) {
      const std::string el = std::string(kind) + "/" + region;
      if (!azarr::nodeExists(*store, el)) continue;
      auto m = elementAffine(*store, el);
      if (!m) return std::unexpected(m.error());
      if (t->imagePath.empty()) {
        t->imagePath = dir / el;
        t->linkedElement = el;
        // obsm spatial is in the coordinate system; image pixels = inverse(element transform).
        if (auto inv = m->inverse()) t->toImage = *inv;
        t->affineSource = el + " coordinateTransformations (inverted)";
      }
    }
  }
  // Points and shapes are parquet inside the zarr store; say which elements are left out.
  for (const char* kind : {"points", "shapes"}) {
    for (const auto& el : azarr::children(*store, kind)) {
      const fs::path part = dir / kind / el / (std::string(kind) + ".parquet");
      std::error_code ec;
      if (!fs::exists(part, ec)) continue;
      const bool annotated = std::find(regions.begin(), regions.end(), el) != regions.end();
      t->messages.push_back(part.string() + ": parquet is not supported on this platform; " + kind +
                            " element \"" + el + "\" is not shown" +
                            (annotated ? " (the table annotates it)" : ""));
    }
  }
  if (t->linkedToLabels() && !t->hasSpatial()) {
    // Positions come from the label regions (placeAtLabelCentroids), so the table is not
    // embedding-only: replace the reader's generic note with what will happen.
    std::erase_if(t->messages,
                  [](const std::string& m) { return m.ends_with("showing the embedding only"); });
    t->messages.push_back(t->location +
                          ": no obsm \"spatial\"; cells are placed at the centroids "
                          "of their regions in " +
                          t->linkedElement);
  }
  if (t->imagePath.empty() && !regions.empty())
    t->messages.push_back(t->location + ": region \"" + regions.front() +
                          "\" is not an image or labels element; cells are not linked to an image");
  return t;
}

}  // namespace tessera::data
