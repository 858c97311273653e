#pragma once
/// The density stand-in of a PointOverlay: world-aligned tiles of 256 x 256 bins per
/// power-of-two level (bins of 2^L world units; the level whose bins are 1-2 screen pixels wide
/// is drawn), each bin holding the mean colour of its points, each tile a textured quad.
/// Tiles are cached (LRU, kMaxTiles) across pans: a pan only shows other quads. A tile is
/// binned again, when it is next in view, after the colours or the hidden mask change
/// (revisions passed in by the owner). At full opacity empty bins are cut out (discarded) so
/// that the quads stay in VTK's opaque pass; below it they are blended.
/// UI thread only (owns VTK actors of the renderer).
#include <cstdint>
#include <memory>
#include <span>

#include "render/overlay_grid.h"
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

/// The points as the owner holds them, in grid order.
struct DensityInput {
  const OverlayGrid& grid;
  std::span<const float> x, y;
  const std::uint8_t* rgba;              ///< 4 bytes per point
  std::span<const std::uint8_t> hidden;  ///< empty = none hidden
  std::uint64_t colorsRev, hiddenRev;    ///< bump to have tiles binned again
};

class DensityTiles {
 public:
  static constexpr int kBins = 256;
  static constexpr std::size_t kMaxTiles = 384;  ///< 256 KiB each

  DensityTiles(vtkRenderer* renderer, double z);
  ~DensityTiles();
  DensityTiles(const DensityTiles&) = delete;
  DensityTiles& operator=(const DensityTiles&) = delete;

  /// Shows the tiles under `camera` (binning those that are missing or stale), hides the rest.
  void show(const ViewCamera& camera, const DensityInput& in);
  void hide();
  /// Forgets every tile (new points).
  void clear();
  void setOpacity(double opacity);
  /// Moves every tile `dz` further from the camera (the layer band; see PointOverlay).
  void setDepthOffset(double dz);
  /// Tiles shown by the last show(); tiles holding points binned so far.
  std::size_t inView() const { return inView_; }
  std::uint64_t built() const { return built_; }

 private:
  struct Tile;
  struct Cache;
  void bin(Tile& tile, int level, int tx, int ty, const DensityInput& in);
  vtkRenderer* renderer_;
  double z_;
  double opacity_ = 1;
  double depth_ = 0;
  std::unique_ptr<Cache> cache_;
  std::uint64_t tick_ = 0, built_ = 0;
  std::size_t inView_ = 0;
};

}  // namespace tessera::render
