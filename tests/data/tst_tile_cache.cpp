#include <QtTest>

#include <atomic>
#include <deque>

#include "data/tile_cache.h"

using namespace tessera::data;

namespace {

// Runs queued work only when the test says so, so ordering is deterministic.
class ManualExecutor final : public Executor {
 public:
  void post(std::function<void()> task, Priority p) override {
    queue.push_back({p, std::move(task)});
  }
  int concurrency() const override { return 1; }
  // Runs the highest-priority task first, as ThreadPool does.
  bool runOne() {
    if (queue.empty()) return false;
    auto best = std::max_element(queue.begin(), queue.end(), [](const auto& a, const auto& b) {
      return static_cast<int>(a.first) < static_cast<int>(b.first);
    });
    auto task = std::move(best->second);
    queue.erase(best);
    task();
    return true;
  }
  void runAll() {
    while (runOne()) {
    }
  }
  std::deque<std::pair<Priority, std::function<void()>>> queue;
};

class CountingSource final : public TileSource {
 public:
  CountingSource() {
    info_.dtype = DType::U8;
    LevelInfo l;
    l.shape = {1, 1, 1, 64, 64};
    l.chunk = {1, 1, 1, 16, 16};
    info_.levels.push_back(l);
  }
  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token&) const override {
    ++reads;
    if (key.row == 3 && key.col == 3) return fail(Errc::Corrupt, "mem://x/0/3/3: bad chunk");
    Tile t;
    t.dtype = DType::U8;
    t.width = t.height = 16;
    t.data.assign(256, static_cast<std::uint8_t>(key.row * 4 + key.col));
    return t;
  }
  mutable std::atomic<int> reads{0};
  ImageInfo info_;
};

CacheKey key(std::uint64_t src, int row, int col) {
  return CacheKey{src, TileKey{0, 0, 0, 0, row, col}};
}

}  // namespace

class TileCacheTest : public QObject {
  Q_OBJECT
 private slots:
  void coalescesDuplicateRequests() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    int callbacks = 0;
    for (int i = 0; i < 5; ++i)
      cache.request(key(id, 1, 2), Priority::Visible, {},
                    [&](const CacheKey&, const Expected<TilePtr>& r) {
                      QVERIFY(r.has_value());
                      QCOMPARE(int((*r)->data[0]), 6);
                      ++callbacks;
                    });
    QCOMPARE(int(ex.queue.size()), 1);
    ex.runAll();
    QCOMPARE(src->reads.load(), 1);
    QCOMPARE(callbacks, 5);
    QVERIFY(cache.peek(key(id, 1, 2)) != nullptr);
  }

  void peekNeverReads() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    QVERIFY(cache.peek(key(id, 0, 0)) == nullptr);
    QCOMPARE(src->reads.load(), 0);
    QVERIFY(ex.queue.empty());
  }

  void dropsStaleRequestsBeforeReading() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    std::stop_source stop;
    bool cancelled = false;
    cache.request(key(id, 0, 1), Priority::Visible, stop.get_token(),
                  [&](const CacheKey&, const Expected<TilePtr>& r) {
                    cancelled = !r && r.error().code == Errc::Cancelled;
                  });
    stop.request_stop();
    ex.runAll();
    QVERIFY(cancelled);
    QCOMPARE(src->reads.load(), 0);
    QCOMPARE(int(cache.stats().cancelled), 1);
  }

  void keepsReadingWhileOneRequesterStillWantsIt() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    std::stop_source a;
    cache.request(key(id, 0, 1), Priority::Visible, a.get_token(), {});
    cache.request(key(id, 0, 1), Priority::Visible, {}, {});
    a.request_stop();
    ex.runAll();
    QCOMPARE(src->reads.load(), 1);
  }

  void visibleRunsBeforePrefetch() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    std::vector<int> order;
    cache.request(key(id, 0, 0), Priority::Prefetch, {},
                  [&](const CacheKey&, const Expected<TilePtr>&) { order.push_back(0); });
    cache.request(key(id, 0, 1), Priority::Visible, {},
                  [&](const CacheKey&, const Expected<TilePtr>&) { order.push_back(1); });
    ex.runAll();
    QCOMPARE(order, (std::vector<int>{1, 0}));
  }

  void evictsLeastRecentlyUsedWithinBudget() {
    ManualExecutor ex;
    const std::size_t tileBytes = 256 + sizeof(Tile);
    TileCache cache(3 * tileBytes, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    for (int c = 0; c < 3; ++c)
      cache.request(key(id, 0, c), Priority::Visible, {}, {});
    ex.runAll();
    QVERIFY(cache.peek(key(id, 0, 0)));  // touch: 0 becomes most recent
    cache.request(key(id, 0, 3), Priority::Visible, {}, {});
    ex.runAll();
    QVERIFY(cache.stats().bytes <= 3 * tileBytes);
    QVERIFY(cache.peek(key(id, 0, 0)));
    QVERIFY(!cache.peek(key(id, 0, 1)));  // the least recently used went
    QCOMPARE(int(cache.stats().evictions), 1);
    QVERIFY(cache.stats().peakBytes <= 3 * tileBytes);
  }

  void remembersFailuresWithTheirMessage() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    QString message;
    cache.request(key(id, 3, 3), Priority::Visible, {},
                  [&](const CacheKey&, const Expected<TilePtr>& r) {
                    if (!r) message = QString::fromStdString(r.error().message);
                  });
    ex.runAll();
    QVERIFY(message.contains("0/3/3"));
    QVERIFY(cache.failure(key(id, 3, 3)).has_value());
    cache.request(key(id, 3, 3), Priority::Visible, {}, {});
    QVERIFY(ex.queue.empty());  // a known failure is not retried in a loop
    QCOMPARE(src->reads.load(), 1);
  }

  void unregisteringDropsTiles() {
    ManualExecutor ex;
    TileCache cache(1 << 20, ex);
    auto src = std::make_shared<CountingSource>();
    const auto id = cache.registerSource(src);
    cache.request(key(id, 0, 0), Priority::Visible, {}, {});
    ex.runAll();
    QVERIFY(cache.stats().bytes > 0);
    cache.unregisterSource(id);
    QCOMPARE(int(cache.stats().bytes), 0);
    QVERIFY(!cache.peek(key(id, 0, 0)));
  }
};

QTEST_GUILESS_MAIN(TileCacheTest)
#include "tst_tile_cache.moc"
