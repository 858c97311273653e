// Multi-file OME-TIFF sets (UUID FileName, BinaryOnly + companion), locally and over HTTP
// (a real nginx on loopback), and OME-XML with several Images. Fixtures are written at test time by
// tests/fixtures/ome/make_multifile_tiff.py with tifffile (which also reads the UUID set back, so
// the expected values are tifffile's).
#include <QProcess>
#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "data/export/region_export.h"
#include "data/image_open.h"
#include "data/local_store.h"
#include "data/remote/remote_context.h"
#include "data/tiff/ome_tiff_source.h"
#include "tests/fixtures/remote/test_servers.h"
#include "tests/support/read_level.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "ome_tiff_sets";
const QString kScript = QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_multifile_tiff.py";

// A Store that records which keys were read: proves sibling files go through the Store.
class RecordingStore final : public Store {
 public:
  explicit RecordingStore(fs::path dir) : inner_(std::move(dir)) {}
  std::string describe() const override { return inner_.describe(); }
  Expected<Bytes> read(std::string_view key) const override { return note(key), inner_.read(key); }
  Expected<Bytes> readRange(std::string_view key, std::uint64_t o, std::uint64_t n) const override {
    return note(key), inner_.readRange(key, o, n);
  }
  Expected<Bytes> readSuffix(std::string_view key, std::uint64_t n) const override {
    return note(key), inner_.readSuffix(key, n);
  }
  bool exists(std::string_view key) const override { return inner_.exists(key); }
  Expected<std::uint64_t> size(std::string_view key) const override { return inner_.size(key); }
  Expected<std::vector<std::string>> list(std::string_view prefix) const override {
    return inner_.list(prefix);
  }
  std::set<std::string> keys() const {
    std::lock_guard lock(mutex_);
    return keys_;
  }

 private:
  void note(std::string_view key) const {
    std::lock_guard lock(mutex_);
    keys_.insert(std::string(key));
  }
  LocalStore inner_;
  mutable std::mutex mutex_;
  mutable std::set<std::string> keys_;
};

std::shared_ptr<TileSource> openOrFail(const fs::path& p, const ImageSelection& select = {}) {
  auto src = openImage(p.string(), select);
  if (!src) qWarning("%s", src.error().message.c_str());
  return src ? *src : nullptr;
}

void checkShape(const ImageInfo& info, const nlohmann::json& shape) {
  for (std::size_t s = 0; s < 5; ++s)
    QCOMPARE(info.levels[0].shape[s], shape[s].get<std::int64_t>());
}

}  // namespace

class TestOmeTiffSets : public QObject {
  Q_OBJECT
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    QProcess py;
    py.start(TESSERA_PYTHON, {kScript, QString::fromStdString(kWork.string())});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    std::ifstream f(kWork / "manifest.json");
    manifest_ = nlohmann::json::parse(f);
  }

  void uuidSetOpensWholeFromAnyMember_data() {
    QTest::addColumn<QString>("file");
    for (const auto& f : {"a.ome.tif", "b.ome.tif", "c.ome.tif"})
      QTest::newRow(f) << QString(f);
  }
  void uuidSetOpensWholeFromAnyMember() {
    QFETCH(QString, file);
    const auto& e = manifest_["uuidset"];
    auto src = openOrFail(kWork / "uuidset" / file.toStdString());
    QVERIFY(src);
    QCOMPARE(src->info().format, std::string("ome-tiff"));
    QCOMPARE(std::string(dtypeName(src->info().dtype)), e["dtype"].get<std::string>());
    checkShape(src->info(), e["shape"]);
    QCOMPARE(src->info().levels[0].scale[kX], 0.25);
    QCOMPARE(src->info().channels[1].name, std::string("uuidset-ch1"));
    for (const auto& w : src->info().warnings)
      QVERIFY2(w.find("empty") == std::string::npos, w.c_str());
    QVERIFY(readLevel(*src, 0) == slurp(kWork / e["raw"].get<std::string>()));
  }

  // Every member is read through the Store the set was opened with (so HTTP sets work too).
  void siblingsAreReadThroughTheStore() {
    auto store = std::make_shared<RecordingStore>(kWork / "uuidset");
    auto src = OmeTiffSource::open(store, "a.ome.tif");
    QVERIFY2(src, src ? "" : src.error().message.c_str());
    QCOMPARE(store->keys(), (std::set<std::string>{"a.ome.tif"}));  // siblings open lazily
    QVERIFY(readLevel(**src, 0) == slurp(kWork / "uuidset/expected.raw"));
    QCOMPARE(store->keys(), (std::set<std::string>{"a.ome.tif", "b.ome.tif", "c.ome.tif"}));
  }

  // Over HTTP the members are sibling URLs read through the same HttpStore.
  void setsOpenOverHttp() {
    HttpClientOptions options;
    options.proxy = ProxySettings{};  // loopback: never through a proxy from the environment
    auto client = HttpClient::create(options);
    QVERIFY(client);
    setRemoteContext({*client, nullptr, false});
    tessera::testing::NginxServer nginx(kWork, kWork.parent_path() / "ome_tiff_sets_nginx");
    QVERIFY2(nginx.ok(), nginx.errorLog().c_str());
    for (const auto& [url, raw] :
         {std::pair{std::string("uuidset/c.ome.tif"), std::string("uuidset/expected.raw")},
          {"binonly/bin_1.ome.tif", "binonly/expected.raw"},
          {"binonly/set.companion.ome", "binonly/expected.raw"}}) {
      auto src = openImage(nginx.url(url));
      QVERIFY2(src, src ? "" : src.error().message.c_str());
      QVERIFY2(readLevel(**src, 0) == slurp(kWork / raw), url.c_str());
    }
    auto missing = openImage(nginx.url("uuidset_missing/b.ome.tif"));
    QVERIFY(missing);
    auto bad = (*missing)->readTile({0, 0, 1, 2, 0, 0}, {});
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.find("c.ome.tif") != std::string::npos,
             bad.error().message.c_str());
    setRemoteContext({});
  }

  void missingMemberFailsOnlyItsPlanes() {
    auto src = openOrFail(kWork / "uuidset_missing" / "a.ome.tif");
    QVERIFY(src);
    const auto& warnings = src->info().warnings;
    QVERIFY(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
      return w.find("c.ome.tif") != std::string::npos && w.find("missing") != std::string::npos;
    }));
    const Bytes all = slurp(kWork / "uuidset/expected.raw");
    const std::size_t plane = 40 * 50 * 2;
    // c=1, z=2 is in the missing c.ome.tif.
    auto bad = src->readTile({0, 0, 1, 2, 0, 0}, {});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::NotFound);
    QVERIFY2(bad.error().message.find("c.ome.tif") != std::string::npos,
             bad.error().message.c_str());
    QVERIFY2(bad.error().message.find("c=1 z=2") != std::string::npos, bad.error().message.c_str());
    // Planes in a.ome.tif and b.ome.tif still read, value for value.
    for (const auto& [c, z] : {std::pair{0, 2}, {1, 1}}) {
      auto tile = src->readTile({0, 0, c, z, 0, 0}, {});
      QVERIFY(tile);
      QCOMPARE(tile->width, 50);
      QCOMPARE(tile->height, 40);
      const std::size_t at = static_cast<std::size_t>(c * 3 + z) * plane;
      QVERIFY(std::equal(tile->data.begin(), tile->data.end(), all.begin() + at));
    }
    // Opening the set from the missing member itself names it.
    auto none = openImage((kWork / "uuidset_missing" / "c.ome.tif").string());
    QVERIFY(!none);
    QCOMPARE(none.error().code, Errc::NotFound);
    QVERIFY(none.error().message.find("c.ome.tif") != std::string::npos);
  }

  void binaryOnlyOpensFromStubAndCompanion_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("stub 0") << "bin_0.ome.tif";
    QTest::newRow("stub 2") << "bin_2.ome.tif";
    QTest::newRow("companion") << "set.companion.ome";
  }
  void binaryOnlyOpensFromStubAndCompanion() {
    QFETCH(QString, file);
    const auto& e = manifest_["binonly"];
    const fs::path p = kWork / "binonly" / file.toStdString();
    QVERIFY(bestImageFormat(p.string()));
    QCOMPARE(bestImageFormat(p.string())->name, std::string("tiff"));
    auto src = openOrFail(p);
    QVERIFY(src);
    QCOMPARE(src->info().format, std::string("ome-tiff"));
    QCOMPARE(src->info().dtype, DType::I16);
    checkShape(src->info(), e["shape"]);
    QCOMPARE(src->info().channels[2].name, std::string("binonly-ch2"));
    QVERIFY(readLevel(*src, 0) == slurp(kWork / e["raw"].get<std::string>()));
  }

  void binaryOnlyWithoutCompanionNamesIt() {
    const fs::path dir = kWork / "binonly_nocompanion";
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::copy_file(kWork / "binonly/bin_0.ome.tif", dir / "bin_0.ome.tif");
    auto src = openImage((dir / "bin_0.ome.tif").string());
    QVERIFY(!src);
    QVERIFY2(src.error().message.find("set.companion.ome") != std::string::npos,
             src.error().message.c_str());
  }

  void severalImagesPickedBySeries() {
    auto series = [](int s) {
      ImageSelection sel;
      sel.series = s;
      return sel;
    };
    const auto& e = manifest_["two_images"];
    const fs::path p = kWork / e["file"].get<std::string>();
    for (int s = 0; s < 2; ++s) {
      auto src = openOrFail(p, series(s));
      QVERIFY(src);
      const auto& want = e["series"][static_cast<std::size_t>(s)];
      const ImageInfo& info = src->info();
      QCOMPARE(info.series.size(), std::size_t(2));
      QCOMPARE(info.seriesIndex, static_cast<std::size_t>(s));
      QCOMPARE(info.series[1], std::string("Image 1: second"));
      QCOMPARE(info.seriesShapes[1], (Shape5{1, 3, 1, 16, 12}));
      QCOMPARE(std::string(dtypeName(info.dtype)), want["dtype"].get<std::string>());
      checkShape(info, want["shape"]);
      QVERIFY(readLevel(*src, 0) == slurp(kWork / want["raw"].get<std::string>()));
    }
    auto first = openOrFail(p);
    QVERIFY(first);
    QCOMPARE(first->info().dtype, DType::U8);
    const auto j = imageInfoToJson(first->info());
    QCOMPARE(j["series"].size(), std::size_t(2));
    QCOMPARE(j["series"][1]["shape"], nlohmann::json({1, 3, 1, 16, 12}));
    QCOMPARE(j["series_index"].get<int>(), 0);
    auto none = openImage(p.string(), series(2));
    QVERIFY(!none);
    QCOMPARE(none.error().code, Errc::InvalidArgument);
    QVERIFY(none.error().message.find("no series 2") != std::string::npos);
    ImageSelection inWell;
    inWell.well = "A/1";
    auto well = openImage(p.string(), inWell);
    QVERIFY(!well);
    QCOMPARE(well.error().code, Errc::InvalidArgument);
  }

  // A region exported from the set equals what tifffile reads from the set, value for value,
  // and tifffile reads the export.
  void exportedRegionMatchesTifffile() {
    auto src = openOrFail(kWork / "uuidset" / "c.ome.tif");
    QVERIFY(src);
    RegionExportRequest r;
    r.x = 5;
    r.y = 7;
    r.width = 30;
    r.height = 20;
    r.z = 2;
    r.channels = {1, 0};
    const fs::path out = kWork / "export.ome.tif";
    auto e = exportRegion(*src, r, out);
    QVERIFY2(e, e ? "" : e.error().message.c_str());
    const fs::path raw = kWork / "export.raw";
    QProcess py;
    py.start(TESSERA_PYTHON, {kScript, "--dump", QString::fromStdString(out.string()),
                              QString::fromStdString(raw.string())});
    QVERIFY(py.waitForFinished(60000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const auto dumped = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
    QCOMPARE(dumped["shape"], nlohmann::json({1, 2, 1, 20, 30}));
    QCOMPARE(dumped["dtype"].get<std::string>(), std::string("uint16"));
    const Bytes all = slurp(kWork / "uuidset/expected.raw");
    const Bytes got = slurp(raw);
    const auto* want = reinterpret_cast<const std::uint16_t*>(all.data());
    const auto* v = reinterpret_cast<const std::uint16_t*>(got.data());
    for (int oc = 0; oc < 2; ++oc)
      for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 30; ++x) {
          const int c = oc == 0 ? 1 : 0;
          const std::size_t at = static_cast<std::size_t>(((c * 3 + 2) * 40 + 7 + y) * 50 + 5 + x);
          QCOMPARE(v[(oc * 20 + y) * 30 + x], want[at]);
        }
  }
};

QTEST_GUILESS_MAIN(TestOmeTiffSets)
#include "tst_ome_tiff_sets.moc"
