// The drawing order follows the session model's layer order (issue 11): cells moved under the
// opaque image with the Layers dock's ▼ are covered, ▲ and Undo bring them back on top, and the
// saved order comes back in `tessera render SESSION` and when the session is opened again.
// Checked by pixels at the cells' own screen positions, against a frame with the cells hidden.
// Fixtures: tests/fixtures/session/make_session_fixtures.py (an opaque OME-Zarr and a CSV table).
#include <QApplication>
#include <QDir>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QToolButton>
#include <QtTest>

#include <algorithm>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/core/layer_order.h"
#include "app/gui/main_window.h"
#include "tests/support/view_wait.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"

using namespace tessera;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/layer_order");

bool open(app::MainWindow* w, const QStringList& inputs) {
  QSignalSpy cells(w, &app::MainWindow::cellsLoaded);
  w->openInputs(inputs);
  if (!cells.wait(120000)) return false;
  QTest::qWait(100);  // a session file's cells state is applied after the table loads
  return true;
}

QImage renderCli(const QString& session, const QString& png) {
  QProcess p;
  p.start(qEnvironmentVariable("TESSERA_EXE"), {"render", session, "--out", png});
  if (!p.waitForFinished(120000) || p.exitCode() != 0) {
    qWarning() << p.readAllStandardError();
    return {};
  }
  return QImage(png).convertToFormat(QImage::Format_RGB32);
}

}  // namespace

class LayerOrderTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  QString data_;
  QImage hidden_;  ///< the window's frame with the cells layer hidden
  int cellsInView_ = 0;

  data::SessionModel& model() { return w_->model(); }
  QString cellsId() {
    const auto* l = model().session().firstLayer(data::LayerKind::Cells);
    return l ? QString::fromStdString(l->id) : QString();
  }
  QImage frame() {
    if (!testing::waitViewComplete(w_->imageView())) return {};
    return w_->imageView()->grabFrame().convertToFormat(QImage::Format_RGB32);
  }
  /// Cells whose pixel in `f` differs from the frame without cells: the cells that show.
  int cellsShown(const QImage& f, const QImage& without) {
    const auto d = w_->cells()->session().data();
    if (!d || f.size() != without.size()) return -1;
    const auto& cam = w_->imageView()->camera();
    int shown = 0;
    for (std::size_t i = 0; i < d->px.size(); ++i) {
      double sx = 0, sy = 0;
      cam.worldToScreen(d->px[i], d->py[i], sx, sy);
      const QPoint p(static_cast<int>(sx), static_cast<int>(sy));
      if (!f.rect().contains(p)) continue;
      shown += testing::colorDistance(f.pixelColor(p), without.pixelColor(p)) > 30;
    }
    return shown;
  }
  /// Clicks the Layers dock's ▲ (+1) or ▼ (-1) on the cells' row.
  bool move(int steps) {
    const QString name =
        QString::fromStdString(model().session().firstLayer(data::LayerKind::Cells)->name);
    for (auto* b : w_->layerList()->findChildren<QToolButton*>(steps > 0 ? "up" : "down"))
      if (b->isEnabled() && b->toolTip().contains(name)) {
        b->click();
        return true;
      }
    return false;
  }

 private slots:
  void depthsFollowTheModelsOrder() {
    // Nearer the camera (smaller z) is drawn on top: the last layer of the list.
    data::Session s;
    auto add = [&](data::LayerKind kind, const std::string& id) {
      data::SessionLayer l;
      l.id = id;
      l.kind = kind;
      s.layers.push_back(l);
    };
    add(data::LayerKind::Cells, "cells");
    add(data::LayerKind::Image, "image");
    add(data::LayerKind::Image, "prediction");  // joins the first image: no band of its own
    add(data::LayerKind::Labels, "labels");
    auto d = app::layerDepths(s);
    QVERIFY(d.labels < d.image);
    QVERIFY(d.image < d.cells);
    QCOMPARE(d.transcripts, d.cells);  // Xenium's go with their cells table
    std::rotate(s.layers.begin(), s.layers.begin() + 1, s.layers.end());  // cells to the top
    d = app::layerDepths(s);
    QVERIFY(d.cells < d.labels);
    QVERIFY(d.labels < d.image);
  }

  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-layer-order");
    QSettings().remove("datasets");
    data_ = kWork + "/data";
    QDir(data_).removeRecursively();
    QDir().mkpath(data_);
    QProcess py;
    py.start(
        TESSERA_PYTHON,
        {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/session/make_session_fixtures.py", data_});
    QVERIFY(py.waitForFinished(120000) && py.exitCode() == 0);
    ctx_ = std::make_unique<app::AppContext>(256);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1000, 700);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QVERIFY(open(w_.get(), {data_ + "/stack.ome.zarr", data_ + "/cells.csv"}));
    QVERIFY(!cellsId().isEmpty());
    // The cells open on top (last in the model's order).
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Cells);
    model().setLayerVisible(cellsId().toStdString(), false);
    hidden_ = frame();
    QVERIFY(!hidden_.isNull());
    w_->undoAction()->trigger();
    cellsInView_ = cellsShown(frame(), hidden_);
    QVERIFY2(cellsInView_ >= 20, qPrintable(QString::number(cellsInView_)));
  }

  void movingCellsUnderTheImageCoversThem() {
    QVERIFY(move(-1));  // ▼
    QCOMPARE(model().session().layers.front().kind, data::LayerKind::Cells);
    QCOMPARE(w_->layerList()->layers().back().id, cellsId());  // the dock lists the top first
    const QImage below = frame();
    below.save(kWork + "/cells-below-image.png");
    QCOMPARE(cellsShown(below, hidden_), 0);

    w_->undoAction()->trigger();  // the move undone: on top again
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Cells);
    QCOMPARE(cellsShown(frame(), hidden_), cellsInView_);
    w_->redoAction()->trigger();
    QCOMPARE(cellsShown(frame(), hidden_), 0);
    QVERIFY(move(1));  // ▲
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Cells);
    QCOMPARE(cellsShown(frame(), hidden_), cellsInView_);
  }

  void tesseraRenderDrawsTheSavedOrder() {
    // The same session saved three ways; the CLI draws at the window's viewport and camera.
    const QString above = data_ + "/above.tessera", below = data_ + "/below.tessera",
                  none = data_ + "/hidden.tessera";
    QVERIFY(w_->saveSessionTo(above));
    QVERIFY(move(-1));
    QVERIFY(w_->saveSessionTo(below));
    model().setLayerVisible(cellsId().toStdString(), false);
    QVERIFY(w_->saveSessionTo(none));
    w_->undoAction()->trigger();
    const QImage cliAbove = renderCli(above, kWork + "/cli-above.png");
    const QImage cliBelow = renderCli(below, kWork + "/cli-below.png");
    const QImage cliNone = renderCli(none, kWork + "/cli-hidden.png");
    QVERIFY(!cliAbove.isNull() && !cliBelow.isNull() && !cliNone.isNull());
    QCOMPARE(cliBelow.size(), hidden_.size());
    QCOMPARE(cellsShown(cliAbove, cliNone), cellsInView_);
    QCOMPARE(cellsShown(cliBelow, cliNone), 0);
  }

  void reopenedSessionKeepsItsOrder() {
    QVERIFY(open(w_.get(), {data_ + "/below.tessera"}));
    QCOMPARE(model().session().layers.front().kind, data::LayerKind::Cells);
    QCOMPARE(cellsShown(frame(), hidden_), 0);
    QVERIFY(open(w_.get(), {data_ + "/above.tessera"}));
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Cells);
    QCOMPARE(cellsShown(frame(), hidden_), cellsInView_);
  }

  void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(LayerOrderTest)
#include "tst_layer_order.moc"
