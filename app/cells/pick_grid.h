#pragma once
/// The pick grid of one view of the cells (widgets::PointGrid), built off the loading path: a
/// million points take ~50 ms per view, and the first frame needs no picking. build() keeps the
/// points; buildInBackground() hands the grids to one worker (leaving the others to the first
/// gene); get() returns the grid, building it on the calling thread when no worker has begun
/// it, so a pick waits at most for a build already running, never behind a busy pool. Copies
/// share the grid.
/// Threads: any; the grid is read-only once built.
#include <initializer_list>
#include <memory>
#include <span>

#include "data/executor.h"
#include "widgets/selection_index.h"

namespace tessera::app {

class PickGrid {
 public:
  /// A grid over (x[i], y[i]) (copied), built by buildInBackground() or the first get().
  void build(std::span<const float> x, std::span<const float> y);
  /// The grid (empty before build()).
  const widgets::PointGrid& get() const;

  /// Builds `grids` one after the other in one task on `executor`, at background priority.
  static void buildInBackground(data::Executor& executor,
                                std::initializer_list<const PickGrid*> grids);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace tessera::app
