#include "data/image_open.h"

#include <filesystem>
#include <system_error>

#include "data/local_store.h"
#include "data/ome/channel_defaults.h"
#include "data/ome/ome_zarr_source.h"
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
  if ((leaf == "zarr.json" || leaf == ".zattrs" || leaf == ".zgroup") && fs::is_regular_file(p, ec))
    return p.parent_path().empty() ? fs::path(".") : p.parent_path();
  return std::nullopt;
}

int probeZarr(const std::string& location) {
  const auto dir = zarrDirectory(location);
  if (!dir) return 0;
  return probeOmeZarr(LocalStore(*dir), "");
}

Expected<std::shared_ptr<TileSource>> openZarr(const std::string& location) {
  const auto dir = zarrDirectory(location);
  if (!dir) return fail(Errc::Unsupported, location + ": not a zarr directory");
  auto src = OmeZarrSource::open(std::make_shared<LocalStore>(*dir), "");
  if (!src) return std::unexpected(src.error());
  return std::shared_ptr<TileSource>(std::move(*src));
}

int probeTiffFile(const std::string& location) {
  std::error_code ec;
  const fs::path p(location);
  if (!fs::is_regular_file(p, ec)) return 0;
  return probeTiff(LocalStore(p), "", p.filename().string());
}

Expected<std::shared_ptr<TileSource>> openTiff(const std::string& location) {
  auto src = OmeTiffSource::open(std::make_shared<LocalStore>(fs::path(location)), "");
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

}  // namespace

const std::vector<ImageFormat>& imageFormats() {
  static const std::vector<ImageFormat> formats = {
      {"ome-zarr", probeZarr, openZarr},
      {"tiff", probeTiffFile, openTiff},
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

Expected<std::shared_ptr<TileSource>> openImage(const std::string& location) {
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
  return format->open(location);
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
  if (info.plate) {
    const PlateInfo& p = *info.plate;
    json wells = json::array();
    for (const auto& w : p.wells)
      wells.push_back(
          {{"path", w.path}, {"row", w.row}, {"column", w.column}, {"fields", w.fields}});
    out["plate"] = {{"name", p.name},       {"rows", p.rows},
                    {"columns", p.columns}, {"field_count", p.fieldCount},
                    {"wells", wells},       {"opened", p.openedImage}};
  }
  if (!info.warnings.empty()) out["warnings"] = info.warnings;
  return out;
}

}  // namespace tessera::data
