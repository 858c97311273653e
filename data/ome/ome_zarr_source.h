#pragma once
/// TileSource over an OME-Zarr (OME-NGFF 0.1-0.5) image read through any Store.
///
/// open() resolves containers to one image group: a multiscales image, an HCS plate or well
/// (the selected field, else the first; the plate layout with every well's fields goes to
/// ImageInfo::plate), a bioformats2raw layout (the selected series, else series 0) or a
/// SpatialData root (the selected `images/` element, else the first); the container's images
/// are listed in ImageInfo::series with their shapes. It reads metadata only. The source owns its
/// ZarrArrays and shares the Store.
///
/// Threads: info() is immutable after open(); readTile() may be called from any number of
/// workers at once (ZarrArray reads are thread-safe and the source keeps no mutable state).
/// Errors: Errc::NotFound when the path holds no zarr node, Errc::Corrupt for malformed
/// metadata (the message names the file), Errc::Unsupported for layouts it cannot show.
#include <memory>
#include <string>
#include <vector>

#include "data/tile_source.h"
#include "data/zarr/zarr_array.h"

namespace tessera::data {

class OmeZarrSource final : public TileSource {
 public:
  /// `path` is the group inside the store ("" for the root); `select` picks the image of a
  /// container (see ImageSelection).
  static Expected<std::shared_ptr<OmeZarrSource>> open(std::shared_ptr<const Store> store,
                                                       const std::string& path = "",
                                                       const ImageSelection& select = {});

  const ImageInfo& info() const override { return info_; }
  /// Reads the tile through ZarrArray::readChunk when a chunk is exactly one (t, c, z) plane
  /// of the tile grid, else through readRegion.
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

 private:
  OmeZarrSource() = default;
  std::shared_ptr<const Store> store_;
  ImageInfo info_;
  std::vector<std::unique_ptr<ZarrArray>> arrays_;  ///< one per level
  std::vector<int> slots_;                          ///< stored axis -> canonical slot
  std::vector<bool> wholeChunkTiles_;               ///< per level: tile == one stored chunk

  friend struct OmeZarrOpener;
};

/// How sure we are that `path` in `store` is something OmeZarrSource opens: 0 (no) to 100.
int probeOmeZarr(const Store& store, const std::string& path = "");

}  // namespace tessera::data
