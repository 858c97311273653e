#pragma once
/// Runs fn(i) for i in [0, n) on the calling thread plus up to concurrency() - 1 helper tasks
/// posted to an Executor, handing out indices from an atomic counter. The caller only waits
/// for indices to finish, never for helpers to start, so it cannot deadlock when called from a
/// task of the same (possibly busy or single-thread) executor. fn must not throw. Returns
/// false when `stop` was requested before every index ran.
#include <cstdint>
#include <functional>
#include <stop_token>

namespace tessera::data {

class Executor;

bool parallelFor(Executor* workers, std::int64_t n, const std::function<void(std::int64_t)>& fn,
                 std::stop_token stop = {});

}  // namespace tessera::data
