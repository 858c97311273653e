#pragma once
/// TileSource over an OME-TIFF or a plain TIFF, decoded by libtiff through a Store.
///
/// Handles stripped and tiled files (stripped ones are served as a virtual 512² tile grid),
/// every compression libtiff decodes, 8/16/32/64-bit integer and 16/32/64-bit float samples,
/// either byte order, BigTIFF and SubIFD pyramids. OME-XML supplies sizes, DimensionOrder,
/// TiffData plane mapping, channel names/colours and physical sizes; the selected Image (else
/// the first) is opened and all are listed in ImageInfo::series. A plain TIFF shows its
/// full-size pages (and samples) as channels.
///
/// Multi-file sets: planes whose TiffData name another file (UUID FileName) are read from that
/// file, a sibling key in the same Store (so HTTP sets work too), opened on first use. A
/// BinaryOnly stub reads its OME-XML from the companion file it names, and a `.companion.ome`
/// opened directly opens the set through the first TIFF it names. A missing member fails only
/// its planes' tiles, with an error naming it.
///
/// Threads: info() is immutable; readTile() may run on many workers at once. libtiff handles
/// are not thread-safe, so every concurrent reader borrows its own handle from its file's
/// pool (up to 8 open handles per file; further readers wait for one to come back).
/// Errors name the file; libtiff messages are captured, never printed.
#include <memory>
#include <string>
#include <vector>

#include "data/tiff/tiff_file_set.h"
#include "data/tile_source.h"

namespace tessera::data {

class OmeTiffSource final : public TileSource {
 public:
  /// `key` is the TIFF (or `.companion.ome`) object in `store` ("" when the store is the file
  /// itself; other files of a set are then unreachable). `select.series` picks the OME Image;
  /// a well or field, or a series that does not exist, is Errc::InvalidArgument.
  static Expected<std::shared_ptr<OmeTiffSource>> open(std::shared_ptr<const Store> store,
                                                       const std::string& key = "",
                                                       const ImageSelection& select = {});

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

 private:
  OmeTiffSource() = default;
  friend struct OmeTiffOpener;
  struct Plane {
    std::uint32_t file = 0;  ///< index into files_
    std::int64_t ifd = -1;   ///< IFD number in that file; -1: not stored (reads as zeros)
  };
  ImageInfo info_;
  std::unique_ptr<TiffFileSet> files_;
  int samplesPerPixel_ = 1;
  std::int64_t planeChannels_ = 1;  ///< channels stored as separate planes (SizeC / samples)
  std::vector<Plane> planes_;       ///< each (t, channel plane, z), t slowest
};

/// Confidence that the object is a TIFF this reader opens: 0 (not TIFF) to 100 (OME-TIFF or
/// `.companion.ome` by name); reads only the first bytes.
int probeTiff(const Store& store, const std::string& key, const std::string& fileName);

}  // namespace tessera::data
