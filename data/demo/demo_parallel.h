#pragma once
/// Runs `n` independent work items on an Executor with the calling thread helping, so it
/// completes even when the executor is busy or has a single worker that is the caller itself.
/// Items are claimed from a shared counter; results must depend only on the item index.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include "data/executor.h"

namespace tessera::data::demo {

/// `work(i)` for i in [0, n). `poll(done)` runs on the calling thread between items and while
/// waiting; returning false stops handing out new items (in-flight items still finish).
/// Returns false if stopped early.
inline bool parallelFor(Executor* executor, int n, const std::function<void(int)>& work,
                        const std::function<bool(int)>& poll = {}) {
  struct State {
    std::atomic<int> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable cv;
    int done = 0;
    int active = 0;       // helpers currently inside runItems
    bool closed = false;  // set by the caller once it stops waiting; late helpers do nothing
    std::function<void(int)> work;
    int n = 0;
    void runItems() {
      for (;;) {
        if (stop.load()) return;
        const int i = next.fetch_add(1);
        if (i >= n) return;
        work(i);
        std::lock_guard lock(mutex);
        ++done;
        cv.notify_all();
      }
    }
    void helper() {
      {
        std::lock_guard lock(mutex);
        if (closed) return;
        ++active;
      }
      runItems();
      std::lock_guard lock(mutex);
      --active;
      cv.notify_all();
    }
    int doneNow() {
      std::lock_guard lock(mutex);
      return done;
    }
  };
  auto state = std::make_shared<State>();
  state->work = work;
  state->n = n;
  if (executor)
    for (int h = 0; h < std::min(executor->concurrency(), n); ++h)
      executor->post([state] { state->helper(); }, Priority::Background);
  for (;;) {
    if (poll && !poll(state->doneNow())) state->stop = true;
    if (state->stop.load()) break;
    const int i = state->next.fetch_add(1);
    if (i >= n) break;
    state->work(i);
    std::lock_guard lock(state->mutex);
    ++state->done;
    state->cv.notify_all();
  }
  // Every item is now done or held by an active helper; wait for those, then close the door.
  std::unique_lock lock(state->mutex);
  state->closed = true;
  while (state->active > 0) {
    state->cv.wait_for(lock, std::chrono::milliseconds(100));
    if (poll) {
      const int done = state->done;
      lock.unlock();
      if (!poll(done)) state->stop = true;
      lock.lock();
    }
  }
  return !state->stop.load() && state->done == n;
}

}  // namespace tessera::data::demo
