#include "data/tile_cache.h"

#include <algorithm>

namespace tessera::data {

TileCache::TileCache(std::size_t budgetBytes, Executor& executor)
    : executor_(executor), budget_(budgetBytes) {}

TileCache::~TileCache() {
  std::unique_lock lock(gate_->mutex);
  gate_->open = false;
  gate_->idle.wait(lock, [this] { return gate_->running == 0; });
}

std::uint64_t TileCache::registerSource(std::shared_ptr<const TileSource> source) {
  std::lock_guard lock(mutex_);
  const auto id = nextSource_++;
  sources_[id] = std::move(source);
  return id;
}

void TileCache::unregisterSource(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  sources_.erase(id);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->first.source == id) {
      stats_.bytes -= it->second.tile->byteSize();
      lru_.erase(it->second.lru);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  std::erase_if(failures_, [id](const auto& kv) { return kv.first.source == id; });
}

TilePtr TileCache::peek(const CacheKey& key) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.tile;
}

std::optional<Error> TileCache::failure(const CacheKey& key) const {
  std::lock_guard lock(mutex_);
  const auto it = failures_.find(key);
  if (it == failures_.end()) return std::nullopt;
  return it->second;
}

void TileCache::clearFailures() {
  std::lock_guard lock(mutex_);
  failures_.clear();
}

void TileCache::request(const CacheKey& key, Priority priority, std::stop_token stop,
                        Callback done) {
  TilePtr hit;
  std::optional<Error> failed;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      hit = it->second.tile;
      ++stats_.hits;
    } else if (const auto f = failures_.find(key); f != failures_.end()) {
      failed = f->second;
    } else {
      ++stats_.misses;
      auto [slot, fresh] = inFlight_.try_emplace(key);
      slot->second.push_back(Waiter{std::move(stop), std::move(done)});
      stats_.inFlight = inFlight_.size();
      if (fresh) {
        executor_.post(
            [this, key, gate = gate_] {
              {
                std::lock_guard g(gate->mutex);
                if (!gate->open) return;
                ++gate->running;
              }
              runRead(key);
              std::lock_guard g(gate->mutex);
              --gate->running;
              gate->idle.notify_all();
            },
            priority);
      }
      return;
    }
  }
  if (!done) return;
  if (hit)
    done(key, hit);
  else
    done(key, std::unexpected(*failed));
}

void TileCache::runRead(CacheKey key) {
  std::shared_ptr<const TileSource> source;
  std::stop_source allStopped;
  {
    std::lock_guard lock(mutex_);
    auto& waiters = inFlight_[key];
    const bool wanted = std::any_of(waiters.begin(), waiters.end(),
                                    [](const Waiter& w) { return !w.stop.stop_requested(); });
    const auto src = sources_.find(key.source);
    if (wanted && src != sources_.end()) source = src->second;
  }
  Expected<TilePtr> result = fail(Errc::Cancelled, "tile request cancelled");
  if (source) {
    auto tile = source->readTile(key.tile, allStopped.get_token());
    if (tile)
      result = std::make_shared<const Tile>(std::move(*tile));
    else
      result = std::unexpected(tile.error());
  }
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    waiters = std::move(inFlight_[key]);
    inFlight_.erase(key);
    stats_.inFlight = inFlight_.size();
    if (source) ++stats_.reads;
    if (result) {
      if (sources_.count(key.source)) insertLocked(key, *result);
    } else if (result.error().code == Errc::Cancelled) {
      ++stats_.cancelled;
    } else {
      ++stats_.failures;
      failures_[key] = result.error();
    }
  }
  for (auto& w : waiters)
    if (w.done) w.done(key, result);
}

Expected<TilePtr> TileCache::readBlocking(const CacheKey& key) {
  std::shared_ptr<const TileSource> source;
  {
    std::lock_guard lock(mutex_);
    if (const auto it = entries_.find(key); it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      ++stats_.hits;
      return it->second.tile;
    }
    const auto src = sources_.find(key.source);
    if (src == sources_.end()) return fail(Errc::InvalidArgument, "tile cache: unknown source");
    source = src->second;
    ++stats_.misses;
  }
  auto tile = source->readTile(key.tile, {});
  std::lock_guard lock(mutex_);
  ++stats_.reads;
  if (!tile) {
    ++stats_.failures;
    failures_[key] = tile.error();
    return std::unexpected(tile.error());
  }
  auto ptr = std::make_shared<const Tile>(std::move(*tile));
  insertLocked(key, ptr);
  return ptr;
}

void TileCache::insertLocked(const CacheKey& key, TilePtr tile) {
  if (const auto it = entries_.find(key); it != entries_.end()) return;
  lru_.push_front(key);
  stats_.bytes += tile->byteSize();
  entries_.emplace(key, Entry{std::move(tile), lru_.begin()});
  failures_.erase(key);
  evictLocked();
  stats_.peakBytes = std::max(stats_.peakBytes, stats_.bytes);
}

void TileCache::evictLocked() {
  // The newest tile stays even if it alone exceeds the budget, so that a tiny budget still
  // makes progress instead of evicting what was just read.
  while (stats_.bytes > budget_ && lru_.size() > 1) {
    const CacheKey victim = lru_.back();
    lru_.pop_back();
    const auto it = entries_.find(victim);
    stats_.bytes -= it->second.tile->byteSize();
    entries_.erase(it);
    ++stats_.evictions;
  }
}

void TileCache::setBudget(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  budget_ = bytes;
  evictLocked();
}

TileCacheStats TileCache::stats() const {
  std::lock_guard lock(mutex_);
  TileCacheStats s = stats_;
  s.budget = budget_;
  s.tiles = entries_.size();
  return s;
}

}  // namespace tessera::data
