#include "data/spatial/spatialdata_tables.h"
#include "data/json_number.h"

#include <algorithm>
#include <initializer_list>
#include <optional>

#include "data/anndata/zarr_anndata.h"
#include "data/anndata/zarr_elements.h"
#include "data/local_store.h"
#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_strings.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Level-0 pixels of an NGFF multiscales element -> each coordinate system it is placed in.
// SpatialData writes one transformation per coordinate system, each naming its "output"
// ("global", "aligned", ...); plain NGFF lists steps applied in order to one unnamed system.
Expected<std::vector<std::pair<std::string, Affine2D>>> elementTransforms(const Store& s,
                                                                          const std::string& path) {
  auto a = azarr::attrs(s, path);
  if (!a) return std::unexpected(a.error());
  const json& root = a->contains("ome") ? (*a)["ome"] : *a;
  const json ms = root.is_object() ? root.value("multiscales", json::array()) : json();
  if (!ms.is_array() || ms.empty() || !ms[0].is_object())
    return fail(Errc::Corrupt, storeKeyName(s, path) + ": no multiscales");
  std::vector<std::string> axes;
  for (const auto& ax : ms[0].value("axes", json::array()))
    axes.push_back(ax.is_string() ? ax.get<std::string>() : jsonStringOr(ax, "name"));
  // The level's own transforms are a pixel size; the element -> coordinate-system transforms
  // sit at the top level.
  const std::string what = storeKeyName(s, path) + ": coordinateTransformations";
  const json ds = ms[0].value("datasets", json::array());
  Affine2D level;
  if (ds.is_array() && !ds.empty() && ds[0].is_object()) {
    auto l = affineFromNgffTransforms(ds[0].value("coordinateTransformations", json()), axes, what);
    if (!l) return std::unexpected(l.error());
    level = *l;
  }
  const json global = ms[0].value("coordinateTransformations", json());
  auto outputOf = [](const json& t) -> std::string {
    if (!t.is_object() || !t.contains("output")) return {};
    const json& o = t["output"];
    if (o.is_string()) return o.get<std::string>();
    return jsonStringOr(o, "name");
  };
  bool named = global.is_array() && !global.empty();
  for (const auto& t : global.is_array() ? global : json::array())
    named = named && !outputOf(t).empty();
  std::vector<std::pair<std::string, Affine2D>> out;
  if (!named) {
    auto g = affineFromNgffTransforms(global, axes, what);
    if (!g) return std::unexpected(g.error());
    out.emplace_back("global", g->after(level));
    return out;
  }
  for (const auto& t : global) {
    auto g = affineFromNgffTransform(t, axes, what);
    if (!g) return std::unexpected(g.error());
    out.emplace_back(outputOf(t), g->after(level));
  }
  return out;
}

// The element's transform into `cs`, or nullopt when it is not placed there.
std::optional<Affine2D> transformTo(const std::vector<std::pair<std::string, Affine2D>>& ts,
                                    const std::string& cs) {
  for (const auto& [name, m] : ts)
    if (name == cs) return m;
  return std::nullopt;
}

// The coordinate system two elements share: "global" when both are in it, else the first
// shared one in `a`'s order.
std::optional<std::string> commonSystem(const std::vector<std::pair<std::string, Affine2D>>& a,
                                        const std::vector<std::pair<std::string, Affine2D>>& b) {
  if (transformTo(a, "global") && transformTo(b, "global")) return "global";
  for (const auto& [name, m] : a)
    if (transformTo(b, name)) return name;
  return std::nullopt;
}

// Level-0 pixels -> the element's preferred coordinate system ("global", else its first).
Expected<Affine2D> elementAffine(const Store& s, const std::string& path) {
  auto ts = elementTransforms(s, path);
  if (!ts) return std::unexpected(ts.error());
  if (auto g = transformTo(*ts, "global")) return *g;
  return ts->front().second;
}

std::vector<std::string> stringList(const json& r) {
  std::vector<std::string> out;
  if (r.is_string()) out.push_back(r.get<std::string>());
  if (r.is_array())
    for (const auto& x : r)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

struct TableAttrs {
  std::vector<std::string> regions;
  std::string regionKey, instanceKey;
  std::string source;  ///< where they were found, for notes
};

// SpatialData keeps region / region_key / instance_key in the table group's own attributes
// (`.zattrs`, or `zarr.json` "attributes" on zarr v3 since 0.2); stores written by early
// releases nest them under "spatialdata_attrs" there, and AnnData's own copy lives in
// uns/spatialdata_attrs. The first of these that names a region wins.
TableAttrs readTableAttrs(const std::shared_ptr<const Store>& s, const std::string& path) {
  TableAttrs out;
  auto a = azarr::attrs(*s, path);
  if (a) {
    const std::string file = s->exists(azarr::join(path, "zarr.json")) ? "zarr.json" : ".zattrs";
    const json nested = a->value("spatialdata_attrs", json::object());
    for (const auto& [j, where] :
         {std::pair{*a, file + " attributes"}, std::pair{nested, file + " spatialdata_attrs"}}) {
      if (!j.is_object() || stringList(j.value("region", json())).empty()) continue;
      out.regions = stringList(j["region"]);
      out.regionKey =
          j.value("region_key", json()).is_string() ? j["region_key"].get<std::string>() : "";
      out.instanceKey =
          j.value("instance_key", json()).is_string() ? j["instance_key"].get<std::string>() : "";
      out.source = where;
      return out;
    }
  }
  const std::string uns = azarr::join(path, "uns/spatialdata_attrs");
  if (!azarr::nodeExists(*s, uns)) return out;
  auto strings = [&](const char* key) {
    const std::string p = azarr::join(uns, key);
    if (!azarr::nodeExists(*s, p)) return std::vector<std::string>{};
    auto v = readZarrStrings(*s, p);
    return v ? *v : std::vector<std::string>{};
  };
  out.regions = strings("region");
  if (auto v = strings("region_key"); !v.empty()) out.regionKey = v.front();
  if (auto v = strings("instance_key"); !v.empty()) out.instanceKey = v.front();
  out.source = "uns/spatialdata_attrs";
  return out;
}

// The element a table's `region` names: the first of `kinds` (element folders) holding it.
std::string regionElement(const Store& store, const std::string& region,
                          std::initializer_list<const char*> kinds) {
  for (const char* kind : kinds)
    if (std::string el = std::string(kind) + "/" + region; azarr::nodeExists(store, el)) return el;
  return {};
}

}  // namespace

std::string spatialDataTableElement(const fs::path& dir, const std::string& name) {
  auto store = std::make_shared<LocalStore>(dir);
  const auto tables = spatialDataTables(dir);
  if (tables.empty()) return {};
  const TableAttrs ta = readTableAttrs(store, "tables/" + (name.empty() ? tables.front() : name));
  for (const auto& region : ta.regions)
    if (auto el = regionElement(*store, region, {"labels", "images"}); !el.empty()) return el;
  return {};
}

Expected<Affine2D> spatialDataElementTransform(const fs::path& dir, const std::string& element) {
  return elementAffine(LocalStore(dir), element);
}

std::vector<std::string> spatialDataCoordinateSystems(const fs::path& dir,
                                                      const std::string& element) {
  std::vector<std::string> out;
  if (auto ts = elementTransforms(LocalStore(dir), element))
    for (const auto& [name, m] : *ts)
      out.push_back(name);
  return out;
}

Expected<Affine2D> spatialDataPixelsToPixels(const fs::path& dir, const std::string& from,
                                             const std::string& to) {
  LocalStore store(dir);
  auto f = elementTransforms(store, from);
  if (!f) return std::unexpected(f.error());
  auto t = elementTransforms(store, to);
  if (!t) return std::unexpected(t.error());
  const auto cs = commonSystem(*f, *t);
  if (!cs)
    return fail(Errc::Unsupported, (dir / from).string() + " and " + to +
                                       " share no coordinate system; one cannot be placed on "
                                       "the other");
  auto inv = transformTo(*t, *cs)->inverse();
  if (!inv)
    return fail(Errc::Corrupt, (dir / to).string() + ": coordinateTransformations are singular");
  return inv->after(*transformTo(*f, *cs));
}

std::vector<std::string> spatialDataElements(const fs::path& dir, const std::string& kind) {
  return azarr::children(LocalStore(dir), kind);
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

Expected<void> checkSpatialDataTable(const fs::path& store, const std::string& name) {
  const auto tables = spatialDataTables(store);
  if (name.empty() || std::find(tables.begin(), tables.end(), name) != tables.end()) return {};
  std::string list;
  for (const auto& t : tables)
    list += (list.empty() ? "" : ", ") + t;
  return fail(Errc::NotFound, store.string() + ": no table \"" + name + "\" in this SpatialData (" +
                                  (list.empty() ? "it has no tables" : "its tables: " + list) +
                                  ")");
}

std::optional<SpatialDataTableRef> spatialDataTableRef(const fs::path& location) {
  std::error_code ec;
  fs::path p = location.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // a trailing slash
  if (!fs::is_directory(p, ec)) return std::nullopt;
  // A table first: its own attributes may hold "spatialdata_attrs" too, as a store's do.
  const fs::path store = p.parent_path().parent_path();
  if (p.parent_path().filename() == "tables" && !store.empty() && isSpatialData(store))
    return SpatialDataTableRef{store, p.filename().string()};
  if (isSpatialData(p)) return SpatialDataTableRef{p, ""};
  return std::nullopt;
}

fs::path spatialDataTableLocation(const fs::path& store, const std::string& name) {
  return name.empty() ? store : store / "tables" / name;
}

std::vector<SpatialDataTableInfo> spatialDataTableInfos(const fs::path& dir) {
  auto store = std::make_shared<LocalStore>(dir);
  std::vector<SpatialDataTableInfo> out;
  for (const auto& name : spatialDataTables(dir)) {
    SpatialDataTableInfo info;
    info.name = name;
    const std::string path = "tables/" + name;
    // X's shape: a dense array's own, or a sparse group's "shape" attribute.
    const std::string x = path + "/X";
    if (auto a = azarr::attrs(*store, x);
        a && a->contains("shape") && (*a)["shape"].is_array() && (*a)["shape"].size() == 2) {
      const json& shape = (*a)["shape"];
      if (shape[0].is_number_integer() && shape[1].is_number_integer())
        info.cells = shape[0].get<std::int64_t>(), info.genes = shape[1].get<std::int64_t>();
    } else if (auto arr = ZarrArray::open(store, x); arr && (*arr)->shape().size() == 2) {
      info.cells = (*arr)->shape()[0], info.genes = (*arr)->shape()[1];
    }
    if (info.cells < 0)  // no X: the obs index tells the cells, and there are no genes
      if (auto a = azarr::attrs(*store, path + "/obs"); a && a->value("_index", json()).is_string())
        if (auto idx = ZarrArray::open(store, path + "/obs/" + (*a)["_index"].get<std::string>());
            idx && (*idx)->shape().size() == 1)
          info.cells = (*idx)->shape()[0], info.genes = 0;
    for (const auto& region : readTableAttrs(store, path).regions) {
      const auto el = regionElement(*store, region, {"labels", "shapes", "points", "images"});
      info.regions.push_back(el.empty() ? region : el);
    }
    out.push_back(std::move(info));
  }
  return out;
}

Expected<CellTable> openSpatialDataTable(const fs::path& dir, const std::string& name) {
  auto store = std::make_shared<LocalStore>(dir);
  const auto tables = spatialDataTables(dir);
  if (tables.empty())
    return fail(Errc::NotFound, dir.string() + ": no tables/ in this SpatialData");
  if (auto known = checkSpatialDataTable(dir, name); !known) return std::unexpected(known.error());
  const std::string tname = name.empty() ? tables.front() : name;
  const std::string path = "tables/" + tname;
  auto t = openAnnDataZarr(store, path);
  if (!t) return std::unexpected(t.error());
  t->format = "spatialdata";
  t->location = (dir / path).string();
  const TableAttrs ta = readTableAttrs(store, path);
  const std::vector<std::string>& regions = ta.regions;
  if (regions.empty())
    t->messages.push_back(t->location +
                          ": no \"region\" in the table's attributes or uns/spatialdata_attrs; "
                          "not linked");
  for (const auto& [key, col] :
       {std::pair{"region_key", ta.regionKey}, std::pair{"instance_key", ta.instanceKey}})
    if (!col.empty() && !t->column(col))
      return fail(Errc::Corrupt, t->location + ": " + key + " \"" + col +
                                     "\" is not an obs column (from " + ta.source + ")");
  t->instanceKey = ta.instanceKey;
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
        t->affineSource =
            el + " coordinateTransformations (inverted; region from " + ta.source + ")";
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
