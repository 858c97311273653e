#include "app/cells/pick_grid.h"

#include <mutex>
#include <vector>

namespace tessera::app {

struct PickGrid::State {
  std::once_flag once;
  std::vector<float> x, y;  // released once the grid holds its own copies
  widgets::PointGrid grid;

  // Whoever comes first builds; later callers wait for that build (std::call_once).
  const widgets::PointGrid& ready() {
    std::call_once(once, [this] {
      grid.build(x, y);
      std::vector<float>().swap(x);
      std::vector<float>().swap(y);
    });
    return grid;
  }
};

void PickGrid::build(std::span<const float> x, std::span<const float> y) {
  auto s = std::make_shared<State>();
  s->x.assign(x.begin(), x.end());
  s->y.assign(y.begin(), y.end());
  state_ = std::move(s);
}

const widgets::PointGrid& PickGrid::get() const {
  static const widgets::PointGrid empty;
  return state_ ? state_->ready() : empty;
}

void PickGrid::buildInBackground(data::Executor& executor,
                                 std::initializer_list<const PickGrid*> grids) {
  // Weak: the grids of a table closed meanwhile are not built.
  std::vector<std::weak_ptr<State>> states;
  for (const auto* g : grids)
    if (g->state_) states.push_back(g->state_);
  executor.post(
      [states = std::move(states)] {
        for (const auto& w : states)
          if (auto s = w.lock()) s->ready();
      },
      data::Priority::Background);
}

}  // namespace tessera::app
