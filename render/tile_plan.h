#pragma once
/// Level-of-detail choice and tile planning: which pyramid level suits a zoom, which tiles
/// are visible (nearest the centre first), which to prefetch. Pure functions of ImageInfo and
/// the view, no I/O and no VTK, so they are cheap to test.
#include <cstdint>
#include <vector>

#include "data/image_info.h"
#include "render/view_camera.h"

namespace tessera::render {

/// Level-0 pixels per pixel of `level` along x and y.
double levelFactor(const data::ImageInfo& info, int level);

/// The level whose pixel best matches one screen pixel at `zoom` (device px per level-0 px),
/// preferring the sharper level near a boundary; `current` is kept while it stays within the
/// hysteresis band so the level does not flicker while zooming. `current` < 0 means none.
int chooseLevel(const data::ImageInfo& info, double zoom, int current = -1);

struct TileIndex {
  int level = 0;
  std::int64_t row = 0, col = 0;
  auto operator<=>(const TileIndex&) const = default;
};

/// Extent of a tile in world (level-0 pixel) coordinates.
Rect tileWorldRect(const data::ImageInfo& info, const TileIndex& t);

/// Tiles of `level` intersecting `world`, nearest to the rect's centre first; `margin` extra
/// rings of tiles around it (for prefetch).
std::vector<TileIndex> tilesCovering(const data::ImageInfo& info, int level, const Rect& world,
                                     int margin = 0);

/// The tile of `level` containing world point (x, y), if inside the image.
bool tileAt(const data::ImageInfo& info, int level, double x, double y, TileIndex& out);

}  // namespace tessera::render
