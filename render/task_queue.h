#pragma once
/// Tile callbacks for layers that are not driven by a GUI event loop (off-screen rendering,
/// the CLI, tests): layers post from worker threads, and the owning thread runs what has been
/// posted between its polls, as the UI thread would. Thread-safe; the queue must outlive the
/// layers that post into it.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace tessera::render {

class TaskQueue {
 public:
  void push(std::function<void()> f) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(f));
    }
    cv_.notify_one();
  }
  /// A layer's `post` function feeding this queue.
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> f) { push(std::move(f)); };
  }
  /// Runs everything queued, after waiting up to `wait` for a first task when there is none.
  void run(std::chrono::milliseconds wait = std::chrono::milliseconds(0)) {
    std::deque<std::function<void()>> batch;
    {
      std::unique_lock lock(mutex_);
      if (wait.count() > 0) cv_.wait_for(lock, wait, [this] { return !tasks_.empty(); });
      batch.swap(tasks_);
    }
    for (auto& f : batch)
      f();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

}  // namespace tessera::render
