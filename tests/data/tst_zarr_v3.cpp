// ZarrArray (zarr v3) against a spec-following python writer (make_zarr_v3_fixtures.py): every
// core data type, key encodings, transpose, blosc/gzip/zstd/crc32c, sharding with the index at
// either end, empty inner chunks and nested codecs; plus the real blobs_v05 sample and a count
// of store reads proving that sharded arrays are read by range.
#include <QtTest>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "data/local_store.h"
#include "data/zarr/zarr_array.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const int kFixtureVersion = 2;  // keep in step with VERSION in make_zarr_v3_fixtures.py

fs::path fixtureDir() {
  return fs::path(TESSERA_TEST_WORK_DIR) / "zarr_v3_fixtures";
}

// Wraps a store and records every data access, so tests can see what a read touched.
class CountingStore final : public Store {
 public:
  explicit CountingStore(std::shared_ptr<const Store> inner) : inner_(std::move(inner)) {}
  struct Call {
    std::string kind, key;
    std::uint64_t offset, length;
  };
  std::string describe() const override { return inner_->describe(); }
  Expected<Bytes> read(std::string_view key) const override {
    auto r = inner_->read(key);
    log("read", key, 0, r ? r->size() : 0);
    return r;
  }
  Expected<Bytes> readRange(std::string_view key, std::uint64_t off,
                            std::uint64_t len) const override {
    log("range", key, off, len);
    return inner_->readRange(key, off, len);
  }
  Expected<Bytes> readSuffix(std::string_view key, std::uint64_t len) const override {
    log("suffix", key, 0, len);
    return inner_->readSuffix(key, len);
  }
  bool exists(std::string_view key) const override { return inner_->exists(key); }
  Expected<std::uint64_t> size(std::string_view key) const override { return inner_->size(key); }
  Expected<std::vector<std::string>> list(std::string_view p) const override {
    return inner_->list(p);
  }
  std::vector<Call> take() const {
    std::lock_guard lock(mutex_);
    return std::exchange(calls_, {});
  }

 private:
  void log(const char* kind, std::string_view key, std::uint64_t off, std::uint64_t len) const {
    std::lock_guard lock(mutex_);
    calls_.push_back({kind, std::string(key), off, len});
  }
  std::shared_ptr<const Store> inner_;
  mutable std::mutex mutex_;
  mutable std::vector<Call> calls_;
};

}  // namespace

class TestZarrV3 : public QObject {
  Q_OBJECT
  std::shared_ptr<LocalStore> store_;
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    manifest_ = generatedManifest(
        QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/zarr/make_zarr_v3_fixtures.py"),
        fixtureDir(), kFixtureVersion);
    QVERIFY2(manifest_.is_object(), "v3 fixture generator failed");
    store_ = std::make_shared<LocalStore>(fixtureDir());
  }

  void readsLikeReference_data() {
    QTest::addColumn<QString>("name");
    for (const auto& a : manifest_["arrays"]) {
      const std::string n = a["name"];
      QTest::newRow(n.c_str()) << QString::fromStdString(n);
    }
  }
  void readsLikeReference() {
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const auto entry = manifestEntry(manifest_, n);
    auto arr = ZarrArray::open(store_, n);
    QVERIFY2(arr.has_value(), arr ? "" : arr.error().message.c_str());
    const auto& z = **arr;
    QCOMPARE(z.zarrFormat(), 3);
    QCOMPARE(std::string(dtypeName(z.dtype())), entry["dtype"].get<std::string>());
    QCOMPARE(nlohmann::json(z.shape()), entry["shape"]);
    QCOMPARE(z.attributes().value("fixture", std::string()), n);
    const auto expected = readFileBytes(fixtureDir() / (n + ".raw"));
    const std::vector<std::int64_t> zero(z.shape().size(), 0);
    auto all = z.readRegion(zero, z.shape());
    QVERIFY2(all.has_value(), all ? "" : all.error().message.c_str());
    QCOMPARE(all->size(), expected.size());
    QVERIFY(*all == expected);
    if (z.shape().size() == 2) {
      // Chunk by chunk through readChunk must agree with the whole read too.
      const auto& ch = z.chunks();
      const std::size_t es = dtypeSize(z.dtype());
      for (std::int64_t i = 0; i * ch[0] < z.shape()[0]; ++i)
        for (std::int64_t j = 0; j * ch[1] < z.shape()[1]; ++j) {
          const std::int64_t idx[2] = {i, j};
          auto c = z.readChunk(idx);
          QVERIFY2(c.has_value(), c ? "" : c.error().message.c_str());
          QCOMPARE(c->size(), static_cast<std::size_t>(ch[0] * ch[1]) * es);
          for (std::int64_t r = 0; r < ch[0] && i * ch[0] + r < z.shape()[0]; ++r) {
            const std::int64_t cols = std::min(ch[1], z.shape()[1] - j * ch[1]);
            const auto off = static_cast<std::size_t>((i * ch[0] + r) * z.shape()[1] + j * ch[1]);
            QVERIFY(std::memcmp(c->data() + static_cast<std::size_t>(r * ch[1]) * es,
                                expected.data() + off * es,
                                static_cast<std::size_t>(cols) * es) == 0);
          }
        }
    }
  }

  void shardedChunksAreInnerChunks() {
    auto arr = ZarrArray::open(store_, "shard_end");
    QVERIFY(arr.has_value());
    QCOMPARE((*arr)->chunks(), (std::vector<std::int64_t>{4, 5}));
    const std::int64_t empty[2] = {0, 0}, inMissingShard[2] = {5, 5}, outside[2] = {10, 0};
    auto a = (*arr)->readChunk(empty);
    QVERIFY(a.has_value());
    QVERIFY(std::all_of(a->begin(), a->end(), [](auto b) { return b == 0; }));
    QVERIFY((*arr)->readChunk(inMissingShard).has_value());
    QCOMPARE((*arr)->readChunk(outside).error().code, Errc::InvalidArgument);
  }

  void readsOnlyIndexAndNeededInnerChunks() {
    auto counting = std::make_shared<CountingStore>(store_);
    auto arr = ZarrArray::open(counting, "shard_count");
    QVERIFY(arr.has_value());
    counting->take();
    const std::uint64_t shardSize = *store_->size("shard_count/c/0/0");
    const std::uint64_t indexSize = 16 * 16 + 4;  // 4x4 inner chunks, crc32c

    const std::int64_t a[2] = {1, 2};
    QVERIFY((*arr)->readChunk(a).has_value());
    auto calls = counting->take();
    QCOMPARE(calls.size(), std::size_t{2});
    QCOMPARE(calls[0].kind, std::string("suffix"));
    QCOMPARE(calls[0].key, std::string("shard_count/c/0/0"));
    QCOMPARE(calls[0].length, indexSize);
    QCOMPARE(calls[1].kind, std::string("range"));
    QVERIFY(calls[1].length < shardSize / 8);

    // Another inner chunk of the same shard: the cached index serves it, one range read.
    const std::int64_t b[2] = {1, 3};
    QVERIFY((*arr)->readChunk(b).has_value());
    calls = counting->take();
    QCOMPARE(calls.size(), std::size_t{1});
    QCOMPARE(calls[0].kind, std::string("range"));

    // A 16x16 box at (8, 8) touches 2x2 inner chunks of shard (0, 0) and nothing else.
    const std::int64_t start[2] = {8, 8}, count[2] = {16, 16};
    QVERIFY((*arr)->readRegion(start, count).has_value());
    calls = counting->take();
    QCOMPARE(calls.size(), std::size_t{4});
    std::uint64_t bytes = 0;
    for (const auto& c : calls) {
      QCOMPARE(c.kind, std::string("range"));
      QCOMPARE(c.key, std::string("shard_count/c/0/0"));
      bytes += c.length;
    }
    QVERIFY(bytes < shardSize / 3);

    // Index at the start: read with a prefix range, not a suffix.
    auto start2 = ZarrArray::open(counting, "shard_start");
    QVERIFY(start2.has_value());
    counting->take();
    const std::int64_t c[2] = {3, 3};  // (1, 1) is an empty inner chunk
    QVERIFY((*start2)->readChunk(c).has_value());
    calls = counting->take();
    QCOMPARE(calls.size(), std::size_t{2});
    QCOMPARE(calls[0].kind, std::string("range"));
    QCOMPARE(calls[0].offset, std::uint64_t{0});
    QCOMPARE(calls[0].length, std::uint64_t{16 * 25 + 4});
  }

  void readsRealBlobsV05() {
    const fs::path root = fs::path(TESSERA_TEST_DATA_DIR) / "ome-zarr";
    auto store = std::make_shared<LocalStore>(root / "blobs_v05.ome.zarr");
    auto attrs = readZarrAttributes(*store, "");
    QVERIFY(attrs.has_value());
    QVERIFY((*attrs)["ome"].contains("multiscales"));
    auto arr = ZarrArray::open(store, "0");
    QVERIFY2(arr.has_value(), arr ? "" : arr.error().message.c_str());
    QCOMPARE((*arr)->dimensionNames(), (std::vector<std::string>{"c", "y", "x"}));
    QCOMPARE((*arr)->dtype(), DType::F64);
    // The v0.4 copy holds the same pixels; zarr-python reads it as the reference.
    const fs::path raw = workDir("zarr_v3_blobs") / "blobs_v04.raw";
    bool ok = false;
    runPython({QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/zarr/read_zarr.py"),
               QString::fromStdString((root / "blobs_v04.ome.zarr" / "0").string()),
               QString::fromStdString(raw)},
              &ok);
    QVERIFY(ok);
    const std::int64_t zero[3] = {0, 0, 0};
    auto all = (*arr)->readRegion(zero, (*arr)->shape());
    QVERIFY(all.has_value());
    QVERIFY(*all == readFileBytes(raw));
    double v = 0;
    std::memcpy(&v, all->data() + (1 * 144 + 5 * 12 + 7) * 8, 8);
    QCOMPARE(v, 0.00761365007204107);
  }

  void readsGroupAttributesAndRefusesGroupAsArray() {
    auto attrs = readZarrAttributes(*store_, "group");
    QVERIFY(attrs.has_value());
    QCOMPARE((*attrs)["ome"]["version"], nlohmann::json("0.5"));
    QCOMPARE(ZarrArray::open(store_, "group").error().code, Errc::InvalidArgument);
  }
};

QTEST_GUILESS_MAIN(TestZarrV3)
#include "tst_zarr_v3.moc"
