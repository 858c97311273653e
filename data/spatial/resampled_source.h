#pragma once
/// An image (typically a label image) shown in the pixel grid of another image: SpatialData
/// stores its labels and images each with its own transform to a common coordinate system, but
/// the view draws overlays in the shown image's level-0 pixels. Nearest-neighbour sampling, so
/// label ids never blend; each output level reads the source level closest to its own
/// resolution (never finer than needed). Output pixels outside the source are 0 (background).
/// Thread-safety: as the wrapped source (readTile from several workers at once); info() is
/// cheap. Errors: those of the source's tiles.
#include <memory>

#include "data/cells/affine.h"
#include "data/tile_source.h"

namespace tessera::data {

class ResampledSource final : public TileSource {
 public:
  /// `target` gives the levels (y/x shapes, scales) to present; `targetToSource` maps target
  /// level-0 pixel indices to source level-0 pixel indices. t, c, z come from the source.
  /// Tiles are 256 px, or the target's own tiles with `targetTiles` (to share its tiling).
  ResampledSource(std::shared_ptr<const TileSource> source, const ImageInfo& target,
                  const Affine2D& targetToSource, bool targetTiles = false);

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

 private:
  std::shared_ptr<const TileSource> source_;
  ImageInfo info_;
  Affine2D toSource_;
};

/// True when `m` maps every pixel index to itself (within 1e-9).
bool isIdentity(const Affine2D& m);

}  // namespace tessera::data
