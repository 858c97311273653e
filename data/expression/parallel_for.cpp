#include "data/expression/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "data/executor.h"

namespace tessera::data {
namespace {

struct Shared {
  std::atomic<std::int64_t> next{0};
  std::int64_t n = 0;
  std::mutex mutex;
  std::condition_variable doneCv;
  std::int64_t done = 0;  // indices finished (or skipped after a stop), guarded by mutex
  const std::function<void(std::int64_t)>* fn = nullptr;
  std::stop_token stop;
};

// Takes indices until none are left. Touches `fn` only for an index it owns, so a helper that
// starts after the caller returned exits without using anything the caller owned.
void drain(Shared& s) {
  std::int64_t finished = 0;
  for (;;) {
    const std::int64_t i = s.next.fetch_add(1);
    if (i >= s.n) break;
    if (!s.stop.stop_requested()) (*s.fn)(i);
    ++finished;
  }
  if (finished == 0) return;
  std::lock_guard lock(s.mutex);
  s.done += finished;
  if (s.done == s.n) s.doneCv.notify_all();
}

}  // namespace

bool parallelFor(Executor* workers, std::int64_t n, const std::function<void(std::int64_t)>& fn,
                 std::stop_token stop) {
  if (n <= 0) return !stop.stop_requested();
  auto s = std::make_shared<Shared>();
  s->n = n;
  s->fn = &fn;
  s->stop = stop;
  const int helpers = workers ? std::min<std::int64_t>(workers->concurrency() - 1, n - 1) : 0;
  for (int h = 0; h < helpers; ++h)
    workers->post([s] { drain(*s); }, Priority::Visible);
  drain(*s);
  std::unique_lock lock(s->mutex);
  s->doneCv.wait(lock, [&] { return s->done == s->n; });
  return !stop.stop_requested();
}

}  // namespace tessera::data
