// The linked loop in a real window under Xvfb: cells over the demo image, gene colouring at
// known pixels, lasso selection feeding the markers table, cluster toggles, the embedding and
// the sidecar. The Visium sample is tst_visium_view.
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTreeWidget>
#include <QtTest>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/cells/cells_data.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "tests/support/view_wait.h"
#include "widgets/channel_panel.h"
#include "widgets/clusters_panel.h"
#include "widgets/embedding_view.h"
#include "widgets/genes_panel.h"
#include "widgets/image_view.h"
#include "widgets/markers_panel.h"
#include "widgets/profile_panel.h"
#include "widgets/selection_tool.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

namespace {
bool waitComplete(widgets::ImageView* view) {
  return testing::waitViewComplete(view);
}
using testing::rgbOf;
int distance(QColor a, QColor b) {
  return testing::colorDistance(a, b);
}
}  // namespace

class LinkedViewsTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-linked");
    QSettings().remove("datasets");  // no panel state saved by earlier runs
    ctx_ = std::make_unique<app::AppContext>(512);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy cells(window_.get(), &app::MainWindow::cellsLoaded);
    window_->openInputs({"demo"});
    QVERIFY(cells.wait(600000));
    session_ = &window_->cells()->session();
    QVERIFY(session_->data());
    QVERIFY(session_->data()->size() > 50000);
  }

  void cellsAreDrawnOverTheImageWithALegend() {
    auto* view = window_->imageView();
    view->fit();
    QVERIFY(waitComplete(view));
    QTest::qWait(300);
    QGuiApplication::primaryScreen()->grabWindow(0).save(
        QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_demo_screen.png"));
    const auto& legend = session_->coloring().legend;
    QCOMPARE(QString::fromStdString(legend.title), QStringLiteral("cluster"));
    QVERIFY(legend.entries.size() >= 4);
    QVERIFY(window_->channelPanel()->overlayCount() == 1);
    // The legend sits in the top-right corner: a swatch of each category's colour.
    const QImage frame = view->grabFrame();
    frame.copy(frame.width() - 260, 0, 260, 260)
        .scaled(520, 520)
        .save(QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_legend.png"));
    for (int i : {0, 2, 5}) {
      const QColor swatch = frame.pixelColor(frame.width() - 186, 29 + (i + 1) * 18);
      const QColor expected = rgbOf(legend.entries[static_cast<std::size_t>(i)].rgb);
      QVERIFY2(distance(swatch, expected) < 30,
               qPrintable(QString("%1 vs %2").arg(swatch.name(), expected.name())));
    }
  }

  void geneSearchFiltersAsYouType() {
    auto* genes = window_->genesPanel();
    const int all = genes->visibleCount();
    QCOMPARE(all, static_cast<int>(session_->data()->table->geneNames.size()));
    genes->searchBox()->clear();
    QTest::keyClicks(genes->searchBox(), "CD");
    const int cd = genes->visibleCount();
    int expected = 0;
    for (const auto& g : session_->data()->table->geneNames)
      expected += QString::fromStdString(g).contains("CD", Qt::CaseInsensitive);
    QCOMPARE(cd, expected);
    QVERIFY(cd > 0 && cd < all);
    for (int r = 0; r < cd; ++r)
      QVERIFY(genes->visibleGene(r).contains("CD", Qt::CaseInsensitive));
    genes->searchBox()->clear();
    QTest::keyClicks(genes->searchBox(), "NOSUCHGENE");
    QCOMPARE(genes->visibleCount(), 0);
    QVERIFY2(genes->statusText().contains("NOSUCHGENE"), qPrintable(genes->statusText()));
    genes->searchBox()->clear();
    QCOMPARE(genes->visibleCount(), all);
  }

  void clickingAGeneColoursCellsAtTheirPixels() {
    auto* genes = window_->genesPanel();
    const auto d = session_->data();
    // The gene with the highest mean: cells both high and zero exist.
    genes->searchBox()->setText("CD3E");
    QVERIFY(genes->visibleCount() >= 1);
    const QString gene = genes->visibleGene(0);
    const QRect rect = genes->table()->visualRect(genes->table()->model()->index(0, 0));
    QTest::mouseClick(genes->table()->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(QString::fromStdString(session_->colorBy().name), gene);
    // The gene's values come from the engine in the background.
    QTRY_VERIFY_WITH_TIMEOUT(session_->coloring().legend.continuous &&
                                 session_->coloring().legend.title == gene.toStdString(),
                             20000);
    // The profile shows the gene by cluster: CD3E is highest in T cells.
    QTRY_COMPARE_WITH_TIMEOUT(window_->profilePanel()->profiles().size(), 1u, 20000);
    const auto& profiles = window_->profilePanel()->profiles();
    QCOMPARE(profiles[0].gene, gene);
    const auto* groups = session_->groups();
    QCOMPARE(profiles[0].groups.size(), groups->categories.size());
    const auto best =
        std::max_element(profiles[0].groups.begin(), profiles[0].groups.end(),
                         [](const auto& a, const auto& b) { return a.mean < b.mean; });
    QCOMPARE(best->label, QStringLiteral("T cell"));
    const auto tcell = static_cast<int>(best - profiles[0].groups.begin());
    const auto values = *app::geneValuesNow(*d, d->table->geneIndex(gene.toStdString()));
    double sum = 0, count = 0;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (groups->codes[i] == tcell) sum += values[i], count += 1;
    QVERIFY(std::abs(best->mean - sum / count) < 1e-4);
    // Filled cells at full opacity so that a cell's centre pixel is its colour.
    window_->cells()->imageOverlay()->setStyle(app::CellStyle::Filled);
    auto* view = window_->imageView();
    int checked = 0;
    for (bool high : {true, false}) {
      std::size_t pick = 0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const bool inside = d->px[i] > 500 && d->py[i] > 500 && d->px[i] < 7700 && d->py[i] < 7700;
        if (inside && ((high && values[i] >= values[pick]) || (!high && values[i] == 0))) {
          pick = i;
          if (!high) break;
        }
      }
      view->centerOn(d->px[pick], d->py[pick], 2.0);
      QVERIFY(waitComplete(view));
      const QImage frame = view->grabFrame();
      frame.save(
          QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_gene_%1.png").arg(high ? "high" : "zero"));
      const auto expected = rgbOf(render::itemColor(session_->coloring().coloring, pick));
      const QColor got = frame.pixelColor(frame.width() / 2, frame.height() / 2);
      QVERIFY2(distance(got, expected) < 40,
               qPrintable(QString("cell %1 value %2: got %3 expected %4")
                              .arg(pick)
                              .arg(values[pick])
                              .arg(got.name(), expected.name())));
      ++checked;
    }
    QCOMPARE(checked, 2);
  }

  void lassoSelectsCellsAndFillsMarkers() {
    const auto d = session_->data();
    // A lasso (a hexagon) around the centre of the tissue, in image pixels.
    std::vector<widgets::Vec2> poly;
    for (int k = 0; k < 6; ++k)
      poly.push_back({4096 + 1500 * std::cos(k * M_PI / 3), 4096 + 1500 * std::sin(k * M_PI / 3)});
    std::size_t expected = 0;
    for (std::size_t i = 0; i < d->px.size(); ++i)
      expected += widgets::pointInPolygon(poly, d->px[i], d->py[i]);
    QVERIFY(expected > 1000);
    QSignalSpy ready(session_, &app::CellsSession::markersReady);
    emit window_->imageView()->selectionDrawn(poly, widgets::SelectOp::Replace);
    QCOMPARE(session_->selection().size(), expected);
    QVERIFY(ready.wait(60000));
    auto* markers = window_->markersPanel();
    QVERIFY(markers->rowCount() > 10);
    QVERIFY(window_->profilePanel()->profiles().at(0).inOut.has_value());
    QVERIFY(!markers->gene(0).isEmpty());
    // Alt subtracts, Shift adds.
    std::vector<widgets::Vec2> small;
    for (int k = 0; k < 6; ++k)
      small.push_back({4096 + 300 * std::cos(k * M_PI / 3), 4096 + 300 * std::sin(k * M_PI / 3)});
    std::size_t inner = 0;
    for (std::size_t i = 0; i < d->px.size(); ++i)
      inner += widgets::pointInPolygon(small, d->px[i], d->py[i]);
    emit window_->imageView()->selectionDrawn(small, widgets::SelectOp::Subtract);
    QCOMPARE(session_->selection().size(), expected - inner);
    emit window_->imageView()->selectionDrawn(small, widgets::SelectOp::Add);
    QCOMPARE(session_->selection().size(), expected);
    // The embedding shows the same selection: its overlay holds the same indices.
    QVERIFY(window_->embeddingView()->grabFrame().width() > 0);
    window_->imageView()->fit();
    QVERIFY(waitComplete(window_->imageView()));
    QGuiApplication::primaryScreen()->grabWindow(0).save(
        QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_selection_screen.png"));
    // Markers export.
    const QString csv = QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_markers.csv");
    QVERIFY(markers->exportCsv(csv));
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString(f.readLine()).trimmed(), QStringLiteral("gene,score,log2fc,pvalue,padj"));
  }

  void ctrlDragLassoesAndShiftBoxAdds() {
    auto* view = window_->imageView();
    view->fit();
    QVERIFY(waitComplete(view));
    auto* gl = view->glWindow();
    const QPoint c(gl->width() / 2, gl->height() / 2);
    // A square drawn with Ctrl held: a lasso replacing the selection.
    const std::vector<QPoint> path{c + QPoint(-80, -60), c + QPoint(80, -60), c + QPoint(80, 60),
                                   c + QPoint(-80, 60)};
    QSignalSpy drawnSpy(view, &widgets::ImageView::selectionDrawn);
    const int widthBefore = gl->width();
    QTest::mousePress(gl, Qt::LeftButton, Qt::ControlModifier, path[0]);
    for (std::size_t k = 1; k < path.size(); ++k)
      for (int s = 1; s <= 10; ++s)
        QTest::mouseMove(gl, path[k - 1] + (path[k] - path[k - 1]) * s / 10);
    QTest::mouseRelease(gl, Qt::LeftButton, Qt::ControlModifier, path.back());
    std::vector<widgets::Vec2> world;
    for (const auto& p : path) {
      widgets::Vec2 w;
      view->camera().screenToWorld(p.x(), p.y(), w.x, w.y);
      world.push_back(w);
    }
    const auto expected =
        session_->data()->spatialGrid.get().inPolygon(world, session_->hiddenMask());
    QCOMPARE(drawnSpy.count(), 1);
    // Selecting (and the markers it starts) must not resize the view under the user.
    QTest::qWait(200);
    QCOMPARE(gl->width(), widthBefore);
    QVERIFY(expected.size() > 100);
    QCOMPARE(session_->selection().size(), expected.size());
    // The box tool with Shift adds a box elsewhere.
    view->setSelectionShape(widgets::SelectionShape::Box);
    const QPoint a = c + QPoint(120, 80), b = c + QPoint(200, 140);
    QTest::mousePress(gl, Qt::LeftButton, Qt::ShiftModifier, a);
    QTest::mouseMove(gl, b);
    QTest::mouseRelease(gl, Qt::LeftButton, Qt::ShiftModifier, b);
    view->setSelectionShape(widgets::SelectionShape::None);
    widgets::Vec2 wa, wb;
    view->camera().screenToWorld(a.x(), a.y(), wa.x, wa.y);
    view->camera().screenToWorld(b.x(), b.y(), wb.x, wb.y);
    const auto box = session_->data()->spatialGrid.get().inBox(wa, wb, session_->hiddenMask());
    QCOMPARE(session_->selection().size(),
             widgets::combineSelection(expected, box, widgets::SelectOp::Add).size());
    // A plain drag still pans and leaves the selection alone.
    const auto before = session_->selection().size();
    const double cx = view->camera().centerX();
    QTest::mousePress(gl, Qt::LeftButton, {}, c);
    QTest::mouseMove(gl, c + QPoint(50, 0));
    QTest::mouseRelease(gl, Qt::LeftButton, {}, c + QPoint(50, 0));
    QCOMPARE(session_->selection().size(), before);
    QVERIFY(view->camera().centerX() < cx);
    // Hovering a cell names it in the status bar.
    const auto d = session_->data();
    const std::size_t cell = session_->selection().front();
    view->centerOn(d->px[cell], d->py[cell], 2.0);
    QTest::qWait(100);
    double sx = 0, sy = 0;
    view->camera().worldToScreen(d->px[cell], d->py[cell], sx, sy);
    QTest::mouseMove(gl, QPoint(static_cast<int>(sx), static_cast<int>(sy)));
    QTest::qWait(50);
    QVERIFY2(window_->statusText().length() > 0, "status");
    const auto hover = window_->findChildren<QLabel*>();
    bool named = false;
    for (const auto* l : hover)
      named |= l->text().contains(QString::fromStdString(d->table->cellIds[cell]));
    QVERIFY2(named, d->table->cellIds[cell].c_str());
  }

  void embeddingLassoSelectsTheSameWay() {
    const auto d = session_->data();
    QVERIFY(!d->ex.empty());
    double cx = 0, cy = 0;
    for (std::size_t i = 0; i < d->ex.size(); ++i)
      cx += d->ex[i], cy += d->ey[i];
    cx /= d->ex.size(), cy /= d->ey.size();
    std::vector<widgets::Vec2> box{
        {cx - 2, cy - 2}, {cx + 2, cy - 2}, {cx + 2, cy + 2}, {cx - 2, cy + 2}};
    std::size_t expected = 0;
    for (std::size_t i = 0; i < d->ex.size(); ++i)
      expected += d->ex[i] > cx - 2 && d->ex[i] < cx + 2 && d->ey[i] > cy - 2 && d->ey[i] < cy + 2;
    emit window_->embeddingView()->selectionDrawn(box, widgets::SelectOp::Replace);
    QCOMPARE(session_->selection().size(), expected);
  }

  void togglingAClusterHidesItsCells() {
    QVERIFY(session_->colorByColumn("cluster"));
    auto* clusters = window_->clustersPanel();
    QVERIFY(clusters->categoryCount() >= 4);
    const auto* groups = session_->groups();
    QVERIFY(groups);
    // Hide the first category through its checkbox.
    auto* item = clusters->tree()->topLevelItem(0);
    item->setCheckState(0, Qt::Unchecked);
    QCOMPARE(session_->hiddenCategories().count(0), 1u);
    const auto& hidden = session_->hiddenMask();
    std::size_t n = 0, ofCategory = 0;
    for (std::size_t i = 0; i < hidden.size(); ++i) {
      n += hidden[i];
      ofCategory += groups->codes[i] == 0;
      if (groups->codes[i] == 0) QCOMPARE(hidden[i], std::uint8_t{1});
    }
    QCOMPARE(n, ofCategory);
    // A hidden cell's centre no longer shows its category's colour.
    const auto d = session_->data();
    std::size_t pick = 0;
    for (std::size_t i = 0; i < groups->codes.size(); ++i)
      if (groups->codes[i] == 0 && d->px[i] > 500 && d->py[i] > 500 && d->px[i] < 7700 &&
          d->py[i] < 7700) {
        pick = i;
        break;
      }
    auto* view = window_->imageView();
    view->centerOn(d->px[pick], d->py[pick], 2.0);
    QVERIFY(waitComplete(view));
    const auto colour = rgbOf(session_->coloring().coloring.palette[0]);
    const QImage hiddenFrame = view->grabFrame();
    item->setCheckState(0, Qt::Checked);
    QTest::qWait(200);
    const QImage shownFrame = view->grabFrame();
    const QPoint c(hiddenFrame.width() / 2, hiddenFrame.height() / 2);
    QVERIFY2(distance(shownFrame.pixelColor(c), colour) < 40,
             qPrintable(shownFrame.pixelColor(c).name()));
    QVERIFY2(distance(hiddenFrame.pixelColor(c), colour) >= 40,
             qPrintable(hiddenFrame.pixelColor(c).name()));
    // Lassoes skip hidden cells.
    item->setCheckState(0, Qt::Unchecked);
    std::vector<widgets::Vec2> all{{0, 0}, {9000, 0}, {9000, 9000}, {0, 9000}};
    emit view->selectionDrawn(all, widgets::SelectOp::Replace);
    QCOMPARE(session_->selection().size(), d->px.size() - ofCategory);
    item->setCheckState(0, Qt::Checked);
  }

  void hoverDescribesTheCell() {
    const auto d = session_->data();
    const auto cell = session_->cellAt(d->px[10], d->py[10], 2, false);
    QCOMPARE(cell, 10);
    const QString text = session_->describeCell(10);
    QVERIFY(text.contains(QString::fromStdString(d->table->cellIds[10])));
    const auto* g = session_->groups();
    QVERIFY(text.contains(
        QString::fromStdString(g->categories[static_cast<std::size_t>(g->codes[10])])));
  }

  void namedSelectionsGoToASidecarNotTheSource() {
    // Work on a copy so that the sidecar lands in the test's scratch dir.
    const std::filesystem::path dir = TESSERA_TEST_WORK_DIR "/linked_sidecar";
    std::filesystem::create_directories(dir);
    const auto copy = dir / "cells.h5ad";
    std::filesystem::copy_file(*window_->current()->cells, copy,
                               std::filesystem::copy_options::overwrite_existing);
    const auto sizeBefore = std::filesystem::file_size(copy);
    const app::ExpressionSetup setup{ctx_->hdf5Pool, ctx_->tilePool,
                                     app::defaultExpressionOptions()};
    auto loaded = app::loadCellsData(copy, {}, 0, 0, {}, &setup);
    QVERIFY(loaded.has_value());
    app::CellsSession s(*ctx_);
    s.setData(*loaded);
    s.applyPick({1, 2, 3}, widgets::SelectOp::Replace);
    s.nameSelection("first");
    s.applyPick({5, 6}, widgets::SelectOp::Replace);
    s.nameSelection("second");
    auto out = s.saveSidecar();
    QVERIFY2(out.has_value(), out ? "" : out.error().message.c_str());
    QCOMPARE(std::filesystem::file_size(copy), sizeBefore);
    std::ifstream in(*out);
    const auto j = nlohmann::json::parse(in);
    const auto& col = j["obs"]["tessera_selection"];
    QCOMPARE(col["categories"].size(), 2u);
    QCOMPARE(col["codes"][1].get<int>(), 0);
    QCOMPARE(col["codes"][5].get<int>(), 1);
    QCOMPARE(col["codes"][0].get<int>(), -1);
    QCOMPARE(j["selections"]["second"][0].get<std::string>(), (*loaded)->table->cellIds[5]);
    QVERIFY(s.exportSelectionIds(dir / "ids.txt").has_value());
    std::ifstream ids(dir / "ids.txt");
    std::string first;
    std::getline(ids, first);
    QCOMPARE(first, (*loaded)->table->cellIds[5]);
    // The JSON list feeds `tessera markers --group @ids.json`.
    s.applyPick({}, widgets::SelectOp::Replace);
    std::vector<std::uint32_t> many;
    for (std::uint32_t i = 0; i < 3000; ++i)
      many.push_back(i * 7);
    QSignalSpy ready(&s, &app::CellsSession::markersReady);
    s.applyPick(many, widgets::SelectOp::Replace);
    QTRY_VERIFY_WITH_TIMEOUT(!s.markersRunning() && !s.markers().empty(), 60000);
    QVERIFY(s.exportSelectionIds(dir / "ids.json").has_value());
    QProcess markers;
    markers.start(
        qEnvironmentVariable("TESSERA_EXE"),
        {"markers", QString::fromStdString(copy.string()), "--group",
         QString::fromStdString("@" + (dir / "ids.json").string()), "--top", "5", "--json"});
    QVERIFY(markers.waitForFinished(120000));
    QCOMPARE(markers.exitCode(), 0);
    const auto rows = nlohmann::json::parse(markers.readAllStandardOutput().toStdString());
    QCOMPARE(rows.size(), 5u);
    // The panel's markers agree with the expression engine behind `tessera markers` (which is
    // checked against scipy): same top genes, scores, fold changes and adjusted p.
    const auto& mine = s.markers();
    QVERIFY(mine.size() >= 5);
    for (std::size_t k = 0; k < 5; ++k) {
      const auto& m = mine[k];
      QCOMPARE(rows[k]["gene"].get<std::string>(),
               (*loaded)->table->geneNames[static_cast<std::size_t>(m.gene)]);
      QVERIFY2(std::abs(rows[k]["score"].get<double>() - m.score) <
                   1e-3 * std::max(1.0, std::abs(m.score)),
               qPrintable(QString("%1 vs %2").arg(rows[k]["score"].get<double>()).arg(m.score)));
      QVERIFY(std::abs(rows[k]["logfoldchange"].get<double>() - m.logFoldChange) < 1e-3);
      const double pa = rows[k]["pval_adj"].get<double>();
      QVERIFY2(std::abs(pa - m.pvalAdj) <= 1e-3 * std::max(pa, 1e-300) ||
                   (pa < 1e-200 && m.pvalAdj < 1e-200),
               qPrintable(QString("%1 vs %2").arg(pa).arg(m.pvalAdj)));
    }
  }

  void headlessRenderDrawsCellsAndLegend() {
    auto run = [](const QStringList& args) {
      QProcess p;
      p.start(qEnvironmentVariable("TESSERA_EXE"), args);
      p.waitForFinished(300000);
      return std::make_pair(p.exitCode(), QString(p.readAllStandardError()));
    };
    const QString out = QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_render_cells.png");
    auto r = run({"render", "demo", "--color-by", "cluster", "--cell-style", "filled", "--region",
                  "3000,3000,800,800", "--size", "800x800", "--out", out});
    QVERIFY2(r.first == 0, qPrintable(r.second));
    const QImage img(out);
    QCOMPARE(img.size(), QSize(800, 800));
    // The legend's first swatch carries the first category's uns colour.
    const auto& legend = session_->coloring().legend;
    QVERIFY(!legend.entries.empty());
    QVERIFY2(distance(img.pixelColor(800 - 186, 29 + 18), rgbOf(legend.entries[0].rgb)) < 30,
             qPrintable(img.pixelColor(800 - 186, 29 + 18).name()));
    // A filled cell's centre shows its cluster colour.
    const auto d = session_->data();
    std::size_t inside = 0;
    for (std::size_t i = 0; i < d->px.size(); ++i)
      if (d->px[i] > 3300 && d->px[i] < 3500 && d->py[i] > 3300 && d->py[i] < 3500) {
        inside = i;
        break;
      }
    const auto* groups = d->table->column("cluster");
    const auto palette = app::columnPalette(*groups);
    const QColor atCell = img.pixelColor(static_cast<int>(d->px[inside] - 3000),
                                         static_cast<int>(d->py[inside] - 3000));
    QVERIFY2(distance(atCell, rgbOf(palette[static_cast<std::size_t>(groups->codes[inside])])) < 40,
             qPrintable(atCell.name()));

    const QString emb = QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_render_embedding.png");
    r = run({"render-embedding", QString::fromStdString(window_->current()->cells->string()),
             "--basis", "X_umap", "--color-by", "CD3E", "--lut", "magma", "--size", "500x400",
             "--out", emb});
    QVERIFY2(r.first == 0, qPrintable(r.second));
    QCOMPARE(QImage(emb).size(), QSize(500, 400));
    r = run({"render-embedding", QString::fromStdString(window_->current()->cells->string()),
             "--color-by", "NOSUCH", "--out", emb});
    QCOMPARE(r.first, 2);
    QVERIFY2(r.second.contains("NOSUCH"), qPrintable(r.second));
    r = run({"render-embedding", QString::fromStdString(window_->current()->cells->string()),
             "--basis", "X_tsne", "--out", emb});
    QCOMPARE(r.first, 2);
    QVERIFY2(r.second.contains("X_tsne"), qPrintable(r.second));
  }

  void cleanupTestCase() {
    window_.reset();
    ctx_.reset();
  }

 private:
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;
  app::CellsSession* session_ = nullptr;
};

QTEST_MAIN(LinkedViewsTest)
#include "tst_linked_views.moc"
