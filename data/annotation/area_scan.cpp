#include "data/annotation/area_scan.h"

#include <algorithm>
#include <cmath>

namespace tessera::data {
namespace {

// A grid coordinate as an integer, clamped first: coordinates come from files (GeoJSON), and a
// double beyond int64's range does not convert (undefined behaviour). 2^62 leaves room for +1.
std::int64_t toGrid(double v) {
  constexpr double kLimit = 0x1p62;
  if (!(v > -kLimit)) return -(std::int64_t{1} << 62);
  if (v > kLimit) return std::int64_t{1} << 62;
  return static_cast<std::int64_t>(v);
}

}  // namespace

AreaScanner::AreaScanner(const Annotation& a, double downX, double downY, std::int64_t width,
                         std::int64_t height)
    : width_(width) {
  const Bounds b0 = annotationBounds(a);
  const Bounds b{b0.x0 / downX, b0.y0 / downY, b0.x1 / downX, b0.y1 / downY};
  clipped_ = b.x0 < 0 || b.y0 < 0 || b.x1 > static_cast<double>(width) ||
             b.y1 > static_cast<double>(height);
  if (!isArea(a)) return;
  if (a.kind == AnnotationKind::Ellipse) {
    ellipse_ = true;
    cx_ = (b.x0 + b.x1) / 2;
    cy_ = (b.y0 + b.y1) / 2;
    rx_ = b.width() / 2;
    ry_ = b.height() / 2;
  } else {
    auto addRing = [&](const Ring& r) {
      for (std::size_t i = 0; i < r.size(); ++i) {
        const Vec2 p = r[i], q = r[(i + 1) % r.size()];
        Edge e{p.x / downX, p.y / downY, q.x / downX, q.y / downY};
        if (e.y0 == e.y1) continue;  // horizontal edges never cross a row of centres
        if (e.y0 > e.y1) e = {e.x1, e.y1, e.x0, e.y0};
        edges_.push_back(e);
      }
    };
    for (const auto& poly : areaPolygons(a)) {
      addRing(poly.outer);
      for (const auto& h : poly.holes)
        addRing(h);
    }
    std::sort(edges_.begin(), edges_.end(),
              [](const Edge& e, const Edge& f) { return e.y0 < f.y0; });
  }
  // Rows whose centre can lie inside: r + 0.5 in [y0, y1].
  rowFirst_ = std::clamp<std::int64_t>(toGrid(std::floor(b.y0 - 0.5)), 0, height);
  rowLast_ = std::clamp<std::int64_t>(toGrid(std::ceil(b.y1)) + 1, 0, height);
  if (rowLast_ < rowFirst_) rowLast_ = rowFirst_;
}

void AreaScanner::band(std::int64_t r0, std::int64_t r1,
                       std::vector<std::vector<ColumnRun>>& runs) const {
  runs.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, r1 - r0)), {});
  const double w = static_cast<double>(width_);
  auto emit = [&](std::vector<ColumnRun>& row, std::int64_t c0, std::int64_t c1) {
    c0 = std::max<std::int64_t>(c0, 0);
    c1 = std::min<std::int64_t>(c1, width_);
    if (c1 > c0) row.emplace_back(c0, c1);
  };
  if (ellipse_) {
    if (rx_ <= 0 || ry_ <= 0) return;
    for (std::int64_t r = r0; r < r1; ++r) {
      const double t = (static_cast<double>(r) + 0.5 - cy_) / ry_;
      if (t * t >= 1) continue;
      const double hw = rx_ * std::sqrt(1 - t * t);
      // Centres strictly inside: cx - hw < c + 0.5 < cx + hw.
      const double lo = std::clamp(cx_ - hw - 0.5, -1.0, w),
                   hi = std::clamp(cx_ + hw - 0.5, -1.0, w);
      emit(runs[static_cast<std::size_t>(r - r0)], toGrid(std::floor(lo)) + 1,
           toGrid(std::ceil(hi)));
    }
    return;
  }
  const double yTop = static_cast<double>(r0) + 0.5, yBottom = static_cast<double>(r1) - 0.5;
  std::vector<std::vector<double>> xs(runs.size());
  for (const auto& e : edges_) {
    if (e.y0 > yBottom) break;
    if (e.y1 <= yTop) continue;
    // Rows whose centre y satisfies y0 <= y < y1 (the half-open crossing rule).
    const std::int64_t first = std::max(r0, toGrid(std::ceil(e.y0 - 0.5)));
    const std::int64_t last = std::min(r1, toGrid(std::ceil(e.y1 - 0.5)));
    const double slope = (e.x1 - e.x0) / (e.y1 - e.y0);
    for (std::int64_t r = first; r < last; ++r) {
      const double y = static_cast<double>(r) + 0.5;
      xs[static_cast<std::size_t>(r - r0)].push_back(e.x0 + (y - e.y0) * slope);
    }
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    auto& row = xs[i];
    std::sort(row.begin(), row.end());
    // Centre c + 0.5 is inside when an odd number of crossings lie at or left of it:
    // xs[2k] <= c + 0.5 < xs[2k + 1].
    for (std::size_t k = 0; k + 1 < row.size(); k += 2) {
      const double a = std::clamp(row[k] - 0.5, -1.0, w), b = std::clamp(row[k + 1] - 0.5, -1.0, w);
      emit(runs[i], toGrid(std::ceil(a)), toGrid(std::ceil(b)));
    }
  }
}

}  // namespace tessera::data
