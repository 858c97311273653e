// Region export to OME-TIFF: values cross-checked with zarr-python/tifffile, bad requests,
// failure cleanup, cancellation and bounded re-reading of source tiles.
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "data/export/region_export.h"
#include "data/image_open.h"
#include "data/local_store.h"
#include "data/thread_pool.h"
#include "data/tiff/ome_tiff_source.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using tessera::test::freshDir;
using tessera::test::runPython;

namespace {

const QString kFixtures = QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/export/");

/// value(c, y, x) on a W×H grid cut into `chunk`² tiles; counts reads per tile; can fail one.
class FakeSource final : public TileSource {
 public:
  FakeSource(std::int64_t w, std::int64_t h, std::int64_t c, std::int64_t chunk,
             DType dtype = DType::U16) {
    info_.format = "fake";
    info_.source = "fake://image";
    info_.dtype = dtype;
    LevelInfo l;
    l.shape = {1, c, 1, h, w};
    l.chunk = {1, 1, 1, chunk, chunk};
    info_.levels.push_back(l);
    for (std::int64_t i = 0; i < c; ++i) {
      ChannelInfo ch;
      ch.name = "ch" + std::to_string(i);
      info_.channels.push_back(ch);
    }
  }
  static std::uint16_t value(std::int64_t c, std::int64_t y, std::int64_t x) {
    return static_cast<std::uint16_t>(x * 7 + y * 13 + c * 1000);
  }
  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& k, const std::stop_token& stop) const override {
    if (stop.stop_requested()) return fail(Errc::Cancelled, "cancelled");
    {
      std::lock_guard lock(mutex_);
      ++reads_[k];
    }
    if (failAt && k.row == failAt->first && k.col == failAt->second)
      return fail(Errc::Corrupt, "fake://image/0/" + std::to_string(k.row) + ": bad chunk");
    const auto& l = info_.levels[0];
    Tile t;
    t.dtype = info_.dtype;
    const std::int64_t x0 = k.col * l.chunk[kX], y0 = k.row * l.chunk[kY];
    t.width = static_cast<int>(std::min(l.chunk[kX], l.shape[kX] - x0));
    t.height = static_cast<int>(std::min(l.chunk[kY], l.shape[kY] - y0));
    t.data.resize(static_cast<std::size_t>(t.width) * t.height * dtypeSize(info_.dtype));
    if (info_.dtype == DType::U16) {
      auto* p = reinterpret_cast<std::uint16_t*>(t.data.data());
      for (int y = 0; y < t.height; ++y)
        for (int x = 0; x < t.width; ++x)
          *p++ = value(k.c, y0 + y, x0 + x);
    }
    return t;
  }
  std::map<TileKey, int> reads() const {
    std::lock_guard lock(mutex_);
    return reads_;
  }
  std::optional<std::pair<std::int64_t, std::int64_t>> failAt;

 private:
  ImageInfo info_;
  mutable std::mutex mutex_;
  mutable std::map<TileKey, int> reads_;
};

bool noOutputLeft(const fs::path& out) {
  return !fs::exists(out) && !fs::exists(fs::path(out.string() + ".partial"));
}

}  // namespace

class TestExport : public QObject {
  Q_OBJECT

 private:
  fs::path fixtures_;
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    fixtures_ = freshDir("export_fixtures");
    // Bio-Formats-style OME-TIFFs in place of the GPL QuPath samples.
    const fs::path cells = freshDir("export_cells");
    bool ok = false;
    runPython({QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/ome/make_cells_like.py"),
               QString::fromStdString(cells)},
              &ok);
    QVERIFY2(ok, "make_cells_like.py failed");
    QStringList args{kFixtures + "make_export_fixtures.py", QString::fromStdString(fixtures_)};
    for (const char* real : {TESSERA_TEST_DATA_DIR "/ome-zarr/blobs_v04.ome.zarr",
                             TESSERA_TEST_DATA_DIR "/ome-zarr/blobs_v05.ome.zarr",
                             TESSERA_TEST_DATA_DIR "/ome-tiff/multi-channel.ome.tif"})
      args << QString::fromUtf8(real);
    for (const char* name : {"cells-2c.ome.tif", "cells-2z.ome.tif", "cells-2t.ome.tif"})
      args << QString::fromStdString(cells / name);
    runPython(args, &ok);
    QVERIFY2(ok, "make_export_fixtures.py failed");
    std::ifstream in(fixtures_ / "manifest.json");
    manifest_ = nlohmann::json::parse(in);
    QVERIFY(manifest_["images"].size() >= 21);
    for (const auto& s : manifest_["skipped"])
      qInfo("skipped: %s", s.get<std::string>().c_str());
  }

  // Every fixture kind: whole images, unaligned inner regions with reordered channels, coarser
  // levels, last t/z, BigTIFF and uncompressed output; read back by tifffile and compared
  // value for value with zarr-python / tifffile / the written arrays.
  void exportedRegionsEqualIndependentReaders() {
    const fs::path outDir = freshDir("export_out");
    ThreadPool pool(2);
    nlohmann::json cases = nlohmann::json::array();
    int n = 0;
    for (const auto& image : manifest_["images"]) {
      const std::string name = image["name"];
      auto src = openImage(image["path"].get<std::string>());
      QVERIFY2(src.has_value(), (name + ": " + (src ? "" : src.error().message)).c_str());
      const ImageInfo& info = (*src)->info();
      const auto& l0 = info.levels[0];
      const std::int64_t w = l0.shape[kX], h = l0.shape[kY], C = l0.shape[kC];
      auto add = [&](const std::string& what, RegionExportRequest req) {
        const fs::path out = outDir / (std::to_string(n++) + ".ome.tif");
        auto r = exportRegion(**src, req, out, &pool);
        QVERIFY2(r.has_value(), (name + " " + what + ": " + (r ? "" : r.error().message)).c_str());
        cases.push_back({{"name", name + " " + what},
                         {"image", name},
                         {"level", req.level},
                         {"region", {req.x, req.y, req.width, req.height}},
                         {"t", req.t},
                         {"z", req.z},
                         {"channels", req.channels},
                         {"bigtiff", req.tiff.bigTiff == BigTiffMode::Always},
                         {"out", out.string()}});
      };
      RegionExportRequest full;
      full.width = w;
      full.height = h;
      add("full", full);

      RegionExportRequest inner;
      inner.x = w / 7;
      inner.y = h / 5;
      inner.width = std::max<std::int64_t>(1, w - inner.x - w / 9);
      inner.height = std::max<std::int64_t>(1, h - inner.y - h / 11);
      for (std::int64_t c = C; c-- > 0;)
        inner.channels.push_back(c);
      add("inner reversed channels", inner);

      if (info.levels.size() > 1) {
        const int last = static_cast<int>(info.levels.size()) - 1;
        const auto& ll = info.levels[static_cast<std::size_t>(last)];
        RegionExportRequest coarse;
        coarse.level = last;
        coarse.x = 1;
        coarse.y = 2;
        coarse.width = ll.shape[kX] - 1;
        coarse.height = ll.shape[kY] - 3;
        coarse.channels = {C - 1};
        add("last level", coarse);
      }
      if (l0.shape[kT] > 1 || l0.shape[kZ] > 1) {
        RegionExportRequest tz = inner;
        tz.t = l0.shape[kT] - 1;
        tz.z = l0.shape[kZ] - 1;
        tz.channels = {0};
        add("last t and z", tz);
      }
      if (name == "pyramid_u16.ome.tif" || name == "u16_blosc_lz4.ome.zarr") {
        RegionExportRequest big = inner;
        big.tiff.bigTiff = BigTiffMode::Always;
        big.tiff.compression = TiffCompression::None;
        add("bigtiff uncompressed", big);
      }
    }
    const fs::path casesFile = outDir / "cases.json";
    std::ofstream(casesFile) << cases.dump(1);
    bool ok = false;
    const QByteArray out =
        runPython({kFixtures + "check_export.py",
                   QString::fromStdString((fixtures_ / "manifest.json").string()),
                   QString::fromStdString(casesFile.string())},
                  &ok);
    QVERIFY2(ok, "check_export.py failed");
    const auto results = nlohmann::json::parse(out.toStdString())["results"];
    QCOMPARE(results.size(), cases.size());
    int failed = 0;
    for (const auto& r : results)
      if (!r["ok"].get<bool>()) {
        ++failed;
        qWarning("%s: %s", r["case"].get<std::string>().c_str(),
                 r["why"].get<std::string>().c_str());
      }
    QCOMPARE(failed, 0);
  }

  void rejectsRequestsOutsideTheImage() {
    FakeSource src(100, 80, 3, 32);
    const fs::path out = freshDir("export_bad") / "x.ome.tif";
    auto expectBad = [&](RegionExportRequest r, const char* needle) {
      auto e = exportRegion(src, r, out);
      QVERIFY(!e);
      QCOMPARE(e.error().code, Errc::InvalidArgument);
      QVERIFY2(e.error().message.find(needle) != std::string::npos, e.error().message.c_str());
      QVERIFY(noOutputLeft(out));
    };
    RegionExportRequest ok;
    ok.width = 100;
    ok.height = 80;
    RegionExportRequest r = ok;
    r.x = 1;
    expectBad(r, "lies outside level 0 (100x80)");
    r = ok;
    r.width = 0;
    expectBad(r, "lies outside");
    r = ok;
    r.y = -1;
    expectBad(r, "lies outside");
    r = ok;
    r.channels = {0, 3};
    expectBad(r, "channel 3 does not exist (channels 0..2)");
    r = ok;
    r.level = 1;
    expectBad(r, "level 1 does not exist");
    r = ok;
    r.t = 1;
    expectBad(r, "t 1 outside");
    r = ok;
    r.z = -1;
    expectBad(r, "z -1 outside");
  }

  void rejectsUnwritableOutputAndTypesOmeCannotHold() {
    FakeSource src(50, 40, 1, 32);
    RegionExportRequest r;
    r.width = 50;
    r.height = 40;
    const fs::path dir = freshDir("export_unwritable");
    auto e = exportRegion(src, r, dir / "missing" / "x.ome.tif");
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::InvalidArgument);
    QVERIFY2(e.error().message.find("no such directory") != std::string::npos,
             e.error().message.c_str());
    e = exportRegion(src, r, dir);
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::InvalidArgument);

    FakeSource wide(50, 40, 1, 32, DType::U64);
    e = exportRegion(wide, r, dir / "u64.ome.tif");
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::Unsupported);
    QVERIFY2(e.error().message.find("uint64") != std::string::npos, e.error().message.c_str());
    QVERIFY(noOutputLeft(dir / "u64.ome.tif"));
  }

  void failedTileNamesItAndLeavesNoFile() {
    FakeSource src(1500, 1200, 2, 256);
    src.failAt = std::pair<std::int64_t, std::int64_t>{3, 2};
    RegionExportRequest r;
    r.width = 1500;
    r.height = 1200;
    const fs::path out = freshDir("export_fail") / "x.ome.tif";
    ThreadPool pool(2);
    auto e = exportRegion(src, r, out, &pool);
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::Corrupt);
    QVERIFY2(e.error().message.find("fake://image/0/3: bad chunk") != std::string::npos,
             e.error().message.c_str());
    QVERIFY(noOutputLeft(out));
  }

  void stopsWhenCancelled() {
    FakeSource src(3000, 3000, 1, 256);
    RegionExportRequest r;
    r.width = 3000;
    r.height = 3000;
    const fs::path out = freshDir("export_cancel") / "x.ome.tif";
    std::stop_source stop;
    int calls = 0;
    auto e = exportRegion(src, r, out, nullptr, stop.get_token(), [&](double) {
      if (++calls == 2) stop.request_stop();
    });
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::Cancelled);
    QCOMPARE(calls, 2);
    QVERIFY(noOutputLeft(out));
  }

  // A region wider than one column strip (16 × 512 px) on a tile grid that matches neither
  // the output tiles nor the strips: each source tile is read once, or twice where it straddles
  // a strip edge, and the values come back through Tessera's own OME-TIFF reader.
  void streamsLargeRegionsReadingEachTileAtMostTwice() {
    FakeSource src(20000, 1400, 2, 300);
    RegionExportRequest r;
    r.x = 150;
    r.y = 77;
    r.width = 19000;
    r.height = 1300;
    r.channels = {1, 0};
    const fs::path out = freshDir("export_stream") / "x.ome.tif";
    ThreadPool pool(2);
    auto e = exportRegion(src, r, out, &pool);
    QVERIFY2(e.has_value(), e ? "" : e.error().message.c_str());
    const auto reads = src.reads();
    std::int64_t twice = 0;
    for (const auto& [key, count] : reads) {
      QVERIFY(count <= 2);
      twice += count == 2;
    }
    // 64 tile columns × 5 rows per channel touched; only columns across the 2 strip edges repeat.
    QCOMPARE(static_cast<std::int64_t>(reads.size()), 2 * 64 * 5);
    QCOMPARE(twice, 2 * 2 * 5);
    QCOMPARE(e->tilesRead, 2 * 64 * 5 + twice);

    auto back = OmeTiffSource::open(std::make_shared<LocalStore>(out));
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    const auto& l = (*back)->info().levels[0];
    QCOMPARE(l.shape[kX], r.width);
    QCOMPARE(l.shape[kY], r.height);
    QCOMPARE(l.shape[kC], 2);
    QCOMPARE((*back)->info().channels[0].name, std::string("ch1"));
    for (std::int64_t oc = 0; oc < 2; ++oc)
      for (const auto& [row, col] : {std::pair{0, 0}, {1, 17}, {2, 36}, {2, 37}}) {
        auto t = (*back)->readTile({0, 0, oc, 0, row, col}, {});
        QVERIFY(t.has_value());
        const auto* v = reinterpret_cast<const std::uint16_t*>(t->data.data());
        for (int y = 0; y < t->height; y += 7)
          for (int x = 0; x < t->width; x += 5) {
            const std::int64_t sy = r.y + row * l.chunk[kY] + y, sx = r.x + col * l.chunk[kX] + x;
            QCOMPARE(v[y * t->width + x], FakeSource::value(r.channels[oc], sy, sx));
          }
      }
  }

  void omeXmlEscapesNamesAndMapsUnits() {
    OmeTiffImage im;
    im.width = 10;
    im.height = 20;
    im.dtype = DType::F32;
    im.channels = {{"A&B <1>", 0xFF0000}};
    im.physicalSizeX = 0.25;
    im.physicalSizeY = 0.5;
    im.unit = "micrometer";
    const std::string xml = OmeTiffWriter::omeXml(im);
    QVERIFY(xml.find("Name=\"A&amp;B &lt;1&gt;\"") != std::string::npos);
    QVERIFY(xml.find("Type=\"float\"") != std::string::npos);
    QVERIFY(xml.find("PhysicalSizeX=\"0.25\" PhysicalSizeXUnit=\"\u00b5m\"") != std::string::npos);
    QVERIFY(xml.find("Color=\"-16776961\"") != std::string::npos);  // 0xFF0000FF as int32
    im.unit = "";
    QVERIFY(OmeTiffWriter::omeXml(im).find("PhysicalSize") == std::string::npos);
    QCOMPARE(OmeTiffWriter::omeUnitSymbol("nanometer"), std::string("nm"));
    QCOMPARE(OmeTiffWriter::omeUnitSymbol("parsec"), std::string());
  }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
