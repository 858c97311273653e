// ZarrArray (zarr v2) against zarr-python 2.13: the generator writes one array per dtype, byte
// order, compressor, order and separator (plus missing chunks, odd fill values, consolidated
// metadata); every array must read back value for value.
#include <QtTest>
#include <nlohmann/json.hpp>

#include "data/local_store.h"
#include "data/zarr/zarr_array.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const int kFixtureVersion = 4;  // keep in step with VERSION in make_zarr_fixtures.py

fs::path fixtureDir() {
  return fs::path(TESSERA_TEST_WORK_DIR) / "zarr_v2_fixtures";
}

// Cuts box [start, start+count) out of a C-order 2-d buffer.
std::vector<std::uint8_t> slice2d(const std::vector<std::uint8_t>& all, std::int64_t cols,
                                  std::int64_t r0, std::int64_t c0, std::int64_t nr,
                                  std::int64_t nc, std::size_t es) {
  std::vector<std::uint8_t> out;
  for (std::int64_t r = r0; r < r0 + nr; ++r) {
    const auto* p = &all[static_cast<std::size_t>(r * cols + c0) * es];
    out.insert(out.end(), p, p + nc * static_cast<std::int64_t>(es));
  }
  return out;
}

}  // namespace

class TestZarrV2 : public QObject {
  Q_OBJECT
  std::shared_ptr<LocalStore> store_;
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    manifest_ = generatedManifest(
        QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/zarr/make_zarr_fixtures.py"),
        fixtureDir(), kFixtureVersion);
    QVERIFY2(manifest_.is_object(), "fixture generator failed");
    store_ = std::make_shared<LocalStore>(fixtureDir());
  }

  void readsLikeZarrPython_data() {
    QTest::addColumn<QString>("name");
    for (const auto& a : manifest_["arrays"])
      if (a["expect"] == "ok") {
        const std::string n = a["name"];
        QTest::newRow(n.c_str()) << QString::fromStdString(n);
      }
  }
  void readsLikeZarrPython() {
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const auto entry = manifestEntry(manifest_, n);
    auto arr = ZarrArray::open(store_, n);
    QVERIFY2(arr.has_value(), arr ? "" : arr.error().message.c_str());
    const auto& z = **arr;
    QCOMPARE(z.zarrFormat(), 2);
    QCOMPARE(std::string(dtypeName(z.dtype())), entry["dtype"].get<std::string>());
    QCOMPARE(nlohmann::json(z.shape()), entry["shape"]);
    QCOMPARE(z.attributes().value("fixture", std::string()), n);
    const auto expected = readFileBytes(fixtureDir() / (n + ".raw"));
    const std::vector<std::int64_t> zero(z.shape().size(), 0);
    auto all = z.readRegion(zero, z.shape());
    QVERIFY2(all.has_value(), all ? "" : all.error().message.c_str());
    QCOMPARE(all->size(), expected.size());
    QVERIFY(*all == expected);
    if (z.shape().size() == 2 && z.shape()[0] >= 11 && z.shape()[1] >= 14) {
      // A box straddling chunk borders and reaching the edge chunks.
      const std::int64_t start[2] = {3, 4}, count[2] = {z.shape()[0] - 3, 10};
      auto box = z.readRegion(start, count);
      QVERIFY(box.has_value());
      QVERIFY(*box == slice2d(expected, z.shape()[1], 3, 4, count[0], 10, dtypeSize(z.dtype())));
    }
  }

  void refusesFiltersClearly() {
    auto arr = ZarrArray::open(store_, "filter_delta");
    QVERIFY(!arr.has_value());
    QCOMPARE(arr.error().code, Errc::Unsupported);
    QVERIFY2(arr.error().message.find("filter_delta/.zarray") != std::string::npos &&
                 arr.error().message.find("delta") != std::string::npos,
             arr.error().message.c_str());
  }

  void edgeChunkIsFullSizeAndPadded() {
    auto arr = ZarrArray::open(store_, "sep_slash_2d");
    QVERIFY(arr.has_value());
    const std::int64_t edge[2] = {2, 2};  // rows 10..14 of 13, cols 12..17 of 17
    auto c = (*arr)->readChunk(edge);
    QVERIFY(c.has_value());
    QCOMPARE(c->size(), std::size_t{5 * 6 * 2});
    const std::int64_t past[2] = {3, 0};
    QCOMPARE((*arr)->readChunk(past).error().code, Errc::InvalidArgument);
  }

  void missingChunkReadsAsFill() {
    auto arr = ZarrArray::open(store_, "missing_fill42");
    QVERIFY(arr.has_value());
    const std::int64_t idx[2] = {1, 1};
    auto c = (*arr)->readChunk(idx);
    QVERIFY(c.has_value());
    const auto* v = reinterpret_cast<const std::uint16_t*>(c->data());
    for (int i = 0; i < 30; ++i)
      QCOMPARE(v[i], std::uint16_t{42});
  }

  void usesConsolidatedMetadata() {
    // The generator removed consolidated/arr/.zarray, .zattrs and the group .zattrs: only
    // .zmetadata still describes them.
    QVERIFY(!fs::exists(fixtureDir() / "consolidated" / "arr" / ".zarray"));
    auto attrs = readZarrAttributes(*store_, "consolidated");
    QVERIFY(attrs.has_value());
    QCOMPARE((*attrs)["group_attr"], nlohmann::json(1));
    auto arrAttrs = readZarrAttributes(*store_, "consolidated/arr");
    QVERIFY(arrAttrs.has_value());
    QCOMPARE((*arrAttrs)["fixture"], nlohmann::json("consolidated/arr"));
  }

  void readsAttributesOfPlainGroupsAndArrays() {
    auto a = readZarrAttributes(*store_, "sep_slash_2d");
    QVERIFY(a.has_value());
    QCOMPARE((*a)["fixture"], nlohmann::json("sep_slash_2d"));
    QCOMPARE(readZarrAttributes(*store_, "no/such/node").error().code, Errc::NotFound);
    QCOMPARE(ZarrArray::open(store_, "no_such_array").error().code, Errc::NotFound);
  }

  void readsRealBlobsV04LikeZarrPython() {
    const fs::path root = fs::path(TESSERA_TEST_DATA_DIR) / "ome-zarr" / "blobs_v04.ome.zarr";
    auto store = std::make_shared<LocalStore>(root);
    auto attrs = readZarrAttributes(*store, "");
    QVERIFY(attrs.has_value());
    QVERIFY(attrs->contains("multiscales"));
    auto arr = ZarrArray::open(store, "0");
    QVERIFY2(arr.has_value(), arr ? "" : arr.error().message.c_str());
    QCOMPARE((*arr)->shape(), (std::vector<std::int64_t>{3, 12, 12}));
    QCOMPARE((*arr)->dtype(), DType::F64);
    const fs::path raw = workDir("zarr_v2_blobs") / "blobs_v04.raw";
    bool ok = false;
    runPython({QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/zarr/read_zarr.py"),
               QString::fromStdString((root / "0").string()), QString::fromStdString(raw)},
              &ok);
    QVERIFY(ok);
    const std::int64_t zero[3] = {0, 0, 0};
    auto all = (*arr)->readRegion(zero, (*arr)->shape());
    QVERIFY(all.has_value());
    QVERIFY(*all == readFileBytes(raw));
  }

  void cancelsWhenStopRequested() {
    auto arr = ZarrArray::open(store_, "sep_slash_2d");
    QVERIFY(arr.has_value());
    std::stop_source stop;
    stop.request_stop();
    const std::int64_t start[2] = {0, 0}, count[2] = {13, 17};
    QCOMPARE((*arr)->readRegion(start, count, stop.get_token()).error().code, Errc::Cancelled);
  }
};

QTEST_GUILESS_MAIN(TestZarrV2)
#include "tst_zarr_v2.moc"
