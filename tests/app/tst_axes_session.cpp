// The axes a user names for a bare zarr array live in the session: `tessera render --axes …
// --save-session` writes them into the dataset's entry and `tessera render FILE.tessera` draws
// the image read with them; in the window, Interpret Axes reopens the image with them as an
// undo step (Undo and Redo reopen it each way), saves them, and a session opened later reads the
// image that way even with the remembered per-path default gone. A BigDataViewer N5 opens in the
// window with its setups as channels and its timepoints as t, and the CLI draws each timepoint.
#include <QAction>
#include <QApplication>
#include <QImage>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <nlohmann/json.hpp>

#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "tests/fixtures/zarr/zarr_test_support.h"
#include "tests/support/run_process.h"

using namespace tessera;
using namespace tessera::test;

namespace {

nlohmann::json readJson(const QString& path) {
  const auto bytes = readFileBytes(path.toStdString());
  return nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
}

bool samePixels(const QString& a, const QString& b) {
  const QImage x = QImage(a).convertToFormat(QImage::Format_RGB888);
  const QImage y = QImage(b).convertToFormat(QImage::Format_RGB888);
  return !x.isNull() && x == y;
}

std::string axesOf(const data::ImageInfo& info) {
  std::string out;
  for (const auto& a : info.storedAxes)
    out += a;
  return out;
}

bool openIn(app::MainWindow& w, const QStringList& inputs) {
  QSignalSpy opened(&w, &app::MainWindow::datasetOpened);
  w.openInputs(inputs);
  return opened.wait(120000);
}

}  // namespace

class AxesSessionTest : public QObject {
  Q_OBJECT
  QTemporaryDir dir_;
  QString array_, bdv_;

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QSettings().remove("imageAxes");
    // 3 × 40 × 50 uint8 without metadata: guessed c,y,x (3 channels); read as z,y,x it is one
    // channel of 3 planes.
    array_ = dir_.filePath("stack.zarr");
    bool ok = false;
    runPython({"-c",
               "import sys, numpy as np, zarr\n"
               "a = (np.arange(3 * 40 * 50).reshape(3, 40, 50) * 7 % 251).astype(np.uint8)\n"
               "zarr.open_array(sys.argv[1], mode='w', shape=a.shape, chunks=(1, 20, 25),"
               " dtype=a.dtype)[:] = a\n",
               array_},
              &ok);
    QVERIFY(ok);
    // BigDataViewer layout, raw blocks: 2 setups × 2 timepoints of 2 × 32 × 40 uint16 whose
    // values tell the setup and timepoint apart (1000 × (2t + s) plus a ramp).
    bdv_ = dir_.filePath("bdv.n5");
    runPython(
        {"-c",
         "import sys, os, json, struct, numpy as np\n"
         "d = sys.argv[1]\n"
         "def attrs(p, a):\n"
         "    os.makedirs(p, exist_ok=True); json.dump(a, open(p + '/attributes.json', 'w'))\n"
         "attrs(d, {'n5': '2.5.1'})\n"
         "for s in range(2):\n"
         "    attrs(f'{d}/setup{s}', {'downsamplingFactors': [[1, 1, 1]], 'dataType': 'uint16'})\n"
         "    for t in range(2):\n"
         "        v = (np.arange(2 * 32 * 40).reshape(2, 32, 40) % 500 + 1000 * (2 * t + s))\n"
         "        p = f'{d}/setup{s}/timepoint{t}/s0'\n"
         "        attrs(p, {'dimensions': [40, 32, 2], 'blockSize': [40, 32, 2],"
         " 'dataType': 'uint16', 'compression': {'type': 'raw'}})\n"
         "        os.makedirs(p + '/0/0', exist_ok=True)\n"
         "        open(p + '/0/0/0', 'wb').write(struct.pack('>HHIII', 0, 3, 40, 32, 2)"
         " + v.astype('>u2').tobytes())\n",
         bdv_},
        &ok);
    QVERIFY(ok);
  }

  void cliSavesAndRendersTheAxes() {
    const QString guessed = dir_.filePath("guessed.png"), a = dir_.filePath("a.png"),
                  b = dir_.filePath("b.png"), session = dir_.filePath("zyx.tessera");
    auto r = runTessera({"render", array_, "--out", guessed});
    QVERIFY2(r.code == 0, r.err.constData());
    r = runTessera({"render", array_, "--axes", "zyx", "--out", a, "--save-session", session});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto j = readJson(session);
    QCOMPARE(j["datasets"][0]["axes"].get<std::string>(), std::string("zyx"));
    QCOMPARE(j["layers"][0]["channels"].size(), std::size_t{1});
    r = runTessera({"render", session, "--out", b});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(samePixels(a, b));
    QVERIFY(!samePixels(a, guessed));  // the axes changed what is drawn
    // info on the session's dataset with those axes agrees.
    r = runTessera({"info", array_, "--axes", "zyx", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto info = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    QCOMPARE(info["format"].get<std::string>(), std::string("zarr-array"));
    QCOMPARE(info["axes"], nlohmann::json({"z", "y", "x"}));
    QCOMPARE(info["axes_guessed"].get<bool>(), false);
  }

  void windowKeepsTheAxesInTheSession() {
    app::AppContext ctx(256);
    const QString session = dir_.filePath("window.tessera");
    {
      app::MainWindow w(ctx);
      w.resize(800, 600);
      w.show();
      QVERIFY(openIn(w, {array_}));
      QCOMPARE(axesOf(w.current()->image->info()), std::string("cyx"));
      QVERIFY(!w.model().modified());
      QSignalSpy opened(&w, &app::MainWindow::datasetOpened);
      w.interpretAxes("zyx");
      QVERIFY(opened.wait(120000));
      QCOMPARE(axesOf(w.current()->image->info()), std::string("zyx"));
      QCOMPARE(w.model().session().datasets.front().select.axes, std::string("zyx"));
      QCOMPARE(w.model().session().layers.front().channels.size(), std::size_t{1});
      QVERIFY(w.model().modified());
      // An undo step: Undo reads the array as before (three channels), Redo as z, y, x again.
      QVERIFY(w.undoAction()->isEnabled());
      w.undoAction()->trigger();
      QVERIFY(opened.wait(120000));
      QCOMPARE(axesOf(w.current()->image->info()), std::string("cyx"));
      QCOMPARE(w.model().session().layers.front().channels.size(), std::size_t{3});
      QVERIFY(!w.model().modified());
      w.redoAction()->trigger();
      QVERIFY(opened.wait(120000));
      QCOMPARE(axesOf(w.current()->image->info()), std::string("zyx"));
      QCOMPARE(w.model().session().layers.front().channels.size(), std::size_t{1});
      QVERIFY(w.saveSessionTo(session));
    }
    QCOMPARE(readJson(session)["datasets"][0]["axes"].get<std::string>(), std::string("zyx"));
    // Only the session carries the axes now: the remembered default is gone.
    QSettings().remove("imageAxes");
    app::MainWindow w(ctx);
    w.resize(800, 600);
    w.show();
    QVERIFY(openIn(w, {session}));
    QCOMPARE(axesOf(w.current()->image->info()), std::string("zyx"));
    QVERIFY(!w.model().modified());
    QVERIFY(openIn(w, {array_}));  // the array by itself: guessed again
    QCOMPARE(axesOf(w.current()->image->info()), std::string("cyx"));
  }

  void bigDataViewerSetupsAreChannels() {
    app::AppContext ctx(256);
    app::MainWindow w(ctx);
    w.resize(800, 600);
    w.show();
    QVERIFY(openIn(w, {bdv_}));
    const auto& info = w.current()->image->info();
    QCOMPARE(axesOf(info), std::string("tczyx"));
    QCOMPARE(info.levels[0].shape[data::kT], std::int64_t{2});
    QCOMPARE(info.levels[0].shape[data::kZ], std::int64_t{2});
    const auto& channels = w.model().session().layers.front().channels;
    QCOMPARE(channels.size(), std::size_t{2});
    QCOMPARE(channels[1].name, std::string("setup1"));
    // The CLI draws each timepoint of a setup from its own array.
    const QString t0 = dir_.filePath("t0.png"), t1 = dir_.filePath("t1.png");
    for (const auto& [t, out] : {std::pair{"0", t0}, std::pair{"1", t1}}) {
      auto r = runTessera(
          {"render", bdv_, "--t", t, "--channels", "1", "--window", "1=0:4000", "--out", out});
      QVERIFY2(r.code == 0, r.err.constData());
    }
    QVERIFY(!QImage(t0).isNull());
    QVERIFY(!samePixels(t0, t1));
  }
};

QTEST_MAIN(AxesSessionTest)
#include "tst_axes_session.moc"
