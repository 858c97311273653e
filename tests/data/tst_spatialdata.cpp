// SpatialData tables on a store written at test time by python3-zarr + python3-anndata
// (tests/fixtures/spatialdata/make_spatialdata.py): the table opens linked to the element its
// spatialdata_attrs region names (labels or image), with the inverse of that element's NGFF
// transform as the affine, and parquet points/shapes parts are named in clear messages.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/cells/cells_open.h"
#include "data/image_open.h"
#include "data/spatial/label_centroids.h"
#include "data/spatial/resampled_source.h"
#include "data/spatial/spatialdata_tables.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "spatialdata" / "sample.zarr";

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

int countMessages(const CellTable& t, const std::string& needle) {
  return static_cast<int>(std::count_if(t.messages.begin(), t.messages.end(),
                                        [&](const std::string& m) { return contains(m, needle); }));
}
}  // namespace

class TestSpatialData : public QObject {
  Q_OBJECT
  nlohmann::json exp_;

 private slots:
  void initTestCase() {
    fs::remove_all(kDir);
    fs::create_directories(kDir.parent_path());
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata.py",
              QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    exp_ = nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
    QVERIFY(exp_.is_object());
  }

  void tableLinksToItsLabels() {
    QVERIFY(isSpatialData(kDir));
    QCOMPARE(spatialDataTables(kDir), (std::vector<std::string>{"table", "table_img"}));
    auto t = openCells(kDir.string());  // the probe picks SpatialData and its first table
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("spatialdata"));
    QCOMPARE(t->imagePath, kDir / "labels/cells");
    QCOMPARE(t->size(), std::int64_t(6));
    QCOMPARE(t->geneNames, (std::vector<std::string>{"G1", "G2", "G3"}));
    QCOMPARE(t->genes->readGene(1).value(), (std::vector<float>{1, 4, 7, 10, 13, 16}));
    QVERIFY(t->column("region") && t->column("cell_id") && t->column("cluster"));
    QCOMPARE(t->column("cell_id")->numbers, (std::vector<double>{1, 2, 3, 4, 5, 6}));
    // obsm spatial is in "global" units; toImage brings each centroid onto its label's pixels.
    QCOMPARE(t->toImage, Affine2D::scale(2, 2));
    for (std::size_t i = 0; i < 6; ++i) {
      const auto px = exp_["label_px"][i];
      QCOMPARE(t->toImage.mapX(t->x[i], t->y[i]), px[0].get<double>());
      QCOMPARE(t->toImage.mapY(t->x[i], t->y[i]), px[1].get<double>());
    }
    QVERIFY(contains(t->affineSource, "labels/cells"));
  }

  void tableLinksToAnImage() {
    auto t = openSpatialDataTable(kDir, "table_img");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->imagePath, kDir / "images/img");
    // images/img -> global is scale 2 then translate (10, 5): pixels = (global - (10, 5)) / 2.
    QCOMPARE(t->toImage.mapX(30, 0), 10.0);
    QCOMPARE(t->toImage.mapY(0, 25), 10.0);
    QCOMPARE(t->toImage.mapX(10, 5), 0.0);
  }

  void parquetPartsAreNamed() {
    auto t = openSpatialDataTable(kDir);
    QVERIFY(t.has_value());
    QCOMPARE(countMessages(*t, "parquet is not supported on this platform"), 2);
    QCOMPARE(countMessages(*t, "points/transcripts/points.parquet: parquet is not supported"), 1);
    QCOMPARE(countMessages(*t, "points element \"transcripts\""), 1);
    QCOMPARE(countMessages(*t, "shapes/cell_circles/shapes.parquet: parquet is not supported"), 1);
    QCOMPARE(countMessages(*t, "shapes element \"cell_circles\""), 1);
  }

  void badAttrsNameTheTableAndKey() {
    const fs::path d = kDir.parent_path() / "bad.zarr";
    fs::remove_all(d);
    fs::copy(kDir, d, fs::copy_options::recursive);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c",
                              "import zarr, sys\n"
                              "g = zarr.open_group(sys.argv[1] + '/tables/table')\n"
                              "a = dict(g.attrs['spatialdata_attrs']); a['instance_key'] = 'nope'\n"
                              "g.attrs['spatialdata_attrs'] = a\n",
                              QString::fromStdString(d.string())});
    QVERIFY(py.waitForFinished(60000) && py.exitCode() == 0);
    auto t = openSpatialDataTable(d);
    QVERIFY(!t.has_value());
    QCOMPARE(t.error().code, Errc::Corrupt);
    QVERIFY2(
        contains(t.error().message, "tables/table: instance_key \"nope\" is not an obs column"),
        t.error().message.c_str());
    QVERIFY(!openSpatialDataTable(d, "no_such_table").has_value());
  }

  // Element metadata holding other JSON types where objects and names go (a number for the
  // multiscales entry or for "ome", numbers as axis names and outputs): an error or a default,
  // never an exception past the reader.
  void elementMetadataOfAnotherTypeIsAnErrorNotAThrow() {
    const fs::path d = kDir.parent_path() / "odd_types.zarr";
    fs::remove_all(d);
    auto write = [&](const std::string& element, const std::string& file, const nlohmann::json& j) {
      fs::create_directories(d / element);
      std::ofstream(d / element / file) << j.dump();
    };
    write("images/a", ".zgroup", {{"zarr_format", 2}});
    write("images/a", ".zattrs", {{"multiscales", {5}}});
    write("images/b", ".zgroup", {{"zarr_format", 2}});
    write("images/b", ".zattrs",
          {{"multiscales",
            {{{"axes", {5, {{"name", 3}}}},
              {"datasets", {7}},
              {"coordinateTransformations",
               {{{"type", "scale"}, {"scale", {2, 2}}, {"output", {{"name", 4}}}}}}}}}});
    write("images/c", "zarr.json",
          {{"zarr_format", 3}, {"node_type", "group"}, {"attributes", {{"ome", 3}}}});
    for (const char* element : {"images/a", "images/b", "images/c"}) {
      Expected<Affine2D> t = fail(Errc::Cancelled, "not run");
      try {
        t = spatialDataElementTransform(d, element);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("%1 threw: %2").arg(element, e.what())));
      }
      if (!t) QVERIFY2(contains(t.error().message, element), t.error().message.c_str());
    }
    QVERIFY(!spatialDataElementTransform(d, "images/a"));
    QVERIFY(!spatialDataElementTransform(d, "images/c"));
  }

  // The table records its instance_key and the labels element; the label values of its cells
  // come from that column, and the labels' region centroids are the table's obsm spatial.
  void instanceKeyAndLabelCentroids() {
    auto t = openSpatialDataTable(kDir, "table");
    QVERIFY(t.has_value());
    QCOMPARE(t->instanceKey, std::string("cell_id"));
    QCOMPARE(t->linkedElement, std::string("labels/cells"));
    QVERIFY(t->linkedToLabels());
    QCOMPARE(cellLabelValues(*t), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6}));
    auto img = openSpatialDataTable(kDir, "table_img");
    QCOMPARE(img->linkedElement, std::string("images/img"));
    QVERIFY(!img->linkedToLabels());

    auto labels = openImage((kDir / "labels/cells").string());
    QVERIFY(labels.has_value());
    auto c = labelCentroids(**labels);
    QVERIFY2(c.has_value(), c ? "" : c.error().message.c_str());
    QCOMPARE(c->size(), std::size_t(6));
    for (std::size_t k = 0; k < 6; ++k) {
      QCOMPARE(c->at(std::int64_t(k) + 1).x, exp_["label_px"][k][0].get<double>());
      QCOMPARE(c->at(std::int64_t(k) + 1).y, exp_["label_px"][k][1].get<double>());
      QCOMPARE(c->at(std::int64_t(k) + 1).pixels, std::int64_t(120));
    }
    CellTable placed = *t;
    placed.x.clear();
    placed.y.clear();
    QVERIFY(placeAtLabelCentroids(placed).has_value());
    for (std::size_t i = 0; i < 6; ++i) {
      QVERIFY(std::abs(placed.x[i] - t->x[i]) < 1e-9);
      QVERIFY(std::abs(placed.y[i] - t->y[i]) < 1e-9);
    }
    // A value with no region is reported, not placed.
    for (auto& col : placed.obs)
      if (col.name == "cell_id") col.numbers[2] = 42;
    QVERIFY(placeAtLabelCentroids(placed).has_value());
    QVERIFY(std::isnan(placed.x[2]));
    QCOMPARE(countMessages(placed, "1 of 6 cells have no region"), 1);
  }

  // The labels shown in the image's pixel grid: image px -> global (2x + 10, 2y + 5) -> label px
  // (4x + 20, 4y + 10), sampled nearest.
  void labelsResampledIntoTheImageGrid() {
    auto m = spatialDataPixelsToPixels(kDir, "images/img", "labels/cells");
    QVERIFY(m.has_value());
    QCOMPARE(*m, (Affine2D{4, 0, 20, 0, 4, 10}));
    QCOMPARE(spatialDataFirstImage(kDir), std::string("images/img"));
    QCOMPARE(spatialDataTableElement(kDir), std::string("labels/cells"));
    auto image = openImage(kDir.string());
    auto labels = openImage((kDir / "labels/cells").string());
    QVERIFY(image && labels);
    ResampledSource r(*labels, (*image)->info(), *m);
    QCOMPARE(r.info().width(), std::int64_t(50));
    QCOMPARE(r.info().height(), std::int64_t(40));
    QCOMPARE(r.info().dtype, DType::U32);
    auto tile = r.readTile({}, {});
    QVERIFY(tile.has_value());
    QCOMPARE(tile->width, 50);
    auto expected = [](std::int64_t u, std::int64_t v) -> std::uint32_t {
      for (int k = 0; k < 6; ++k) {
        const int r0 = 5 + 25 * (k / 3), c0 = 5 + 25 * (k % 3);
        if (v >= r0 && v < r0 + 10 && u >= c0 && u < c0 + 12) return std::uint32_t(k + 1);
      }
      return 0;
    };
    int nonZero = 0;
    for (int i = 0; i < tile->height; ++i)
      for (int j = 0; j < tile->width; ++j) {
        std::uint32_t got = 0;
        std::memcpy(&got, tile->data.data() + (std::size_t(i) * tile->width + j) * 4, 4);
        const std::int64_t u = 4 * j + 20, v = 4 * i + 10;
        const std::uint32_t want = (u < 80 && v < 60) ? expected(u, v) : 0;
        QCOMPARE(got, want);
        nonZero += got != 0;
      }
    QVERIFY(nonZero > 10);
  }
};

QTEST_GUILESS_MAIN(TestSpatialData)
#include "tst_spatialdata.moc"
