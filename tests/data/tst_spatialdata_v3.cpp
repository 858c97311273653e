// SpatialData 0.2+ on zarr v3 (tests/fixtures/spatialdata/make_spatialdata_v3.py, written at test
// time): table attributes from the table's zarr.json and from uns/spatialdata_attrs, both labels
// elements, elements placed through the coordinate system they share ("global" or "aligned"),
// and cells placed and coloured through their instance_key label values.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/cells/cells_open.h"
#include "data/image_open.h"
#include "data/spatial/label_centroids.h"
#include "data/spatial/spatialdata_tables.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "spatialdata_v3" / "store.zarr";

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}
}  // namespace

class TestSpatialDataV3 : public QObject {
  Q_OBJECT
  nlohmann::json exp_;

 private slots:
  void initTestCase() {
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata_v3.py",
              QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    exp_ = nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
    QVERIFY(exp_.is_object());
  }

  void storeAndElementsAreListed() {
    QVERIFY(fs::exists(kDir / "zarr.json") && !fs::exists(kDir / ".zattrs"));
    QVERIFY(isSpatialData(kDir));
    QCOMPARE(spatialDataTables(kDir), (std::vector<std::string>{"table", "table_nuclei"}));
    QCOMPARE(spatialDataElements(kDir, "labels"), (std::vector<std::string>{"cells", "nuclei"}));
    QCOMPARE(spatialDataCoordinateSystems(kDir, "images/img"),
             (std::vector<std::string>{"global", "aligned"}));
    QCOMPARE(spatialDataCoordinateSystems(kDir, "labels/nuclei"),
             (std::vector<std::string>{"aligned"}));
    auto image = openImage(kDir.string());  // the store opens as its first image
    QVERIFY2(image.has_value(), image ? "" : image.error().message.c_str());
    QCOMPARE((*image)->info().width(), std::int64_t(50));
  }

  // spatialdata >= 0.2 keeps region/region_key/instance_key in the table's zarr.json.
  void attributesFromZarrJson() {
    auto t = openCells(kDir.string());  // the first table
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("spatialdata"));
    QCOMPARE(t->linkedElement, std::string("labels/cells"));
    QCOMPARE(t->instanceKey, std::string("cell_id"));
    QVERIFY2(contains(t->affineSource, "zarr.json attributes"), t->affineSource.c_str());
    QCOMPARE(t->toImage, Affine2D::scale(2, 2));  // global -> cells pixels
    QCOMPARE(cellLabelValues(*t), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(spatialDataTableElement(kDir), std::string("labels/cells"));
  }

  // Older stores: only uns/spatialdata_attrs (0-d string arrays on zarr v3).
  void attributesFromUns() {
    auto t = openSpatialDataTable(kDir, "table_nuclei");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->linkedElement, std::string("labels/nuclei"));
    QCOMPARE(t->instanceKey, std::string("nucleus_id"));
    QVERIFY2(contains(t->affineSource, "uns/spatialdata_attrs"), t->affineSource.c_str());
    QCOMPARE(spatialDataTableElement(kDir, "table_nuclei"), std::string("labels/nuclei"));
  }

  // labels/nuclei is only in "aligned", where the image is unscaled: nuclei pixels + (5, 3).
  void elementsInAnotherCoordinateSystem() {
    auto m = spatialDataPixelsToPixels(kDir, "labels/nuclei", "images/img");
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    QCOMPARE(*m, Affine2D::translation(5, 3));
    auto back = spatialDataPixelsToPixels(kDir, "images/img", "labels/nuclei");
    QVERIFY(back.has_value());
    QCOMPARE(*back, Affine2D::translation(-5, -3));
    // Through "global": cells pixels are a quarter of image pixels.
    auto cells = spatialDataPixelsToPixels(kDir, "labels/cells", "images/img");
    QVERIFY(cells.has_value());
    QCOMPARE(*cells, Affine2D::scale(0.25, 0.25));
    auto none = spatialDataPixelsToPixels(kDir, "labels/cells", "labels/nuclei");
    QVERIFY(!none.has_value());
    QCOMPARE(none.error().code, Errc::Unsupported);
    QVERIFY2(contains(none.error().message, "share no coordinate system"),
             none.error().message.c_str());
  }

  // Each nucleus is placed at its label region's centroid, then onto the image through
  // "aligned"; the label value of each cell is its instance_key value.
  void cellsPlacedThroughTheirLabels() {
    auto t = openSpatialDataTable(kDir, "table_nuclei");
    QVERIFY(t.has_value());
    QVERIFY(!t->hasSpatial());
    QVERIFY(placeAtLabelCentroids(*t).has_value());
    auto m = spatialDataPixelsToPixels(kDir, t->linkedElement, "images/img");
    QVERIFY(m.has_value());
    const Affine2D toImg = m->after(t->toImage);
    for (std::size_t i = 0; i < 4; ++i) {
      const auto px = exp_["nuclei_px"][i];
      QCOMPARE(toImg.mapX(t->x[i], t->y[i]), px[0].get<double>() + 5);
      QCOMPARE(toImg.mapY(t->x[i], t->y[i]), px[1].get<double>() + 3);
    }
    QCOMPARE(cellLabelValues(*t), (std::vector<std::int64_t>{1, 2, 3, 4}));
    auto cells = openSpatialDataTable(kDir, "table");
    QVERIFY(cells.has_value() && placeAtLabelCentroids(*cells).has_value());
    for (std::size_t i = 0; i < 6; ++i) {
      QCOMPARE(cells->toImage.mapX(cells->x[i], cells->y[i]), exp_["cells_px"][i][0].get<double>());
      QCOMPARE(cells->toImage.mapY(cells->x[i], cells->y[i]), exp_["cells_px"][i][1].get<double>());
    }
  }

  void badRegionKeyNamesItsSource() {
    const fs::path d = kDir.parent_path() / "bad.zarr";
    fs::remove_all(d);
    fs::copy(kDir, d, fs::copy_options::recursive);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c",
                              "import json, sys\n"
                              "p = sys.argv[1] + '/tables/table/zarr.json'\n"
                              "j = json.load(open(p)); j['attributes']['region_key'] = 'where'\n"
                              "json.dump(j, open(p, 'w'))\n",
                              QString::fromStdString(d.string())});
    QVERIFY(py.waitForFinished(60000) && py.exitCode() == 0);
    auto t = openSpatialDataTable(d, "table");
    QVERIFY(!t.has_value());
    QCOMPARE(t.error().code, Errc::Corrupt);
    QVERIFY2(contains(t.error().message,
                      "tables/table: region_key \"where\" is not an obs column "
                      "(from zarr.json attributes)"),
             t.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestSpatialDataV3)
#include "tst_spatialdata_v3.moc"
