// The Visium sample (a real Space Ranger folder) in the linked views: spots placed by the
// scale factors, and the folder opened in a real window under Xvfb with its spots coloured by
// a gene and picked by a lasso.
#include <QApplication>
#include <QLineEdit>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>
#include <fstream>
#include <sstream>

#include "app/cells/cells_data.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "tests/support/view_wait.h"
#include "widgets/genes_panel.h"
#include "widgets/image_view.h"
#include "widgets/markers_panel.h"
#include "widgets/selection_tool.h"

using namespace tessera;

class VisiumViewTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-visium");
    QSettings().remove("datasets");  // no panel state saved by earlier runs
    ctx_ = std::make_unique<app::AppContext>(512);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1600, 1000);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    session_ = &window_->cells()->session();
  }

  void visiumSpotsArePlacedByTheScaleFactors() {
    const std::filesystem::path folder = TESSERA_TEST_DATA_DIR "/visium";
    QVERIFY(app::isVisiumFolder(folder));
    const app::ExpressionSetup setup{ctx_->hdf5Pool, ctx_->tilePool, {}};
    auto d = app::loadCellsData(folder, {}, 0, 0, {}, &setup);
    QVERIFY2(d.has_value(), d ? "" : d.error().message.c_str());
    const auto& t = *(*d)->table;
    QCOMPARE(t.size(), (*d)->expression->nCells());
    QVERIFY(t.size() > 0);
    // The first barcode's full-resolution position from the CSV, times tissue_lowres_scalef:
    // the sample's hires image is blank, so the spots are placed on the lowres one.
    const double scale = 0.045004502;
    std::ifstream csv(folder / "spatial/tissue_positions_list.csv");
    std::string line;
    bool found = false;
    while (std::getline(csv, line)) {
      if (line.rfind(t.cellIds[0] + ",", 0) != 0) continue;
      std::stringstream ss(line);
      std::string f[6];
      for (auto& x : f)
        std::getline(ss, x, ',');
      QVERIFY(std::abs((*d)->px[0] - std::stod(f[5]) * scale) < 0.01);
      QVERIFY(std::abs((*d)->py[0] - std::stod(f[4]) * scale) < 0.01);
      found = true;
    }
    QVERIFY(found);
    QVERIFY(std::abs((*d)->spotDiameterPx - 89.42751063343188 * scale) < 1e-6);
    // Spots sit inside the 600² lowres image.
    for (std::size_t i = 0; i < (*d)->px.size(); ++i) {
      QVERIFY((*d)->px[i] >= 0 && (*d)->px[i] < 600);
      QVERIFY((*d)->py[i] >= 0 && (*d)->py[i] < 600);
    }
    // Linked loop on the Visium table: gene colouring and markers of a selection.
    app::CellsSession s(*ctx_);
    s.setData(*d);
    QVERIFY(s.colorByGene(QString::fromStdString(t.geneNames[0])));
    QVERIFY(!s.colorByGene("NOSUCHGENE"));
    QSignalSpy ready(&s, &app::CellsSession::markersReady);
    std::vector<std::uint32_t> half;
    for (std::uint32_t i = 0; i < t.size() / 2; ++i)
      half.push_back(i);
    s.applyPick(half, widgets::SelectOp::Replace);
    QVERIFY(ready.wait(30000) || !s.markers().empty());
    QCOMPARE(s.markers().size(), t.geneNames.size());
  }

  void visiumOpensInTheWindowWithSpotsOnItsImage() {
    const QString folder = QStringLiteral(TESSERA_TEST_DATA_DIR "/visium");
    QSignalSpy cells(window_.get(), &app::MainWindow::cellsLoaded);
    window_->openInputs({folder});
    QVERIFY(cells.wait(120000));
    const auto d = session_->data();
    QCOMPARE(QString::fromStdString(d->table->format), QStringLiteral("visium"));
    auto* view = window_->imageView();
    QVERIFY(view->layer().info());
    // The sample's hires PNG is blank, so its 600 px lowres image is shown (with a message).
    QCOMPARE(view->layer().info()->width(), 600);
    // Spots are drawn as world-sized disks of the Visium spot diameter on the image shown.
    QCOMPARE(window_->cells()->imageOverlay()->style(), app::CellStyle::Points);
    QVERIFY(std::abs(window_->cells()->imageOverlay()->points()->diameterPx(1.0) -
                     d->spotDiameterPx) < 1e-6);
    QTRY_VERIFY_WITH_TIMEOUT(!session_->geneStats().empty(), 60000);
    const auto& stats = session_->geneStats();
    const QString gene = QString::fromStdString(d->table->geneNames[static_cast<std::size_t>(
        std::max_element(stats.begin(), stats.end(),
                         [](const auto& a, const auto& b) { return a.mean < b.mean; }) -
        stats.begin())]);
    window_->genesPanel()->searchBox()->setText(gene);
    QTest::keyClick(window_->genesPanel()->searchBox(), Qt::Key_Return);
    QCOMPARE(QString::fromStdString(session_->colorBy().name), gene);
    QTRY_VERIFY_WITH_TIMEOUT(session_->coloring().legend.title == gene.toStdString(), 20000);
    const auto values = *app::geneValuesNow(*d, d->table->geneIndex(gene.toStdString()));
    const auto hi =
        static_cast<std::size_t>(std::max_element(values.begin(), values.end()) - values.begin());
    view->centerOn(d->px[hi], d->py[hi], 4.0);
    QVERIFY(testing::waitViewComplete(view));
    const QImage frame = view->grabFrame();
    frame.save(QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_visium_spot.png"));
    const auto expected = testing::rgbOf(render::itemColor(session_->coloring().coloring, hi));
    const QColor got = frame.pixelColor(frame.width() / 2, frame.height() / 2);
    QVERIFY2(testing::colorDistance(got, expected) < 40,
             qPrintable(got.name() + " vs " + expected.name()));
    // A lasso around the spot picks it, and markers compare it with the rest.
    QSignalSpy ready(session_, &app::CellsSession::markersReady);
    const double r = d->spotDiameterPx;
    emit view->selectionDrawn({{d->px[hi] - r, d->py[hi] - r},
                               {d->px[hi] + r, d->py[hi] - r},
                               {d->px[hi] + r, d->py[hi] + r},
                               {d->px[hi] - r, d->py[hi] + r}},
                              widgets::SelectOp::Replace);
    QCOMPARE(session_->selection().size(), 1u);
    QVERIFY(ready.wait(30000));
    QVERIFY(window_->markersPanel()->rowCount() > 0);
    view->fit();
    QVERIFY(testing::waitViewComplete(view));
    QGuiApplication::primaryScreen()->grabWindow(0).save(
        QStringLiteral(TESSERA_TEST_WORK_DIR "/linked_visium_screen.png"));
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

QTEST_MAIN(VisiumViewTest)
#include "tst_visium_view.moc"
