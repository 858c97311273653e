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
#include <QStatusBar>
#include <QToolButton>
#include <QtTest>

#include <algorithm>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/core/layer_order.h"
#include "app/gui/annotations_controller.h"
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

QImage renderCli(const QString& session, const QString& png, const QStringList& more = {}) {
  QProcess p;
  p.start(qEnvironmentVariable("TESSERA_EXE"), QStringList{"render", session, "--out", png} + more);
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
  /// The place of the first layer of `kind` in the model's order (-1: none).
  int at(data::LayerKind kind) {
    const auto& ls = model().session().layers;
    for (std::size_t i = 0; i < ls.size(); ++i)
      if (ls[i].kind == kind) return static_cast<int>(i);
    return -1;
  }
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
    return moveRow(
        QString::fromStdString(model().session().firstLayer(data::LayerKind::Cells)->name), steps);
  }
  /// Clicks ▲ or ▼ on the row of the layer named `name`.
  bool moveRow(const QString& name, int steps) {
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
    // Without a layer of their own the annotations are on top; with one, where it is.
    QVERIFY(d.annotations < d.cells);
    data::ensureAnnotationsLayer(s);
    QCOMPARE(s.layers.back().kind, data::LayerKind::Annotations);
    QCOMPARE(app::layerDepths(s).annotations, d.annotations);
    std::rotate(s.layers.rbegin(), s.layers.rbegin() + 1, s.layers.rend());  // to the bottom
    d = app::layerDepths(s);
    QVERIFY(d.annotations > d.image);
    QVERIFY(d.cells < d.annotations);
  }

  // Image layers next to each other are drawn as one part; a layer of another kind between two
  // of them gives the upper one a place of its own (app/core/layer_order.h).
  void imageLayersTakeTheirOwnPlaces() {
    data::Session s;
    for (const char* id : {"a", "b", "c"}) {
      data::SessionDataset d;
      d.id = id;
      d.kind = data::DatasetKind::Image;
      s.datasets.push_back(d);
    }
    auto add = [&](data::LayerKind kind, const std::string& id, const std::string& dataset,
                   std::size_t channels) {
      data::SessionLayer l;
      l.id = id;
      l.kind = kind;
      l.dataset = dataset;
      l.channels.resize(channels);
      s.layers.push_back(l);
    };
    add(data::LayerKind::Image, "A", "a", 2);
    add(data::LayerKind::Cells, "cells", "", 0);
    add(data::LayerKind::Image, "B", "b", 1);
    add(data::LayerKind::Image, "C", "c", 1);
    s.layers[2].opacity = 0.5;
    auto d = app::layerDepths(s);
    QCOMPARE(d.imageParts.size(), 2u);
    QCOMPARE(d.imageParts[0].layers, (std::vector<std::string>{"A"}));
    QCOMPARE(d.imageParts[1].layers, (std::vector<std::string>{"B", "C"}));
    QCOMPARE(d.imageParts[0].channels, (std::vector<bool>{true, true, false, false}));
    QCOMPARE(d.imageParts[1].channels, (std::vector<bool>{false, false, true, true}));
    QCOMPARE(d.imageParts[1].opacity, 0.5);  // its lowest layer's
    QCOMPARE(d.image, d.imageParts[0].depth);
    QVERIFY(d.imageParts[1].depth < d.cells);  // B and C over the cells
    QVERIFY(d.cells < d.image);
    auto drawing = app::imageDrawing(d);
    QCOMPARE(drawing.first, d.imageParts[0].channels);
    QCOMPARE(drawing.upper.size(), 1u);
    QCOMPARE(drawing.upper[0].depth, d.imageParts[1].depth);
    // B moved under the cells joins A; C keeps a place of its own over them.
    std::swap(s.layers[1], s.layers[2]);
    d = app::layerDepths(s);
    QCOMPARE(d.imageParts.size(), 2u);
    QCOMPARE(d.imageParts[0].layers, (std::vector<std::string>{"A", "B"}));
    QCOMPARE(d.imageParts[1].layers, (std::vector<std::string>{"C"}));
    QVERIFY(d.image > d.cells && d.imageParts[1].depth < d.cells);
    // All three together: one part, drawn as one composite (as before image layers had places).
    std::swap(s.layers[2], s.layers[3]);
    d = app::layerDepths(s);
    QCOMPARE(d.imageParts.size(), 1u);
    QVERIFY(d.cells < d.image);
    drawing = app::imageDrawing(d);
    QVERIFY(drawing.first.empty() && drawing.upper.empty());
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
    // The cells open on top of the image (later in the model's order), under the annotations.
    QVERIFY(at(data::LayerKind::Cells) > at(data::LayerKind::Image));
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Annotations);
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
    QVERIFY(at(data::LayerKind::Cells) > at(data::LayerKind::Image));
    QCOMPARE(cellsShown(frame(), hidden_), cellsInView_);
    w_->redoAction()->trigger();
    QCOMPARE(cellsShown(frame(), hidden_), 0);
    QVERIFY(move(1));  // ▲
    QVERIFY(at(data::LayerKind::Cells) > at(data::LayerKind::Image));
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
    QVERIFY(at(data::LayerKind::Cells) > at(data::LayerKind::Image));
    QCOMPARE(cellsShown(frame(), hidden_), cellsInView_);
  }

  // The annotations layer has a place in the order: on top when a dataset opens, under the
  // opaque image once moved to the bottom (in the window, in `tessera render` and when the
  // session is opened again), and back on top with Undo. Pixels along an annotation line.
  void annotationsTakeTheirPlaceInTheOrder() {
    QVERIFY(open(w_.get(), {data_ + "/stack.ome.zarr", data_ + "/cells.csv"}));
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Annotations);
    const std::string id = model().session().layers.back().id;
    const QImage base = frame();
    const auto& cam = w_->imageView()->camera();
    const auto world = cam.visibleWorld();
    const double y = (world.y0 + world.y1) / 2;
    data::Annotation line;
    line.kind = data::AnnotationKind::Line;
    line.classification.color = 0x00FF00;
    line.points = {{world.x0 + world.width() * 0.1, y}, {world.x1 - world.width() * 0.1, y}};
    auto* annotations = w_->findChild<app::AnnotationsController*>();
    QVERIFY(annotations);
    annotations->apply({line}, "Add line");
    double sx = 0, sy = 0;
    cam.worldToScreen(world.x0, y, sx, sy);
    const int row = static_cast<int>(sy);
    // Pixels of the row (and the next, the line is 2 px wide) that the line changed.
    auto lineShown = [&](const QImage& f) {
      int n = 0;
      for (int x = 0; x < f.width(); ++x)
        for (int r = row - 1; r <= row + 1; ++r)
          if (f.rect().contains(x, r) &&
              testing::colorDistance(f.pixelColor(x, r), base.pixelColor(x, r)) > 60) {
            ++n;
            break;
          }
      return n;
    };
    const int onTop = lineShown(frame());
    QVERIFY2(onTop > base.width() / 2, qPrintable(QString::number(onTop)));

    model().moveLayer(id, 0);  // to the bottom, under the opaque image
    QCOMPARE(model().session().layers.front().kind, data::LayerKind::Annotations);
    QCOMPARE(w_->layerList()->layers().back().id, QString::fromStdString(id));
    const QImage under = frame();
    under.save(kWork + "/annotations-below-image.png");
    QCOMPARE(lineShown(under), 0);
    w_->undoAction()->trigger();
    QCOMPARE(lineShown(frame()), onTop);
    w_->redoAction()->trigger();
    QCOMPARE(lineShown(frame()), 0);

    const QString below = data_ + "/annotations-below.tessera";
    QVERIFY(w_->saveSessionTo(below));
    w_->undoAction()->trigger();
    const QString above = data_ + "/annotations-above.tessera";
    QVERIFY(w_->saveSessionTo(above));
    const QImage cliAbove = renderCli(above, kWork + "/cli-annotations-above.png");
    const QImage cliBelow = renderCli(below, kWork + "/cli-annotations-below.png");
    QVERIFY(!cliAbove.isNull() && !cliBelow.isNull());
    QCOMPARE(cliBelow.size(), base.size());
    int differ = 0;
    for (int x = 0; x < cliAbove.width(); ++x)
      differ +=
          testing::colorDistance(cliAbove.pixelColor(x, row), cliBelow.pixelColor(x, row)) > 60;
    QVERIFY2(differ > base.width() / 2, qPrintable(QString::number(differ)));
    // Hidden in the Layers dock: gone from the window and from the CLI's render.
    model().setLayerVisible(id, false);
    QCOMPARE(lineShown(frame()), 0);
    const QString hidden = data_ + "/annotations-hidden.tessera";
    QVERIFY(w_->saveSessionTo(hidden));
    const QImage cliHidden = renderCli(hidden, kWork + "/cli-annotations-hidden.png");
    QVERIFY(!cliHidden.isNull());
    int shownHidden = 0;
    for (int x = 0; x < cliHidden.width(); ++x)
      shownHidden +=
          testing::colorDistance(cliHidden.pixelColor(x, row), cliBelow.pixelColor(x, row)) > 60;
    QCOMPARE(shownHidden, 0);
    w_->undoAction()->trigger();
    QCOMPARE(lineShown(frame()), onTop);

    QVERIFY(open(w_.get(), {below}));
    QCOMPARE(model().session().layers.front().kind, data::LayerKind::Annotations);
    QCOMPARE(lineShown(frame()), 0);
    QVERIFY(open(w_.get(), {above}));
    QCOMPARE(model().session().layers.back().kind, data::LayerKind::Annotations);
    QCOMPARE(lineShown(frame()), onTop);
  }

  // An image added over the cells has its own place in the order: its light adds onto the
  // cells and the image under them; moved under the cells, they cover it. The same in
  // `tessera render SESSION`. Pixels: the first image in red, the added one (255 in the corner
  // where the cells lie) in green at half strength.
  void anAddedImageTakesItsOwnPlace() {
    QVERIFY(open(w_.get(), {data_ + "/stack.ome.zarr", data_ + "/cells.csv"}));
    QSignalSpy added(w_.get(), &app::MainWindow::datasetAdded);
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    QSignalSpy loaded(w_.get(), &app::MainWindow::cellsLoaded);
    w_->addInput(data_ + "/corner.ome.zarr");
    QVERIFY(added.wait(30000));
    QVERIFY(opened.count() > 0 || opened.wait(60000));
    QVERIFY(loaded.count() > 0 || loaded.wait(60000));
    QTest::qWait(100);
    std::string a, b;
    int atB = -1;
    const auto& ls = model().session().layers;
    for (std::size_t i = 0; i < ls.size(); ++i)
      if (ls[i].kind == data::LayerKind::Image) {
        (a.empty() ? a : b) = ls[i].id;
        atB = static_cast<int>(i);
      }
    QVERIFY(!b.empty());
    QVERIFY(atB > at(data::LayerKind::Cells));  // added over the cells
    QCOMPARE(w_->imageView()->upperImages().size(), 1u);
    auto paint = [&](const std::string& id, std::uint32_t color, double end) {
      auto channels = model().session().layer(id)->channels;
      QCOMPARE(channels.size(), 1u);
      channels[0].color = color;
      channels[0].lut = "solid";
      channels[0].start = 0;
      channels[0].end = end;
      channels[0].gamma = 1;
      channels[0].autoWindow = false;
      model().setChannels(id, channels);
    };
    paint(a, 0xFF0000, 255);
    paint(b, 0x00FF00, 510);
    const std::string cells = cellsId().toStdString();
    const QImage top = frame();
    top.save(kWork + "/added-image-above-cells.png");
    model().setLayerVisible(b, false);
    const QImage withoutB = frame();
    model().setLayerVisible(b, true);
    model().setLayerVisible(a, false);
    model().setLayerVisible(cells, false);
    const QImage onlyB = frame();
    model().setLayerVisible(a, true);
    model().setLayerVisible(cells, true);
    QVERIFY(!top.isNull() && !withoutB.isNull() && !onlyB.isNull());
    // The added image shows: green at half strength in the corner, nothing elsewhere.
    const auto& cam = w_->imageView()->camera();
    auto screen = [&](double x, double y) {
      double sx = 0, sy = 0;
      cam.worldToScreen(x, y, sx, sy);
      return QPoint(static_cast<int>(sx), static_cast<int>(sy));
    };
    QVERIFY(std::abs(onlyB.pixelColor(screen(58, 58)).green() - 128) <= 2);
    QCOMPARE(onlyB.pixelColor(screen(150, 150)).green(), 0);
    // Over the cells it adds its light to what is below it, channel by channel. Compared in
    // the image's top-left quarter (the cells and the added image's corner; no scale bar).
    const QRect roi = QRect(screen(0, 0), screen(128, 128)).intersected(top.rect());
    QVERIFY(roi.width() > 100 && roi.height() > 100);
    int off = 0;
    for (int y = roi.top(); y <= roi.bottom(); ++y)
      for (int x = roi.left(); x <= roi.right(); ++x) {
        const QColor t = top.pixelColor(x, y), u = withoutB.pixelColor(x, y),
                     o = onlyB.pixelColor(x, y);
        off += std::abs(t.red() - std::min(255, u.red() + o.red())) > 2 ||
               std::abs(t.green() - std::min(255, u.green() + o.green())) > 2 ||
               std::abs(t.blue() - std::min(255, u.blue() + o.blue())) > 2;
      }
    QCOMPARE(off, 0);
    // At half opacity it adds half its light.
    model().setLayerOpacity(b, 0.5);
    const QImage half = frame();
    QVERIFY2(std::abs(half.pixelColor(screen(58, 58)).green() - 64) <= 3,
             qPrintable(QString::number(half.pixelColor(screen(58, 58)).green())));
    const QString halfFile = data_ + "/image-half.tessera";
    QVERIFY(w_->saveSessionTo(halfFile));
    w_->undoAction()->trigger();
    QCOMPARE(model().session().layer(b)->opacity, 1.0);

    // Moved under the cells: they cover it where they are drawn; elsewhere nothing changes.
    model().moveLayer(b, at(data::LayerKind::Cells));
    const auto& moved = model().session().layers;
    QVERIFY(std::find_if(moved.begin(), moved.end(), [&](auto& l) { return l.id == b; }) <
            moved.begin() + at(data::LayerKind::Cells));
    const QImage below = frame();
    below.save(kWork + "/added-image-below-cells.png");
    const auto d = w_->cells()->session().data();
    QVERIFY(d);
    int differ = 0, covered = 0, inView = 0;
    for (std::size_t i = 0; i < d->px.size(); ++i) {
      const QPoint p = screen(d->px[i], d->py[i]);
      if (!top.rect().contains(p)) continue;
      ++inView;
      differ += testing::colorDistance(top.pixelColor(p), below.pixelColor(p)) > 30;
      // The cells drawn over A + B as over A alone.
      covered += testing::colorDistance(below.pixelColor(p), withoutB.pixelColor(p)) <= 6;
    }
    QVERIFY2(inView >= 20 && differ == inView,
             qPrintable(QString("%1 of %2").arg(differ).arg(inView)));
    QVERIFY2(covered == inView, qPrintable(QString("%1 of %2").arg(covered).arg(inView)));

    // The first image stays the lowest image layer (the others are placed on it): the Layers
    // dock refuses to move the added one below it.
    const auto order = model().session().layers;
    QVERIFY(moveRow("corner.ome.zarr", -1));
    QCOMPARE(model().session().layers.size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
      QCOMPARE(model().session().layers[i].id, order[i].id);
    QVERIFY(w_->statusBar()->currentMessage().contains("lowest image layer"));

    // `tessera render` of the session saved each way draws what the window drew.
    const QString above = data_ + "/image-above.tessera", under = data_ + "/image-below.tessera",
                  hidden = data_ + "/image-hidden.tessera";
    QVERIFY(w_->saveSessionTo(under));
    w_->undoAction()->trigger();  // the move
    QVERIFY(w_->saveSessionTo(above));
    model().setLayerVisible(b, false);
    QVERIFY(w_->saveSessionTo(hidden));
    model().setLayerVisible(b, true);
    auto far = [&](const QImage& x, const QImage& y) {
      if (x.size() != y.size()) return -1;
      int n = 0;
      for (int r = roi.top(); r <= roi.bottom(); ++r)
        for (int c = roi.left(); c <= roi.right(); ++c)
          n += testing::colorDistance(x.pixelColor(c, r), y.pixelColor(c, r)) > 12;
      return n;
    };
    const QImage cliAbove = renderCli(above, kWork + "/cli-image-above.png");
    const QImage cliUnder = renderCli(under, kWork + "/cli-image-below.png");
    const QImage cliHidden = renderCli(hidden, kWork + "/cli-image-hidden.png");
    const int limit = roi.width() * roi.height() / 200;  // cell rims may fall a pixel apart
    const QImage cliHalf = renderCli(halfFile, kWork + "/cli-image-half.png");
    const int farHalf = far(cliHalf, half);
    QVERIFY2(farHalf >= 0 && farHalf <= limit, qPrintable(QString::number(farHalf)));
    const int farAbove = far(cliAbove, top), farUnder = far(cliUnder, below),
              farHidden = far(cliHidden, withoutB);
    QVERIFY2(farAbove >= 0 && farAbove <= limit, qPrintable(QString::number(farAbove)));
    QVERIFY2(farUnder >= 0 && farUnder <= limit, qPrintable(QString::number(farUnder)));
    QVERIFY2(farHidden >= 0 && farHidden <= limit, qPrintable(QString::number(farHidden)));
    QVERIFY(far(cliAbove, cliUnder) > 0);
    // The tiled figure export (TIFF output, --dpi, story pages) draws them alike.
    const QImage tiledAbove =
        renderCli(above, kWork + "/cli-image-above-tiled.png", {"--dpi", "72"});
    const int farTiled = far(tiledAbove, top);
    QVERIFY2(farTiled >= 0 && farTiled <= limit, qPrintable(QString::number(farTiled)));
  }

  void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(LayerOrderTest)
#include "tst_layer_order.moc"
