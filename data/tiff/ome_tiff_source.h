#pragma once
/// TileSource over an OME-TIFF or a plain TIFF, decoded by libtiff through a Store.
///
/// Handles stripped and tiled files (stripped ones are served as a virtual 512² tile grid),
/// every compression libtiff decodes, 8/16/32/64-bit integer and 16/32/64-bit float samples,
/// either byte order, BigTIFF and SubIFD pyramids. OME-XML supplies sizes, DimensionOrder,
/// TiffData plane mapping, channel names/colours and physical sizes; the first Image is opened
/// and the others are listed in ImageInfo::series. A plain TIFF shows its full-size pages
/// (and samples) as channels.
///
/// Threads: info() is immutable; readTile() may run on many workers at once. libtiff handles
/// are not thread-safe, so every concurrent reader borrows its own handle from a pool
/// (TiffHandlePool, up to 8 open handles; further readers wait for one to come back).
/// Errors name the file; libtiff messages are captured, never printed.
#include <memory>
#include <string>
#include <vector>

#include "data/tiff/tiff_handle.h"
#include "data/tile_source.h"

namespace tessera::data {

class OmeTiffSource final : public TileSource {
 public:
  /// `key` is the TIFF object in `store` ("" when the store is the file itself).
  static Expected<std::shared_ptr<OmeTiffSource>> open(std::shared_ptr<const Store> store,
                                                       const std::string& key = "");

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

 private:
  OmeTiffSource() = default;
  friend struct OmeTiffOpener;
  ImageInfo info_;
  std::unique_ptr<TiffHandlePool> pool_;
  int samplesPerPixel_ = 1;
  std::int64_t planeChannels_ = 1;  ///< channels stored as separate planes (SizeC / samples)
  /// IFD offset of each (t, channel plane, z), t slowest; 0 for planes not in this file.
  std::vector<std::uint64_t> planeOffsets_;
};

/// Confidence that the object is a TIFF this reader opens: 0 (not TIFF) to 100 (OME-TIFF
/// by name); reads only the 4-byte header.
int probeTiff(const Store& store, const std::string& key, const std::string& fileName);

}  // namespace tessera::data
