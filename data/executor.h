#pragma once
/// Where background work runs. data/ and render/ only ever receive an Executor; the concrete
/// ThreadPool is created in app/ (and in tests), so pools are sized and owned in one place.
#include <functional>

namespace tessera::data {

enum class Priority : int { Background = 0, Prefetch = 1, Visible = 2 };

class Executor {
 public:
  virtual ~Executor() = default;
  /// Queues `task`; higher priority runs first, FIFO within a priority. Thread-safe.
  virtual void post(std::function<void()> task, Priority priority = Priority::Visible) = 0;
  /// How many tasks can run at once.
  virtual int concurrency() const = 0;
};

}  // namespace tessera::data
