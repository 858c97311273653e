// ImageLayer's readings of the raw values it holds: samples of the view (for contrast and
// histograms) and the values under the cursor. Apart from image_layer.cpp, which plans, loads
// and draws the tiles; these only read tiles already in the cache.
#include <algorithm>
#include <limits>

#include "render/image_layer.h"

namespace tessera::render {

std::vector<double> ImageLayer::viewSamples(std::size_t channel, std::size_t maxSamples) const {
  std::vector<double> out;
  if (!source_ || channel >= displays_.size() || level_ < 0) return out;
  const auto& info = source_->info();
  for (int l = level_; l < static_cast<int>(info.levels.size()) && out.empty(); ++l) {
    std::vector<data::TilePtr> tiles;
    std::size_t total = 0;
    for (const auto& t : tilesCovering(info, l, lastView_)) {
      if (auto tile = lookup(cacheKey(t, static_cast<std::int64_t>(channel)))) {
        total += static_cast<std::size_t>(tile->width) * static_cast<std::size_t>(tile->height);
        tiles.push_back(std::move(tile));
      }
    }
    if (tiles.empty()) continue;
    const std::size_t stride =
        std::max<std::size_t>(1, total / std::max<std::size_t>(1, maxSamples));
    for (const auto& tile : tiles) {
      const std::size_t n =
          static_cast<std::size_t>(tile->width) * static_cast<std::size_t>(tile->height);
      for (std::size_t i = 0; i < n; i += stride)
        out.push_back(tileValue(*tile, i));
    }
  }
  return out;
}

std::vector<double> ImageLayer::valuesAt(double x, double y, int* levelUsed) const {
  std::vector<double> out;
  if (!source_) return out;
  const auto& info = source_->info();
  for (int l = std::max(0, level_); l < static_cast<int>(info.levels.size()); ++l) {
    TileIndex t;
    if (!tileAt(info, l, x, y, t)) return out;
    const auto& lv = info.levels[static_cast<std::size_t>(l)];
    const double f = levelFactor(info, l);
    const auto px = static_cast<std::int64_t>(x / f) - t.col * lv.chunk[data::kX];
    const auto py = static_cast<std::int64_t>(y / f) - t.row * lv.chunk[data::kY];
    std::vector<double> values;
    for (std::size_t c = 0; c < displays_.size(); ++c) {
      if (c < drawn_.size() && !drawn_[c]) {  // another layer's (ImagePart)
        values.push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      auto tile = lookup(cacheKey(t, static_cast<std::int64_t>(c)));
      if (!tile || px >= tile->width || py >= tile->height) break;
      values.push_back(tileValue(*tile, static_cast<std::size_t>(py * tile->width + px)));
    }
    if (values.size() == displays_.size()) {
      if (levelUsed) *levelUsed = l;
      return values;
    }
  }
  return out;
}

}  // namespace tessera::render
