// The HTTP disk cache: round trips with validators, LRU eviction under a cap, damaged entries
// are misses (and removed), and a writer killed with SIGKILL mid-write never leaves a partial
// or corrupt entry behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "data/remote/disk_cache.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "disk_cache";

// Deterministic body for a key, so any surviving entry can be checked.
Bytes bodyFor(int i, std::size_t n) {
  Bytes b(n);
  for (std::size_t k = 0; k < n; ++k)
    b[k] = static_cast<std::uint8_t>((k * 31 + static_cast<std::size_t>(i) * 7) >> 3);
  return b;
}
}  // namespace

class TestDiskCache : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() { fs::remove_all(kWork); }

  void storesBodiesWithValidators() {
    auto cache = *DiskCache::open(kWork / "basic");
    const std::string url = "https://h/a.zarr/0/0.0";
    QVERIFY(!cache->get(url));
    QVERIFY(cache->put(url, bodyFor(1, 5000), "\"etag1\"", "Tue, 01 Aug 2023 10:00:00 GMT"));
    auto e = cache->get(url);
    QVERIFY(e);
    QVERIFY(e->body == bodyFor(1, 5000));
    QCOMPARE(e->etag, std::string("\"etag1\""));
    QCOMPARE(e->lastModified, std::string("Tue, 01 Aug 2023 10:00:00 GMT"));
    QVERIFY(e->storedAt > 0);
    // Entries survive reopening, and the empty body is a valid entry.
    QVERIFY(cache->put(url + "#bytes=0-0", Bytes(), "", ""));
    auto again = *DiskCache::open(kWork / "basic");
    QVERIFY(again->get(url)->body == bodyFor(1, 5000));
    QVERIFY(again->get(url + "#bytes=0-0")->body.empty());
    QVERIFY(again->totalBytes() > 5000);
    QCOMPARE(DiskCache::defaultDirectory().filename(), fs::path("http"));
  }

  void damagedEntriesAreMissesAndRemoved() {
    auto cache = *DiskCache::open(kWork / "damage");
    const std::string a = "https://h/a", b = "https://h/b", c = "https://h/c";
    for (const auto& k : {a, b, c})
      QVERIFY(cache->put(k, bodyFor(2, 20000), "", ""));
    {  // flip one body byte
      std::fstream f(cache->entryPath(a), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(-100, std::ios::end);
      f.put('\x7f');
    }
    fs::resize_file(cache->entryPath(b), fs::file_size(cache->entryPath(b)) - 1);  // truncate
    std::ofstream(cache->entryPath(c), std::ios::binary) << "garbage";
    for (const auto& k : {a, b, c}) {
      QVERIFY(!cache->get(k));
      QVERIFY(!fs::exists(cache->entryPath(k)));
    }
  }

  void evictsLeastRecentlyUsedAboveTheCap() {
    auto cache = *DiskCache::open(kWork / "lru", 1'000'000);
    for (int i = 0; i < 3; ++i)
      QVERIFY(cache->put("k" + std::to_string(i), bodyFor(i, 300'000), "", ""));
    QVERIFY(cache->get("k0"));  // k0 is now the most recently used
    QVERIFY(cache->put("k3", bodyFor(3, 300'000), "", ""));
    QVERIFY(cache->totalBytes() <= 1'000'000);
    QVERIFY(cache->get("k0"));
    QVERIFY(cache->get("k3"));
    QVERIFY(!cache->get("k1"));
    QVERIFY(cache->put("huge", bodyFor(9, 2'000'000), "", ""));  // larger than the cap: skipped
    QVERIFY(!cache->get("huge"));
    cache->setCapBytes(400'000);
    QVERIFY(cache->totalBytes() <= 400'000);
  }

  void aWriterKilledMidWriteLeavesNoCorruptEntry() {
    const fs::path dir = kWork / "killed";
    for (int round = 0; round < 3; ++round) {
      const pid_t child = ::fork();
      if (child == 0) {
        auto cache = DiskCache::open(dir);
        for (int i = 0;; ++i)
          (void)(*cache)->put("key" + std::to_string(i % 40), bodyFor(i % 40, 3'000'000 + i % 40),
                              "", "");
      }
      ::usleep(150'000 + round * 70'000);
      ::kill(child, SIGKILL);
      int status = 0;
      ::waitpid(child, &status, 0);
      QVERIFY(WIFSIGNALED(status));
    }
    auto cache = *DiskCache::open(dir);
    QVERIFY(fs::is_empty(dir / "tmp"));  // the killed writer's temporaries are gone
    int found = 0;
    for (int i = 0; i < 40; ++i)
      if (auto e = cache->get("key" + std::to_string(i))) {
        QVERIFY(e->body == bodyFor(i, 3'000'000 + i));
        ++found;
      }
    QVERIFY(found > 0);
  }
};

QTEST_GUILESS_MAIN(TestDiskCache)
#include "tst_disk_cache.moc"
