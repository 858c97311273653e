#include "data/thread_pool.h"

#include <algorithm>

namespace tessera::data {

ThreadPool::ThreadPool(int threads) {
  const int n = std::max(1, threads);
  workers_.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i)
    workers_.emplace_back([this] { run(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& q : queues_)
      q.clear();
  }
  wake_.notify_all();
  for (auto& w : workers_)
    w.join();
}

void ThreadPool::post(std::function<void()> task, Priority priority) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    queues_[static_cast<int>(priority)].push_back(std::move(task));
  }
  wake_.notify_one();
}

void ThreadPool::waitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] {
    return running_ == 0 && std::all_of(std::begin(queues_), std::end(queues_),
                                        [](const auto& q) { return q.empty(); });
  });
}

void ThreadPool::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] {
      return stopping_ || std::any_of(std::begin(queues_), std::end(queues_),
                                      [](const auto& q) { return !q.empty(); });
    });
    if (stopping_) return;
    std::function<void()> task;
    for (int p = 2; p >= 0; --p) {
      if (!queues_[p].empty()) {
        task = std::move(queues_[p].front());
        queues_[p].pop_front();
        break;
      }
    }
    ++running_;
    lock.unlock();
    task();
    lock.lock();
    --running_;
    if (running_ == 0 && std::all_of(std::begin(queues_), std::end(queues_),
                                     [](const auto& q) { return q.empty(); }))
      idle_.notify_all();
  }
}

}  // namespace tessera::data
