#pragma once
/// A uniform grid over 2D items (points, polygon centroids) with the items sorted by cell, row by
/// row, so that the items of a run of cells in one row are one contiguous span. Overlays cull to
/// the view by cell ranges, rebuild their index buffers only when that range changes, and bin
/// density tiles from the sorted coordinates without scanning every item.
/// A plain value: build on any thread, then read it from any thread (no mutation after build).
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "render/view_camera.h"

namespace tessera::render {

class OverlayGrid {
 public:
  /// Inclusive cell ranges; empty when c1 < c0 or r1 < r0.
  struct Range {
    int c0 = 0, r0 = 0, c1 = -1, r1 = -1;
    bool empty() const { return c1 < c0 || r1 < r0; }
    bool contains(const Range& o) const {
      return o.empty() || (!empty() && c0 <= o.c0 && r0 <= o.r0 && c1 >= o.c1 && r1 >= o.r1);
    }
    std::int64_t cells() const { return empty() ? 0 : std::int64_t{c1 - c0 + 1} * (r1 - r0 + 1); }
    bool operator==(const Range&) const = default;
  };

  /// Sorts the items into cells holding about `perCell` items each (at most 1024 x 1024 cells).
  /// Non-finite coordinates go to the first cell. x and y must have the same size.
  void build(std::span<const float> x, std::span<const float> y, std::size_t perCell = 256);

  std::size_t size() const { return order_.size(); }
  int cols() const { return cols_; }
  int rows() const { return rows_; }
  double cellSize() const { return cell_; }
  /// World rect of cell (c, r).
  Rect cellRect(int c, int r) const {
    return {x0_ + c * cell_, y0_ + r * cell_, x0_ + (c + 1) * cell_, y0_ + (r + 1) * cell_};
  }
  /// The cells overlapping `world` (clamped to the grid).
  Range range(const Rect& world) const;
  /// Sorted positions [begin, end) of the items in cells c0..c1 of row r.
  std::pair<std::uint32_t, std::uint32_t> rowSpan(int r, int c0, int c1) const {
    const auto base = static_cast<std::size_t>(r) * static_cast<std::size_t>(cols_);
    return {start_[base + static_cast<std::size_t>(c0)],
            start_[base + static_cast<std::size_t>(c1) + 1]};
  }
  /// Sorted position -> item, and item -> sorted position.
  const std::vector<std::uint32_t>& order() const { return order_; }
  const std::vector<std::uint32_t>& rank() const { return rank_; }

  /// Culling with hysteresis: true (and `built` replaced by the view grown by half its size on
  /// each side, plus `pad` world units) when `built` does not cover the cells under the view
  /// grown by `pad`, or is more than four times what that grown view needs (after a zoom in).
  bool recull(const Rect& view, double pad, Range& built) const;

 private:
  double x0_ = 0, y0_ = 0, cell_ = 1;
  int cols_ = 1, rows_ = 1;
  std::vector<std::uint32_t> start_{0, 0};  // cols*rows + 1 sorted-position offsets
  std::vector<std::uint32_t> order_, rank_;
};

}  // namespace tessera::render
