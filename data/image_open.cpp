#include "data/image_open.h"

#include <algorithm>
#include <cstdio>

#include <cstring>
#include <filesystem>
#include <system_error>

#include "data/arrays/bare_zarr.h"
#include "data/arrays/built_pyramid.h"
#include "data/demo/demo_dataset.h"
#include "data/local_store.h"
#include "data/n5/n5_container.h"
#include "data/ome/channel_defaults.h"
#include "data/ome/ome_zarr_source.h"
#include "data/plain/plain_image_source.h"
#include "data/remote/remote_context.h"
#include "data/remote/url.h"
#include "data/slide/openslide_source.h"
#include "data/tiff/ome_tiff_source.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

/// The zarr group directory a location points at: the directory itself, or the directory of
/// a zarr.json/.zattrs/.zgroup file given directly.
std::optional<fs::path> zarrDirectory(const std::string& location) {
  std::error_code ec;
  const fs::path p(location);
  if (fs::is_directory(p, ec)) return p;
  const std::string leaf = p.filename().string();
  if ((leaf == "zarr.json" || leaf == ".zattrs" || leaf == ".zgroup" || leaf == ".zarray" ||
       leaf == "attributes.json") &&
      fs::is_regular_file(p, ec))
    return p.parent_path().empty() ? fs::path(".") : p.parent_path();
  return std::nullopt;
}

// URLs: the same readers over an HttpStore. A URL names a zarr group (or its zarr.json,
// .zattrs or .zgroup) or a TIFF file; which one is decided from the path, because HTTP
// cannot ask "is this a directory?".
bool urlLooksLikeTiff(const std::string& url) {
  auto u = parseUrl(url);
  if (!u) return false;
  std::string path = u->path();
  for (char& c : path)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return path.ends_with(".tif") || path.ends_with(".tiff") || path.ends_with(".btf") ||
         path.ends_with(".tf8") || path.ends_with(".svs") || path.ends_with(".companion.ome");
}

std::string zarrBaseUrl(std::string url) {
  url = url.substr(0, url.find_first_of("?#"));
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  for (const char* leaf : {"/zarr.json", "/.zattrs", "/.zgroup", "/.zarray", "/attributes.json"})
    if (url.ends_with(leaf)) return url.substr(0, url.size() - std::strlen(leaf));
  return url;
}

// Splits ".../dir/file.tif" into the store base and the key.
std::pair<std::string, std::string> tiffUrlParts(const std::string& url) {
  const std::string clean = url.substr(0, url.find_first_of("?#"));
  const std::size_t slash = clean.rfind('/');
  return {clean.substr(0, slash), percentDecode(clean.substr(slash + 1))};
}

int probeZarrUrl(const std::string& url) {
  if (urlLooksLikeTiff(url)) return 0;
  auto store = openHttpStore(zarrBaseUrl(url));
  return store ? probeOmeZarr(**store, "") : 0;
}

// A big bare array or N5 dataset without a pyramid gets one derived from it (built into the
// cache when the caller asks; see BuiltPyramidSource). `stamp` tells versions of a source apart.
template <class Source>
Expected<std::shared_ptr<TileSource>> asTileSource(Expected<std::shared_ptr<Source>> src,
                                                   const std::string& stamp = "") {
  if (!src) return std::unexpected(src.error());
  if (BuiltPyramidSource::wants((*src)->info()))
    return std::shared_ptr<TileSource>(BuiltPyramidSource::wrap(
        std::move(*src), pyramidCacheDir(defaultCacheDir() / "pyramids", (*src)->info(), stamp)));
  return std::shared_ptr<TileSource>(std::move(*src));
}

// The directory's modification time: a rewritten array gets a new pyramid.
std::string modificationStamp(const fs::path& dir) {
  std::error_code ec;
  const auto t = fs::last_write_time(dir, ec);
  return ec ? std::string() : std::to_string(t.time_since_epoch().count());
}

Expected<std::shared_ptr<TileSource>> openZarrUrl(const std::string& url,
                                                  const ImageSelection& select) {
  auto store = openHttpStore(zarrBaseUrl(url));
  if (!store) return std::unexpected(store.error());
  // Surface transport failures and HTML error pages before the reader turns them into
  // "no zarr group here": exists() cannot carry an error.
  for (const char* key : {"zarr.json", ".zattrs", ".zgroup"}) {
    auto meta = (*store)->read(key);
    if (meta) break;
    if (meta.error().code != Errc::NotFound) return std::unexpected(meta.error());
  }
  // The same readers as for directories, chosen the same way: NGFF first, then N5, then a
  // bare zarr array or group.
  if (probeOmeZarr(**store, "") == 0) {
    if (probeN5(**store, "") > 0) return asTileSource(openN5(*store, "", select));
    if (probeBareZarr(**store, "") > 0) return asTileSource(openBareZarr(*store, "", select));
  }
  auto src = OmeZarrSource::open(*store, "", select);
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

int probeTiffUrl(const std::string& url) {
  if (!urlLooksLikeTiff(url)) return 0;
  const auto [base, key] = tiffUrlParts(url);
  auto store = openHttpStore(base);
  return store ? probeTiff(**store, key, key) : 0;
}

Expected<std::shared_ptr<TileSource>> openTiffUrl(const std::string& url,
                                                  const ImageSelection& select) {
  const auto [base, key] = tiffUrlParts(url);
  auto store = openHttpStore(base);
  if (!store) return std::unexpected(store.error());
  if (auto size = (*store)->size(key); !size) return std::unexpected(size.error());
  auto src = OmeTiffSource::open(*store, key, select);
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

int probeZarr(const std::string& location) {
  if (isHttpUrl(location)) return probeZarrUrl(location);
  const auto dir = zarrDirectory(location);
  if (!dir) return 0;
  return probeOmeZarr(LocalStore(*dir), "");
}

Expected<std::shared_ptr<TileSource>> openZarr(const std::string& location,
                                               const ImageSelection& select) {
  if (isHttpUrl(location)) return openZarrUrl(location, select);
  const auto dir = zarrDirectory(location);
  if (!dir) return fail(Errc::Unsupported, location + ": not a zarr directory");
  auto src = OmeZarrSource::open(std::make_shared<LocalStore>(*dir), "", select);
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

int probeN5Location(const std::string& location) {
  if (isHttpUrl(location)) return 0;  // decided in openZarrUrl with the other zarr-likes
  const auto dir = zarrDirectory(location);
  return dir ? probeN5(LocalStore(*dir), "") : 0;
}

Expected<std::shared_ptr<TileSource>> openN5Location(const std::string& location,
                                                     const ImageSelection& select) {
  if (isHttpUrl(location)) return openZarrUrl(location, select);
  const auto dir = zarrDirectory(location);
  if (!dir) return fail(Errc::Unsupported, location + ": not an N5 directory");
  return asTileSource(openN5(std::make_shared<LocalStore>(*dir), "", select),
                      modificationStamp(*dir));
}

int probeBareZarrLocation(const std::string& location) {
  if (isHttpUrl(location)) return 0;
  const auto dir = zarrDirectory(location);
  return dir ? probeBareZarr(LocalStore(*dir), "") : 0;
}

Expected<std::shared_ptr<TileSource>> openBareZarrLocation(const std::string& location,
                                                           const ImageSelection& select) {
  if (isHttpUrl(location)) return openZarrUrl(location, select);
  const auto dir = zarrDirectory(location);
  if (!dir) return fail(Errc::Unsupported, location + ": not a zarr directory");
  return asTileSource(openBareZarr(std::make_shared<LocalStore>(*dir), "", select),
                      modificationStamp(*dir));
}

int probeTiffFile(const std::string& location) {
  if (isHttpUrl(location)) return probeTiffUrl(location);
  std::error_code ec;
  const fs::path p(location);
  if (!fs::is_regular_file(p, ec)) return 0;
  return probeTiff(LocalStore(p), "", p.filename().string());
}

// The file's directory is the store, so that the other files of a multi-file set (and a
// BinaryOnly file's companion) are reachable as sibling keys.
Expected<std::shared_ptr<TileSource>> openTiff(const std::string& location,
                                               const ImageSelection& select) {
  if (isHttpUrl(location)) return openTiffUrl(location, select);
  const fs::path p(location);
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  auto src = OmeTiffSource::open(std::make_shared<LocalStore>(dir), p.filename().string(), select);
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

// Canonical slot of each stored axis; custom space-axis names count x, y, z from the end.
std::vector<int> storedSlots(const std::vector<std::string>& axes) {
  std::vector<int> slots(axes.size(), -1);
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const std::string& a = axes[i];
    if (a == "t" || a == "T")
      slots[i] = kT;
    else if (a == "c" || a == "C")
      slots[i] = kC;
    else if (a == "z" || a == "Z")
      slots[i] = kZ;
    else if (a == "y" || a == "Y")
      slots[i] = kY;
    else if (a == "x" || a == "X")
      slots[i] = kX;
  }
  int next = kX;
  for (std::size_t i = axes.size(); i-- > 0;) {
    if (slots[i] == -1) slots[i] = std::max(next, 0);
    if (slots[i] >= kZ) next = std::min(next, slots[i] - 1);
  }
  return slots;
}

// Readers of single-image formats: any selection but series 0 names something absent.
template <class Source>
Expected<std::shared_ptr<TileSource>> openAs(const std::string& location,
                                             const ImageSelection& select) {
  if (select.series.value_or(0) != 0 || !select.well.empty() || select.field)
    return fail(Errc::InvalidArgument,
                location + ": holds a single image; there is no other series, well or field");
  auto src = Source::open(location);
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

}  // namespace

const std::vector<ImageFormat>& imageFormats() {
  static const std::vector<ImageFormat> formats = {
      {"ome-zarr", probeZarr, openZarr},
      {"n5", probeN5Location, openN5Location},
      {"zarr-array", probeBareZarrLocation, openBareZarrLocation},
      {"tiff", probeTiffFile, openTiff},
      {"plain image", probePlainImage, openAs<PlainImageSource>},
      {"whole-slide (OpenSlide)", probeOpenSlide, openAs<OpenSlideSource>},
  };
  return formats;
}

const ImageFormat* bestImageFormat(const std::string& location) {
  const ImageFormat* best = nullptr;
  int bestScore = 0;
  for (const auto& f : imageFormats()) {
    const int score = f.probe(location);
    if (score > bestScore) {
      best = &f;
      bestScore = score;
    }
  }
  return best;
}

Expected<std::shared_ptr<TileSource>> openImage(const std::string& location,
                                                const ImageSelection& select) {
  if (location.find("://") != std::string::npos) {
    auto url = parseUrl(location);  // names the bad scheme or the malformed part
    if (!url) return std::unexpected(url.error());
    return urlLooksLikeTiff(location) ? openTiffUrl(location, select)
                                      : openZarrUrl(location, select);
  }
  std::error_code ec;
  if (location.empty() || !fs::exists(fs::path(location), ec))
    return fail(Errc::NotFound, location + ": no such file or directory");
  const ImageFormat* format = bestImageFormat(location);
  if (!format) {
    std::string tried;
    for (const auto& f : imageFormats())
      tried += (tried.empty() ? "" : ", ") + f.name;
    return fail(Errc::Unsupported,
                location + ": not an image format Tessera can open (tried " + tried + ")");
  }
  if (!select.axes.empty() && format->name != "n5" && format->name != "zarr-array")
    return fail(Errc::InvalidArgument, location +
                                           ": --axes applies to zarr arrays and N5 "
                                           "datasets without axis metadata, not to " +
                                           format->name);
  return format->open(location, select);
}

bool hasImageChoice(const ImageInfo& info) {
  if (info.plate) {
    const PlateInfo& p = *info.plate;
    if (p.wells.size() > 1 || p.fieldCount > 1) return true;
    return std::any_of(p.wells.begin(), p.wells.end(),
                       [](const PlateWell& w) { return w.fields.size() > 1; });
  }
  return info.series.size() > 1;
}

nlohmann::json imageInfoToJson(const ImageInfo& info) {
  using nlohmann::json;
  const std::vector<int> slots = storedSlots(info.storedAxes);
  json levels = json::array();
  for (const auto& l : info.levels) {
    json shape = json::array(), chunks = json::array(), scale = json::array(),
         translation = json::array();
    for (int s : slots) {
      shape.push_back(l.shape[s]);
      chunks.push_back(l.chunk[s]);
      scale.push_back(l.scale[s]);
      translation.push_back(l.translation[s]);
    }
    levels.push_back({{"path", l.path},
                      {"shape", shape},
                      {"chunks", chunks},
                      {"scale", scale},
                      {"translation", translation}});
    if (!l.codec.empty()) levels.back()["codec"] = l.codec;
  }
  json channels = json::array();
  for (const auto& c : info.channels) {
    json window = c.window ? json::array({(*c.window)[0], (*c.window)[1]}) : json(nullptr);
    channels.push_back({{"name", c.name},
                        {"color", formatHexColor(c.color)},
                        {"window", window},
                        {"visible", c.visible}});
  }
  json out = {{"kind", "image"},         {"format", info.format},
              {"axes", info.storedAxes}, {"dtype", dtypeName(info.dtype)},
              {"levels", levels},        {"channels", channels},
              {"labels", info.labels}};
  out["axes_guessed"] = info.axesGuessed;
  if (!info.labelImages.empty()) {
    json images = json::array();
    for (const auto& l : info.labelImages) {
      json colors = json::object(), props = json::object();
      for (const auto& [v, rgba] : l.colors) {
        char hex[9];
        std::snprintf(hex, sizeof hex, "%08X", rgba);
        colors[std::to_string(v)] = hex;
      }
      for (const auto& [v, row] : l.properties)
        props[std::to_string(v)] = row;
      images.push_back(
          {{"name", l.name}, {"path", l.path}, {"colors", colors}, {"properties", props}});
    }
    out["label_images"] = images;
  }
  if (info.series.size() > 1 && !info.plate) {  // a plate lists its fields under "plate"
    json series = json::array();
    for (std::size_t i = 0; i < info.series.size(); ++i) {
      json entry = {{"index", i}, {"name", info.series[i]}};
      if (i < info.seriesShapes.size() && info.seriesShapes[i][kX] > 0)
        entry["shape"] = info.seriesShapes[i];
      series.push_back(entry);
    }
    out["series"] = series;
    out["series_index"] = info.seriesIndex;
  }
  if (info.plate) {
    const PlateInfo& p = *info.plate;
    json wells = json::array();
    for (const auto& w : p.wells)
      wells.push_back(
          {{"path", w.path}, {"row", w.row}, {"column", w.column}, {"fields", w.fields}});
    out["plate"] = {{"name", p.name},
                    {"rows", p.rows},
                    {"columns", p.columns},
                    {"field_count", p.fieldCount},
                    {"wells", wells},
                    {"opened", p.openedImage},
                    {"opened_well", p.openedWell},
                    {"opened_field", p.openedField}};
  }
  if (!info.warnings.empty()) out["warnings"] = info.warnings;
  return out;
}

}  // namespace tessera::data
