#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/run_process.h"

// Drives the real `tessera` executable (TESSERA_EXE) as a user or script would.
using namespace tessera::test;

namespace {
int countDominant(const QImage& img, int channel) {
  int n = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) {
      const QColor c = img.pixelColor(x, y);
      const int v[3] = {c.red(), c.green(), c.blue()};
      if (channel == 3) {  // magenta: red and blue both well above green
        if (v[0] > 120 && v[2] > 120 && v[1] < 0.6 * std::min(v[0], v[2])) ++n;
      } else {
        bool dom = v[channel] > 100;
        for (int k = 0; k < 3; ++k)
          if (k != channel && v[k] > 0.6 * v[channel]) dom = false;
        if (dom) ++n;
      }
    }
  return n;
}
}  // namespace

class CliTest : public QObject {
  Q_OBJECT
 private slots:
  void versionListsLibraries() {
    const auto r = runTessera({"--version"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith("tessera 0."));
    for (const char* lib : {"Qt 6.", "VTK 9.1", "OpenCV 4.", "Boost 1.74"})
      QVERIFY2(r.out.contains(lib), lib);
  }

  void helpDocumentsEverySubcommand() {
    const auto r = runTessera({"--help"});
    QCOMPARE(r.code, 0);
    for (const char* cmd : {"info INPUT", "render INPUT", "export INPUT", "fetch URL",
                            "markers INPUT", "--json", "--region", "--size"})
      QVERIFY2(r.out.contains(cmd), cmd);
  }

  void infoDescribesDemoAsJson() {
    const auto r = runTessera({"info", "demo", "--json"});
    QCOMPARE(r.code, 0);
    const auto doc = QJsonDocument::fromJson(r.out);
    QVERIFY(doc.isObject());
    const auto j = doc.object();
    QCOMPARE(j["kind"].toString(), QString("image"));
    QCOMPARE(j["dtype"].toString(), QString("uint16"));
    QCOMPARE(j["axes"].toArray(), (QJsonArray{"c", "y", "x"}));
    const auto levels = j["levels"].toArray();
    QVERIFY(levels.size() >= 4);
    const auto shape0 = levels[0].toObject()["shape"].toArray();
    QVERIFY(shape0[0].toInt() >= 4);
    QVERIFY(shape0[1].toInt() >= 8192 && shape0[2].toInt() >= 8192);
    const auto channels = j["channels"].toArray();
    QVERIFY(channels.size() >= 4);
    QStringList names;
    for (const auto& c : channels) {
      names << c.toObject()["name"].toString();
      QCOMPARE(c.toObject()["color"].toString().size(), 6);
      QVERIFY(c.toObject()["window"].isArray());
    }
    QVERIFY(names.contains("DAPI"));
    const auto cells = j["cells"].toObject();
    QVERIFY(cells["n_obs"].toInt() >= 50000);
    QVERIFY(cells["n_vars"].toInt() >= 200);
  }

  void infoPrintsReadableText() {
    const auto r = runTessera({"info", "demo"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("ome-zarr"));
    QVERIFY(r.out.contains("DAPI"));
  }

  void unknownPathIsBadInputOnOneLine() {
    const auto r = runTessera({"info", "/nonexistent/slide.ome.tif"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("/nonexistent/slide.ome.tif"));
    QCOMPARE(r.err.count('\n'), 1);
  }

  void unsupportedFileIsBadInput() {
    QTemporaryDir dir;
    const QString f = dir.filePath("notes.txt");
    QFile file(f);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not an image\n");
    file.close();
    const auto r = runTessera({"info", f});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("notes.txt"));
  }

  void badArgumentsAreBadInput() {
    QCOMPARE(runTessera({"info"}).code, 2);
    QCOMPARE(runTessera({"render", "demo"}).code, 2);
    QCOMPARE(runTessera({"render", "demo", "--out", "/tmp/x.png", "--size", "12"}).code, 2);
    QCOMPARE(runTessera({"render", "demo", "--out", "/tmp/x.png", "--region", "1,2,3"}).code, 2);
    QCOMPARE(runTessera({"--frobnicate"}).code, 2);
    const auto r =
        runTessera({"render", "demo", "--out", "/tmp/x.png", "--region", "8000,8000,500,500"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("outside"));
  }

  void renderWritesTheComposite() {
    QTemporaryDir dir;
    const QString png = dir.filePath("demo.png");
    const auto r = runTessera({"render", "demo", "--out", png, "--size", "600x600"});
    QVERIFY2(r.code == 0, r.err.constData());
    QImage img(png);
    QCOMPARE(img.size(), QSize(600, 600));
    // Every channel colour of the demo shows up somewhere in the composite.
    QVERIFY2(countDominant(img, 2) > 200, "nuclei (blue)");
    QVERIFY2(countDominant(img, 1) > 200, "membrane (green)");
    QVERIFY2(countDominant(img, 0) > 50, "CD45 (red)");
    QVERIFY2(countDominant(img, 3) > 50, "PanCK (magenta)");
    // Outside the tissue the background is dark, not uniformly lit.
    const QColor corner = img.pixelColor(2, 2);
    QVERIFY(corner.red() < 60 && corner.green() < 60 && corner.blue() < 60);
  }

  void renderRegionIsOneToOne() {
    QTemporaryDir dir;
    const QString png = dir.filePath("region.png");
    const auto r = runTessera({"render", "demo", "--out", png, "--region", "4000,4000,320,200"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("level 0"));
    QCOMPARE(QImage(png).size(), QSize(320, 200));
  }

  void renderAppliesDisplayOptions() {
    QTemporaryDir dir;
    const QString png = dir.filePath("dapi.png");
    // Only DAPI, recoloured red: no green or blue may remain (the scale bar is white, so the
    // bottom strip is skipped).
    const auto r = runTessera({"render", "demo", "--out", png, "--size", "300x300", "--channels",
                               "0", "--color", "0=FF0000", "--gamma", "0=0.8"});
    QVERIFY2(r.code == 0, r.err.constData());
    QImage img(png);
    int red = 0;
    for (int y = 0; y < img.height() - 60; ++y)
      for (int x = 0; x < img.width(); ++x) {
        const QColor c = img.pixelColor(x, y);
        QCOMPARE(c.green(), 0);
        QCOMPARE(c.blue(), 0);
        red += c.red() > 100;
      }
    QVERIFY(red > 500);
  }

  void renderLutColoursAChannel() {
    QTemporaryDir dir;
    const QString png = dir.filePath("lut.png");
    const auto r = runTessera({"render", "demo", "--out", png, "--size", "200x200", "--channels",
                               "1", "--lut", "1=viridis", "--window", "1=0:3000"});
    QVERIFY2(r.code == 0, r.err.constData());
    QImage img(png);
    // Viridis starts dark purple (#440154): the tissue background is never pure grey.
    const QColor c = img.pixelColor(100, 100);
    QVERIFY(c.blue() > c.green() || c.green() > c.red());
  }

  void renderRefusesAnEmptyWindow() {
    const auto r = runTessera({"render", "demo", "--out", "/tmp/x.png", "--window", "0=500:100"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("greater"));
    QCOMPARE(runTessera({"render", "demo", "--out", "/tmp/x.png", "--channels", "9"}).code, 2);
    QCOMPARE(runTessera({"render", "demo", "--out", "/tmp/x.png", "--lut", "0=rainbow"}).code, 2);
    QCOMPARE(runTessera({"render", "demo", "--out", "/tmp/x.png", "--level", "17"}).code, 2);
  }

  void renderPinnedLevelUsesIt() {
    QTemporaryDir dir;
    const QString png = dir.filePath("l2.png");
    const auto r =
        runTessera({"render", "demo", "--out", png, "--size", "256x256", "--level", "2"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("level 2"));
  }

  void renderIntoMissingFolderFails() {
    const auto r =
        runTessera({"render", "demo", "--out", "/nonexistent-dir/x.png", "--size", "64x64"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("/nonexistent-dir/x.png"));
  }

  void fetchRefusesOtherSchemes() {
    const auto r = runTessera({"fetch", "ftp://127.0.0.1/x", "--out", QDir::tempPath()});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("ftp://127.0.0.1/x"));
  }
};

QTEST_GUILESS_MAIN(CliTest)
#include "tst_cli.moc"
