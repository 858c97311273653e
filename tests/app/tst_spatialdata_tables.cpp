// The table picker (issue 12): a SpatialData store with two tables of different cells and genes
// (tests/fixtures/spatialdata/make_spatialdata_tables.py: "table", 6 cells, gene G, cluster
// a/b; "tx", 4 cells, genes ONLY2 and H, state x/y; both annotate labels/cells). The Tables
// dock lists both with cells × genes and the element annotated; choosing "tx" is an undo step
// of the session model that reopens the store in the background: nothing of the first table
// (gene, legend, selections) survives, the label regions take ONLY2's colours, the session file
// keeps the choice and reopens it, `tessera render --table` draws the same, and a table the
// store lacks is an error naming the store and the table (exit 2).
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/gui/main_window.h"
#include "render/overlay_colors.h"
#include "tests/support/run_process.h"
#include "tests/support/view_wait.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"
#include "widgets/table_picker.h"

using namespace tessera;
using tessera::test::Run;
using tessera::test::runTessera;

namespace {
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/spatialdata_tables");
const QString kStore = kWork + "/two_tables.zarr";

std::vector<std::string> legendLabels(app::MainWindow& w) {
  std::vector<std::string> out;
  for (const auto& e : w.cells()->imageOverlay()->legend().entries)
    out.push_back(e.label);
  return out;
}

nlohmann::json readJson(const QString& file) {
  std::ifstream in(file.toStdString());
  return nlohmann::json::parse(in, nullptr, false);
}
}  // namespace

class SpatialDataTablesTest : public QObject {
  Q_OBJECT
  nlohmann::json exp_;
  QTemporaryDir config_;

  // Waits for the cells to load (again) with `rows` rows.
  bool waitForTable(app::MainWindow& w, QSignalSpy& loaded, std::int64_t rows) {
    for (int i = 0; i < 5; ++i) {
      if (w.cells()->session().data() && w.cells()->session().data()->size() == rows) break;
      if (!loaded.wait(60000)) return false;
    }
    QTest::qWait(50);  // the session's cells layer is applied by a queued call
    return w.cells()->session().data() && w.cells()->session().data()->size() == rows;
  }

 private slots:
  void initTestCase() {
    qputenv("XDG_CONFIG_HOME", config_.path().toUtf8());
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork);
    const auto r = test::runProgram(
        TESSERA_PYTHON,
        {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata_tables.py",
         kStore},
        120000);
    QVERIFY2(r.code == 0, r.err.constData());
    exp_ = nlohmann::json::parse(r.out.toStdString(), nullptr, false);
    QVERIFY(exp_.is_object());
  }

  void openDatasetListsAndPicksTables() {
    app::AppContext ctx(64);
    auto first = app::openDataset(kStore.toStdString(), ctx);
    QVERIFY2(first.has_value(), first ? "" : first.error().message.c_str());
    QCOMPARE(first->tables.size(), std::size_t(2));
    QCOMPARE(first->shownTable(), std::string("table"));
    QCOMPARE(first->cells->string(), kStore.toStdString());
    auto tx = app::openDataset(kStore.toStdString(), ctx, {}, {}, "tx");
    QVERIFY2(tx.has_value(), tx ? "" : tx.error().message.c_str());
    QCOMPARE(tx->shownTable(), std::string("tx"));
    QCOMPARE(tx->cells->string(), (kStore + "/tables/tx").toStdString());
    QVERIFY(tx->labels);
    QCOMPARE(tx->labelsName, std::string("cells"));
    auto bad = app::openDataset(kStore.toStdString(), ctx, {}, {}, "nope");
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, data::Errc::NotFound);
    QVERIFY(bad.error().message.find(kStore.toStdString()) != std::string::npos);
    QVERIFY(bad.error().message.find("\"nope\"") != std::string::npos);
    // Only a SpatialData store has named tables.
    auto demo = app::openDataset("demo", ctx, {}, {}, "tx");
    QVERIFY(!demo);
    QCOMPARE(demo.error().code, data::Errc::InvalidArgument);
  }

  void windowSwitchesTables() {
    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(&window, &app::MainWindow::cellsLoaded);
    window.openInputs({kStore});
    QVERIFY(waitForTable(window, loaded, 6));

    // The picker lists both tables, the first shown.
    auto* picker = window.tablePicker();
    auto* dock = qobject_cast<QDockWidget*>(picker->parentWidget());
    QVERIFY(dock && dock->isVisible());
    QCOMPARE(picker->comboBox()->count(), 2);
    QCOMPARE(picker->comboBox()->itemText(0),
             QStringLiteral("table — 6 cells × 1 gene — labels/cells"));
    QCOMPARE(picker->comboBox()->itemText(1),
             QStringLiteral("tx — 4 cells × 2 genes — labels/cells"));
    QCOMPARE(picker->selected(), QStringLiteral("table"));

    // The first table's state: its gene, a legend by cluster, selections.
    auto& cs = window.cells()->session();
    QSignalSpy colored(&cs, &app::CellsSession::coloringChanged);
    QVERIFY(cs.colorByColumn("cluster"));
    QCOMPARE(legendLabels(window), (std::vector<std::string>{"a", "b"}));
    QVERIFY(cs.colorByGene("G"));
    QVERIFY(colored.wait(20000));
    cs.applyPick({1, 4}, widgets::SelectOp::Replace);
    cs.nameSelection("left");
    QCOMPARE(window.model().session().selections.size(), std::size_t(1));
    QCOMPARE(window.model().session().selection.size(), std::size_t(2));

    // Zoomed in on label 1: the switch keeps the view.
    auto* view = window.imageView();
    view->centerOn(110, 90, 2.0);
    QVERIFY(testing::waitViewAndLabelsComplete(view));
    const double cx = view->camera().centerX(), cy = view->camera().centerY();

    // Choosing "tx": the model says so at once, the table loads in the background.
    QVERIFY(picker->choose(QStringLiteral("tx")));
    const auto* layer = window.model().session().firstLayer(data::LayerKind::Cells);
    QCOMPARE(window.model().session().dataset(layer->dataset)->table, std::string("tx"));
    QCOMPARE(window.model().undoLabel(), std::string("Choose table"));
    // Not read on the GUI thread: the first table is still shown when choose() returns.
    QCOMPARE(cs.data()->size(), std::int64_t(6));
    QVERIFY(waitForTable(window, loaded, 4));
    QCOMPARE(picker->selected(), QStringLiteral("tx"));
    QCOMPARE(window.current()->cells->string(), (kStore + "/tables/tx").toStdString());
    QVERIFY(testing::waitViewAndLabelsComplete(view));
    QVERIFY(std::abs(view->camera().centerX() - cx) < 1e-6 &&
            std::abs(view->camera().centerY() - cy) < 1e-6);
    view->fit();

    // Nothing of the first table survives: gene, colouring, legend, selections.
    QCOMPARE(cs.data()->table->geneNames, (std::vector<std::string>{"ONLY2", "H"}));
    QVERIFY(cs.colorBy().name != "G");
    QVERIFY(cs.selection().empty());
    QVERIFY(cs.namedSelections().empty());
    QVERIFY(window.model().session().selections.empty());
    QVERIFY(window.model().session().selection.empty());
    const auto labels = legendLabels(window);
    QVERIFY(std::find(labels.begin(), labels.end(), "a") == labels.end());
    QCOMPARE(labels, (std::vector<std::string>{"x", "y"}));  // tx's default column, "state"
    QVERIFY(!cs.colorByGene("G"));

    // Coloured by the gene only "tx" has: each of labels 1..4 takes its cell's colour; labels 5
    // and 6 have no cell in "tx" and stay uncoloured.
    const int row = window.cellsLabels()->row();
    window.channelPanel()->overlayOpacity(row)->setValue(100);
    colored.clear();
    QVERIFY(cs.colorByGene("ONLY2"));
    QVERIFY(colored.wait(20000));
    QCOMPARE(window.model().session().firstLayer(data::LayerKind::Cells)->cells.colorName,
             std::string("ONLY2"));
    QVERIFY(testing::waitViewAndLabelsComplete(view));
    const QImage frame = view->grabFrame();
    frame.save(kWork + "/window_tx.png");
    auto at = [&](double wx, double wy) {
      double sx = 0, sy = 0;
      view->camera().worldToScreen(wx, wy, sx, sy);
      return frame.pixelColor(static_cast<int>(sx), static_cast<int>(sy));
    };
    const auto& coloring = cs.coloring().coloring;
    for (std::size_t i = 0; i < 4; ++i) {
      const double x = exp_["tx_px"][i][0].get<double>() + 35;
      const double y = exp_["tx_px"][i][1].get<double>() + 25;
      const QColor want = testing::rgbOf(render::itemColor(coloring, i));
      QVERIFY2(testing::colorDistance(at(x, y), want) <= 12,
               qPrintable(QString("row %1: %2 vs %3").arg(i).arg(at(x, y).name(), want.name())));
    }
    QVERIFY(testing::colorDistance(at(exp_["tx_px"][0][0].get<double>() + 35, 115),
                                   QColor(0x44, 0x01, 0x54)) <= 20);
    QVERIFY(testing::colorDistance(at(exp_["tx_px"][3][0].get<double>() + 35, 315),
                                   QColor(0xFD, 0xE7, 0x25)) <= 20);
    // Labels 5 and 6 (image centre (309.75, 289.75) and (509.75, 289.75)): the grey image.
    const QColor five = at(309.75 + 35, 289.75 + 25);
    QVERIFY2(testing::colorDistance(five, QColor(100, 100, 100)) <= 12, qPrintable(five.name()));

    // The session file keeps the choice.
    const QString file = kWork + "/tx.tessera";
    QVERIFY(window.saveSessionTo(file));
    const auto j = readJson(file);
    QCOMPARE(j["datasets"][0]["table"].get<std::string>(), std::string("tx"));

    // Undo twice: the colouring, then the choice; the first table comes back as it was.
    window.model().undo();
    window.model().undo();
    QCOMPARE(window.model().session().dataset(layer->dataset)->table, std::string());
    QVERIFY(waitForTable(window, loaded, 6));
    QCOMPARE(picker->selected(), QStringLiteral("table"));
    QCOMPARE(cs.colorBy().name, std::string("G"));
    QCOMPARE(window.model().session().selections.count("left"), std::size_t(1));
  }

  void sessionFileReopensTheChosenTable() {
    const QString file = kWork + "/tx.tessera";
    QVERIFY(QFile::exists(file));
    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.resize(1000, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy loaded(&window, &app::MainWindow::cellsLoaded);
    window.openInputs({file});
    QVERIFY(waitForTable(window, loaded, 4));
    QCOMPARE(window.tablePicker()->selected(), QStringLiteral("tx"));
    QCOMPARE(window.cells()->session().colorBy().name, std::string("ONLY2"));
    QVERIFY(!window.model().modified());
  }

  // `tessera render STORE --table tx --color-by ONLY2`: the regions of labels 1..4 in ONLY2's
  // colours; --save-session keeps the table, and that session renders the same pixels.
  void cliRendersTheChosenTable() {
    const QString png = kWork + "/cli_tx.png", saved = kWork + "/cli_tx.tessera";
    const Run r = runTessera({"render", kStore, "--table", "tx", "--color-by", "ONLY2", "--out",
                              png, "--save-session", saved});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(readJson(saved)["datasets"][0]["table"].get<std::string>(), std::string("tx"));
    const QImage img(png);
    QCOMPARE(img.size(), QSize(1024, 683));
    const double s = 1024.0 / 600;
    data::ThreadPool hdf5(1), workers(2);
    const app::ExpressionSetup setup{hdf5, workers, {}};
    auto d = app::loadCellsData((kStore + "/tables/tx").toStdString(), {}, 600, 400, {}, &setup);
    QVERIFY2(d.has_value(), d ? "" : d.error().message.c_str());
    QCOMPARE((*d)->size(), std::int64_t(4));
    app::ColorBy by;
    by.kind = app::ColorBy::Kind::Gene;
    by.name = "ONLY2";
    auto coloring = app::resolveCliColoring(**d, by);
    QVERIFY(coloring.has_value());
    for (std::size_t i = 0; i < 4; ++i) {
      const double x = exp_["tx_px"][i][0].get<double>() + 35;
      const double y = exp_["tx_px"][i][1].get<double>() + 25;
      const QColor want = testing::rgbOf(render::itemColor(coloring->coloring, i));
      const QColor got = img.pixelColor(static_cast<int>(x * s), static_cast<int>(y * s));
      QVERIFY2(testing::colorDistance(got, want) <= 12,
               qPrintable(QString("row %1: %2 vs %3").arg(i).arg(got.name(), want.name())));
    }
    const QColor five =
        img.pixelColor(static_cast<int>((309.75 + 35) * s), static_cast<int>((289.75 + 25) * s));
    QVERIFY2(testing::colorDistance(five, QColor(100, 100, 100)) <= 12, qPrintable(five.name()));

    const QString again = kWork + "/cli_tx_again.png";
    const Run r2 = runTessera({"render", saved, "--out", again});
    QVERIFY2(r2.code == 0, r2.err.constData());
    QCOMPARE(QImage(again), img);

    // `info` describes one table by its location.
    const Run info = runTessera({"info", kStore + "/tables/tx", "--json"});
    QVERIFY2(info.code == 0, info.err.constData());
    const auto described = nlohmann::json::parse(info.out.toStdString(), nullptr, false);
    QCOMPARE(described.value("format", ""), std::string("spatialdata"));
    QCOMPARE(described.value("n_obs", 0), 4);
    QCOMPARE(described.value("n_vars", 0), 2);

    // The first table's gene is not in "tx".
    const Run g = runTessera(
        {"render", kStore, "--table", "tx", "--color-by", "G", "--out", kWork + "/cli_g.png"});
    QCOMPARE(g.code, 2);
  }

  void badTableNameIsAClearError() {
    // On the command line.
    const Run r = runTessera(
        {"render", kStore, "--table", "nope", "--color-by", "G", "--out", kWork + "/bad.png"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(kStore.toUtf8()) && r.err.contains("no table \"nope\"") &&
                 r.err.contains("its tables: table, tx"),
             r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);

    // In a session file.
    auto j = readJson(kWork + "/tx.tessera");
    QVERIFY(j.is_object());
    j["datasets"][0]["table"] = "nope";
    const QString bad = kWork + "/bad.tessera";
    std::ofstream(bad.toStdString()) << j.dump(2);
    const Run s = runTessera({"render", bad, "--out", kWork + "/bad_session.png"});
    QCOMPARE(s.code, 2);
    QVERIFY2(s.err.contains(kStore.toUtf8()) && s.err.contains("no table \"nope\""),
             s.err.constData());

    // The window says so and keeps what it shows.
    app::AppContext ctx(64);
    app::MainWindow window(ctx);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy failed(&window, &app::MainWindow::openFailed);
    window.openInputs({bad});
    QVERIFY(failed.wait(60000));
    const QString message = failed.takeFirst().at(0).toString();
    QVERIFY2(message.contains(kStore) && message.contains("\"nope\""), qPrintable(message));
  }
};

QTEST_MAIN(SpatialDataTablesTest)
#include "tst_spatialdata_tables.moc"
