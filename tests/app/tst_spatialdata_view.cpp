// A SpatialData store (tests/fixtures/spatialdata/make_spatialdata_view.py) opened as one
// dataset: its image, the labels element its table annotates (twice as fine as the image,
// resampled into the image's pixels), and the table's cells placed at their label centroids
// through the table's instance_key. In the window the label regions take the cells' gene
// colours and a lasso selects the cells whose centroids it encloses.
#include <QApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/gui/main_window.h"
#include "render/overlay_colors.h"
#include "tests/support/run_process.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"
#include "widgets/selection_index.h"

using namespace tessera;
using tessera::test::Run;
using tessera::test::runTessera;

namespace {
const QString kStore = QStringLiteral(TESSERA_TEST_WORK_DIR "/spatialdata_view/sample.zarr");

int distance(QColor a, QColor b) {
  return std::abs(a.red() - b.red()) + std::abs(a.green() - b.green()) +
         std::abs(a.blue() - b.blue());
}

bool settle(widgets::ImageView* view) {
  for (int i = 0; i < 500; ++i) {
    QTest::qWait(20);
    const auto st = view->layer().status();
    const bool labelsDone = view->labels() && view->labels()->status().complete();
    if (st.visibleTiles > 0 && st.complete() && labelsDone) {
      QTest::qWait(100);
      return true;
    }
  }
  return false;
}
}  // namespace

class SpatialDataViewTest : public QObject {
  Q_OBJECT
  nlohmann::json exp_;
  QTemporaryDir config_;

 private slots:
  void initTestCase() {
    // Panel state is kept between runs; a fresh configuration keeps each run's start alike.
    qputenv("XDG_CONFIG_HOME", config_.path().toUtf8());
    QDir(kStore).removeRecursively();
    QDir().mkpath(QFileInfo(kStore).path());
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata_view.py",
              kStore});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    exp_ = nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
    QVERIFY(exp_.is_object());
  }

  void openDatasetLinksTableAndLabels() {
    app::AppContext ctx(64);
    auto ds = app::openDataset(kStore.toStdString(), ctx);
    QVERIFY2(ds.has_value(), ds ? "" : ds.error().message.c_str());
    QVERIFY(ds->image && ds->labels);
    QCOMPARE(ds->cells->string(), kStore.toStdString());
    QCOMPARE(ds->labelsName, std::string("cells"));
    QCOMPARE(ds->cellsFrame, std::string("images/he"));
    // The 800 x 1200 labels are presented in the 400 x 600 image's pixels.
    QCOMPARE(ds->labels->info().width(), std::int64_t(600));
    QCOMPARE(ds->labels->info().height(), std::int64_t(400));
    auto tile = ds->labels->readTile({}, {});
    QVERIFY(tile.has_value());
    auto at = [&](int x, int y) {
      std::uint32_t v = 0;
      std::memcpy(&v, tile->data.data() + (static_cast<std::size_t>(y) * tile->width + x) * 4, 4);
      return v;
    };
    QCOMPARE(at(50, 50), 1u);  // label 1 covers image [50, 170) x [50, 130)
    QCOMPARE(at(169, 129), 1u);
    QCOMPARE(at(170, 129), 0u);
    QCOMPARE(at(49, 50), 0u);
    QCOMPARE(at(250, 100), 2u);

    auto d = app::loadCellsData(*ds->cells, {}, 600, 400);
    QVERIFY2(d.has_value(), d ? "" : d.error().message.c_str());
    const auto& t = *(*d)->table;
    QCOMPARE(t.instanceKey, std::string("instance"));
    QCOMPARE(t.linkedElement, std::string("labels/cells"));
    QVERIFY(t.linkedToLabels());
    QCOMPARE((*d)->outsideImage, std::int64_t(0));
    for (std::size_t i = 0; i < 6; ++i) {
      QVERIFY(std::abs((*d)->px[i] - exp_["image_px"][i][0].get<double>()) < 1e-3);
      QVERIFY(std::abs((*d)->py[i] - exp_["image_px"][i][1].get<double>()) < 1e-3);
    }
    // Not "embedding only": the note says where the positions come from.
    bool centroids = false;
    for (const auto& m : t.messages) {
      QVERIFY2(m.find("embedding only") == std::string::npos, m.c_str());
      centroids = centroids || m.find("centroids of their regions in labels/cells") != m.npos;
    }
    QVERIFY(centroids);
  }

  void windowColoursLabelsAndLassoSelects() {
    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy cells(&window, &app::MainWindow::cellsLoaded);
    window.openInputs({kStore});
    QVERIFY(cells.wait(60000));
    auto* view = window.imageView();
    QVERIFY(view->labels() != nullptr);
    QVERIFY(window.cellsLabels()->linked());
    const int row = window.cellsLabels()->row();
    QCOMPARE(window.channelPanel()->overlayName(row), QStringLiteral("Labels: cells"));
    window.channelPanel()->overlayOpacity(row)->setValue(100);
    auto& session = window.cells()->session();
    QSignalSpy colored(&session, &app::CellsSession::coloringChanged);
    QVERIFY(session.colorByGene("G"));
    QVERIFY(colored.wait(20000));
    QVERIFY(settle(view));
    const QImage frame = view->grabFrame();
    frame.save(QStringLiteral(TESSERA_TEST_WORK_DIR "/spatialdata_view.png"));
    auto at = [&](double wx, double wy) {
      double sx = 0, sy = 0;
      view->camera().worldToScreen(wx, wy, sx, sy);
      return frame.pixelColor(static_cast<int>(sx), static_cast<int>(sy));
    };
    // Each cell's region (away from its centroid's point) takes the cell's gene colour: G is
    // the row index, so row 0 is viridis' start and row 5 its end.
    const auto& coloring = session.coloring().coloring;
    for (std::size_t i = 0; i < 6; ++i) {
      const double x = exp_["image_px"][i][0].get<double>() + 35;
      const double y = exp_["image_px"][i][1].get<double>() + 25;
      const std::uint32_t rgb = render::itemColor(coloring, i);
      const QColor want((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
      QVERIFY2(distance(at(x, y), want) <= 12,
               qPrintable(QString("cell %1: %2 vs %3").arg(i).arg(at(x, y).name(), want.name())));
    }
    QVERIFY(distance(at(exp_["image_px"][0][0].get<double>() + 35, 115),
                     QColor(0x44, 0x01, 0x54)) <= 20);
    QVERIFY(distance(at(exp_["image_px"][5][0].get<double>() + 35, 315),
                     QColor(0xFD, 0xE7, 0x25)) <= 20);
    const QColor background = at(20, 200);  // between regions: the grey image alone
    QVERIFY2(std::abs(background.red() - background.green()) < 8 && background.red() > 80 &&
                 background.red() < 120,
             qPrintable(background.name()));

    // A lasso around the left two blocks selects rows 1 (label 1) and 4 (label 4).
    std::vector<widgets::Vec2> poly{{40, 40}, {200, 40}, {200, 360}, {40, 360}};
    emit view->selectionDrawn(poly, widgets::SelectOp::Replace);
    QCOMPARE(session.selection(), (std::vector<std::uint32_t>{1, 4}));
    // Shift adds the top-right block (row 0, label 3).
    emit view->selectionDrawn({{450, 50}, {570, 50}, {570, 130}, {450, 130}},
                              widgets::SelectOp::Add);
    QCOMPARE(session.selection(), (std::vector<std::uint32_t>{0, 1, 4}));
  }

  // `tessera render STORE --color-by G`: the image, the label regions in the cells' gene
  // colours (opaque), the cells at their centroids and the legend.
  void cliRenderColoursLabelsByGene() {
    const QString png = QStringLiteral(TESSERA_TEST_WORK_DIR "/spatialdata_render.png");
    QFile::remove(png);
    const Run r = runTessera({"render", kStore, "--color-by", "G", "--out", png});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("centroids of their regions in labels/cells"));
    const QImage img(png);
    QCOMPARE(img.size(), QSize(1024, 683));  // 600 x 400 at 1024 px on the longer side
    const double s = 1024.0 / 600;
    data::ThreadPool hdf5(1), workers(2);
    const app::ExpressionSetup setup{hdf5, workers, {}};
    auto d = app::loadCellsData(kStore.toStdString(), {}, 600, 400, {}, &setup);
    QVERIFY(d.has_value());
    app::ColorBy by;
    by.kind = app::ColorBy::Kind::Gene;
    by.name = "G";
    auto coloring = app::resolveCliColoring(**d, by);
    QVERIFY(coloring.has_value());
    for (std::size_t i = 0; i < 6; ++i) {
      const double x = exp_["image_px"][i][0].get<double>() + 35;
      const double y = exp_["image_px"][i][1].get<double>() + 25;
      const std::uint32_t rgb = render::itemColor(coloring->coloring, i);
      const QColor want((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
      const QColor got = img.pixelColor(static_cast<int>(x * s), static_cast<int>(y * s));
      QVERIFY2(distance(got, want) <= 12,
               qPrintable(QString("cell %1: %2 vs %3").arg(i).arg(got.name(), want.name())));
    }
    const QColor grey = img.pixelColor(static_cast<int>(20 * s), static_cast<int>(200 * s));
    QVERIFY2(distance(grey, QColor(100, 100, 100)) <= 12, qPrintable(grey.name()));
  }
};

QTEST_MAIN(SpatialDataViewTest)
#include "tst_spatialdata_view.moc"
