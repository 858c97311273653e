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

// Plates list at most 16 x 24 x 4 wells in practice; the bound keeps a hostile plate from
// turning into millions of metadata reads.
constexpr std::size_t kMaxListedWells = 1536;

Expected<NgffImageLocation> locate(const Store& store, const std::string& path, int depth,
                                   const ImageSelection& select);

std::string upper(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "A/1", "a/1", "A1" and "A01" all name row A, column 1.
bool wellMatches(const PlateInfo& plate, const PlateWell& w, const std::string& wanted) {
  if (upper(w.path) == upper(wanted)) return true;
  if (w.row < 0 || w.column < 0 || static_cast<std::size_t>(w.row) >= plate.rows.size() ||
      static_cast<std::size_t>(w.column) >= plate.columns.size())
    return false;
  const std::string row = upper(plate.rows[static_cast<std::size_t>(w.row)]);
  const std::string col = plate.columns[static_cast<std::size_t>(w.column)];
  std::string rest = upper(wanted);
  if (!rest.starts_with(row)) return false;
  rest = rest.substr(row.size());
  if (rest.starts_with("/")) rest = rest.substr(1);
  const auto strip = [](std::string v) {
    const auto nz = v.find_first_not_of('0');
    return nz == std::string::npos ? std::string("0") : v.substr(nz);
  };
  return !rest.empty() && strip(rest) == strip(upper(col));
}

Expected<std::vector<std::string>> wellFields(const Store& store, const std::string& wellPath) {
  auto attrs = readZarrNodeAttributes(store, wellPath);
  if (!attrs) return std::unexpected(attrs.error());
  const NgffAttributes ng = ngffAttributes(attrs->attributes, attrs->zarrV3);
  if (!ng.ome.contains("well"))
    return fail(Errc::Corrupt, attrs->file + ": the plate's well has no \"well\" metadata");
  return parseWellImages(ng.ome["well"], attrs->file);
}

Expected<std::size_t> pickField(const std::optional<int>& field, std::size_t count,
                                const std::string& where) {
  const int f = field.value_or(0);
  if (f < 0 || static_cast<std::size_t>(f) >= count)
    return fail(Errc::InvalidArgument, where + ": no field " + std::to_string(f) + " (it has " +
                                           std::to_string(count) + ")");
  return static_cast<std::size_t>(f);
}

Expected<NgffImageLocation> locatePlate(const Store& store, const std::string& path,
                                        const NgffAttributes& ng, const std::string& where,
                                        const ImageSelection& select) {
  auto plate = parsePlate(ng.ome["plate"], where);
  if (!plate) return std::unexpected(plate.error());
  if (select.series)
    return fail(Errc::InvalidArgument,
                where + ": an HCS plate; pick a well and a field (--well A/1 --field 0)");
  std::size_t chosen = 0;
  if (!select.well.empty()) {
    const auto& wells = plate->wells;
    const auto it = std::find_if(wells.begin(), wells.end(), [&](const PlateWell& w) {
      return wellMatches(*plate, w, select.well);
    });
    if (it == wells.end())
      return fail(Errc::InvalidArgument, where + ": the plate has no well \"" + select.well +
                                             "\" (" + std::to_string(wells.size()) + " wells)");
    chosen = static_cast<std::size_t>(it - wells.begin());
  }
  NgffImageLocation out;
  // Every well's fields when asked for (tessera info); the chosen well's must be readable.
  for (std::size_t i = 0; select.listPlateFields && i < plate->wells.size() && i < kMaxListedWells;
       ++i) {
    if (i == chosen) continue;
    auto fields = wellFields(store, joinZarrPath(path, plate->wells[i].path));
    if (fields)
      plate->wells[i].fields = std::move(*fields);
    else
      out.warnings.push_back(fields.error().message);
  }
  PlateWell& well = plate->wells[chosen];
  const std::string wellPath = joinZarrPath(path, well.path);
  auto fields = wellFields(store, wellPath);
  if (!fields) return std::unexpected(fields.error());
  well.fields = *fields;
  auto field = pickField(select.field, fields->size(), storeKeyName(store, wellPath));
  if (!field) return std::unexpected(field.error());
  out.container = "plate";
  out.imagePath = joinZarrPath(wellPath, (*fields)[*field]);
  out.seriesIndex = *field;
  plate->openedImage = out.imagePath;
  plate->openedWell = static_cast<int>(chosen);
  plate->openedField = static_cast<int>(*field);
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

// bioformats2raw before 0.3 wrote no container group: `METADATA.ome.xml` sits beside
// `data.zarr/`, whose groups 0, 1, ... are the series.
bool isLegacyBioformats(const Store& store, const std::string& path) {
  return store.exists(joinZarrPath(path, "METADATA.ome.xml")) &&
         isGroup(store, joinZarrPath(path, "data.zarr"));
}

// Series `select.series` (0 by default) of a container holding `series`.
Expected<NgffImageLocation> locateSeries(const Store& store, const std::string& path, int depth,
                                         const ImageSelection& select, const std::string& where,
                                         const std::string& kind,
                                         const std::vector<std::string>& series) {
  if (series.empty())
    return fail(Errc::Unsupported, where + ": " + kind + " container holds no images");
  const int index = select.series.value_or(0);
  if (index < 0 || static_cast<std::size_t>(index) >= series.size())
    return fail(Errc::InvalidArgument, where + ": no series " + std::to_string(index) + " (the " +
                                           kind + " container holds " +
                                           std::to_string(series.size()) + ")");
  ImageSelection inner = select;
  inner.series.reset();
  auto found = locate(store, series[static_cast<std::size_t>(index)], depth + 1, inner);
  if (!found) return std::unexpected(found.error());
  found->container = kind;
  if (!found->plate) {
    found->series = series;
    found->seriesIndex = static_cast<std::size_t>(index);
  }
  if (series.size() > 1 && !select.series)
    found->warnings.push_back(storeKeyName(store, path) + ": " + std::to_string(series.size()) +
                              " images in this " + kind + " container; showing \"" +
                              series.front() + "\"");
  return found;
}

Expected<NgffImageLocation> locate(const Store& store, const std::string& path, int depth,
                                   const ImageSelection& select) {
  auto attrs = readZarrNodeAttributes(store, path);
  if (!attrs && depth == 0 && isLegacyBioformats(store, path))
    return locateSeries(store, path, depth, select,
                        storeKeyName(store, joinZarrPath(path, "METADATA.ome.xml")),
                        "bioformats2raw", bioformatsSeries(store, joinZarrPath(path, "data.zarr")));
  if (!attrs) return std::unexpected(attrs.error());
  const NgffAttributes ng = ngffAttributes(attrs->attributes, attrs->zarrV3);
  const std::string& where = attrs->file;
  if (ng.ome.contains("multiscales")) {
    if (select.series.value_or(0) != 0 || !select.well.empty() || select.field.value_or(0) != 0)
      return fail(Errc::InvalidArgument,
                  where + ": a single image; there is no other series, well or field to open");
    NgffImageLocation out;
    out.imagePath = path;
    out.series = {path};
    return out;
  }
  if (ng.ome.contains("plate")) return locatePlate(store, path, ng, where, select);
  if (ng.ome.contains("well")) {
    if (!select.well.empty())
      return fail(Errc::InvalidArgument, where + ": a single well; pick a field (--field N)");
    auto fields = parseWellImages(ng.ome["well"], where);
    if (!fields) return std::unexpected(fields.error());
    auto field = pickField(select.field ? select.field : select.series, fields->size(), where);
    if (!field) return std::unexpected(field.error());
    NgffImageLocation out;
    out.container = "well";
    out.imagePath = joinZarrPath(path, (*fields)[*field]);
    out.seriesIndex = *field;
    for (const auto& f : *fields)
      out.series.push_back(joinZarrPath(path, f));
    if (fields->size() > 1 && !select.field && !select.series)
      out.warnings.push_back(where + ": the well has " + std::to_string(fields->size()) +
                             " fields; showing the first");
    return out;
  }
  const bool bioformats = ng.ome.contains("bioformats2raw.layout");
  const bool spatialdata = attrs->attributes.contains("spatialdata_attrs");
  if ((bioformats || spatialdata) && depth == 0)
    return locateSeries(
        store, path, depth, select, where, bioformats ? "bioformats2raw" : "spatialdata",
        bioformats ? bioformatsSeries(store, path) : spatialDataImages(store, path));
  return fail(Errc::Unsupported, where +
                                     ": not an OME-Zarr image (no multiscales, plate, well or "
                                     "bioformats2raw.layout)");
}

}  // namespace

Expected<NgffImageLocation> locateNgffImage(const Store& store, const std::string& path,
                                            const ImageSelection& select) {
  return locate(store, path, 0, select);
}

int probeNgffContainer(const Store& store, const std::string& path) {
  auto attrs = readZarrNodeAttributes(store, path);
  if (!attrs) return isLegacyBioformats(store, path) ? 95 : 0;
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
