#include "render/overlay_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::render {

void OverlayGrid::build(std::span<const float> x, std::span<const float> y, std::size_t perCell) {
  const std::size_t n = std::min(x.size(), y.size());
  float minX = std::numeric_limits<float>::max(), minY = minX;
  float maxX = std::numeric_limits<float>::lowest(), maxY = maxX;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    minX = std::min(minX, x[i]);
    maxX = std::max(maxX, x[i]);
    minY = std::min(minY, y[i]);
    maxY = std::max(maxY, y[i]);
  }
  if (minX > maxX) minX = maxX = minY = maxY = 0;
  x0_ = minX;
  y0_ = minY;
  const double w = std::max(1e-3, double{maxX} - minX), h = std::max(1e-3, double{maxY} - minY);
  const double target = std::max(1.0, static_cast<double>(n) / static_cast<double>(perCell));
  constexpr int kMaxSide = 1024;
  cell_ = std::max({std::sqrt(w * h / target), w / kMaxSide, h / kMaxSide});
  // One cell more than the extent needs, so that the maximum lands inside the grid.
  cols_ = std::clamp(static_cast<int>(w / cell_) + 1, 1, kMaxSide + 1);
  rows_ = std::clamp(static_cast<int>(h / cell_) + 1, 1, kMaxSide + 1);
  const std::size_t ncell = static_cast<std::size_t>(cols_) * static_cast<std::size_t>(rows_);
  std::vector<std::uint32_t> cellOf(n);
  start_.assign(ncell + 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t c = 0;
    if (std::isfinite(x[i]) && std::isfinite(y[i])) {
      const int cx = std::clamp(static_cast<int>((x[i] - x0_) / cell_), 0, cols_ - 1);
      const int cy = std::clamp(static_cast<int>((y[i] - y0_) / cell_), 0, rows_ - 1);
      c = static_cast<std::uint32_t>(cy * cols_ + cx);
    }
    cellOf[i] = c;
    ++start_[c + 1];
  }
  for (std::size_t c = 0; c < ncell; ++c)
    start_[c + 1] += start_[c];
  std::vector<std::uint32_t> next(start_.begin(), start_.end() - 1);
  order_.resize(n);
  rank_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = next[cellOf[i]]++;
    order_[k] = static_cast<std::uint32_t>(i);
    rank_[i] = k;
  }
}

OverlayGrid::Range OverlayGrid::range(const Rect& world) const {
  const double fx0 = std::floor((world.x0 - x0_) / cell_),
               fx1 = std::floor((world.x1 - x0_) / cell_);
  const double fy0 = std::floor((world.y0 - y0_) / cell_),
               fy1 = std::floor((world.y1 - y0_) / cell_);
  if (!(fx1 >= 0 && fy1 >= 0 && fx0 < cols_ && fy0 < rows_)) return {};
  auto clampTo = [](double v, int hi) { return static_cast<int>(std::clamp(v, 0.0, double(hi))); };
  return {clampTo(fx0, cols_ - 1), clampTo(fy0, rows_ - 1), clampTo(fx1, cols_ - 1),
          clampTo(fy1, rows_ - 1)};
}

bool OverlayGrid::recull(const Rect& view, double pad, Range& built) const {
  const Range needed = range({view.x0 - pad, view.y0 - pad, view.x1 + pad, view.y1 + pad});
  const double mx = view.width() / 2 + pad, my = view.height() / 2 + pad;
  const Range wide = range({view.x0 - mx, view.y0 - my, view.x1 + mx, view.y1 + my});
  if (built.contains(needed) && built.cells() <= 4 * std::max<std::int64_t>(1, wide.cells()))
    return false;
  if (built == wide) return false;
  built = wide;
  return true;
}

}  // namespace tessera::render
