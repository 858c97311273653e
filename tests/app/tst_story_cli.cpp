// Story mode from the command line: `tessera render SESSION --waypoint N` draws the waypoint's
// view and layers, pixel for pixel the plain render of that view (also at another aspect,
// where the width is kept); a layer the session lacks is left out with a note; a bad N fails
// naming the file. `tessera story` writes one PDF page per waypoint whose view (pdftocairo)
// matches `render --waypoint`; the built-in demo story renders and saves as a session.
// Handout pages are written to the test work folder to look at.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/core/story_handout.h"
#include "tests/support/run_process.h"

using namespace tessera::test;
using nlohmann::json;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/story_cli");
const QString kWindows = QStringLiteral("0=100:4000,1=100:3000,2=100:4000,3=100:5000");

json readJson(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return json::parse(f.readAll().toStdString(), nullptr, false);
}

bool writeJson(const QString& path, const json& j) {
  QFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return false;
  f.write(QByteArray::fromStdString(j.dump(1)));
  return true;
}

bool samePixels(const QString& a, const QString& b) {
  QImage x(a), y(b);
  if (x.isNull() || x.size() != y.size()) return false;
  return x.convertToFormat(QImage::Format_RGB888) == y.convertToFormat(QImage::Format_RGB888);
}

// Mean absolute difference per channel of `b` against the `a.size()` area of `page` at `at`.
double meanDifference(const QImage& a, const QImage& page, QPoint at) {
  const QImage x = a.convertToFormat(QImage::Format_RGB888);
  const QImage y = page.copy(QRect(at, a.size())).convertToFormat(QImage::Format_RGB888);
  if (y.size() != x.size()) return 1e9;
  double sum = 0;
  for (int r = 0; r < x.height(); ++r) {
    const uchar *p = x.constScanLine(r), *q = y.constScanLine(r);
    for (int i = 0; i < x.width() * 3; ++i)
      sum += std::abs(int(p[i]) - int(q[i]));
  }
  return sum / (x.width() * x.height() * 3.0);
}

int pdfPages(const QString& pdf) {
  const auto r = runProgram(QStringLiteral("pdfinfo"), {pdf});
  for (const auto& line : r.out.split('\n'))
    if (line.startsWith("Pages:")) return line.mid(6).trimmed().toInt();
  return -1;
}

}  // namespace

class StoryCliTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString plain_, story_;  ///< the plain render of the view, and a session with two waypoints

 private slots:
  void initTestCase() {
    QDir().mkpath(kWork);
    plain_ = dir_.filePath("plain.png");
    const QString saved = dir_.filePath("saved.tessera");
    auto r = runTessera({"render", "demo", "--out", plain_, "--region", "3000,3000,800,600",
                         "--size", "400x300", "--window", kWindows, "--save-session", saved});
    QVERIFY2(r.code == 0, r.err.constData());
    // The session's own view and windows differ from the waypoint's: only the waypoint counts.
    json s = readJson(saved);
    const json layers = s["layers"];
    s["view"]["center"] = {1000, 1000};
    s["view"]["width"] = 300;
    s["layers"][0]["channels"][0]["window"] = {0, 60000};
    json gone = {{"id", "gone"}, {"kind", "labels"}, {"dataset", "image"}, {"name", "nuclei"}};
    json withGone = layers;
    withGone.push_back(gone);
    s["waypoints"] = {{{"title", "Vessels"},
                       {"narration", "CD31 lines the **vessels**.\n\n- one\n- two"},
                       {"view", {{"center", {3400, 3300}}, {"width", 800}}},
                       {"layers", layers}},
                      {{"title", "Missing"},
                       {"view", {{"center", {3400, 3300}}, {"width", 800}}},
                       {"layers", withGone}}};
    story_ = dir_.filePath("story.tessera");
    QVERIFY(writeJson(story_, s));
  }

  void waypointRendersLikeThePlainView() {
    const QString out = dir_.filePath("w1.png");
    const auto r = runTessera({"render", story_, "--waypoint", "1", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(samePixels(plain_, out));
  }

  void anotherAspectKeepsTheWidth() {
    const QString out = dir_.filePath("wide.png"), ref = dir_.filePath("wide-ref.png");
    auto r = runTessera({"render", story_, "--waypoint", "1", "--size", "400x200", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    // Centre (3400, 3300), width 800 at 2:1: a height of 400.
    r = runTessera({"render", "demo", "--out", ref, "--region", "3000,3100,800,400", "--size",
                    "400x200", "--window", kWindows});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(samePixels(out, ref));
  }

  void missingLayerIsNotedAndLeftOut() {
    const QString out = dir_.filePath("w2.png");
    const auto r = runTessera({"render", story_, "--waypoint", "2", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("waypoint 2 \"Missing\": layer \"nuclei\" is not in the session"),
             r.err.constData());
    QVERIFY(samePixels(plain_, out));
  }

  void waypointShowsOrHidesTheAnnotations() {
    // A session with an annotation: drawn by a plain render of the session and by a waypoint
    // that shows it; a waypoint that hides it draws the plain view.
    json s = readJson(story_);
    json rect = {{"type", "Feature"},
                 {"geometry",
                  {{"type", "Polygon"},
                   {"coordinates", {{{3200, 3100}, {3600, 3100}, {3600, 3500}, {3200, 3500}}}}}},
                 {"properties", {{"objectType", "annotation"}, {"name", "Here"}}}};
    s["annotations"] = {rect};
    s["waypoints"][0]["annotations"] = true;
    s["waypoints"][1]["annotations"] = false;
    const QString annotated = dir_.filePath("annotated.tessera");
    QVERIFY(writeJson(annotated, s));
    const QString shown = dir_.filePath("shown.png"), hidden = dir_.filePath("hidden.png");
    auto r = runTessera({"render", annotated, "--waypoint", "1", "--out", shown});
    QVERIFY2(r.code == 0, r.err.constData());
    r = runTessera({"render", annotated, "--waypoint", "2", "--out", hidden});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(samePixels(plain_, hidden));
    QVERIFY(!samePixels(plain_, shown));
    // The outline (the default class colour, 0xC80000) is what differs.
    auto reds = [](const QString& path) {
      const QImage a = QImage(path).convertToFormat(QImage::Format_RGB888);
      int n = 0;
      for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
          const QColor c = a.pixelColor(x, y);
          n += c.red() > 150 && c.green() < 40 && c.blue() < 40;
        }
      return n;
    };
    const int more = reds(shown) - reds(plain_);
    QVERIFY2(more > 300, qPrintable(QString::number(more)));
  }

  void badWaypointFailsNamingTheFile() {
    const QString out = dir_.filePath("bad.png");
    auto r = runTessera({"render", story_, "--waypoint", "3", "--out", out});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("story.tessera: there is no waypoint 3 (it has 2)"), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    r = runTessera({"render", story_, "--waypoint", "0", "--out", out});
    QCOMPARE(r.code, 2);
    r = runTessera({"render", "demo", "--waypoint", "1", "--out", out});
    QCOMPARE(r.code, 2);
    QVERIFY(!QFile::exists(out));
  }

  void handoutHasAPagePerWaypointShowingTheView() {
    if (QStandardPaths::findExecutable("pdftocairo").isEmpty() ||
        QStandardPaths::findExecutable("pdfinfo").isEmpty())
      QSKIP("pdftocairo/pdfinfo (poppler-utils) are not installed");
    const QString pdf = dir_.filePath("handout.pdf"), view = dir_.filePath("view.png");
    auto r = runTessera({"story", story_, "--out", pdf, "--size", "720x450"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("layer \"nuclei\" is not in the session"), r.err.constData());
    QCOMPARE(pdfPages(pdf), 2);
    // At 101.6 DPI the 180 mm wide view is 720 px, at (60, 140) px (story_handout.h).
    // pdftocairo (poppler-utils, like pdftoppm) draws an image at 1:1 unfiltered; pdftoppm's
    // Splash smooths every image, which would blur the comparison.
    r = runProgram("pdftocairo", {"-r", "101.6", "-f", "1", "-l", "1", "-png", "-singlefile", pdf,
                                  kWork + "/handout-page1"});
    QCOMPARE(r.code, 0);
    r = runTessera({"render", story_, "--waypoint", "1", "--size", "720x450", "--out", view});
    QVERIFY2(r.code == 0, r.err.constData());
    const QImage page(kWork + "/handout-page1.png");
    QVERIFY(!page.isNull());
    const QPoint at(qRound(tessera::app::kHandoutMarginMm / 25.4 * 101.6),
                    qRound(tessera::app::kHandoutImageTopMm / 25.4 * 101.6));
    const double d = meanDifference(QImage(view), page, at);
    qInfo("mean difference of the view on the page: %.2f", d);
    QVERIFY2(d < 2, qPrintable(QString::number(d)));
    // Shifted by 20 px it no longer matches: the comparison sees the image, not the page.
    QVERIFY(meanDifference(QImage(view), page, at + QPoint(0, 20)) > 2 * d + 2);
  }

  // A narration longer than the page's room goes on continuation pages, whole lines each, and
  // nothing of it is lost.
  void longNarrationContinuesOnANewPage() {
    if (QStandardPaths::findExecutable("pdftotext").isEmpty() ||
        QStandardPaths::findExecutable("pdfinfo").isEmpty())
      QSKIP("pdftotext/pdfinfo (poppler-utils) are not installed");
    json s = readJson(story_);
    QString narration;
    for (int i = 1; i <= 60; ++i)
      narration += QStringLiteral("Paragraph %1 of the gland's long tale.\n\n").arg(i);
    s["waypoints"] = {s["waypoints"][0]};
    s["waypoints"][0]["narration"] = narration.toStdString();
    const QString long_ = dir_.filePath("long.tessera"), pdf = dir_.filePath("long.pdf");
    QVERIFY(writeJson(long_, s));
    auto r = runTessera({"story", long_, "--out", pdf, "--size", "720x450"});
    QVERIFY2(r.code == 0, r.err.constData());
    const int pages = pdfPages(pdf);
    QVERIFY2(pages >= 2, qPrintable(QString::number(pages)));
    QVERIFY2(r.err.contains(QStringLiteral("(1 waypoint, %1 pages)").arg(pages).toUtf8()),
             r.err.constData());
    QString text;
    for (int page = 1; page <= pages; ++page) {
      const auto t = runProgram("pdftotext", {"-f", QString::number(page), "-l",
                                              QString::number(page), "-layout", pdf, "-"});
      QCOMPARE(t.code, 0);
      if (page > 1) QVERIFY2(t.out.contains("Vessels (continued)"), t.out.constData());
      text += QString::fromUtf8(t.out);
    }
    for (int i = 1; i <= 60; ++i)  // every paragraph, once, in order
      QCOMPARE(text.count(QStringLiteral("Paragraph %1 of").arg(i)), 1);
    QVERIFY(text.indexOf("Paragraph 59 of") < text.indexOf("Paragraph 60 of"));
    // The first page holds as much as fits: its last paragraph is whole.
    const auto first = runProgram("pdftotext", {"-f", "1", "-l", "1", pdf, "-"});
    QVERIFY(first.out.contains("Paragraph 10 of the gland's long tale."));
  }

  void demoStoryRendersAndSaves() {
    if (QStandardPaths::findExecutable("pdfinfo").isEmpty())
      QSKIP("pdfinfo (poppler-utils) is not installed");
    const QString pdf = kWork + "/demo-story.pdf", saved = dir_.filePath("demo.tessera");
    auto r = runTessera({"story", "demo", "--out", pdf, "--size", "1200x750"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(!r.err.contains("note:"), r.err.constData());
    QCOMPARE(pdfPages(pdf), 4);
    runProgram("pdftoppm", {"-r", "60", "-png", pdf, kWork + "/demo-story"});  // to look at
    r = runTessera({"story", "demo", "--save-session", saved});
    QVERIFY2(r.code == 0, r.err.constData());
    const json s = readJson(saved);
    QCOMPARE(s["waypoints"].size(), 4u);
    QCOMPARE(s["waypoints"][1]["reveal"].get<std::string>(), std::string("PanCK"));
    // Waypoint 2 hides its reveal (PanCK) until --revealed.
    const QString hidden = dir_.filePath("gland.png"), shown = kWork + "/demo-gland-revealed.png";
    r = runTessera({"render", saved, "--waypoint", "2", "--size", "600x400", "--out", hidden});
    QVERIFY2(r.code == 0, r.err.constData());
    r = runTessera(
        {"render", saved, "--waypoint", "2", "--revealed", "--size", "600x400", "--out", shown});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(!samePixels(hidden, shown));
  }

  void storyNeedsASessionWithWaypoints() {
    QTemporaryDir dir;
    const QString empty = dir.filePath("empty.tessera");
    json s = readJson(story_);
    s["waypoints"] = json::array();
    QVERIFY(writeJson(empty, s));
    auto r = runTessera({"story", empty, "--out", dir.filePath("h.pdf")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("empty.tessera: the session has no waypoints"), r.err.constData());
    r = runTessera({"story", "demo"});
    QCOMPARE(r.code, 2);
    r = runTessera({"story", TESSERA_TEST_DATA_DIR "/ome-tiff/multi-channel.ome.tif", "--out",
                    dir.filePath("h.pdf")});
    QCOMPARE(r.code, 2);
    QVERIFY(!QFile::exists(dir.filePath("h.pdf")));
  }
};

QTEST_GUILESS_MAIN(StoryCliTest)
#include "tst_story_cli.moc"
