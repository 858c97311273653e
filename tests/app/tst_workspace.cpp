// The workspace as a facility user meets it (issue 11, item 6): the first window's size and
// place, docks closed until used, channel rows that fit their dock, the Layers dock with the
// cells' controls, the main toolbar switching the view's real tools, Help ▸ Keyboard Shortcuts
// read from the actions, a gene's colour range at its 1st–99th percentile, the scale bar on a
// dark backing, and error dialogs in the app's words. Screens are written to the test work
// folder to look at.
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTableWidget>
#include <QToolBar>
#include <QToolButton>
#include <QtTest>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/error_text.h"
#include "app/gui/main_window.h"
#include "app/gui/open_dialog.h"
#include "data/ai/processing.h"
#include "tests/support/view_wait.h"
#include "widgets/annotation_tool.h"
#include "widgets/channel_panel.h"
#include "widgets/channel_row.h"
#include "widgets/embedding_view.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"
#include "widgets/plot_axis.h"
#include "widgets/selection_tool.h"
#include "widgets/shortcuts_dialog.h"

using namespace tessera;

namespace {
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/workspace");

void shoot(QWidget* w, const QString& name) {
  QDir().mkpath(kWork);
  w->grab().save(kWork + "/" + name + ".png");
}

std::vector<render::ChannelDisplay> sixChannels() {
  std::vector<render::ChannelDisplay> ds;
  const char* names[] = {"DAPI",
                         "CD45 (PTPRC) membrane",
                         "Pan-cytokeratin AE1/AE3",
                         "alpha-smooth muscle actin",
                         "CD31 / PECAM-1 endothelium",
                         "Ki-67 proliferation marker"};
  for (int i = 0; i < 6; ++i) {
    render::ChannelDisplay d;
    d.name = names[i];
    d.color = 0x3050FFu << (i % 2);
    d.start = 100.5 * i;
    d.end = 40000.25 + i;
    ds.push_back(d);
  }
  return ds;
}
}  // namespace

class WorkspaceTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QSettings().remove("window");  // a first start: nothing saved
    ctx_ = std::make_unique<app::AppContext>(512);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QTest::qWait(200);
  }

  void firstWindowFillsMostOfTheScreen() {
    const QRect avail = QGuiApplication::primaryScreen()->availableGeometry();
    const QRect g = w_->geometry();
    QDir().mkpath(kWork);
    QGuiApplication::primaryScreen()->grabWindow(0).save(kWork + "/1-first-window.png");
    QVERIFY2(std::abs(g.width() - avail.width() * 4 / 5) <= 2,
             qPrintable(QString::number(g.width())));
    QVERIFY2(std::abs(g.height() - avail.height() * 4 / 5) <= 40,
             qPrintable(QString::number(g.height())));
    QVERIFY2((g.center() - avail.center()).manhattanLength() <= 60, "the window is centred");
    // The image view gets most of the width.
    auto* view = w_->imageView();
    QVERIFY2(view->width() > g.width() / 2,
             qPrintable(QString("%1 of %2").arg(view->width()).arg(g.width())));
  }

  void savedGeometryComesBack() {
    // Quitting saves the place; the next window comes back there, not at the default.
    w_->setGeometry(QRect(100, 80, 1000, 700));
    QTest::qWait(100);
    const QRect before = w_->geometry();
    QVERIFY(w_->close());
    app::MainWindow second(*ctx_);
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QCOMPARE(second.geometry().size(), before.size());
    QVERIFY((second.geometry().topLeft() - before.topLeft()).manhattanLength() <= 40);
    second.close();
    QSettings().remove("window");
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
  }

  void downloadsAndArchivesWaitUntilUsed() {
    for (const char* name : {"dock.downloads", "dock.archives"}) {
      auto* dock = w_->findChild<QDockWidget*>(name);
      QVERIFY2(dock && !dock->isVisible(), name);
      // View lists them; choosing one opens it.
      dock->toggleViewAction()->trigger();
      QVERIFY(dock->isVisible());
      dock->toggleViewAction()->trigger();
      QVERIFY(!dock->isVisible());
    }
  }

  void sixChannelRowsFitTheDockWithoutScrollingSideways() {
    auto* panel = w_->channelPanel();
    panel->setDisplays(sixChannels());
    QTest::qWait(100);
    auto* scroll = panel->findChild<QScrollArea*>();
    QVERIFY(scroll);
    auto check = [&](const char* what) {
      QTest::qWait(50);
      QVERIFY2(!scroll->horizontalScrollBar()->isVisible(), what);
      for (std::size_t c = 0; c < 6; ++c) {
        auto* row = panel->row(c);
        const QRect r(row->mapTo(scroll->viewport(), QPoint(0, 0)), row->size());
        QVERIFY2(r.right() <= scroll->viewport()->width(), what);
      }
    };
    check("compact rows");
    QVERIFY(!panel->row(1)->isExpanded());
    QCOMPARE(panel->row(1)->rangeText(), QStringLiteral("100.5–40001"));
    for (std::size_t c = 0; c < 6; ++c)
      panel->row(c)->setExpanded(true);
    check("expanded rows");
    shoot(w_->findChild<QDockWidget*>("dock.channels"), "2-six-channels-expanded");
    for (std::size_t c = 0; c < 6; ++c)
      panel->row(c)->setExpanded(c == 0);
    shoot(w_->findChild<QDockWidget*>("dock.channels"), "3-six-channels-compact");
  }

  void layerListHoldsTheCellsControls() {
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    QSignalSpy cells(w_.get(), &app::MainWindow::cellsLoaded);
    w_->openInputs({"demo"});
    QVERIFY(opened.wait(600000));
    QVERIFY(cells.count() > 0 || cells.wait(120000));
    QTest::qWait(200);
    const auto* layer = w_->model().session().firstLayer(data::LayerKind::Cells);
    QVERIFY(layer);
    const QString id = QString::fromStdString(layer->id);
    auto* list = w_->layerList();
    const int row = w_->cells()->overlayRow();
    QWidget* controls = w_->channelPanel()->overlayControls(row);
    QVERIFY(controls);
    QCOMPARE(list->details(id), controls);
    QVERIFY(list->isAncestorOf(controls));
    QVERIFY(!w_->channelPanel()->isAncestorOf(controls));
    QVERIFY(list->isExpanded(id));
    QTRY_VERIFY(controls->isVisible());
    // Visibility and opacity are the row's; colour-by, LUT, range and style are in the expander.
    QVERIFY(!w_->channelPanel()->overlayVisible(row)->isVisible());
    // Every layer has visibility, opacity, order and remove.
    QCOMPARE(list->layers().size(), w_->model().session().layers.size());
    for (const auto& r : list->layers()) {
      auto* rowWidget = list->findChild<QWidget*>("layer." + r.id);
      QVERIFY(rowWidget);
      for (const char* part : {"visible", "opacity", "up", "down", "remove"})
        QVERIFY2(rowWidget->findChild<QWidget*>(part), part);
    }
    shoot(w_->findChild<QDockWidget*>("dock.layers"), "4-layers-dock");
    // Down on the top row moves that layer one place down the drawing order.
    const QString top = list->layers().front().id;
    list->findChild<QWidget*>("layer." + top)->findChild<QToolButton*>("down")->click();
    QTRY_COMPARE(list->layers().at(1).id, top);
    const auto& ls = w_->model().session().layers;
    QCOMPARE(QString::fromStdString(ls[ls.size() - 2].id), top);
    w_->model().undo();
    QTRY_COMPARE(list->layers().front().id, top);
    QCOMPARE(list->details(id), controls);  // kept across the list's rebuilds
  }

  void toolbarSwitchesTheViewsTools() {
    auto* bar = w_->findChild<QToolBar*>("mainToolbar");
    QVERIFY(bar && bar->isVisible());
    QVERIFY(!w_->findChild<QToolBar*>("annotateToolbar"));
    auto action = [&](const char* name) {
      auto* a = w_->findChild<QAction*>(name);
      return a && bar->actions().contains(a) ? a : nullptr;
    };
    for (const char* name : {"selectPan", "selectBox", "selectLasso", "annotateRectangle",
                             "annotatePolygon", "annotateText"})
      QVERIFY2(action(name), name);
    auto* tool = w_->findChild<app::AnnotationsController*>()->tool();
    auto* view = w_->imageView();
    QVERIFY(action("selectPan")->isChecked());
    action("selectBox")->trigger();
    QCOMPARE(view->selectionTool()->shape(), widgets::SelectionShape::Box);
    action("annotateRectangle")->trigger();
    QCOMPARE(tool->tool(), std::optional(data::AnnotationKind::Rectangle));
    QCOMPARE(view->selectionTool()->shape(), widgets::SelectionShape::None);
    QVERIFY(!action("selectBox")->isChecked());
    action("selectLasso")->trigger();
    QCOMPARE(view->selectionTool()->shape(), widgets::SelectionShape::Lasso);
    QVERIFY(!tool->tool().has_value());
    QVERIFY(!action("annotateRectangle")->isChecked());
    action("selectPan")->trigger();
    QCOMPARE(view->selectionTool()->shape(), widgets::SelectionShape::None);
    QVERIFY(!tool->tool().has_value());
    QVERIFY(action("selectPan")->isChecked());
    for (auto* a : bar->actions())
      if (a != action("selectPan")) QVERIFY2(!a->isChecked(), qPrintable(a->objectName()));
    shoot(bar, "5-toolbar");
  }

  void shortcutsDialogListsTheActionsKeys() {
    QAction* help = nullptr;
    for (auto* a : w_->findChildren<QAction*>())
      if (a->text().remove('&') == "Keyboard Shortcuts") help = a;
    QVERIFY(help);
    help->trigger();
    auto* dialog = w_->findChild<widgets::ShortcutsDialog*>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    QDir().mkpath(kWork);
    dialog->grab().save(kWork + "/6-shortcuts.png");
    // Every action's key is in the table, next to its name.
    auto* table = dialog->table();
    QStringList rows;
    for (int r = 0; r < table->rowCount(); ++r)
      rows << table->item(r, 0)->text() + " = " + table->item(r, 1)->text();
    int checked = 0;
    for (auto* a : w_->findChildren<QAction*>())
      for (const auto& key : a->shortcuts()) {
        const QString want = key.toString(QKeySequence::NativeText) + " = " +
                             a->text().remove('&').remove(QStringLiteral("…"));
        QVERIFY2(rows.contains(want), qPrintable(want));
        ++checked;
      }
    QVERIFY(checked > 15);
    // Redo's text names the step it would redo ("Redo Move layer") when there is one.
    for (const char* want : {"Ctrl+O = Open File", "B = Box select", "R = Rectangle",
                             "Ctrl+Shift+Z = Redo", "F1 = Keyboard Shortcuts"})
      QVERIFY2(std::any_of(rows.begin(), rows.end(),
                           [&](const QString& r) { return r.startsWith(QLatin1String(want)); }),
               want);
    dialog->close();
  }

  void geneColouringSpansTheFirstToNinetyNinthPercentile() {
    auto& cs = w_->cells()->session();
    QVERIFY(cs.colorByGene("KDR"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("KDR"),
                              20000);
    const auto d = cs.data();
    auto values = app::geneValuesNow(*d, d->table->geneIndex("KDR"));
    QVERIFY(values.has_value());
    const float max = *std::max_element(values->begin(), values->end());
    const double p1 = data::ai::percentile(*values, 1), p99 = data::ai::percentile(*values, 99);
    const auto& legend = w_->cells()->imageOverlay()->legend();
    QCOMPARE(legend.min, p1);
    QCOMPARE(legend.max, p99);
    QVERIFY2(legend.max < max, qPrintable(QString("%1 vs max %2").arg(legend.max).arg(max)));
    QTest::qWait(300);
    QGuiApplication::primaryScreen()->grabWindow(0).save(kWork + "/7-kdr-percentiles.png");
  }

  void embeddingShowsAxes() {
    auto* e = w_->embeddingView();
    e->requestRender();
    QTRY_VERIFY(!e->xAxis()->ticks().empty() && !e->yAxis()->ticks().empty());
    QCOMPARE(e->xAxis()->name(), QStringLiteral("UMAP 1"));
    QCOMPARE(e->yAxis()->name(), QStringLiteral("UMAP 2"));
    // Round ticks, in order along each strip: x grows rightwards, y upwards.
    for (auto* axis : {e->xAxis(), e->yAxis()}) {
      const auto ticks = axis->ticks();
      QVERIFY(ticks.size() >= 2);
      for (std::size_t i = 1; i < ticks.size(); ++i) {
        QVERIFY(ticks[i].value > ticks[i - 1].value);
        QVERIFY(axis == e->xAxis() ? ticks[i].pos > ticks[i - 1].pos
                                   : ticks[i].pos < ticks[i - 1].pos);
      }
    }
  }

  void embeddingPicksTheBasis() {
    auto* e = w_->embeddingView();
    auto* box = e->basisBox();
    QVERIFY(box->isVisible());
    QStringList bases;
    for (int i = 0; i < box->count(); ++i)
      bases << box->itemText(i);
    QVERIFY2(bases.contains("X_umap") && bases.contains("spatial"), qPrintable(bases.join(',')));
    QCOMPARE(box->currentText(), QStringLiteral("X_umap"));
    auto& cs = w_->cells()->session();
    const auto coloured = cs.colorBy().name;
    cs.applyPick({1, 2, 3}, widgets::SelectOp::Replace);
    box->setCurrentText("spatial");
    emit box->textActivated("spatial");  // as the user's pick does
    QCOMPARE(cs.data()->embeddingKey, std::string("spatial"));
    for (const auto& emb : cs.data()->table->embeddings)
      if (emb.key == "spatial") {
        QCOMPARE(cs.data()->ex[5], emb.values[2 * 5]);
        QCOMPARE(cs.data()->ey[5], -emb.values[2 * 5 + 1]);  // up is up
      }
    // The same cells, colouring and selection, now placed by their positions.
    QCOMPARE(cs.colorBy().name, coloured);
    QCOMPARE(cs.selection().size(), 3u);
    QCOMPARE(e->xAxis()->name(), QStringLiteral("spatial 1"));
    QTRY_VERIFY(!e->xAxis()->ticks().empty() && e->xAxis()->ticks().back().value > 1000);
    QTest::qWait(300);
    QGuiApplication::primaryScreen()->grabWindow(0).save(kWork + "/11-embedding-spatial.png");
    emit box->textActivated("X_umap");
    QCOMPARE(cs.data()->embeddingKey, std::string("X_umap"));
    QCOMPARE(e->xAxis()->name(), QStringLiteral("UMAP 1"));
    cs.clearSelection();
  }

  void scaleBarTextSitsOnADarkBacking() {
    auto* view = w_->imageView();
    view->centerOn(4096, 4096, 0.25);  // tissue under the whole view
    QVERIFY(testing::waitViewComplete(view));
    const QImage frame = view->grabFrame();
    frame.save(kWork + "/8-scale-bar.png");
    // The bar: white from x = 20, 5 px tall from 20 px above the bottom edge (y up), with a
    // black rim of 2 px; its label centred above it on a dark box.
    const int h = frame.height(), y = h - 1 - 22;
    auto maxOf = [&](int x, int yy) {
      const QColor c = frame.pixelColor(x, yy);
      return std::max({c.red(), c.green(), c.blue()});
    };
    int len = 0;
    while (20 + len < frame.width() && maxOf(20 + len, y) >= 250)
      ++len;
    QVERIFY2(len > 30, qPrintable(QString::number(len)));
    for (int x : {18, 19, 20 + len, 21 + len})
      QVERIFY2(maxOf(x, y) <= 10, qPrintable(QString("rim at x %1: %2").arg(x).arg(maxOf(x, y))));
    int white = 0, dark = 0, other = 0;
    const int cx = 20 + len / 2;
    for (int yy = h - 1 - 46; yy <= h - 1 - 34; ++yy)
      for (int x = cx - 12; x <= cx + 12; ++x) {
        const int m = maxOf(x, yy);
        (m >= 200 ? white : m <= 0.41 * 255 ? dark : other) += 1;
      }
    QVERIFY2(white > 10 && dark > 3 * other,
             qPrintable(QString("white %1 dark %2 other %3").arg(white).arg(dark).arg(other)));
  }

  void errorDialogsUseTheAppsWords() {
    // A truncated h5ad: HDF5 says "sblock->base_addr"; the dialog says the file is cut short.
    QDir().mkpath(kWork);
    const QString full = kWork + "/full.h5ad", cut = kWork + "/truncated.h5ad";
    QFile::remove(full);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c",
                              "import anndata, numpy as np; anndata.AnnData(np.ones((200, "
                              "50), dtype='float32')).write_h5ad('" +
                                  full + "')"});
    QVERIFY(py.waitForFinished(120000) && py.exitCode() == 0);
    QFile in(full);
    QVERIFY(in.open(QIODevice::ReadOnly));
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(in.read(in.size() / 3));
    out.close();
    QSignalSpy failed(w_.get(), &app::MainWindow::openFailed);
    w_->openInputs({cut});
    QVERIFY(failed.wait(60000));
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = w_->findChild<QMessageBox*>()) != nullptr);
    QVERIFY(QTest::qWaitForWindowExposed(box));
    box->grab().save(kWork + "/9-error.png");
    QVERIFY2(box->text().contains("truncated.h5ad"), qPrintable(box->text()));
    QVERIFY2(box->text().contains("cut short"), qPrintable(box->text()));
    for (const char* internal : {"sblock", "base_addr", "stored_eof", "->"})
      QVERIFY2(!box->text().contains(internal), qPrintable(box->text()));
    QVERIFY2(box->detailedText().contains("sblock->base_addr"), qPrintable(box->detailedText()));
    box->close();
    // Messages without a library's internals stay as they are, with no Details.
    const auto plain = app::splitErrorText("x.json: not valid JSON at line 3");
    QCOMPARE(plain.text, QStringLiteral("x.json: not valid JSON at line 3"));
    QVERIFY(plain.details.isEmpty());
  }

  void openDialogTakesAZarrFolder() {
    const QString zarr = QStringLiteral(TESSERA_TEST_DATA_DIR "/ome-zarr/blobs_v04.ome.zarr");
    const QString parent = QFileInfo(zarr).absolutePath();
    QVERIFY(app::isZarrFolder(zarr));
    QVERIFY(!app::isZarrFolder(parent));
    // Selecting the folder (or typing its name) and Open takes the folder.
    std::unique_ptr<QFileDialog> dialog(app::makeOpenDialog(w_.get(), parent));
    dialog->open();
    QVERIFY(QTest::qWaitForWindowExposed(dialog.get()));
    dialog->grab().save(kWork + "/10-open-dialog.png");
    // The user types (or clicks) the folder's name, then Open.
    auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    QVERIFY(name);
    name->setText(QFileInfo(zarr).fileName());
    QVERIFY(QMetaObject::invokeMethod(dialog.get(), "accept"));
    QVERIFY2(dialog->result() == QDialog::Accepted, qPrintable(dialog->selectedFiles().join(',')));
    QCOMPARE(app::chosenPath(*dialog), zarr);
    // Entering it (a double-click) takes it too; a plain folder is browsed as usual.
    dialog.reset(app::makeOpenDialog(w_.get(), parent));
    dialog->open();
    emit dialog->directoryEntered(parent);
    QVERIFY(dialog->isVisible());
    emit dialog->directoryEntered(zarr);
    QCOMPARE(dialog->result(), int(QDialog::Accepted));
    QCOMPARE(app::chosenPath(*dialog), zarr);
    // Starting in a store starts beside it.
    dialog.reset(app::makeOpenDialog(w_.get(), zarr));
    QCOMPARE(QFileInfo(dialog->directory().absolutePath()), QFileInfo(parent));
  }

  void cleanupTestCase() {
    w_.reset();
    ctx_.reset();
  }
};

QTEST_MAIN(WorkspaceTest)
#include "tst_workspace.moc"
