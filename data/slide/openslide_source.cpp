#include "data/slide/openslide_source.h"

#include <openslide/openslide.h>
#include <tiffio.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>

#include "data/ome/channel_defaults.h"

namespace tessera::data {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kCacheTiles = 16;

int quietTiffHandler(TIFF*, void*, const char*, const char*, va_list) {
  return 1;
}

/// First IFD is 8-bit RGB (or YCbCr JPEG): what OpenSlide's generic-tiff shows losslessly.
bool tiffIsRgb8(const std::string& path) {
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(opts, &quietTiffHandler, nullptr);
  TIFFOpenOptionsSetWarningHandlerExtR(opts, &quietTiffHandler, nullptr);
  TIFF* tif = TIFFOpenExt(path.c_str(), "rm", opts);
  TIFFOpenOptionsFree(opts);
  if (!tif) return false;
  std::uint16_t bits = 0, samples = 0, photometric = 0;
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  TIFFClose(tif);
  return bits == 8 && samples >= 3 &&
         (photometric == PHOTOMETRIC_RGB || photometric == PHOTOMETRIC_YCBCR);
}

std::string openslideError(openslide_t* osr) {
  const char* e = osr ? openslide_get_error(osr) : nullptr;
  return e ? e : "";
}

std::optional<double> numberProperty(openslide_t* osr, const char* name) {
  const char* v = openslide_get_property_value(osr, name);
  if (!v || !*v) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  if (end == v || !std::isfinite(d) || d <= 0) return std::nullopt;
  return d;
}

}  // namespace

int probeOpenSlide(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(path), ec)) return 0;
  const char* vendor = openslide_detect_vendor(path.c_str());
  if (!vendor) return 0;
  if (std::string(vendor) != "generic-tiff") return 90;
  openslide_t* osr = openslide_open(path.c_str());
  if (!osr) return 0;
  const bool pyramid = openslide_get_error(osr) == nullptr && openslide_get_level_count(osr) > 1;
  openslide_close(osr);
  return pyramid && tiffIsRgb8(path) ? 70 : 40;
}

OpenSlideSource::~OpenSlideSource() {
  if (osr_) openslide_close(osr_);
}

Expected<std::shared_ptr<OpenSlideSource>> OpenSlideSource::open(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(path), ec))
    return fail(Errc::NotFound, path + ": no such file");
  const char* vendor = openslide_detect_vendor(path.c_str());
  if (!vendor) return fail(Errc::Unsupported, path + ": not a slide format OpenSlide knows");
  std::shared_ptr<OpenSlideSource> src(new OpenSlideSource());
  src->vendor_ = vendor;
  src->osr_ = openslide_open(path.c_str());
  if (!src->osr_) return fail(Errc::Unsupported, path + ": OpenSlide cannot open it");
  if (const std::string e = openslideError(src->osr_); !e.empty())
    return fail(Errc::Corrupt, path + ": OpenSlide: " + e);

  ImageInfo& info = src->info_;
  info.format = "openslide " + src->vendor_;
  info.source = path;
  info.dtype = DType::U8;
  info.storedAxes = {"y", "x", "c"};
  auto mppX = numberProperty(src->osr_, OPENSLIDE_PROPERTY_NAME_MPP_X);
  auto mppY = numberProperty(src->osr_, OPENSLIDE_PROPERTY_NAME_MPP_Y);
  if (!mppX || !mppY) {
    // OpenSlide gives generic TIFFs no MPP; their resolution tags often carry it.
    const char* unit = openslide_get_property_value(src->osr_, "tiff.ResolutionUnit");
    const double perUnit = unit && std::string(unit) == "centimeter" ? 1e4
                           : unit && std::string(unit) == "inch"     ? 25400.0
                                                                     : 0.0;
    const auto xres = numberProperty(src->osr_, "tiff.XResolution");
    const auto yres = numberProperty(src->osr_, "tiff.YResolution");
    if (perUnit > 0 && xres && yres) {
      mppX = perUnit / *xres;
      mppY = perUnit / *yres;
    }
  }
  if (mppX && mppY)
    info.spaceUnit = "micrometer";
  else
    info.warnings.push_back(path + ": no microns-per-pixel in the slide; pixel units shown");
  if (const char* bg =
          openslide_get_property_value(src->osr_, OPENSLIDE_PROPERTY_NAME_BACKGROUND_COLOR)) {
    if (auto rgb = parseHexColor(bg))
      src->background_ = {static_cast<std::uint8_t>(*rgb >> 16),
                          static_cast<std::uint8_t>(*rgb >> 8), static_cast<std::uint8_t>(*rgb)};
  }

  const int levels = openslide_get_level_count(src->osr_);
  if (levels < 1) return fail(Errc::Corrupt, path + ": OpenSlide reports no levels");
  for (int k = 0; k < levels; ++k) {
    std::int64_t w = 0, h = 0;
    openslide_get_level_dimensions(src->osr_, k, &w, &h);
    const double ds = openslide_get_level_downsample(src->osr_, k);
    if (w < 1 || h < 1 || !(ds >= 1))
      return fail(Errc::Corrupt, path + ": level " + std::to_string(k) + " has no size");
    LevelInfo l;
    l.path = std::to_string(k);
    l.shape = {1, 3, 1, h, w};
    l.chunk = {1, 1, 1, kTile, kTile};
    l.scale = {1, 1, 1, (mppY ? *mppY : 1.0) * ds, (mppX ? *mppX : 1.0) * ds};
    info.levels.push_back(l);
    src->downsamples_.push_back(ds);
  }
  const char* names[] = {"red", "green", "blue"};
  const std::uint32_t colors[] = {0xFF0000, 0x00FF00, 0x0000FF};
  for (int c = 0; c < 3; ++c) {
    ChannelInfo ch;
    ch.name = names[c];
    ch.color = colors[c];
    ch.window = std::array<double, 2>{0, 255};
    info.channels.push_back(ch);
  }
  return src;
}

Expected<std::shared_ptr<const OpenSlideSource::RgbTile>> OpenSlideSource::rgbTile(
    const TilePos& pos) const {
  {
    std::lock_guard lock(cacheMutex_);
    for (auto it = lru_.begin(); it != lru_.end(); ++it)
      if (it->first == pos) {
        lru_.splice(lru_.begin(), lru_, it);
        return lru_.front().second;
      }
  }
  const auto& l = info_.levels[static_cast<std::size_t>(pos[0])];
  const std::int64_t x0 = pos[2] * kTile, y0 = pos[1] * kTile;
  auto tile = std::make_shared<RgbTile>();
  tile->width = static_cast<int>(std::min<std::int64_t>(kTile, l.shape[kX] - x0));
  tile->height = static_cast<int>(std::min<std::int64_t>(kTile, l.shape[kY] - y0));
  const std::size_t n = static_cast<std::size_t>(tile->width) * tile->height;
  std::vector<std::uint32_t> argb(n);
  const double ds = downsamples_[static_cast<std::size_t>(pos[0])];
  // read_region takes the top-left corner in level-0 coordinates.
  openslide_read_region(osr_, argb.data(), std::llround(static_cast<double>(x0) * ds),
                        std::llround(static_cast<double>(y0) * ds),
                        static_cast<std::int32_t>(pos[0]), tile->width, tile->height);
  if (const std::string e = openslideError(osr_); !e.empty())
    return fail(Errc::Corrupt, info_.source + ": OpenSlide: " + e);
  tile->rgb.resize(3 * n);
  std::uint8_t* r = tile->rgb.data();
  std::uint8_t* g = r + n;
  std::uint8_t* b = g + n;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t p = argb[i];
    const std::uint32_t a = p >> 24;
    if (a == 255) {
      r[i] = static_cast<std::uint8_t>(p >> 16);
      g[i] = static_cast<std::uint8_t>(p >> 8);
      b[i] = static_cast<std::uint8_t>(p);
    } else if (a == 0) {
      r[i] = background_[0];
      g[i] = background_[1];
      b[i] = background_[2];
    } else {
      auto un = [a](std::uint32_t c) {
        return static_cast<std::uint8_t>(std::min<std::uint32_t>(255, (c * 255 + a / 2) / a));
      };
      r[i] = un((p >> 16) & 0xFF);
      g[i] = un((p >> 8) & 0xFF);
      b[i] = un(p & 0xFF);
    }
  }
  std::lock_guard lock(cacheMutex_);
  lru_.emplace_front(pos, tile);
  if (lru_.size() > kCacheTiles) lru_.pop_back();
  return std::shared_ptr<const RgbTile>(std::move(tile));
}

Expected<Tile> OpenSlideSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": cancelled");
  if (key.level < 0 || key.level >= static_cast<int>(info_.levels.size()) || key.t != 0 ||
      key.z != 0 || key.c < 0 || key.c > 2)
    return fail(Errc::InvalidArgument, info_.source + ": no tile at level " +
                                           std::to_string(key.level) + " channel " +
                                           std::to_string(key.c));
  const auto& l = info_.levels[static_cast<std::size_t>(key.level)];
  if (key.row < 0 || key.col < 0 || key.row >= tileRows(l) || key.col >= tileCols(l))
    return fail(Errc::InvalidArgument, info_.source + ": tile " + std::to_string(key.row) + "," +
                                           std::to_string(key.col) + " outside level " +
                                           std::to_string(key.level));
  auto rgb = rgbTile({key.level, key.row, key.col});
  if (!rgb) return std::unexpected(rgb.error());
  Tile t;
  t.dtype = DType::U8;
  t.width = (*rgb)->width;
  t.height = (*rgb)->height;
  const std::size_t n = static_cast<std::size_t>(t.width) * t.height;
  const auto* plane = (*rgb)->rgb.data() + static_cast<std::size_t>(key.c) * n;
  t.data.assign(plane, plane + n);
  return t;
}

}  // namespace tessera::data
