#include "data/tiff/ome_tiff_source.h"

#include <tiffio.h>

#include <algorithm>
#include <map>

#include "data/ome/channel_defaults.h"
#include "data/tiff/ome_xml.h"
#include "data/tiff/tiff_region.h"

namespace tessera::data {
namespace {

constexpr std::int64_t kStripTile = 512;     // virtual tile edge for stripped files
constexpr std::int64_t kMaxTileEdge = 4096;  // larger TIFF tiles are served in kVirtual pieces
constexpr std::int64_t kVirtualTile = 1024;
constexpr std::size_t kMaxHandles = 8;
constexpr std::uint64_t kMaxCompanionBytes = 64ull << 20;  // OME-XML of very large plates

std::string baseName(const std::string& s) {
  const auto slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// The key of `file` (a FileName relative to the OME-XML) next to `key`.
std::string siblingKey(const std::string& key, const std::string& file) {
  const auto slash = key.find_last_of('/');
  return slash == std::string::npos ? file : key.substr(0, slash + 1) + file;
}

bool isCompanionName(std::string name) {
  for (char& ch : name)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name.ends_with(".companion.ome") || name.ends_with(".companion.ome.xml");
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

Expected<std::string> readCompanion(const Store& store, const std::string& key) {
  auto size = store.size(key);
  if (!size) return std::unexpected(size.error());
  if (*size > kMaxCompanionBytes)
    return fail(Errc::Unsupported, storeKeyName(store, key) + ": OME-XML companion of " +
                                       std::to_string(*size) + " bytes is too large");
  auto bytes = store.read(key);
  if (!bytes) return std::unexpected(bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

/// The OME-XML that describes the opened object and the TIFF to read first: the object itself,
/// or, for a BinaryOnly stub or a companion file, the companion's XML and its first TIFF.
struct OmeTiffOpener {
  std::shared_ptr<const Store> store;
  std::string key;
  std::string xml;          ///< empty: a plain TIFF
  std::string xmlWhere;     ///< the file the XML came from, for messages
  std::string primaryKey;   ///< the TIFF opened first
  std::string primaryName;  ///< its FileName, as TiffData would name it
  std::unique_ptr<TiffHandle> primary;
  std::optional<std::vector<OmeImageXml>> images;  ///< parsed `xml`, when it parsed
  Shape5 shape{1, 1, 1, 1, 1};  ///< t, c, z of the image (y, x come from the layout IFD)
  Vec5 scale{1, 1, 1, 1, 1};

  Expected<void> findXmlAndPrimary(const ImageSelection& select);
  Expected<std::shared_ptr<OmeTiffSource>> build(const ImageSelection& select);
  /// Fills the OME part of `src`; `layoutFile`/`layoutIfd` locate the image's first plane.
  Expected<void> buildOme(OmeTiffSource& src, const std::vector<OmeImageXml>& images,
                          std::size_t series, std::int64_t& layoutFile, std::int64_t& layoutIfd);
  Expected<void> buildPlain(OmeTiffSource& src);
};

Expected<void> OmeTiffOpener::findXmlAndPrimary(const ImageSelection& select) {
  const std::string name = storeKeyName(*store, key);
  auto head = store->readRange(key, 0, 4);
  const bool tiffMagic =
      head && head->size() == 4 &&
      (((*head)[0] == 'I' && (*head)[1] == 'I') || ((*head)[0] == 'M' && (*head)[1] == 'M'));
  if (!tiffMagic && isCompanionName(key.empty() ? name : key)) {
    auto text = readCompanion(*store, key);
    if (!text) return std::unexpected(text.error());
    xml = std::move(*text);
    xmlWhere = name;
    auto parsed = parseOmeXml(xml, name);
    if (!parsed) return std::unexpected(parsed.error());
    images = std::move(*parsed);
    // An out-of-range series is reported by build(); the first image names the TIFF then.
    const auto series = static_cast<std::size_t>(std::max(0, select.series.value_or(0)));
    for (const auto& td : (*images)[series < images->size() ? series : 0].tiffData)
      if (!td.fileName.empty()) {
        primaryName = td.fileName;
        break;
      }
    if (primaryName.empty())
      return fail(Errc::Corrupt, name + ": the companion OME-XML names no TIFF file");
    primaryKey = siblingKey(key, primaryName);
  } else {
    primaryKey = key;
    primaryName = baseName(name);
  }
  auto handle = TiffHandle::open(store, primaryKey);
  if (!handle) {
    if (primaryKey == key) return std::unexpected(handle.error());
    return fail(handle.error().code, name + ": its TIFF " + storeKeyName(*store, primaryKey) +
                                         " cannot be opened: " + handle.error().message);
  }
  primary = std::move(*handle);
  if (!xml.empty()) return {};
  char* description = nullptr;
  if (!TIFFGetField(primary->tif(), TIFFTAG_IMAGEDESCRIPTION, &description) || !description ||
      std::string_view(description).find("<OME") == std::string_view::npos)
    return {};
  if (auto companion = omeBinaryOnlyMetadataFile(description)) {
    const std::string companionKey = siblingKey(key, *companion);
    auto text = readCompanion(*store, companionKey);
    if (!text)
      return fail(text.error().code, name + ": BinaryOnly OME-TIFF whose metadata file " +
                                         storeKeyName(*store, companionKey) +
                                         " cannot be read: " + text.error().message);
    xml = std::move(*text);
    xmlWhere = storeKeyName(*store, companionKey);
    return {};
  }
  xml = description;
  xmlWhere = name;
  return {};
}

namespace {

// Pyramid levels: the full-resolution layout, then the SubIFDs of the plane `h` is on.
void addLevels(ImageInfo& info, TiffHandle& h, const TiffDirLayout& l0, const Shape5& shape,
               const Vec5& scale) {
  LevelInfo level0;
  level0.path = "ifd0";
  level0.shape = shape;
  level0.chunk = tileShape(l0);
  level0.scale = scale;
  info.levels.push_back(level0);
  const auto subs = subIfdOffsets(h.tif());
  for (std::size_t k = 0; k < subs.size(); ++k) {
    if (auto r = h.setDirectoryOffset(subs[k]); !r) {
      info.warnings.push_back(r.error().message + "; pyramid truncated");
      break;
    }
    auto l = readTiffLayout(h);
    if (!l || l->dtype != l0.dtype || l->samplesPerPixel != l0.samplesPerPixel) {
      info.warnings.push_back(h.name() + ": SubIFD " + std::to_string(k) +
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
}

void applyOmeChannels(ImageInfo& info, const OmeImageXml& ome, std::size_t count) {
  info.channels = defaultChannels(count);
  std::size_t c = 0;
  for (const auto& ch : ome.channels) {
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
}

std::vector<std::string> omeStoredAxes(const std::string& dimensionOrder, const Shape5& shape) {
  const std::string order = dimensionOrder.size() == 5 ? dimensionOrder : "XYZCT";
  std::vector<std::string> axes;
  for (int i = 4; i >= 0; --i) {
    const char d = order[static_cast<std::size_t>(i)];
    const int slot = d == 'T' ? kT : d == 'C' ? kC : d == 'Z' ? kZ : d == 'Y' ? kY : kX;
    if (slot >= kY || shape[slot] > 1)
      axes.push_back(std::string(1, static_cast<char>(std::tolower(d))));
  }
  return axes;
}

}  // namespace

Expected<std::shared_ptr<OmeTiffSource>> OmeTiffOpener::build(const ImageSelection& select) {
  const std::string name = storeKeyName(*store, key);
  if (!select.well.empty() || select.field)
    return fail(Errc::InvalidArgument,
                name + ": an OME-TIFF has no wells or fields; pick an image with --series N");
  if (auto r = findXmlAndPrimary(select); !r) return std::unexpected(r.error());
  std::shared_ptr<OmeTiffSource> src(new OmeTiffSource());
  src->files_ = std::make_unique<TiffFileSet>(store, kMaxHandles);
  src->files_->addOpened(primaryKey, std::move(primary));
  ImageInfo& info = src->info_;
  info.source = name;
  if (!images && !xml.empty()) {
    auto parsed = parseOmeXml(xml, xmlWhere);
    if (parsed)
      images = std::move(*parsed);
    else if (xmlWhere == storeKeyName(*store, primaryKey))
      info.warnings.push_back(parsed.error().message + "; read as a plain TIFF");
    else
      return std::unexpected(parsed.error());
  }
  const std::size_t count = images ? images->size() : 1;
  const int series = select.series.value_or(0);
  if (series < 0 || static_cast<std::size_t>(series) >= count)
    return fail(Errc::InvalidArgument, name + ": no series " + std::to_string(series) +
                                           " (it has " + std::to_string(count) + ")");
  info.seriesIndex = static_cast<std::size_t>(series);
  std::int64_t layoutFile = 0, layoutIfd = 0;
  if (images) {
    auto r = buildOme(*src, *images, info.seriesIndex, layoutFile, layoutIfd);
    if (!r) return std::unexpected(r.error());
    if (images->size() > 1 && !select.series)
      info.warnings.push_back(name + ": " + std::to_string(images->size()) +
                              " images in the OME-XML; showing the first");
  } else if (auto r = buildPlain(*src); !r) {
    return std::unexpected(r.error());
  }
  auto lease = src->files_->acquire(static_cast<std::uint32_t>(layoutFile), layoutIfd);
  if (!lease) return std::unexpected(lease.error());
  auto layout = readTiffLayout(**lease);
  if (!layout) return std::unexpected(layout.error());
  info.dtype = layout->dtype;
  src->samplesPerPixel_ = layout->samplesPerPixel;
  shape[kY] = layout->height;
  shape[kX] = layout->width;
  addLevels(info, **lease, *layout, shape, scale);
  return src;
}

Expected<void> OmeTiffOpener::buildOme(OmeTiffSource& src, const std::vector<OmeImageXml>& images,
                                       std::size_t series, std::int64_t& layoutFile,
                                       std::int64_t& layoutIfd) {
  ImageInfo& info = src.info_;
  info.format = "ome-tiff";
  for (std::size_t i = 0; i < images.size(); ++i) {
    const OmeImageXml& im = images[i];
    info.series.push_back("Image " + std::to_string(i) + (im.name.empty() ? "" : ": " + im.name));
    info.seriesShapes.push_back({im.sizeT, im.sizeC, im.sizeZ, im.sizeY, im.sizeX});
  }
  const OmeImageXml& ome = images[series];
  const std::string xmlKey = xmlWhere == storeKeyName(*store, primaryKey) ? primaryKey : key;
  // Samples per pixel come from the OME-XML channels when given, else from the first plane
  // found; a disagreement with the plane's IFD is settled by the IFD, once.
  int spp = ome.channels.empty() ? 1 : ome.channels.front().samplesPerPixel;
  std::optional<TiffDirLayout> layout;
  std::vector<OmePlaneRef> refs;
  std::vector<std::string> warnings;
  for (int attempt = 0; attempt < 2; ++attempt) {
    src.planeChannels_ =
        ome.sizeC % spp == 0 ? std::max<std::int64_t>(1, ome.sizeC / spp) : ome.sizeC;
    warnings.clear();
    refs = omePlaneRefs(ome, src.planeChannels_, primaryName, warnings);
    auto first = std::find_if(refs.begin(), refs.end(),
                              [](const OmePlaneRef& r) { return r.ifd >= 0 && r.file.empty(); });
    if (first == refs.end())
      first =
          std::find_if(refs.begin(), refs.end(), [](const OmePlaneRef& r) { return r.ifd >= 0; });
    if (first == refs.end())
      return fail(Errc::Corrupt, xmlWhere + ": no plane of image " + std::to_string(series) +
                                     " is mapped to a TIFF IFD");
    layoutFile = first->file.empty() ? 0 : src.files_->add(siblingKey(xmlKey, first->file));
    layoutIfd = first->ifd;
    auto lease = src.files_->acquire(static_cast<std::uint32_t>(layoutFile), layoutIfd);
    if (!lease) return std::unexpected(lease.error());
    auto l = readTiffLayout(**lease);
    if (!l) return std::unexpected(l.error());
    layout = *l;
    if (l->samplesPerPixel == spp) break;
    spp = l->samplesPerPixel;
  }
  if (ome.sizeX != layout->width || ome.sizeY != layout->height)
    return fail(Errc::Corrupt, xmlWhere + ": OME-XML says " + std::to_string(ome.sizeX) + "x" +
                                   std::to_string(ome.sizeY) + " but the image's first IFD is " +
                                   std::to_string(layout->width) + "x" +
                                   std::to_string(layout->height));
  info.warnings.insert(info.warnings.end(), warnings.begin(), warnings.end());
  shape = {ome.sizeT, src.planeChannels_ * spp, ome.sizeZ, 1, 1};
  src.planes_.assign(refs.size(), {});
  for (std::int64_t t = 0; t < ome.sizeT; ++t)
    for (std::int64_t c = 0; c < src.planeChannels_; ++c)
      for (std::int64_t z = 0; z < ome.sizeZ; ++z) {
        const OmePlaneRef& r = refs[static_cast<std::size_t>(
            omePlaneIndex(ome.dimensionOrder, z, c, t, ome.sizeZ, src.planeChannels_, ome.sizeT))];
        OmeTiffSource::Plane& p =
            src.planes_[static_cast<std::size_t>((t * src.planeChannels_ + c) * ome.sizeZ + z)];
        p.ifd = r.ifd;
        p.file = r.file.empty() ? 0 : src.files_->add(siblingKey(xmlKey, r.file));
      }
  for (std::uint32_t f = 1; f < src.files_->size(); ++f)  // cheap: one existence check each
    if (!store->exists(src.files_->key(f)))
      info.warnings.push_back(storeKeyName(*store, src.files_->key(f)) +
                              ": this file of the multi-file OME-TIFF set is missing; its "
                              "planes cannot be read");
  if (ome.physicalSizeX) {
    scale[kX] = *ome.physicalSizeX;
    info.spaceUnit = omeUnitName(ome.unitX);
  }
  if (ome.physicalSizeY) scale[kY] = *ome.physicalSizeY;
  if (ome.physicalSizeZ) scale[kZ] = *ome.physicalSizeZ;
  applyOmeChannels(info, ome, static_cast<std::size_t>(shape[kC]));
  info.storedAxes = omeStoredAxes(ome.dimensionOrder, shape);
  return {};
}

Expected<void> OmeTiffOpener::buildPlain(OmeTiffSource& src) {
  ImageInfo& info = src.info_;
  info.format = "tiff";
  auto ifds = src.files_->ifdOffsets(0);
  if (!ifds) return std::unexpected(ifds.error());
  auto lease = src.files_->acquire(0, 0);
  if (!lease) return std::unexpected(lease.error());
  TiffHandle& h = **lease;
  auto l0 = readTiffLayout(h);
  if (!l0) return std::unexpected(l0.error());
  // Full-size pages (not reduced-resolution ones) are the channel planes of a plain TIFF.
  for (std::size_t i = 0; i < ifds->size(); ++i) {
    if (auto r = h.setDirectoryOffset((*ifds)[i]); !r) break;
    std::uint32_t subfile = 0;
    TIFFGetFieldDefaulted(h.tif(), TIFFTAG_SUBFILETYPE, &subfile);
    auto l = readTiffLayout(h);
    if (l && l->width == l0->width && l->height == l0->height &&
        !(subfile & FILETYPE_REDUCEDIMAGE) && l->dtype == l0->dtype &&
        l->samplesPerPixel == l0->samplesPerPixel)
      src.planes_.push_back({0, static_cast<std::int64_t>(i)});
  }
  const int spp = l0->samplesPerPixel;
  src.planeChannels_ = static_cast<std::int64_t>(src.planes_.size());
  shape = {1, src.planeChannels_ * spp, 1, 1, 1};
  info.channels = defaultChannels(static_cast<std::size_t>(shape[kC]));
  if (spp == 3 && src.planeChannels_ == 1)
    for (int s = 0; s < 3; ++s)
      info.channels[static_cast<std::size_t>(s)].color = 0xFF0000u >> (8 * s);
  info.storedAxes =
      shape[kC] > 1 ? std::vector<std::string>{"c", "y", "x"} : std::vector<std::string>{"y", "x"};
  return {};
}

Expected<std::shared_ptr<OmeTiffSource>> OmeTiffSource::open(std::shared_ptr<const Store> store,
                                                             const std::string& key,
                                                             const ImageSelection& select) {
  if (!store) return fail(Errc::InvalidArgument, "OmeTiffSource: no store");
  OmeTiffOpener opener;
  opener.store = std::move(store);
  opener.key = key;
  return opener.build(select);
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
  const Plane& plane =
      planes_[static_cast<std::size_t>((key.t * planeChannels_ + cPlane) * L.shape[kZ] + key.z)];
  if (plane.ifd < 0) {  // a plane the OME-XML does not map: shown empty (warned at open)
    tile.data.assign(static_cast<std::size_t>(w * h) * dtypeSize(tile.dtype), 0);
    return tile;
  }
  auto lease = files_->acquire(plane.file, plane.ifd);
  if (!lease) {
    const Error& e = lease.error();
    if (plane.file == 0) return std::unexpected(e);
    return fail(e.code, info_.source + ": plane t=" + std::to_string(key.t) +
                            " c=" + std::to_string(key.c) + " z=" + std::to_string(key.z) + ": " +
                            e.message);
  }
  TiffHandle& handle = **lease;
  if (key.level > 0) {
    const auto subs = subIfdOffsets(handle.tif());
    if (static_cast<std::size_t>(key.level) > subs.size())
      return fail(Errc::Corrupt,
                  handle.name() + ": plane has no SubIFD for level " + std::to_string(key.level));
    if (auto r = handle.setDirectoryOffset(subs[static_cast<std::size_t>(key.level) - 1]); !r)
      return std::unexpected(r.error());
  }
  auto layout = readTiffLayout(handle);
  if (!layout) return std::unexpected(layout.error());
  if (layout->width != L.shape[kX] || layout->height != L.shape[kY] || layout->dtype != tile.dtype)
    return fail(Errc::Corrupt, handle.name() + ": plane IFD differs from the first plane's layout");
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": tile read cancelled");
  auto data = readTiffRegion(handle, *layout, x0, y0, w, h, sample, stop);
  if (!data) return std::unexpected(data.error());
  tile.data = std::move(*data);
  return tile;
}

int probeTiff(const Store& store, const std::string& key, const std::string& fileName) {
  std::string lower = fileName;
  for (char& ch : lower)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto head = store.readRange(key, 0, 4);
  if (!head || head->size() < 4) return 0;
  const auto& b = *head;
  if (isCompanionName(lower)) return b[0] == '<' || b[0] == 0xEF ? 100 : 0;  // XML, maybe BOM
  const bool le = b[0] == 'I' && b[1] == 'I' && (b[2] == 42 || b[2] == 43) && b[3] == 0;
  const bool be = b[0] == 'M' && b[1] == 'M' && b[2] == 0 && (b[3] == 42 || b[3] == 43);
  if (!le && !be) return 0;
  for (const char* ext : {".ome.tif", ".ome.tiff", ".ome.tf2", ".ome.tf8", ".ome.btf"})
    if (lower.ends_with(ext)) return 100;
  return 60;
}

}  // namespace tessera::data
