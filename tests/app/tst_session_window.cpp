// The window shows one session at a time. Each leak the session issue lists is replayed and,
// after each step, the legend, gene list, overlays, labels and title must belong to the new
// dataset only; a failed open leaves everything as it was; a table that does not fit the image is
// refused. Then: save → a new window opens the file → same pixels and panel state; undo/redo of
// channel and colour-by edits. Frames are written to the test work folder to look at.
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "tests/support/view_wait.h"
#include "widgets/channel_panel.h"
#include "widgets/genes_panel.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"

using namespace tessera;

namespace {

const QString kTiff = QStringLiteral(TESSERA_TEST_DATA_DIR "/ome-tiff/multi-channel.ome.tif");
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/session_window");

bool waitComplete(widgets::ImageView* view) {
  // The frame with the last tiles, and the cells drawn over it.
  return testing::waitViewComplete(view, 120000, 300);
}

bool open(app::MainWindow* w, const QStringList& inputs, bool withCells) {
  QSignalSpy opened(w, &app::MainWindow::datasetOpened);
  QSignalSpy cells(w, &app::MainWindow::cellsLoaded);
  w->openInputs(inputs);
  if (!opened.wait(600000)) return false;
  if (withCells && !cells.wait(120000)) return false;
  QTest::qWait(100);  // the session file's cells state is applied after the table loads
  return true;
}

bool legendEmpty(app::MainWindow* w) {
  for (auto* o : {w->cells()->imageOverlay(), w->cells()->embeddingOverlay()})
    if (!o->legend().title.empty() || !o->legend().entries.empty()) return false;
  return true;
}

void shoot(app::MainWindow* w, const QString& name) {
  QDir().mkpath(kWork);
  w->grab().save(kWork + "/" + name + ".png");
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

}  // namespace

class SessionWindowTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  QString demoCells_;

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    ctx_ = std::make_unique<app::AppContext>(512);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1200, 800);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
  }

  void workspaceDefaults() {
    // Help ▸ Keyboard Shortcuts lists the menus' own shortcuts.
    const QString keys = w_->shortcutsText();
    for (const char* k : {"Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+S", "Ctrl+O"})
      QVERIFY2(keys.contains(k), k);
    QVERIFY(keys.contains("Save Session"));
    // The Downloads dock waits until something is downloaded.
    auto* downloads = w_->findChild<QDockWidget*>("dock.downloads");
    QVERIFY(downloads && !downloads->isVisible());
  }

  void demoColouredByKdrThenTiff() {
    QVERIFY(open(w_.get(), {"demo"}, true));
    demoCells_ = QString::fromStdString(w_->current()->cells->string());
    QVERIFY(w_->cells()->session().colorByGene("KDR"));
    // The gene's values arrive from the expression engine asynchronously.
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("KDR"),
                              20000);
    QVERIFY(w_->genesPanel()->visibleCount() > 0);
    QVERIFY(w_->windowTitle().contains("Demo tissue"));
    shoot(w_.get(), "1-demo-kdr");

    QVERIFY(open(w_.get(), {kTiff}, false));
    QVERIFY(waitComplete(w_->imageView()));
    shoot(w_.get(), "2-tiff-after-demo");
    QVERIFY(legendEmpty(w_.get()));
    QCOMPARE(w_->genesPanel()->visibleCount(), 0);
    QCOMPARE(w_->channelPanel()->overlayCount(), 0);
    QVERIFY(!w_->cells()->session().data());
    QVERIFY(w_->windowTitle().contains("multi-channel.ome.tif"));
    QVERIFY(!w_->windowTitle().contains("Demo"));
    QCOMPARE(w_->imageView()->layer().displays().size(), 3u);
    QCOMPARE(w_->model().session().datasets.size(), 1u);
    QVERIFY(!w_->model().session().firstLayer(data::LayerKind::Cells));
  }

  void spatialDataThenAnotherImage() {
    const QString store = kWork + "/sample.zarr";
    QDir(store).removeRecursively();
    QDir().mkpath(kWork);
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata_view.py",
              store});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    QVERIFY(open(w_.get(), {store}, true));
    QVERIFY(w_->imageView()->labels());
    QVERIFY(w_->channelPanel()->overlayCount() > 0);
    shoot(w_.get(), "3-spatialdata");

    // The Layers dock lists the session's layers, top of the drawing first, and edits them
    // through the model (undoable).
    // The annotations are on top; they have no dataset and stay (not removable).
    const auto all = w_->layerList()->layers();
    QCOMPARE(all.size(), 4u);
    QCOMPARE(all[0].kind, QString("annotations"));
    QVERIFY(!all[0].removable);
    const std::vector<widgets::LayerRow> rows(all.begin() + 1, all.end());
    QCOMPARE(rows[0].kind, QString("cells"));
    QCOMPARE(rows[1].kind, QString("labels"));
    QCOMPARE(rows[2].kind, QString("image"));
    QVERIFY(!rows[2].removable);
    emit w_->layerList()->opacityEdited(rows[0].id, 0.3);
    const int row = w_->cells()->overlayRow();
    QVERIFY(row >= 0);
    QCOMPARE(w_->channelPanel()->overlayOpacity(row)->value(), 30);
    emit w_->layerList()->removeRequested(rows[1].id);
    QVERIFY(!w_->imageView()->labels());
    QCOMPARE(w_->layerList()->layers().size(), 3u);
    w_->undoAction()->trigger();
    QVERIFY(w_->imageView()->labels());
    QCOMPARE(w_->layerList()->layers().size(), 4u);
    w_->undoAction()->trigger();
    QCOMPARE(w_->channelPanel()->overlayOpacity(row)->value(), 100);

    QVERIFY(open(w_.get(), {kTiff}, false));
    shoot(w_.get(), "4-tiff-after-spatialdata");
    QVERIFY(!w_->imageView()->labels());
    QVERIFY(legendEmpty(w_.get()));
    QCOMPARE(w_->genesPanel()->visibleCount(), 0);
    QCOMPARE(w_->channelPanel()->overlayCount(), 0);
    QVERIFY(w_->windowTitle().contains("multi-channel.ome.tif"));
  }

  void tableThatDoesNotFitIsRefused() {
    QVERIFY(!demoCells_.isEmpty());
    QSignalSpy failed(w_.get(), &app::MainWindow::openFailed);
    QVERIFY(open(w_.get(), {kTiff, demoCells_}, false));
    QVERIFY(failed.count() > 0 || failed.wait(10000));
    const QString why = failed.last().at(0).toString();
    QVERIFY2(why.contains("cells.h5ad does not fit on multi-channel.ome.tif"), qPrintable(why));
    QTest::qWait(300);
    QVERIFY(!w_->cells()->session().data());
    QCOMPARE(w_->channelPanel()->overlayCount(), 0);
    QVERIFY(legendEmpty(w_.get()));
    QCOMPARE(w_->model().session().datasets.size(), 1u);
    shoot(w_.get(), "5-tiff-table-refused");

    // The table by itself replaces the image: no spots over an unrelated TIFF.
    QVERIFY(open(w_.get(), {demoCells_}, true));
    QVERIFY(!w_->imageView()->layer().info());
    QVERIFY(w_->genesPanel()->visibleCount() > 0);
    QVERIFY(w_->windowTitle().contains("cells.h5ad"));
    shoot(w_.get(), "6-table-alone");
  }

  void failedOpenLeavesTheSessionIntact() {
    QVERIFY(open(w_.get(), {kTiff}, false));
    const QString title = w_->windowTitle();
    const auto* before = w_->current();
    const data::Session session = w_->model().session();
    QSignalSpy failed(w_.get(), &app::MainWindow::openFailed);
    w_->openInputs({kWork + "/no-such-image.ome.tif"});
    QVERIFY(failed.wait(30000));
    QVERIFY(failed.last().at(0).toString().contains("no-such-image.ome.tif"));
    QCOMPARE(w_->windowTitle(), title);
    QCOMPARE(w_->current(), before);
    QVERIFY(w_->model().session() == session);
    QVERIFY(w_->imageView()->layer().info());
    // A broken session file fails the same way, naming the line.
    QDir().mkpath(kWork);
    QFile cut(kWork + "/cut.tessera");
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write("{\n\"tessera_session\": 1,\n\"datasets\": [");
    cut.close();
    w_->openInputs({cut.fileName()});
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.last().at(0).toString().contains("cut.tessera: not valid JSON at line 3"),
             qPrintable(failed.last().at(0).toString()));
    QCOMPARE(w_->windowTitle(), title);
  }

  void undoRedoChannelsAndColourBy() {
    QSettings().remove("datasets");  // the demo's colouring remembered from the first step
    QVERIFY(open(w_.get(), {"demo"}, true));
    auto& model = w_->model();
    QVERIFY(!model.canUndo());
    QVERIFY(!w_->isWindowModified());
    const auto before = w_->imageView()->layer().displays();
    auto edited = before;
    edited[0].end = edited[0].start + 1234;
    emit w_->channelPanel()->displaysEdited(edited);
    QCOMPARE(w_->imageView()->layer().displays()[0].end, edited[0].end);
    QVERIFY(w_->cells()->session().colorByGene("KDR"));
    // The colouring reaches the model once the gene's values have arrived.
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("KDR"),
                              20000);
    QVERIFY(model.canUndo());
    QVERIFY(w_->isWindowModified());
    QVERIFY(w_->windowTitle().contains("[*]"));  // where Qt draws the unsaved mark

    w_->undoAction()->trigger();  // the colouring
    QTRY_VERIFY_WITH_TIMEOUT(w_->cells()->session().colorBy().kind != app::ColorBy::Kind::Gene,
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title != "KDR", 20000);
    w_->undoAction()->trigger();  // the channel window
    QCOMPARE(w_->imageView()->layer().displays()[0].end, before[0].end);
    QVERIFY(!model.canUndo());
    QVERIFY(!w_->isWindowModified());
    w_->redoAction()->trigger();
    QCOMPARE(w_->imageView()->layer().displays()[0].end, edited[0].end);
    w_->redoAction()->trigger();
    QCOMPARE(w_->cells()->session().colorBy().name, std::string("KDR"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("KDR"),
                              20000);
  }

  void saveCloseOpenShowsTheSame() {
    // Continues from the previous step: demo, a channel window, coloured by KDR; now zoomed in.
    w_->imageView()->centerOn(4100, 4000, 0.5);
    QVERIFY(waitComplete(w_->imageView()));
    // A named selection is part of the session.
    auto& cs = w_->cells()->session();
    cs.applyPick({1, 2, 3}, widgets::SelectOp::Replace);
    cs.nameSelection("three");
    cs.clearSelection();
    QCOMPARE(w_->model().session().selections.at("three").size(), 3u);
    const QString file = kWork + "/demo-kdr.tessera";
    QFile::remove(file);
    QVERIFY(w_->saveSessionTo(file));
    QVERIFY(!w_->isWindowModified());
    QVERIFY(w_->windowTitle().contains("demo-kdr.tessera"));
    QVERIFY(waitComplete(w_->imageView()));
    const QImage a = w_->imageView()->grabFrame();
    a.save(kWork + "/7-saved.png");
    const auto displays = w_->imageView()->layer().displays();

    auto second = std::make_unique<app::MainWindow>(*ctx_);
    second->resize(w_->size());
    second->show();
    QVERIFY(QTest::qWaitForWindowExposed(second.get()));
    QVERIFY(open(second.get(), {file}, true));
    QVERIFY(waitComplete(second->imageView()));
    const QImage b = second->imageView()->grabFrame();
    b.save(kWork + "/8-reopened.png");
    QCOMPARE(b.size(), a.size());
    const double share = sameShare(a, b, 2);
    QVERIFY2(share > 0.995, qPrintable(QString::number(share)));
    QCOMPARE(second->cells()->session().colorBy().name, std::string("KDR"));
    QCOMPARE(second->cells()->session().namedSelections().at("three").size(), 3u);
    QVERIFY(second->cells()->session().selection().empty());
    QCOMPARE(second->imageView()->layer().displays().size(), displays.size());
    for (std::size_t c = 0; c < displays.size(); ++c) {
      QCOMPARE(second->imageView()->layer().displays()[c].start, displays[c].start);
      QCOMPARE(second->imageView()->layer().displays()[c].end, displays[c].end);
      QCOMPARE(second->imageView()->layer().displays()[c].color, displays[c].color);
    }
    QVERIFY(!second->isWindowModified());
    QCOMPARE(second->sessionFile(), QFileInfo(file).absoluteFilePath());
    QVERIFY(second->windowTitle().contains("demo-kdr.tessera"));
  }

  void cleanupTestCase() {
    w_.reset();
    ctx_.reset();
  }
};

QTEST_MAIN(SessionWindowTest)
#include "tst_session_window.moc"
