#pragma once
/// The one decoded-tile cache of the app (tensorstore's cache shape, QuPath's tile server).
/// - A byte budget with LRU eviction; it never holds more than the budget plus tiles in flight.
/// - Concurrent requests for one tile are coalesced into one read.
/// - Each request has a priority and a stop token; a tile whose every requester has stopped is
///   dropped before it is read or decoded.
/// - peek() never blocks on I/O: it is what the renderer calls on the UI thread.
/// Thread-safe. Reads run on the Executor passed in (owned by app/). Callbacks run on a worker
/// thread; the receiver marshals them to its own thread.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include "data/executor.h"
#include "data/tile_source.h"

namespace tessera::data {

/// A tile of a particular source. `source` is an id handed out by registerSource().
struct CacheKey {
  std::uint64_t source = 0;
  TileKey tile;
  auto operator<=>(const CacheKey&) const = default;
};

using TilePtr = std::shared_ptr<const Tile>;

struct TileCacheStats {
  std::uint64_t hits = 0, misses = 0, reads = 0, cancelled = 0, failures = 0, evictions = 0;
  std::size_t bytes = 0, budget = 0, tiles = 0, inFlight = 0, peakBytes = 0;
};

class TileCache {
 public:
  using Callback = std::function<void(const CacheKey&, const Expected<TilePtr>&)>;

  TileCache(std::size_t budgetBytes, Executor& executor);
  ~TileCache();
  TileCache(const TileCache&) = delete;
  TileCache& operator=(const TileCache&) = delete;

  /// The executor reads run on; others may post work derived from tiles to it (compositing).
  Executor& executor() const { return executor_; }

  /// Gives `source` an id for its keys. The cache keeps the source alive while reads are queued.
  std::uint64_t registerSource(std::shared_ptr<const TileSource> source);
  /// Drops the source's tiles and forgets it (pending reads finish but are not kept).
  void unregisterSource(std::uint64_t id);

  /// The tile if resident (and marks it recently used); never blocks on I/O.
  TilePtr peek(const CacheKey& key);
  /// The error of a tile whose last read failed (not retried until clearFailures()).
  std::optional<Error> failure(const CacheKey& key) const;
  void clearFailures();

  /// Requests a tile. If resident, `done` runs at once on the caller's thread. Otherwise the read
  /// is queued (or joined, if already in flight) and `done` runs on a worker when it completes
  /// (with Errc::Cancelled when every requester stopped before decoding).
  void request(const CacheKey& key, Priority priority, std::stop_token stop, Callback done);

  /// Blocking read for workers (export, CLI): uses and fills the cache.
  Expected<TilePtr> readBlocking(const CacheKey& key);

  void setBudget(std::size_t bytes);
  TileCacheStats stats() const;

 private:
  struct Waiter {
    std::stop_token stop;
    Callback done;
  };
  struct Entry {
    TilePtr tile;
    std::list<CacheKey>::iterator lru;
  };
  // Queued reads may outlive the cache on a shared pool; they pass through this gate, and the
  // destructor closes it and waits for the reads already running.
  struct Gate {
    std::mutex mutex;
    std::condition_variable idle;
    bool open = true;
    int running = 0;
  };
  void runRead(CacheKey key);
  void insertLocked(const CacheKey& key, TilePtr tile);
  void evictLocked();

  mutable std::mutex mutex_;
  Executor& executor_;
  std::size_t budget_;
  std::uint64_t nextSource_ = 1;
  std::map<std::uint64_t, std::shared_ptr<const TileSource>> sources_;
  std::map<CacheKey, Entry> entries_;
  std::list<CacheKey> lru_;  // front = most recently used
  std::map<CacheKey, std::vector<Waiter>> inFlight_;
  std::map<CacheKey, Error> failures_;
  TileCacheStats stats_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
};

}  // namespace tessera::data
