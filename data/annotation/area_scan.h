#pragma once
/// Rasterises an area annotation onto a pixel grid by pixel centres: pixel (row, col) belongs
/// to the area when its centre (col + 0.5, row + 0.5), in grid units, is inside by the
/// even-odd rule over all rings (an ellipse by its equation). Runs of member pixels come out a
/// band of rows at a time, so an area over a whole 16k x 16k level needs memory for its edges
/// and one band, not a mask. Not thread-safe; cheap to construct per thread.
#include <cstdint>
#include <utility>
#include <vector>

#include "data/annotation/annotation.h"

namespace tessera::data {

/// Columns [first, second) of one row.
using ColumnRun = std::pair<std::int64_t, std::int64_t>;

class AreaScanner {
 public:
  /// Level-0 coordinates are divided by (downX, downY) into the grid (a pyramid level's
  /// downsample); the grid is `width` x `height` pixels and runs are clipped to it.
  AreaScanner(const Annotation& area, double downX, double downY, std::int64_t width,
              std::int64_t height);

  /// Rows [rowFirst, rowLast) of the grid the area can touch (clipped; empty when outside).
  std::int64_t rowFirst() const { return rowFirst_; }
  std::int64_t rowLast() const { return rowLast_; }
  /// Whether the area's bounding box reaches outside the grid.
  bool clipped() const { return clipped_; }

  /// The runs of rows [r0, r1): runs[i] for row r0 + i, left to right, clipped to the grid.
  void band(std::int64_t r0, std::int64_t r1, std::vector<std::vector<ColumnRun>>& runs) const;

 private:
  struct Edge {
    double x0, y0, x1, y1;  // grid units, y0 < y1
  };
  std::vector<Edge> edges_;  // sorted by y0
  bool ellipse_ = false;
  double cx_ = 0, cy_ = 0, rx_ = 0, ry_ = 0;
  std::int64_t width_;  // the grid's height only bounds rowFirst_ and rowLast_
  std::int64_t rowFirst_ = 0, rowLast_ = 0;
  bool clipped_ = false;
};

}  // namespace tessera::data
