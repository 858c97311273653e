// What the session model owns beyond display state, checked in the window: a colour-by recorded
// when it is requested (an undo right after asking for a gene undoes it, and the gene's late
// values are dropped), the current selection with undo/redo (the markers follow), t/z and the
// pairing's affine restored from a file, `tessera render SESSION` equal to the window's view, and
// a session moved to another folder with its data reopening with the same pixels and panels.
// Fixtures: tests/fixtures/session/make_session_fixtures.py (a 3-plane OME-Zarr and a CSV table).
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "tests/support/view_wait.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"

using namespace tessera;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/session_model_window");

bool open(app::MainWindow* w, const QStringList& inputs, bool withCells) {
  QSignalSpy opened(w, &app::MainWindow::datasetOpened);
  QSignalSpy cells(w, &app::MainWindow::cellsLoaded);
  w->openInputs(inputs);
  if (!opened.wait(120000)) return false;
  if (withCells && cells.isEmpty() && !cells.wait(60000)) return false;
  QTest::qWait(100);  // the session file's cells state is applied after the table loads
  return true;
}

// The share of pixels equal within `tol` per channel.
double sameShare(const QImage& a, const QImage& b, int tol) {
  if (a.size() != b.size() || a.isNull()) return 0;
  long same = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x) {
      const QColor p = a.pixelColor(x, y), q = b.pixelColor(x, y);
      if (std::abs(p.red() - q.red()) <= tol && std::abs(p.green() - q.green()) <= tol &&
          std::abs(p.blue() - q.blue()) <= tol)
        ++same;
    }
  return static_cast<double>(same) / (static_cast<double>(a.width()) * a.height());
}

bool makeFixtures(const QString& dir) {
  QDir(dir).removeRecursively();
  QDir().mkpath(dir);
  QProcess py;
  py.start(TESSERA_PYTHON,
           {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/session/make_session_fixtures.py", dir});
  return py.waitForFinished(120000) && py.exitCode() == 0;
}

std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

class SessionModelWindowTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  QString data_;

  app::CellsSession& cells() { return w_->cells()->session(); }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QSettings().remove("datasets");
    data_ = kWork + "/data";
    QVERIFY(makeFixtures(data_));
    ctx_ = std::make_unique<app::AppContext>(256);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1000, 700);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QVERIFY(open(w_.get(), {data_ + "/stack.ome.zarr"}, false));
  }

  void addJoinsATableAsALayer() {
    auto& model = w_->model();
    QSignalSpy added(w_.get(), &app::MainWindow::datasetAdded);
    QSignalSpy loaded(w_.get(), &app::MainWindow::cellsLoaded);
    QSignalSpy failed(w_.get(), &app::MainWindow::openFailed);
    w_->addInput(data_ + "/cells.csv");
    QVERIFY(added.wait(30000));
    QVERIFY(loaded.count() > 0 || loaded.wait(30000));
    QCOMPARE(model.session().datasets.size(), 2u);
    const auto* layer = model.session().firstLayer(data::LayerKind::Cells);
    QVERIFY(layer);
    QVERIFY(model.session().pairingOf(layer->dataset));
    QVERIFY(cells().data());
    QCOMPARE(QString::fromStdString(model.undoLabel()), QString("Add cells.csv"));
    // Undo takes the table away, redo brings it back.
    w_->undoAction()->trigger();
    QCOMPARE(model.session().datasets.size(), 1u);
    QVERIFY(!cells().data());
    w_->redoAction()->trigger();
    QVERIFY(loaded.wait(30000));
    QVERIFY(cells().data());

    // One table at a time; another sample's table is refused over this image, with the reason.
    w_->addInput(data_ + "/far.csv");
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.last().at(0).toString().contains("a cell table is shown already"),
             qPrintable(failed.last().at(0).toString()));
    model.removeLayer(model.session().firstLayer(data::LayerKind::Cells)->id);
    QVERIFY(!cells().data());
    w_->addInput(data_ + "/far.csv");
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.last().at(0).toString().contains("far.csv does not fit on stack.ome.zarr"),
             qPrintable(failed.last().at(0).toString()));
    QCOMPARE(model.session().datasets.size(), 1u);
    QVERIFY(!cells().data());
    w_->undoAction()->trigger();  // the removal: the table is back
    QVERIFY(loaded.wait(30000));
    QVERIFY(cells().data());
    QTest::qWait(100);
  }

  void undoRightAfterRequestingAGene() {
    auto& model = w_->model();
    const auto* layer = model.session().firstLayer(data::LayerKind::Cells);
    QVERIFY(layer);
    const std::string before = layer->cells.colorKind;
    QVERIFY(before != "gene");
    QVERIFY(cells().colorByGene("GENE_A"));
    // Recorded at once, before the values arrive from the expression engine.
    QCOMPARE(model.session().firstLayer(data::LayerKind::Cells)->cells.colorName,
             std::string("GENE_A"));
    w_->undoAction()->trigger();
    QCOMPARE(model.session().firstLayer(data::LayerKind::Cells)->cells.colorKind, before);
    QVERIFY(cells().colorBy().kind != app::ColorBy::Kind::Gene);
    // The gene's values arrive late for a colouring no longer current: dropped.
    QTest::qWait(1500);
    QVERIFY(cells().colorBy().kind != app::ColorBy::Kind::Gene);
    QVERIFY(w_->cells()->imageOverlay()->legend().title != "GENE_A");
    QCOMPARE(model.session().firstLayer(data::LayerKind::Cells)->cells.colorKind, before);
    QVERIFY(model.canRedo());
    w_->redoAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("GENE_A"),
                              20000);
    QCOMPARE(model.session().firstLayer(data::LayerKind::Cells)->cells.colorName,
             std::string("GENE_A"));
    // A second gene is its own undo step, not merged into the first.
    QVERIFY(cells().colorByGene("GENE_B"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("GENE_B"),
                              20000);
    w_->undoAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("GENE_A"),
                              20000);
  }

  void selectionIsInTheModelWithUndo() {
    auto& model = w_->model();
    QVERIFY(model.session().selection.empty());
    QSignalSpy markers(&cells(), &app::CellsSession::markersReady);
    // A box over the first two rows of cells (identity placement: x 2..44, y 2 and 12).
    const std::vector<widgets::Vec2> box{{0, 0}, {60, 0}, {60, 15}, {0, 15}};
    cells().selectPolygon(box, widgets::SelectOp::Replace, false);
    const auto first = sorted(cells().selection());
    QCOMPARE(first.size(), 16u);
    QVERIFY(model.session().selection == first);
    QCOMPARE(QString::fromStdString(model.undoLabel()), QString("Select cells"));
    QVERIFY(markers.wait(20000));
    QCOMPARE(cells().markers().size(), 2u);  // both genes, ranked for the selection

    cells().applyPick({30, 31}, widgets::SelectOp::Add);
    QCOMPARE(model.session().selection.size(), 18u);
    w_->undoAction()->trigger();
    QVERIFY(sorted(cells().selection()) == first);
    QVERIFY(model.session().selection == first);
    QTRY_VERIFY_WITH_TIMEOUT(!cells().markersRunning() && cells().markers().size() == 2u, 20000);
    w_->undoAction()->trigger();
    QVERIFY(cells().selection().empty());
    QTRY_VERIFY_WITH_TIMEOUT(cells().markers().empty(), 20000);
    w_->redoAction()->trigger();
    QVERIFY(sorted(cells().selection()) == first);

    // Named selections are undoable edits of the model too.
    cells().nameSelection("top rows");
    QCOMPARE(model.session().selections.at("top rows").size(), 16u);
    w_->undoAction()->trigger();
    QVERIFY(!model.session().selections.count("top rows"));
    QVERIFY(!cells().namedSelections().count("top rows"));
    w_->redoAction()->trigger();
    QCOMPARE(cells().namedSelections().at("top rows").size(), 16u);
  }

  void fileRestoresPlaneAndPlacesCellsByItsAffine() {
    // Written by hand: z = 2, the table 4x larger and shifted by (20, 30).
    nlohmann::json j = {
        {"tessera_session", 2},
        {"datasets",
         {{{"id", "image"}, {"kind", "image"}, {"path", "stack.ome.zarr"}},
          {{"id", "cells"}, {"kind", "table"}, {"path", "cells.csv"}}}},
        {"view", {{"center", {128, 128}}, {"width", 256}, {"t", 0}, {"z", 2}}},
        {"layers",
         {{{"id", "image"}, {"kind", "image"}, {"dataset", "image"}},
          {{"id", "cells"},
           {"kind", "cells"},
           {"dataset", "cells"},
           {"cells", {{"point_size", 6}}}}}},
        {"pairings",
         {{{"table", "cells"}, {"image", "image"}, {"affine", {{4, 0, 20}, {0, 4, 30}}}}}},
        {"selection", {0, 1, 2}},
        {"waypoints", nlohmann::json::array()}};
    const QString file = data_ + "/placed.tessera";
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray::fromStdString(j.dump(1)));
    f.close();
    QVERIFY(open(w_.get(), {file}, true));
    QCOMPARE(w_->channelPanel()->zSlider()->value(), 2);
    QCOMPARE(w_->imageView()->layer().planeZ(), std::int64_t(2));
    QCOMPARE(w_->model().session().camera.z, std::int64_t(2));
    const auto d = cells().data();
    QVERIFY(d);
    for (std::size_t i = 0; i < d->px.size(); ++i) {
      QCOMPARE(d->px[i], static_cast<float>(4 * d->table->x[i] + 20));
      QCOMPARE(d->py[i], static_cast<float>(4 * d->table->y[i] + 30));
    }
    QVERIFY(sorted(cells().selection()) == (std::vector<std::uint32_t>{0, 1, 2}));
    QVERIFY(!w_->isWindowModified());
  }

  void cliRenderOfTheSavedSessionEqualsTheView() {
    // Continues from the file above (z = 2, placed cells); coloured by a gene.
    QVERIFY(cells().colorByGene("GENE_A"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("GENE_A"),
                              20000);
    cells().clearSelection();  // the CLI draws no selection
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    const QString file = data_ + "/view.tessera";
    QVERIFY(w_->saveSessionTo(file));
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    const QImage view = w_->imageView()->grabFrame().convertToFormat(QImage::Format_RGB32);
    view.save(kWork + "/window-view.png");
    QProcess p;
    p.start(qEnvironmentVariable("TESSERA_EXE"),
            {"render", file, "--out", kWork + "/cli-view.png"});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const QImage cli = QImage(kWork + "/cli-view.png").convertToFormat(QImage::Format_RGB32);
    QCOMPARE(cli.size(), view.size());
    // Equal but for antialiased rims: the cells are small next to the frame, so the bar is high.
    const double share = sameShare(view, cli, 3);
    QVERIFY2(share > 0.999, qPrintable(QString::number(share)));
  }

  void movedSessionReopensIdentically() {
    const QString a = kWork + "/moved-a", b = kWork + "/moved-b";
    QDir(b).removeRecursively();
    QVERIFY(makeFixtures(a));
    QVERIFY(open(w_.get(), {a + "/stack.ome.zarr", a + "/cells.csv"}, true));
    w_->channelPanel()->zSlider()->setValue(1);
    auto displays = w_->imageView()->layer().displays();
    displays[0].end = displays[0].start + 150;
    emit w_->channelPanel()->displaysEdited(displays);
    QVERIFY(cells().colorByGene("GENE_B"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("GENE_B"),
                              20000);
    cells().applyPick({3, 4, 5}, widgets::SelectOp::Replace);
    cells().nameSelection("three");
    w_->imageView()->centerOn(80, 70, 2.0);  // the cells and the plane's square
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    QVERIFY(w_->saveSessionTo(a + "/s.tessera"));
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    const QImage before = w_->imageView()->grabFrame();
    before.save(kWork + "/moved-before.png");
    const auto shownDisplays = w_->imageView()->layer().displays();

    // Away from the window: the folder and its data move elsewhere.
    QVERIFY(open(w_.get(), {data_ + "/stack.ome.zarr"}, false));
    QVERIFY(QDir().rename(a, b));
    auto second = std::make_unique<app::MainWindow>(*ctx_);
    second->resize(w_->size());
    second->show();
    QVERIFY(QTest::qWaitForWindowExposed(second.get()));
    QVERIFY(open(second.get(), {b + "/s.tessera"}, true));
    QVERIFY(testing::waitViewComplete(second->imageView()));
    const QImage after = second->imageView()->grabFrame();
    after.save(kWork + "/moved-after.png");
    QCOMPARE(after.size(), before.size());
    const double share = sameShare(before, after, 2);
    QVERIFY2(share > 0.995, qPrintable(QString::number(share)));
    // The panels show the same state, read from the new place.
    QCOMPARE(QString::fromStdString(second->current()->input), b + "/stack.ome.zarr");
    QCOMPARE(second->channelPanel()->zSlider()->value(), 1);
    QCOMPARE(second->imageView()->layer().planeZ(), std::int64_t(1));
    auto& cs = second->cells()->session();
    QCOMPARE(cs.colorBy().name, std::string("GENE_B"));
    QVERIFY(sorted(cs.selection()) == (std::vector<std::uint32_t>{3, 4, 5}));
    QCOMPARE(cs.namedSelections().at("three").size(), 3u);
    QCOMPARE(second->imageView()->layer().displays()[0].end, shownDisplays[0].end);
    QVERIFY(!second->isWindowModified());
  }

  void categoryColoursAreInTheModelAndTheFile() {
    QVERIFY(open(w_.get(), {"demo"}, true));
    auto& cs = cells();
    QVERIFY(cs.groups());
    const std::string column = cs.groups()->name;
    cs.setCategoryColor(0, 0x123456);  // the Clusters panel's colour button
    auto colors = [&] {
      return w_->model().session().firstLayer(data::LayerKind::Cells)->cells.categoryColors;
    };
    QCOMPARE(colors()[column][0], 0x123456u);
    QCOMPARE(cs.coloring().legend.entries[0].rgb, 0x123456u);
    w_->undoAction()->trigger();
    QVERIFY(colors().empty());
    QVERIFY(cs.categoryColors().empty() || cs.categoryColors().at(column).empty());
    QVERIFY(cs.coloring().legend.entries[0].rgb != 0x123456u);
    w_->redoAction()->trigger();
    QCOMPARE(cs.coloring().legend.entries[0].rgb, 0x123456u);
    const QString file = kWork + "/colours.tessera";
    QVERIFY(w_->saveSessionTo(file));
    auto second = std::make_unique<app::MainWindow>(*ctx_);
    second->show();
    QVERIFY(QTest::qWaitForWindowExposed(second.get()));
    QVERIFY(open(second.get(), {file}, true));
    QCOMPARE(second->cells()->session().categoryColors().at(column).at(0), 0x123456u);
    QCOMPARE(second->cells()->session().coloring().legend.entries[0].rgb, 0x123456u);
  }

  // File ▸ Add… of an image: one that fits (the same planes, placed by its physical pixel size
  // on the image) joins as an image layer whose channel is drawn with the image's, as an undo
  // step, saved and reopened; one elsewhere or with other planes is refused with the reason.
  void addJoinsAFittingImage() {
    app::MainWindow w(*ctx_);
    w.resize(800, 600);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy opened(&w, &app::MainWindow::datasetOpened);
    QSignalSpy failed(&w, &app::MainWindow::openFailed);
    w.openInputs({data_ + "/stack.ome.zarr"});
    QVERIFY(opened.wait(60000));
    auto* view = w.imageView();
    // The mean of the red, green and blue values around level-0 pixel (x, y) of the image.
    auto brightness = [&](double x, double y) {
      if (!testing::waitViewComplete(view)) return -1.0;
      const QImage f = view->grabFrame();
      double sx = 0, sy = 0;
      view->camera().worldToScreen(x, y, sx, sy);
      const QColor c = f.pixelColor(static_cast<int>(sx), static_cast<int>(sy));
      return (c.red() + c.green() + c.blue()) / 3.0;
    };
    const double before = brightness(200, 128);
    QVERIFY2(before >= 0 && before < 60, qPrintable(QString::number(before)));
    const double beforeLeft = brightness(40, 200);
    w.addInput(data_ + "/flat.ome.zarr");
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.last().at(0).toString().contains(
                 "flat.ome.zarr does not fit on stack.ome.zarr: it has 1 time points and 1 z"),
             qPrintable(failed.last().at(0).toString()));
    w.addInput(data_ + "/elsewhere.ome.zarr");
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.last().at(0).toString().contains("it lies outside the image"),
             qPrintable(failed.last().at(0).toString()));
    QCOMPARE(w.model().session().datasets.size(), 1u);

    QSignalSpy added(&w, &app::MainWindow::datasetAdded);
    w.addInput(data_ + "/mask.ome.zarr");
    QVERIFY(added.wait(30000));
    QVERIFY(opened.wait(60000));  // the image is shown again with the added channel
    QCOMPARE(w.model().session().datasets.size(), 2u);
    QCOMPARE(QString::fromStdString(w.model().undoLabel()), QString("Add mask.ome.zarr"));
    QCOMPARE(view->layer().displays().size(), 2u);
    // The mask's right half (255) over the dark background; its left half adds nothing.
    QVERIFY2(brightness(200, 128) > before + 60, qPrintable(QString::number(brightness(200, 128))));
    QVERIFY(std::abs(brightness(40, 200) - beforeLeft) < 10);
    w.undoAction()->trigger();
    QVERIFY(opened.wait(60000));
    QCOMPARE(view->layer().displays().size(), 1u);
    QVERIFY(std::abs(brightness(200, 128) - before) < 10);
    w.redoAction()->trigger();
    QVERIFY(opened.wait(60000));
    QCOMPARE(view->layer().displays().size(), 2u);
    const QString file = kWork + "/with-mask.tessera";
    QVERIFY(w.saveSessionTo(file));

    app::MainWindow again(*ctx_);
    again.resize(800, 600);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QSignalSpy reopened(&again, &app::MainWindow::datasetOpened);
    again.openInputs({file});
    QVERIFY(reopened.wait(60000));
    QCOMPARE(again.imageView()->layer().displays().size(), 2u);
    QCOMPARE(again.model().session().datasets.size(), 2u);
    QCOMPARE(again.model().session().datasets[1].name, std::string("mask.ome.zarr"));
  }

  void cleanupTestCase() {
    w_.reset();
    ctx_.reset();
  }
};

QTEST_MAIN(SessionModelWindowTest)
#include "tst_session_model_window.moc"
