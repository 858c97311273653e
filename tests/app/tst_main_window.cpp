#include <QApplication>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <QCheckBox>
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "data/anndata/h5ad_reader.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

namespace {
bool waitComplete(widgets::ImageView* view, int ms = 120000) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < ms) {
    QTest::qWait(50);
    const auto st = view->layer().status();
    if (st.visibleTiles > 0 && st.complete()) {
      QTest::qWait(100);  // let the frame with the last tiles be painted
      return true;
    }
  }
  return false;
}

// Pixels within `radius` of the frame centre where `pred` holds.
int countNearCentre(const QImage& img, int radius, const std::function<bool(QColor)>& pred) {
  int n = 0;
  const int cx = img.width() / 2, cy = img.height() / 2;
  for (int y = cy - radius; y <= cy + radius; ++y)
    for (int x = cx - radius; x <= cx + radius; ++x)
      if (pred(img.pixelColor(x, y))) ++n;
  return n;
}

bool redDominant(QColor c) {
  return c.red() > 90 && c.green() < 0.6 * c.red() && c.blue() < 0.6 * c.red();
}
// CD45 sits on the membrane, which is green too, so CD45+ pixels read red or yellow.
bool cd45Positive(QColor c) {
  return c.red() > 120 && c.blue() < 0.6 * c.red();
}
bool magentaDominant(QColor c) {
  return c.red() > 90 && c.blue() > 90 && c.green() < 0.6 * std::min(c.red(), c.blue());
}
bool blueDominant(QColor c) {
  return c.blue() > 90 && c.red() < 0.6 * c.blue() && c.green() < 0.6 * c.blue();
}
}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QSettings().remove("datasets");  // no panel state saved by earlier runs
    ctx_ = std::make_unique<app::AppContext>(512);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    QSignalSpy cells(window_.get(), &app::MainWindow::cellsLoaded);
    window_->openInputs({"demo"});
    QVERIFY(opened.wait(600000));
    QVERIFY(window_->current() && window_->current()->cells);
    // These checks look at the image's own colours: hide the cells drawn over it (the linked
    // views have their own test).
    QVERIFY(cells.count() > 0 || cells.wait(60000));
    QVERIFY(window_->channelPanel()->overlayVisible(0));
    window_->channelPanel()->overlayVisible(0)->setChecked(false);
  }

  void fitShowsEveryChannelColour() {
    auto* view = window_->imageView();
    QVERIFY(waitComplete(view));
    const QImage frame = view->grabFrame();
    frame.save(QStringLiteral(TESSERA_TEST_WORK_DIR "/main_window_fit.png"));
    // The whole window as the X server shows it, for people to look at.
    QGuiApplication::primaryScreen()->grabWindow(0).save(
        QStringLiteral(TESSERA_TEST_WORK_DIR "/main_window_screen.png"));
    QVERIFY(frame.width() > 400);
    int blue = 0, red = 0, magenta = 0, green = 0;
    for (int y = 0; y < frame.height(); y += 2)
      for (int x = 0; x < frame.width(); x += 2) {
        const QColor c = frame.pixelColor(x, y);
        blue += blueDominant(c);
        red += redDominant(c);
        magenta += magentaDominant(c);
        green += c.green() > 90 && c.red() < 0.6 * c.green() && c.blue() < 0.6 * c.green();
      }
    QVERIFY2(blue > 100 && red > 20 && magenta > 20 && green > 20,
             qPrintable(QString("blue %1 red %2 magenta %3 green %4")
                            .arg(blue)
                            .arg(red)
                            .arg(magenta)
                            .arg(green)));
  }

  void coloursSitWhereTheDemoPutsThem() {
    auto table = data::H5adFile::open(*window_->current()->cells);
    QVERIFY(table.has_value());
    const auto spatial = table->readObsm("spatial");
    QVERIFY(spatial.has_value());
    const auto codes = table->readObsCodes("cluster");
    QVERIFY(codes.has_value());
    const auto& cats = table->obsColumn("cluster")->categories;
    auto firstOf = [&](const QString& type) -> std::int64_t {
      const auto it = std::find(cats.begin(), cats.end(), type.toStdString());
      if (it == cats.end()) return -1;
      const int code = static_cast<int>(it - cats.begin());
      // A cell well inside the image so that the 1:1 view around it is all tissue.
      for (std::size_t i = 0; i < codes->size(); ++i) {
        const double x = spatial->values[2 * i], y = spatial->values[2 * i + 1];
        if ((*codes)[i] == code && x > 1000 && y > 1000 && x < 7000 && y < 7000)
          return static_cast<std::int64_t>(i);
      }
      return -1;
    };
    auto* view = window_->imageView();
    struct Case {
      QString type;
      std::function<bool(QColor)> pred;
      const char* what;
    };
    const Case cases[] = {
        {"T cell", cd45Positive, "CD45 (red) around a T cell"},
        {"Epithelial", magentaDominant, "PanCK (magenta) around an epithelial cell"}};
    int cd45AtTCell = 0;
    for (const auto& c : cases) {
      const auto i = firstOf(c.type);
      QVERIFY2(i >= 0, qPrintable(c.type));
      const double x = spatial->values[2 * i], y = spatial->values[2 * i + 1];
      view->centerOn(x, y, 1.0);
      QVERIFY(waitComplete(view));
      const QImage frame = view->grabFrame();
      frame.save(QStringLiteral(TESSERA_TEST_WORK_DIR "/main_window_%1.png")
                     .arg(QString(c.type).replace(' ', '_')));
      QVERIFY2(countNearCentre(frame, 14, c.pred) > 20, c.what);
      QVERIFY2(countNearCentre(frame, 3, blueDominant) > 3, "nucleus (blue) at the cell centre");
      if (c.type == "T cell") cd45AtTCell = countNearCentre(frame, 14, cd45Positive);
    }
    // A fibroblast, by contrast, carries no CD45 and no PanCK.
    const auto f = firstOf("Fibroblast");
    QVERIFY(f >= 0);
    view->centerOn(spatial->values[2 * f], spatial->values[2 * f + 1], 1.0);
    QVERIFY(waitComplete(view));
    const QImage frame = view->grabFrame();
    QVERIFY(countNearCentre(frame, 5, cd45Positive) * 4 < cd45AtTCell);
    QVERIFY(countNearCentre(frame, 5, magentaDominant) < 5);
  }

  void statusBarShowsPhysicalPositionAndLevel() {
    auto* view = window_->imageView();
    view->centerOn(4096, 4096, 1.0);
    QVERIFY(waitComplete(view));
    auto* gl = view->glWindow();
    QTest::mouseMove(gl, QPoint(gl->width() / 2, gl->height() / 2));
    QTest::qWait(100);
    const QString s = window_->statusText();
    QVERIFY2(s.contains(QString::fromUtf8("µm")), qPrintable(s));
    QVERIFY2(s.contains("Level 0"), qPrintable(s));
    QVERIFY2(s.contains("DAPI:"), qPrintable(s));
  }

  void hidingAChannelRerendersWithoutReading() {
    auto* view = window_->imageView();
    QVERIFY(waitComplete(view));
    ctx_->tilePool.waitIdle();
    const auto readsBefore = ctx_->cache.stats().reads;
    auto ds = view->layer().displays();
    for (auto& d : ds)
      d.visible = d.name == "DAPI";
    view->layer().setDisplays(ds);
    QTest::qWait(300);
    const QImage frame = view->grabFrame();
    int nonBlue = 0;
    // The bottom rows hold the (white) scale bar.
    for (int y = 0; y < frame.height() - 80; y += 3)
      for (int x = 0; x < frame.width(); x += 3) {
        const QColor c = frame.pixelColor(x, y);
        if (c.red() > 8 || c.green() > 8) ++nonBlue;
      }
    QCOMPARE(nonBlue, 0);
    QCOMPARE(ctx_->cache.stats().reads, readsBefore);
    for (auto& d : ds)
      d.visible = true;
    view->layer().setDisplays(ds);
  }

  void openingAnotherDatasetClearsTheReadouts() {
    auto* gl = window_->imageView()->glWindow();
    QTest::mouseMove(gl, QPoint(gl->width() / 2 + 7, gl->height() / 2));
    QTest::qWait(100);
    QVERIFY2(window_->statusText().contains("DAPI:"), qPrintable(window_->statusText()));
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({QString(TESSERA_TEST_DATA_DIR) + "/ome-zarr/blobs_v04.ome.zarr"});
    QVERIFY(opened.wait(60000));
    const QString s = window_->statusText();
    QVERIFY2(!s.contains("DAPI:"), qPrintable(s));
  }

  void badInputShowsAnErrorAndKeepsTheView() {
    QSignalSpy failed(window_.get(), &app::MainWindow::openFailed);
    window_->openInputs({"/nonexistent/tissue.ome.zarr"});
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.first().first().toString().contains("/nonexistent/tissue.ome.zarr"));
    QVERIFY(window_->imageView()->layer().info() != nullptr);
  }

  void cleanupTestCase() {
    window_.reset();
    ctx_.reset();
  }

 private:
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;
};

QTEST_MAIN(MainWindowTest)
#include "tst_main_window.moc"
