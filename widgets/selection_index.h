#pragma once
/// Picking cells by box, lasso or proximity over a uniform grid of their positions, and how a
/// new pick combines with the current selection (Shift adds, Alt subtracts).
/// The grid buckets points so that a lasso tests one point-in-polygon per grid cell that lies
/// wholly inside or outside the outline, and tests points one by one only in the cells the
/// outline crosses: a lasso around 100k of 1M cells takes a few milliseconds.
/// Immutable after build(); const queries are safe from any thread. No Qt, no VTK.
#include <cstdint>
#include <span>
#include <vector>

namespace tessera::widgets {

struct Vec2 {
  double x = 0, y = 0;
};

enum class SelectOp { Replace, Add, Subtract };

class PointGrid {
 public:
  /// Points at (x[i], y[i]); NaN coordinates are never picked. About `perCell` points per bucket.
  void build(std::span<const float> x, std::span<const float> y, double perCell = 8);
  std::size_t size() const { return n_; }

  /// Indices (rising) of the points inside the closed polygon (even-odd rule), skipping
  /// hidden[i] != 0 (empty = none hidden).
  std::vector<std::uint32_t> inPolygon(std::span<const Vec2> polygon,
                                       std::span<const std::uint8_t> hidden = {}) const;
  /// Indices (rising) inside the axis-aligned box spanned by two corners.
  std::vector<std::uint32_t> inBox(Vec2 a, Vec2 b, std::span<const std::uint8_t> hidden = {}) const;
  /// The point nearest (x, y) within `radius`, or -1.
  std::int64_t nearest(double x, double y, double radius,
                       std::span<const std::uint8_t> hidden = {}) const;

 private:
  int cellX(double x) const;
  int cellY(double y) const;
  std::size_t n_ = 0;
  double x0_ = 0, y0_ = 0, cell_ = 1;
  int nx_ = 0, ny_ = 0;
  std::vector<std::uint32_t> start_;  ///< nx*ny + 1 offsets into items_
  std::vector<std::uint32_t> items_;  ///< point indices grouped by bucket
  std::vector<float> x_, y_;          ///< copies, bucket-ordered alongside items_
};

/// Even-odd point-in-polygon.
bool pointInPolygon(std::span<const Vec2> polygon, double x, double y);

/// `current` and `picked` rising; the result rising.
std::vector<std::uint32_t> combineSelection(const std::vector<std::uint32_t>& current,
                                            const std::vector<std::uint32_t>& picked, SelectOp op);

}  // namespace tessera::widgets
