#include "data/tiff/ome_tiff_source.h"

#include <tiffio.h>

#include <algorithm>

#include "data/ome/channel_defaults.h"
#include "data/tiff/ome_xml.h"
#include "data/tiff/tiff_region.h"

namespace tessera::data {
namespace {

constexpr std::int64_t kStripTile = 512;     // virtual tile edge for stripped files
constexpr std::int64_t kMaxTileEdge = 4096;  // larger TIFF tiles are served in kVirtual pieces
constexpr std::int64_t kVirtualTile = 1024;
constexpr std::size_t kMaxIfds = 1'000'000;  // bounds the IFD walk of hostile files
constexpr std::size_t kMaxHandles = 8;

std::string baseName(const std::string& s) {
  const auto slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

Shape5 tileShape(const TiffDirLayout& l) {
  Shape5 c{1, 1, 1, kStripTile, kStripTile};
  if (l.tiled) {
    c[kY] = l.tileHeight > kMaxTileEdge ? kVirtualTile : l.tileHeight;
    c[kX] = l.tileWidth > kMaxTileEdge ? kVirtualTile : l.tileWidth;
  }
  return c;
}

std::vector<std::uint64_t> subIfdOffsets(TIFF* tif) {
  std::uint16_t n = 0;
  toff_t* offsets = nullptr;  // owned by libtiff
  if (!TIFFGetField(tif, TIFFTAG_SUBIFD, &n, &offsets) || !offsets) return {};
  return {offsets, offsets + n};
}

}  // namespace

struct OmeTiffOpener {
  static Expected<std::shared_ptr<OmeTiffSource>> open(std::shared_ptr<const Store> store,
                                                       const std::string& key);
};

Expected<std::shared_ptr<OmeTiffSource>> OmeTiffOpener::open(std::shared_ptr<const Store> store,
                                                             const std::string& key) {
  auto handle = TiffHandle::open(store, key);
  if (!handle) return std::unexpected(handle.error());
  TiffHandle& h = **handle;
  TIFF* tif = h.tif();
  const std::string name = h.name();

  std::vector<std::uint64_t> ifds;
  do {
    ifds.push_back(TIFFCurrentDirOffset(tif));
  } while (ifds.size() < kMaxIfds && TIFFReadDirectory(tif));
  h.clearError();  // a failed read of a trailing IFD is not fatal
  if (auto r = h.setDirectoryOffset(ifds.front()); !r) return std::unexpected(r.error());

  std::shared_ptr<OmeTiffSource> src(new OmeTiffSource());
  ImageInfo& info = src->info_;
  info.source = name;
  std::optional<OmeImageXml> ome;
  char* description = nullptr;
  if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &description) && description &&
      std::string_view(description).find("<OME") != std::string_view::npos) {
    auto images = parseOmeXml(description, name);
    if (!images) {
      info.warnings.push_back(images.error().message + "; read as a plain TIFF");
    } else {
      ome = images->front();
      for (std::size_t i = 0; i < images->size(); ++i)
        info.series.push_back("Image " + std::to_string(i) +
                              ((*images)[i].name.empty() ? "" : ": " + (*images)[i].name));
      if (images->size() > 1)
        info.warnings.push_back(name + ": " + std::to_string(images->size()) +
                                " images in the OME-XML; showing the first");
    }
  }
  auto layout0 = readTiffLayout(h);
  if (!layout0) return std::unexpected(layout0.error());
  const TiffDirLayout& l0 = *layout0;
  const int spp = l0.samplesPerPixel;
  src->samplesPerPixel_ = spp;
  info.dtype = l0.dtype;

  Shape5 shape{1, 1, 1, static_cast<std::int64_t>(l0.height), static_cast<std::int64_t>(l0.width)};
  Vec5 scale{1, 1, 1, 1, 1};
  if (ome) {
    info.format = "ome-tiff";
    if (ome->sizeX != l0.width || ome->sizeY != l0.height)
      return fail(Errc::Corrupt, name + ": OME-XML says " + std::to_string(ome->sizeX) + "x" +
                                     std::to_string(ome->sizeY) + " but the first IFD is " +
                                     std::to_string(l0.width) + "x" + std::to_string(l0.height));
    src->planeChannels_ =
        ome->sizeC % spp == 0 ? std::max<std::int64_t>(1, ome->sizeC / spp) : ome->sizeC;
    shape[kT] = ome->sizeT;
    shape[kZ] = ome->sizeZ;
    shape[kC] = src->planeChannels_ * spp;
    const auto planeIfds = omePlaneIfds(*ome, src->planeChannels_, baseName(name), info.warnings);
    src->planeOffsets_.assign(planeIfds.size(), 0);
    for (std::int64_t t = 0; t < ome->sizeT; ++t)
      for (std::int64_t c = 0; c < src->planeChannels_; ++c)
        for (std::int64_t z = 0; z < ome->sizeZ; ++z) {
          const std::int64_t ifd = planeIfds[static_cast<std::size_t>(omePlaneIndex(
              ome->dimensionOrder, z, c, t, ome->sizeZ, src->planeChannels_, ome->sizeT))];
          const std::size_t mine =
              static_cast<std::size_t>((t * src->planeChannels_ + c) * ome->sizeZ + z);
          if (ifd >= 0 && static_cast<std::size_t>(ifd) < ifds.size())
            src->planeOffsets_[mine] = ifds[static_cast<std::size_t>(ifd)];
        }
    if (ome->physicalSizeX) {
      scale[kX] = *ome->physicalSizeX;
      info.spaceUnit = omeUnitName(ome->unitX);
    }
    if (ome->physicalSizeY) scale[kY] = *ome->physicalSizeY;
    if (ome->physicalSizeZ) scale[kZ] = *ome->physicalSizeZ;
    info.channels = defaultChannels(static_cast<std::size_t>(shape[kC]));
    std::size_t c = 0;
    for (const auto& ch : ome->channels) {
      for (int s = 0; s < ch.samplesPerPixel && c < info.channels.size(); ++s, ++c) {
        ChannelInfo& out = info.channels[c];
        if (!ch.name.empty())
          out.name = ch.samplesPerPixel > 1 ? ch.name + " " + std::to_string(s) : ch.name;
        if (ch.color)
          out.color = (static_cast<std::uint32_t>(*ch.color) >> 8) & 0xFFFFFFu;
        else if (ch.samplesPerPixel == 3)
          out.color = 0xFF0000u >> (8 * s);
      }
    }
    const std::string order = ome->dimensionOrder.size() == 5 ? ome->dimensionOrder : "XYZCT";
    for (int i = 4; i >= 0; --i) {
      const char d = order[static_cast<std::size_t>(i)];
      const int slot = d == 'T' ? kT : d == 'C' ? kC : d == 'Z' ? kZ : d == 'Y' ? kY : kX;
      if (slot >= kY || shape[slot] > 1)
        info.storedAxes.push_back(std::string(1, static_cast<char>(std::tolower(d))));
    }
  } else {
    info.format = "tiff";
    // Full-size pages (not reduced-resolution ones) are the channel planes of a plain TIFF.
    for (std::uint64_t off : ifds) {
      if (auto r = h.setDirectoryOffset(off); !r) break;
      std::uint32_t w = 0, ht = 0, subfile = 0;
      TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
      TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &ht);
      TIFFGetFieldDefaulted(tif, TIFFTAG_SUBFILETYPE, &subfile);
      auto l = readTiffLayout(h);
      if (w == l0.width && ht == l0.height && !(subfile & FILETYPE_REDUCEDIMAGE) && l &&
          l->dtype == l0.dtype && l->samplesPerPixel == spp)
        src->planeOffsets_.push_back(off);
    }
    if (auto r = h.setDirectoryOffset(ifds.front()); !r) return std::unexpected(r.error());
    src->planeChannels_ = static_cast<std::int64_t>(src->planeOffsets_.size());
    shape[kC] = src->planeChannels_ * spp;
    info.channels = defaultChannels(static_cast<std::size_t>(shape[kC]));
    if (spp == 3 && src->planeChannels_ == 1)
      for (int s = 0; s < 3; ++s)
        info.channels[static_cast<std::size_t>(s)].color = 0xFF0000u >> (8 * s);
    info.storedAxes = shape[kC] > 1 ? std::vector<std::string>{"c", "y", "x"}
                                    : std::vector<std::string>{"y", "x"};
  }

  LevelInfo level0;
  level0.path = "ifd0";
  level0.shape = shape;
  level0.chunk = tileShape(l0);
  level0.scale = scale;
  info.levels.push_back(level0);
  const auto subs = subIfdOffsets(tif);
  for (std::size_t k = 0; k < subs.size(); ++k) {
    if (auto r = h.setDirectoryOffset(subs[k]); !r) {
      info.warnings.push_back(r.error().message + "; pyramid truncated");
      break;
    }
    auto l = readTiffLayout(h);
    if (!l || l->dtype != l0.dtype || l->samplesPerPixel != spp) {
      info.warnings.push_back(name + ": SubIFD " + std::to_string(k) +
                              " does not match the full-resolution image; pyramid truncated");
      break;
    }
    LevelInfo level;
    level.path = "ifd0/subifd" + std::to_string(k);
    level.shape = shape;
    level.shape[kY] = l->height;
    level.shape[kX] = l->width;
    level.chunk = tileShape(*l);
    level.scale = scale;
    level.scale[kY] = scale[kY] * static_cast<double>(shape[kY]) / static_cast<double>(l->height);
    level.scale[kX] = scale[kX] * static_cast<double>(shape[kX]) / static_cast<double>(l->width);
    info.levels.push_back(level);
  }
  src->pool_ = std::make_unique<TiffHandlePool>(store, key, kMaxHandles);
  src->pool_->adopt(std::move(*handle));
  return src;
}

Expected<std::shared_ptr<OmeTiffSource>> OmeTiffSource::open(std::shared_ptr<const Store> store,
                                                             const std::string& key) {
  if (!store) return fail(Errc::InvalidArgument, "OmeTiffSource: no store");
  return OmeTiffOpener::open(std::move(store), key);
}

Expected<Tile> OmeTiffSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": tile read cancelled");
  if (key.level < 0 || static_cast<std::size_t>(key.level) >= info_.levels.size())
    return fail(Errc::InvalidArgument, info_.source + ": no level " + std::to_string(key.level));
  const LevelInfo& L = info_.levels[static_cast<std::size_t>(key.level)];
  if (key.t < 0 || key.t >= L.shape[kT] || key.c < 0 || key.c >= L.shape[kC] || key.z < 0 ||
      key.z >= L.shape[kZ])
    return fail(Errc::InvalidArgument, info_.source + ": tile t/c/z out of range");
  if (key.row < 0 || key.row >= tileRows(L) || key.col < 0 || key.col >= tileCols(L))
    return fail(Errc::InvalidArgument, info_.source + ": tile row/col out of range");
  const std::int64_t y0 = key.row * L.chunk[kY], x0 = key.col * L.chunk[kX];
  const std::int64_t h = std::min(L.chunk[kY], L.shape[kY] - y0);
  const std::int64_t w = std::min(L.chunk[kX], L.shape[kX] - x0);
  Tile tile;
  tile.dtype = info_.dtype;
  tile.width = static_cast<int>(w);
  tile.height = static_cast<int>(h);

  const std::int64_t cPlane = key.c / samplesPerPixel_;
  const int sample = static_cast<int>(key.c % samplesPerPixel_);
  const std::uint64_t offset = planeOffsets_[static_cast<std::size_t>(
      (key.t * planeChannels_ + cPlane) * L.shape[kZ] + key.z)];
  if (offset == 0) {  // plane stored in another file or not mapped: shown empty (warned at open)
    tile.data.assign(static_cast<std::size_t>(w * h) * dtypeSize(tile.dtype), 0);
    return tile;
  }
  auto lease = pool_->acquire();
  if (!lease) return std::unexpected(lease.error());
  TiffHandle& handle = **lease;
  if (auto r = handle.setDirectoryOffset(offset); !r) return std::unexpected(r.error());
  if (key.level > 0) {
    const auto subs = subIfdOffsets(handle.tif());
    if (static_cast<std::size_t>(key.level) > subs.size())
      return fail(Errc::Corrupt,
                  info_.source + ": plane has no SubIFD for level " + std::to_string(key.level));
    if (auto r = handle.setDirectoryOffset(subs[static_cast<std::size_t>(key.level) - 1]); !r)
      return std::unexpected(r.error());
  }
  auto layout = readTiffLayout(handle);
  if (!layout) return std::unexpected(layout.error());
  if (layout->width != L.shape[kX] || layout->height != L.shape[kY] || layout->dtype != tile.dtype)
    return fail(Errc::Corrupt, info_.source + ": plane IFD differs from the first plane's layout");
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": tile read cancelled");
  auto data = readTiffRegion(handle, *layout, x0, y0, w, h, sample, stop);
  if (!data) return std::unexpected(data.error());
  tile.data = std::move(*data);
  return tile;
}

int probeTiff(const Store& store, const std::string& key, const std::string& fileName) {
  auto head = store.readRange(key, 0, 4);
  if (!head || head->size() < 4) return 0;
  const auto& b = *head;
  const bool le = b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0;
  const bool be = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43);
  if (!le && !be) return 0;
  std::string lower = fileName;
  for (char& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const char* ext : {".ome.tif", ".ome.tiff", ".ome.tf2", ".ome.tf8", ".ome.btf"})
    if (lower.ends_with(ext)) return 100;
  return 60;
}

}  // namespace tessera::data
