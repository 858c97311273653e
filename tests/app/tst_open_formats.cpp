// Every image format opens through the window's loading path (app/core/dataset_loader openDataset):
// one sample each, written at test time by independent writers (zarr-python, tifffile, numpy,
// the spec-following zarr v3 writer) or taken from tests/fixtures, with shape and values
// checked against what those writers dumped (or, for the zarr v3 sharded image and the OME-TIFF
// pyramid, against check_export.py's independent readers through an exported region).
#include <QProcess>
#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "data/export/region_export.h"
#include "data/plain/plain_image_source.h"
#include "tests/support/read_level.h"

using namespace tessera;
namespace fs = std::filesystem;

using tessera::test::readLevel;
using tessera::test::slurp;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "open_formats";
const QString kFixtureScripts = QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/";
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR);

bool runPython(const QStringList& args) {
  QProcess py;
  py.start(TESSERA_PYTHON, args);
  if (!py.waitForFinished(600000) || py.exitCode() != 0) {
    qWarning("%s", py.readAllStandardError().constData());
    return false;
  }
  return true;
}

// y, x, samples interleaved (an RGB dump) to c, y, x planes.
data::Bytes planar(const data::Bytes& interleaved, int samples) {
  data::Bytes out(interleaved.size());
  const std::size_t n = interleaved.size() / static_cast<std::size_t>(samples);
  for (std::size_t i = 0; i < n; ++i)
    for (int s = 0; s < samples; ++s)
      out[static_cast<std::size_t>(s) * n + i] =
          interleaved[i * static_cast<std::size_t>(samples) + static_cast<std::size_t>(s)];
  return out;
}

}  // namespace

class TestOpenFormats : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork);
    const auto out = [](const char* d) { return QString::fromStdString((kWork / d).string()); };
    const auto blobs = [](const char* v) {
      return QString::fromStdString((kFixtures / "ome-zarr" / v).string());
    };
    QVERIFY(runPython({kFixtureScripts + "ome/make_ome_zarr_fixtures.py", out("zarr"),
                       blobs("blobs_v04.ome.zarr"), blobs("blobs_v05.ome.zarr")}));
    QVERIFY(runPython({kFixtureScripts + "ome/make_multifile_tiff.py", out("tiffsets")}));
    QVERIFY(runPython({kFixtureScripts + "export/make_export_fixtures.py", out("export")}));
    QVERIFY(runPython({kFixtureScripts + "plain/make_plain_fixtures.py", out("plain")}));
    QVERIFY(runPython({kFixtureScripts + "slide/make_slide_fixture.py", out("slide")}));
    ctx_ = std::make_unique<app::AppContext>(256);
  }

  // Opened as the window opens it; level 0 equals the writer's dump value for value.
  void opensAndMatchesTheWriter_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("shape");  // t,c,z,y,x
    QTest::addColumn<QString>("raw");
    const auto w = [](const std::string& p) {
      return QString::fromStdString((kWork / p).string());
    };
    const auto fx = [](const std::string& p) {
      return QString::fromStdString((kFixtures / p).string());
    };
    QTest::newRow("OME-Zarr 0.4 (zarr v2)") << fx("ome-zarr/blobs_v04.ome.zarr") << "ome-zarr 0.4"
                                            << "1,3,1,12,12" << w("zarr/blobs_v04.L0.raw");
    QTest::newRow("OME-Zarr 0.5 (zarr v3)") << fx("ome-zarr/blobs_v05.ome.zarr") << "ome-zarr 0.5"
                                            << "" << w("zarr/blobs_v05.L0.raw");
    QTest::newRow("bioformats2raw series 0") << w("zarr/b2r.ome.zarr") << "ome-zarr 0.4"
                                             << "1,2,1,64,64" << w("zarr/b2r.L0.raw");
    QTest::newRow("HCS plate, first field") << w("zarr/plate.ome.zarr") << "ome-zarr 0.4"
                                            << "1,2,1,24,20" << w("zarr/plate.L0.raw");
    QTest::newRow("SpatialData image") << w("zarr/spatialdata.zarr") << "ome-zarr 0.4"
                                       << "1,3,1,60,80" << w("zarr/spatialdata.L0.raw");
    QTest::newRow("multi-file OME-TIFF (UUID)")
        << w("tiffsets/uuidset/b.ome.tif") << "ome-tiff"
        << "1,2,3,40,50" << w("tiffsets/uuidset/expected.raw");
    QTest::newRow("multi-file OME-TIFF (companion)")
        << w("tiffsets/binonly/set.companion.ome") << "ome-tiff"
        << "1,3,1,30,20" << w("tiffsets/binonly/expected.raw");
    QTest::newRow("plain PNG (RGB)") << w("plain/rgb8.png") << ""
                                     << "1,3,1,200,300" << w("plain/rgb8.png.raw");
    QTest::newRow("OpenSlide") << w("slide/slide.tif") << ""
                               << "1,3,1,1200,1700" << w("slide/slide.L0.raw");
  }
  void opensAndMatchesTheWriter() {
    QFETCH(QString, input);
    QFETCH(QString, format);
    QFETCH(QString, shape);
    QFETCH(QString, raw);
    auto ds = app::openDataset(input.toStdString(), *ctx_);
    QVERIFY2(ds, ds ? "" : ds.error().message.c_str());
    QVERIFY(ds->image);
    const auto& info = ds->image->info();
    if (!format.isEmpty()) QCOMPARE(QString::fromStdString(info.format), format);
    if (!shape.isEmpty()) {
      const QStringList dims = shape.split(',');
      for (int s = 0; s < 5; ++s)
        QCOMPARE(info.levels[0].shape[static_cast<std::size_t>(s)], dims[s].toLongLong());
    }
    data::Bytes want = slurp(raw.toStdString());
    if (input.endsWith("slide.tif")) want = planar(want, 3);
    const data::Bytes got = readLevel(*ds->image, 0);
    QCOMPARE(got.size(), want.size());
    QVERIFY(got == want);
  }

  // A big plain image gets its pyramid built in the background, and the built levels match
  // the generator's 2x2 means.
  void bigPlainImageGetsItsPyramid() {
    auto ds = app::openDataset((kWork / "plain/big_grey8.png").string(), *ctx_);
    QVERIFY2(ds, ds ? "" : ds.error().message.c_str());
    auto plain = std::dynamic_pointer_cast<const data::PlainImageSource>(ds->image);
    QVERIFY(plain);
    QCOMPARE(plain->info().levels.size(), std::size_t(5));
    QTRY_COMPARE_WITH_TIMEOUT(plain->builtLevels(), 5, 120000);
    QCOMPARE(plain->info().levels[2].shape[data::kX], 1250);
    QVERIFY(readLevel(*plain, 2) == slurp(kWork / "plain/big_grey8.png.L2.raw"));
  }

  // A chosen plate field and bioformats2raw series open through the same path.
  void selectionsOpenThroughTheLoader() {
    data::ImageSelection field;
    field.well = "B/1";
    field.field = 1;
    auto picked = app::openDataset((kWork / "zarr/plate.ome.zarr").string(), *ctx_, {}, field);
    QVERIFY2(picked, picked ? "" : picked.error().message.c_str());
    auto direct = app::openDataset((kWork / "zarr/plate.ome.zarr/B/1/1").string(), *ctx_);
    QVERIFY(direct);
    QCOMPARE(picked->image->info().plate->openedImage, std::string("B/1/1"));
    QVERIFY(readLevel(*picked->image, 0) == readLevel(*direct->image, 0));
    data::ImageSelection series;
    series.series = 1;
    auto b2r = app::openDataset((kWork / "zarr/b2r.ome.zarr").string(), *ctx_, {}, series);
    QVERIFY(b2r);
    QCOMPARE(b2r->image->info().levels[0].shape, (data::Shape5{1, 1, 1, 16, 16}));
    auto bad = app::openDataset((kWork / "zarr/b2r.ome.zarr").string(), *ctx_, {},
                                data::ImageSelection{7, "", std::nullopt, false, {}});
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, data::Errc::InvalidArgument);
  }

  // The zarr v3 sharded image and the OME-TIFF SubIFD pyramid: opened by the loader, a region
  // of each level exported and checked by check_export.py against its own readers.
  void shardedZarrAndTiffPyramidMatchIndependentReaders() {
    nlohmann::json cases = nlohmann::json::array();
    for (const std::string name : {"v3_sharded_end.ome.zarr", "pyramid_u16.ome.tif"}) {
      auto ds = app::openDataset((kWork / "export" / name).string(), *ctx_);
      QVERIFY2(ds, ds ? "" : ds.error().message.c_str());
      const auto& info = ds->image->info();
      if (name.ends_with(".tif")) QVERIFY(info.levels.size() > 1);
      for (std::size_t l = 0; l < info.levels.size(); ++l) {
        data::RegionExportRequest r;
        r.level = static_cast<int>(l);
        r.width = info.levels[l].shape[data::kX];
        r.height = info.levels[l].shape[data::kY];
        const fs::path out = kWork / (name + ".L" + std::to_string(l) + ".ome.tif");
        auto e = data::exportRegion(*ds->image, r, out, &ctx_->tilePool);
        QVERIFY2(e, e ? "" : e.error().message.c_str());
        cases.push_back({{"name", name + " L" + std::to_string(l)},
                         {"image", name},
                         {"level", l},
                         {"region", {0, 0, r.width, r.height}},
                         {"t", 0},
                         {"z", 0},
                         {"channels", nlohmann::json::array()},
                         {"out", out.string()}});
      }
    }
    std::ofstream(kWork / "cases.json") << cases.dump();
    QProcess py;
    py.start(TESSERA_PYTHON, {kFixtureScripts + "export/check_export.py",
                              QString::fromStdString((kWork / "export/manifest.json").string()),
                              QString::fromStdString((kWork / "cases.json").string())});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const auto results = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
    QCOMPARE(results["results"].size(), cases.size());
    for (const auto& r : results["results"])
      QVERIFY2(r["ok"].get<bool>(),
               (r["case"].get<std::string>() + ": " + r["why"].get<std::string>()).c_str());
  }

  void cleanupTestCase() { ctx_.reset(); }
};

QTEST_MAIN(TestOpenFormats)
#include "tst_open_formats.moc"
