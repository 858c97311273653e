#pragma once
/// A fixed-size priority thread pool. Construct only in app/ (or tests) and pass it down as an
/// Executor&. The destructor drops queued tasks and joins the workers; tasks must not throw.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "data/executor.h"

namespace tessera::data {

class ThreadPool final : public Executor {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void post(std::function<void()> task, Priority priority = Priority::Visible) override;
  int concurrency() const override { return static_cast<int>(workers_.size()); }
  /// Blocks until the queue is empty and no task is running (tests and the CLI use it).
  void waitIdle();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queues_[3];
  int running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace tessera::data
