#include "render/tile_plan.h"

#include <algorithm>
#include <cmath>

#include "data/tile_source.h"

namespace tessera::render {

double levelFactor(const data::ImageInfo& info, int level) {
  const auto& l0 = info.levels.at(0);
  const auto& l = info.levels.at(static_cast<std::size_t>(level));
  if (l0.scale[data::kX] > 0 && l.scale[data::kX] > 0 && l.scale[data::kX] != l0.scale[data::kX])
    return l.scale[data::kX] / l0.scale[data::kX];
  return static_cast<double>(l0.shape[data::kX]) /
         static_cast<double>(std::max<std::int64_t>(1, l.shape[data::kX]));
}

int chooseLevel(const data::ImageInfo& info, double zoom, int current) {
  const int n = static_cast<int>(info.levels.size());
  if (n == 0) return 0;
  // In log2 units: cost 0 means one level pixel per screen pixel. The coarsest level whose
  // pixels are still no larger than a screen pixel is sharp and reads the least; the band of
  // 0.2 (15 %) around a switch point keeps the level from flickering while the zoom hovers.
  constexpr double kBias = 0.0, kBand = 0.2;
  const double target = std::log2(1.0 / zoom);
  auto cost = [&](int l) { return std::log2(levelFactor(info, l)) - target - kBias; };
  int best = 0;
  for (int l = 0; l < n; ++l) {
    if (cost(l) <= 0) best = l;
  }
  if (current >= 0 && current < n && current != best) {
    const double lo = cost(current);
    const double hiNext = current + 1 < n ? cost(current + 1) : 1e9;
    if (lo <= kBand && hiNext > -kBand) return current;
  }
  return best;
}

Rect tileWorldRect(const data::ImageInfo& info, const TileIndex& t) {
  const auto& l = info.levels.at(static_cast<std::size_t>(t.level));
  const double f = levelFactor(info, t.level);
  const double fy = static_cast<double>(info.levels[0].shape[data::kY]) /
                    static_cast<double>(std::max<std::int64_t>(1, l.shape[data::kY]));
  const double fyUse = std::abs(fy - f) / f < 0.05 ? f : fy;
  const auto cw = l.chunk[data::kX], ch = l.chunk[data::kY];
  Rect r;
  r.x0 = static_cast<double>(t.col * cw) * f;
  r.x1 = static_cast<double>(std::min((t.col + 1) * cw, l.shape[data::kX])) * f;
  r.y0 = static_cast<double>(t.row * ch) * fyUse;
  r.y1 = static_cast<double>(std::min((t.row + 1) * ch, l.shape[data::kY])) * fyUse;
  return r;
}

std::vector<TileIndex> tilesCovering(const data::ImageInfo& info, int level, const Rect& world,
                                     int margin) {
  std::vector<TileIndex> out;
  const auto& l = info.levels.at(static_cast<std::size_t>(level));
  const double f = levelFactor(info, level);
  const double tw = static_cast<double>(l.chunk[data::kX]) * f;
  const double th = static_cast<double>(l.chunk[data::kY]) * f;
  const std::int64_t rows = data::tileRows(l), cols = data::tileCols(l);
  const auto clampI = [](double v, std::int64_t hi) {
    return static_cast<std::int64_t>(std::clamp(v, 0.0, static_cast<double>(hi)));
  };
  const std::int64_t c0 = clampI(std::floor(world.x0 / tw) - margin, cols - 1);
  const std::int64_t c1 = clampI(std::floor((world.x1 - 1e-9) / tw) + margin, cols - 1);
  const std::int64_t r0 = clampI(std::floor(world.y0 / th) - margin, rows - 1);
  const std::int64_t r1 = clampI(std::floor((world.y1 - 1e-9) / th) + margin, rows - 1);
  if (world.x1 <= 0 || world.y1 <= 0 || world.x0 >= static_cast<double>(cols) * tw ||
      world.y0 >= static_cast<double>(rows) * th) {
    if (margin == 0) return out;
  }
  for (auto r = r0; r <= r1; ++r)
    for (auto c = c0; c <= c1; ++c)
      out.push_back({level, r, c});
  const double cx = (world.x0 + world.x1) / 2, cy = (world.y0 + world.y1) / 2;
  std::stable_sort(out.begin(), out.end(), [&](const TileIndex& a, const TileIndex& b) {
    const double ax = (static_cast<double>(a.col) + 0.5) * tw - cx,
                 ay = (static_cast<double>(a.row) + 0.5) * th - cy;
    const double bx = (static_cast<double>(b.col) + 0.5) * tw - cx,
                 by = (static_cast<double>(b.row) + 0.5) * th - cy;
    return ax * ax + ay * ay < bx * bx + by * by;
  });
  return out;
}

bool tileAt(const data::ImageInfo& info, int level, double x, double y, TileIndex& out) {
  const auto& l = info.levels.at(static_cast<std::size_t>(level));
  const double f = levelFactor(info, level);
  const double px = x / f, py = y / f;
  if (px < 0 || py < 0 || px >= static_cast<double>(l.shape[data::kX]) ||
      py >= static_cast<double>(l.shape[data::kY]))
    return false;
  out = {level, static_cast<std::int64_t>(py) / l.chunk[data::kY],
         static_cast<std::int64_t>(px) / l.chunk[data::kX]};
  return true;
}

}  // namespace tessera::render
