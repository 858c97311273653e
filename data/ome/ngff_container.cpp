#include "data/ome/ngff_container.h"

#include <algorithm>

#include "data/ome/ngff_metadata.h"
#include "data/ome/zarr_group.h"

namespace tessera::data {
namespace {

// Enough for any real bioformats2raw export, and bounds the probing of 0/, 1/, ... over HTTP.
constexpr int kMaxProbedSeries = 1000;

bool isGroup(const Store& store, const std::string& path) {
  auto a = readZarrNodeAttributes(store, path);
  return a && !a->isArray;
}

Expected<NgffImageLocation> locate(const Store& store, const std::string& path, int depth);

Expected<NgffImageLocation> locatePlate(const Store& store, const std::string& path,
                                        const NgffAttributes& ng, const std::string& where) {
  auto plate = parsePlate(ng.ome["plate"], where);
  if (!plate) return std::unexpected(plate.error());
  PlateWell& first = plate->wells.front();
  const std::string wellPath = joinZarrPath(path, first.path);
  auto wellAttrs = readZarrNodeAttributes(store, wellPath);
  if (!wellAttrs) return std::unexpected(wellAttrs.error());
  const NgffAttributes wellNg = ngffAttributes(wellAttrs->attributes, wellAttrs->zarrV3);
  if (!wellNg.ome.contains("well"))
    return fail(Errc::Corrupt, wellAttrs->file + ": the plate's well has no \"well\" metadata");
  auto fields = parseWellImages(wellNg.ome["well"], wellAttrs->file);
  if (!fields) return std::unexpected(fields.error());
  first.fields = *fields;
  NgffImageLocation out;
  out.container = "plate";
  out.imagePath = joinZarrPath(wellPath, fields->front());
  plate->openedImage = out.imagePath;
  for (const auto& f : *fields)
    out.series.push_back(joinZarrPath(wellPath, f));
  out.plate = std::move(*plate);
  return out;
}

std::vector<std::string> bioformatsSeries(const Store& store, const std::string& path) {
  std::vector<std::string> out;
  if (auto ome = readZarrNodeAttributes(store, joinZarrPath(path, "OME"))) {
    const NgffAttributes ng = ngffAttributes(ome->attributes, ome->zarrV3);
    if (ng.ome.contains("series") && ng.ome["series"].is_array())
      for (const auto& s : ng.ome["series"])
        if (s.is_string()) out.push_back(joinZarrPath(path, s.get<std::string>()));
    if (!out.empty()) return out;
  }
  for (int i = 0; i < kMaxProbedSeries; ++i) {
    const std::string p = joinZarrPath(path, std::to_string(i));
    if (!isGroup(store, p)) break;
    out.push_back(p);
  }
  return out;
}

std::vector<std::string> spatialDataImages(const Store& store, const std::string& path) {
  std::vector<std::string> out;
  const std::string images = joinZarrPath(path, "images");
  auto names = store.list(images);
  if (!names) return out;
  std::sort(names->begin(), names->end());
  for (const auto& n : *names) {
    if (n.empty() || n.front() == '.' || n == "zarr.json") continue;
    const std::string p = joinZarrPath(images, n);
    if (isGroup(store, p)) out.push_back(p);
  }
  return out;
}

Expected<NgffImageLocation> locate(const Store& store, const std::string& path, int depth) {
  auto attrs = readZarrNodeAttributes(store, path);
  if (!attrs) return std::unexpected(attrs.error());
  const NgffAttributes ng = ngffAttributes(attrs->attributes, attrs->zarrV3);
  const std::string& where = attrs->file;
  if (ng.ome.contains("multiscales")) {
    NgffImageLocation out;
    out.imagePath = path;
    out.series = {path};
    return out;
  }
  if (ng.ome.contains("plate")) return locatePlate(store, path, ng, where);
  if (ng.ome.contains("well")) {
    auto fields = parseWellImages(ng.ome["well"], where);
    if (!fields) return std::unexpected(fields.error());
    NgffImageLocation out;
    out.container = "well";
    out.imagePath = joinZarrPath(path, fields->front());
    for (const auto& f : *fields)
      out.series.push_back(joinZarrPath(path, f));
    if (fields->size() > 1)
      out.warnings.push_back(where + ": the well has " + std::to_string(fields->size()) +
                             " fields; showing the first");
    return out;
  }
  const bool bioformats = ng.ome.contains("bioformats2raw.layout");
  const bool spatialdata = attrs->attributes.contains("spatialdata_attrs");
  if ((bioformats || spatialdata) && depth == 0) {
    const std::string kind = bioformats ? "bioformats2raw" : "spatialdata";
    const auto series = bioformats ? bioformatsSeries(store, path) : spatialDataImages(store, path);
    if (series.empty())
      return fail(Errc::Unsupported, where + ": " + kind + " container holds no images");
    auto inner = locate(store, series.front(), depth + 1);
    if (!inner) return std::unexpected(inner.error());
    inner->container = kind;
    if (!inner->plate) inner->series = series;
    if (series.size() > 1)
      inner->warnings.push_back(storeKeyName(store, path) + ": " + std::to_string(series.size()) +
                                " images in this " + kind + " container; showing \"" +
                                series.front() + "\"");
    return inner;
  }
  return fail(Errc::Unsupported, where +
                                     ": not an OME-Zarr image (no multiscales, plate, well or "
                                     "bioformats2raw.layout)");
}

}  // namespace

Expected<NgffImageLocation> locateNgffImage(const Store& store, const std::string& path) {
  return locate(store, path, 0);
}

int probeNgffContainer(const Store& store, const std::string& path) {
  auto attrs = readZarrNodeAttributes(store, path);
  if (!attrs) return 0;
  const NgffAttributes ng = ngffAttributes(attrs->attributes, attrs->zarrV3);
  if (ng.ome.contains("multiscales")) return 100;
  if (ng.ome.contains("plate") || ng.ome.contains("well") ||
      ng.ome.contains("bioformats2raw.layout"))
    return 95;
  if (attrs->attributes.contains("spatialdata_attrs") && !spatialDataImages(store, path).empty())
    return 90;
  return 0;
}

}  // namespace tessera::data
