// `tessera measure` and `tessera render --annotations/--title` driven through the real
// executable on the demo: every figure of every feature against numpy over the demo's own
// zarr level (areas, channel statistics, cells inside from the h5ad), text output, and the
// one-line errors of bad GeoJSON.
#include <QColor>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "../support/run_process.h"

using tessera::test::runProgram;
using tessera::test::runTessera;

namespace {

const char* kFeatures = R"({"type":"FeatureCollection","features":[
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1000.3,1200.6],[3100.2,1200.6],[3100.2,2500.1],[1000.3,2500.1],[1000.3,1200.6]]]},
  "properties":{"objectType":"annotation","name":"gland box","shape":"rectangle","classification":{"name":"Tumor","color":[200,0,0]}}},
 {"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[
   [[[4000.5,4000.5],[6000.25,4100.75],[5800.1,6200.3],[3900.7,5900.9],[4000.5,4000.5]],
    [[4500.2,4500.6],[5200.3,4550.1],[5000.9,5300.4],[4500.2,4500.6]]],
   [[[6500.3,500.2],[7900.6,700.9],[7000.4,1900.1],[6500.3,500.2]]]]},
  "properties":{"objectType":"annotation","name":"stroma with hole","classification":{"name":"Stroma","color":[150,200,150]}}},
 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[100,100],[400,500]]},
  "properties":{"objectType":"annotation","name":"ruler"}},
 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[7800.2,7700.4],[8500.6,7800.3],[8000.1,8600.7],[7800.2,7700.4]]]},
  "properties":{"objectType":"annotation","name":"corner"}}
]})";

}  // namespace

class CliMeasureTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString features_, image_, cells_;

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    features_ = dir_.filePath("features.geojson");
    QFile f(features_);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(kFeatures);
    f.close();
    const auto info = runTessera({"info", "demo", "--json"});
    QVERIFY2(info.code == 0, info.err.constData());
    const auto j = QJsonDocument::fromJson(info.out).object();
    cells_ = j["cells"].toObject()["path"].toString();
    image_ = QFileInfo(cells_).dir().filePath("tissue.ome.zarr");  // the demo's layout
    QVERIFY2(!image_.isEmpty() && !cells_.isEmpty(), info.out.constData());
  }

  void matchesNumpyOnTheDemo() {
    const auto r =
        runTessera({"measure", "demo", "--annotations", features_, "--level", "2", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    // The corner triangle reaches outside the 8192 px image: clipped, with a note.
    QVERIFY2(r.err.contains("feature 4 ('corner'): reaches outside the image"), r.err.constData());
    const auto got = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(got.size(), 4);
    const auto ref = runProgram(TESSERA_PYTHON,
                                {TESSERA_SOURCE_DIR "/tests/data/annotation_measure_reference.py",
                                 features_, "--zarr", image_, "2", cells_});
    QVERIFY2(ref.code == 0, ref.err.constData());
    const auto want = QJsonDocument::fromJson(ref.out).array();
    QCOMPARE(want.size(), 4);
    for (int i = 0; i < 4; ++i) {
      const auto g = got[i].toObject();
      if (want[i].isNull()) {  // the line: a length, no area or channels
        QCOMPARE(g["name"].toString(), QString("ruler"));
        QVERIFY(g["area_px"].isNull());
        QCOMPARE(g["length_px"].toDouble(), 500.0);
        QVERIFY(g["cells"].isNull());
        QCOMPARE(g["channels"].toArray().size(), 0);
        continue;
      }
      const auto w = want[i].toObject();
      const QByteArray what = g["name"].toString().toUtf8();
      QCOMPARE(g["area_px"].toDouble(), w["area_px"].toDouble());
      QVERIFY2(g["area_um2"].isDouble(), what);  // the demo states its pixel size
      QVERIFY(g["perimeter_px"].toDouble() > 0);
      QVERIFY2(std::abs(g["cells"].toInt() - w["cells"].toInt()) <= 1,
               what + " cells " + QByteArray::number(g["cells"].toInt()) + " vs " +
                   QByteArray::number(w["cells"].toInt()));
      const auto gc = g["channels"].toArray(), wc = w["channels"].toArray();
      QCOMPARE(gc.size(), wc.size());
      for (int c = 0; c < gc.size(); ++c) {
        const auto a = gc[c].toObject(), b = wc[c].toObject();
        QVERIFY(!a["name"].toString().isEmpty());
        for (const char* k : {"median", "min", "max"})
          QVERIFY2(a[k].toDouble() == b[k].toDouble(), what + " " + k);
        for (const char* k : {"mean", "std"})
          QVERIFY2(std::abs(a[k].toDouble() - b[k].toDouble()) <=
                       1e-9 * std::max(1.0, std::abs(b[k].toDouble())),
                   what + " " + k + " " + QByteArray::number(a[k].toDouble(), 'g', 17) + " vs " +
                       QByteArray::number(b[k].toDouble(), 'g', 17));
      }
    }
    QCOMPARE(got[0].toObject()["classification"].toObject()["name"].toString(), QString("Tumor"));
  }

  void printsTextAndGeneMeans() {
    const auto r = runTessera(
        {"measure", "demo", "--annotations", features_, "--level", "3", "--genes", "CD3E,EPCAM"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.out.contains("gland box [rectangle] class Tumor"), r.out.constData());
    QVERIFY(r.out.contains("mean CD3E "));
    QVERIFY(r.out.contains("median"));
  }

  void badGeoJsonNamesTheFeature() {
    const QString bad = dir_.filePath("bad.geojson");
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"broken"},
      "geometry":{"type":"Polygon","coordinates":[[[0,0],[5,5],[0,0]]]}}]})");
    f.close();
    auto r = runTessera({"measure", "demo", "--annotations", bad});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("feature 1 ('broken'): a ring has fewer than 3 distinct positions"),
             r.err.constData());
    r = runTessera({"measure", "demo"});
    QCOMPARE(r.code, 2);
    r = runTessera({"measure", "demo", "--annotations", features_, "--level", "9"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--level 9 does not exist"));
  }

  void rendersAnnotationsAndATitle() {
    const QString out = dir_.filePath("annotated.png");
    const auto r = runTessera({"render", "demo", "--out", out, "--size", "800x800", "--annotations",
                               features_, "--title", "Demo", "--scale-bar-backing"});
    QVERIFY2(r.code == 0, r.err.constData());
    QImage img(out);
    QCOMPARE(img.size(), QSize(800, 800));
    // The rectangle's top edge (y 1200.6 of 8192 -> 117 px) is drawn in its class colour.
    const int y = qRound(1200.6 * 800 / 8192.0);
    bool red = false;
    for (int dy = -2; dy <= 2 && !red; ++dy) {
      const QColor c = img.pixelColor(qRound(2000 * 800 / 8192.0), y + dy);
      red = c.red() > 180 && c.green() < 40 && c.blue() < 40;
    }
    QVERIFY(red);
  }
};

QTEST_MAIN(CliMeasureTest)
#include "tst_cli_measure.moc"
