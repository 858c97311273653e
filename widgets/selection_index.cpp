#include "widgets/selection_index.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace tessera::widgets {

bool pointInPolygon(std::span<const Vec2> poly, double x, double y) {
  bool inside = false;
  const std::size_t n = poly.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const Vec2 a = poly[i], b = poly[j];
    if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

void PointGrid::build(std::span<const float> x, std::span<const float> y, double perCell) {
  n_ = std::min(x.size(), y.size());
  double minX = std::numeric_limits<double>::max(), minY = minX, maxX = -minX, maxY = -minX;
  std::size_t valid = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    ++valid;
    minX = std::min<double>(minX, x[i]), maxX = std::max<double>(maxX, x[i]);
    minY = std::min<double>(minY, y[i]), maxY = std::max<double>(maxY, y[i]);
  }
  if (valid == 0) minX = minY = 0, maxX = maxY = 1;
  const double w = std::max(maxX - minX, 1e-9), h = std::max(maxY - minY, 1e-9);
  const double buckets = std::max(1.0, static_cast<double>(valid) / perCell);
  cell_ = std::max(std::sqrt(w * h / buckets), 1e-9);
  x0_ = minX, y0_ = minY;
  nx_ = std::clamp(static_cast<int>(w / cell_) + 1, 1, 8192);
  ny_ = std::clamp(static_cast<int>(h / cell_) + 1, 1, 8192);
  cell_ = std::max(w / (nx_ - 0.5), h / (ny_ - 0.5));
  std::vector<std::uint32_t> bucket(n_, 0xFFFFFFFFu);
  start_.assign(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
  for (std::size_t i = 0; i < n_; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    bucket[i] = static_cast<std::uint32_t>(cellY(y[i]) * nx_ + cellX(x[i]));
    ++start_[bucket[i] + 1];
  }
  for (std::size_t b = 1; b < start_.size(); ++b)
    start_[b] += start_[b - 1];
  items_.assign(start_.back(), 0);
  x_.assign(items_.size(), 0);
  y_.assign(items_.size(), 0);
  std::vector<std::uint32_t> fill(start_.begin(), start_.end() - 1);
  for (std::size_t i = 0; i < n_; ++i) {
    if (bucket[i] == 0xFFFFFFFFu) continue;
    const auto at = fill[bucket[i]]++;
    items_[at] = static_cast<std::uint32_t>(i);
    x_[at] = x[i];
    y_[at] = y[i];
  }
}

int PointGrid::cellX(double x) const {
  return std::clamp(static_cast<int>(std::floor((x - x0_) / cell_)), 0, nx_ - 1);
}
int PointGrid::cellY(double y) const {
  return std::clamp(static_cast<int>(std::floor((y - y0_) / cell_)), 0, ny_ - 1);
}

std::vector<std::uint32_t> PointGrid::inPolygon(std::span<const Vec2> poly,
                                                std::span<const std::uint8_t> hidden) const {
  std::vector<std::uint32_t> out;
  if (poly.size() < 3 || items_.empty()) return out;
  double minX = poly[0].x, maxX = minX, minY = poly[0].y, maxY = minY;
  for (const auto& p : poly)
    minX = std::min(minX, p.x), maxX = std::max(maxX, p.x), minY = std::min(minY, p.y),
    maxY = std::max(maxY, p.y);
  const int cx0 = cellX(minX), cx1 = cellX(maxX), cy0 = cellY(minY), cy1 = cellY(maxY);
  const int w = cx1 - cx0 + 1, h = cy1 - cy0 + 1;
  // Buckets an edge may touch (its bounding box in buckets, walked in short steps so that a
  // long diagonal does not mark its whole box).
  std::vector<std::uint8_t> edge(static_cast<std::size_t>(w) * h, 0);
  for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
    const Vec2 a = poly[j], b = poly[i];
    const double len = std::hypot(b.x - a.x, b.y - a.y);
    const int steps = std::max(1, static_cast<int>(std::ceil(len / (cell_ * 0.5))));
    for (int s = 0; s < steps; ++s) {
      const double t0 = static_cast<double>(s) / steps, t1 = static_cast<double>(s + 1) / steps;
      const double ax = a.x + (b.x - a.x) * t0, ay = a.y + (b.y - a.y) * t0;
      const double bx = a.x + (b.x - a.x) * t1, by = a.y + (b.y - a.y) * t1;
      for (int gy = cellY(std::min(ay, by)); gy <= cellY(std::max(ay, by)); ++gy)
        for (int gx = cellX(std::min(ax, bx)); gx <= cellX(std::max(ax, bx)); ++gx)
          edge[static_cast<std::size_t>(gy - cy0) * w + (gx - cx0)] = 1;
    }
  }
  auto visible = [&](std::uint32_t i) {
    return hidden.empty() || i >= hidden.size() || !hidden[i];
  };
  for (int gy = cy0; gy <= cy1; ++gy)
    for (int gx = cx0; gx <= cx1; ++gx) {
      const std::size_t b = static_cast<std::size_t>(gy) * nx_ + gx;
      const auto s = start_[b], e = start_[b + 1];
      if (s == e) continue;
      if (edge[static_cast<std::size_t>(gy - cy0) * w + (gx - cx0)]) {
        for (auto k = s; k < e; ++k)
          if (visible(items_[k]) && pointInPolygon(poly, x_[k], y_[k])) out.push_back(items_[k]);
      } else if (pointInPolygon(poly, x0_ + (gx + 0.5) * cell_, y0_ + (gy + 0.5) * cell_)) {
        for (auto k = s; k < e; ++k)
          if (visible(items_[k])) out.push_back(items_[k]);
      }
    }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> PointGrid::inBox(Vec2 a, Vec2 b,
                                            std::span<const std::uint8_t> hidden) const {
  const Vec2 lo{std::min(a.x, b.x), std::min(a.y, b.y)}, hi{std::max(a.x, b.x), std::max(a.y, b.y)};
  std::vector<std::uint32_t> out;
  if (items_.empty()) return out;
  for (int gy = cellY(lo.y); gy <= cellY(hi.y); ++gy)
    for (int gx = cellX(lo.x); gx <= cellX(hi.x); ++gx) {
      const std::size_t bk = static_cast<std::size_t>(gy) * nx_ + gx;
      for (auto k = start_[bk]; k < start_[bk + 1]; ++k) {
        const auto i = items_[k];
        if (x_[k] >= lo.x && x_[k] <= hi.x && y_[k] >= lo.y && y_[k] <= hi.y &&
            (hidden.empty() || i >= hidden.size() || !hidden[i]))
          out.push_back(i);
      }
    }
  std::sort(out.begin(), out.end());
  return out;
}

std::int64_t PointGrid::nearest(double x, double y, double radius,
                                std::span<const std::uint8_t> hidden) const {
  std::int64_t best = -1;
  double bestD = radius * radius;
  if (items_.empty()) return best;
  for (int gy = cellY(y - radius); gy <= cellY(y + radius); ++gy)
    for (int gx = cellX(x - radius); gx <= cellX(x + radius); ++gx) {
      const std::size_t bk = static_cast<std::size_t>(gy) * nx_ + gx;
      for (auto k = start_[bk]; k < start_[bk + 1]; ++k) {
        const double d = (x_[k] - x) * (x_[k] - x) + (y_[k] - y) * (y_[k] - y);
        const auto i = items_[k];
        if (d <= bestD && (hidden.empty() || i >= hidden.size() || !hidden[i])) bestD = d, best = i;
      }
    }
  return best;
}

std::vector<std::uint32_t> combineSelection(const std::vector<std::uint32_t>& current,
                                            const std::vector<std::uint32_t>& picked, SelectOp op) {
  std::vector<std::uint32_t> out;
  switch (op) {
    case SelectOp::Replace:
      return picked;
    case SelectOp::Add:
      std::set_union(current.begin(), current.end(), picked.begin(), picked.end(),
                     std::back_inserter(out));
      break;
    case SelectOp::Subtract:
      std::set_difference(current.begin(), current.end(), picked.begin(), picked.end(),
                          std::back_inserter(out));
      break;
  }
  return out;
}

}  // namespace tessera::widgets
