// Analysis ▸ Run Model… end to end in the window: a generated "nuclei" ONNX model runs from the
// menu's dialog over an image of nuclei of two kinds; the prediction layer's pixels equal what
// `tessera predict` writes for the same region; its labels and cells become layers; the session
// saves and reopens with them; a classifier trained on a few labelled cells colours every cell
// by its predicted class and shows a confusion matrix; a cancelled run leaves nothing behind.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "app/cells/cells_data.h"
#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/classifier_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"
#include "app/gui/run_model_dialog.h"
#include "data/ai/tiled_predict.h"
#include "data/image_open.h"
#include "render/label_layer.h"
#include "tests/support/view_wait.h"
#include "widgets/classifier_panel.h"
#include "widgets/image_view.h"
#include "widgets/layer_list.h"

using namespace tessera;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/run_model");

struct Disc {
  double x, y;
  bool a;
};

std::vector<Disc> readTruth(const QString& path) {
  std::vector<Disc> out;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return out;
  f.readLine();
  while (!f.atEnd()) {
    const auto parts = QString::fromUtf8(f.readLine()).trimmed().split(',');
    if (parts.size() == 3)
      out.push_back({parts[0].toDouble(), parts[1].toDouble(), parts[2] == "A"});
  }
  return out;
}

QAction* findAction(QMainWindow* w, const QString& text) {
  for (auto* menu : w->menuBar()->findChildren<QMenu*>())
    for (auto* a : menu->actions())
      if (a->text().remove('&') == text) return a;
  return nullptr;
}

bool open(app::MainWindow* w, const QStringList& inputs, bool withCells) {
  QSignalSpy opened(w, &app::MainWindow::datasetOpened);
  QSignalSpy cells(w, &app::MainWindow::cellsLoaded);
  w->openInputs(inputs);
  if (!opened.wait(120000)) return false;
  if (withCells && !cells.wait(120000)) return false;
  QTest::qWait(100);
  return true;
}

bool waitComplete(app::MainWindow* w) {
  return testing::waitViewComplete(w->imageView(), 120000, 300);
}

// Float values of channel `c` over a whole level-0 plane.
std::vector<float> plane(const data::TileSource& s, std::int64_t c, std::int64_t w,
                         std::int64_t h) {
  auto p = data::ai::readWindow(s, 0, 0, 0, {c}, 0, 0, w, h);
  if (!p || p->empty()) return {};
  const cv::Mat m = (*p)[0];
  return std::vector<float>(m.begin<float>(), m.end<float>());
}

}  // namespace

class RunModelTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  QString image_, model_;
  std::vector<Disc> truth_;

  app::RunModelDialog* openDialog() {
    auto* action = findAction(w_.get(), "Run Model…");
    if (!action) return nullptr;
    action->trigger();
    return w_->modelActions()->dialog();
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork);
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/app/make_nuclei_fixture.py", kWork});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    image_ = kWork + "/nuclei.ome.tif";
    model_ = kWork + "/nuclei.onnx";
    truth_ = readTruth(kWork + "/truth.csv");
    QCOMPARE(truth_.size(), 120u);
    ctx_ = std::make_unique<app::AppContext>(256);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1600, 1000);  // the view at 1:1 must hold a 500 × 300 region beside the docks
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QVERIFY(open(w_.get(), {image_}, false));
    // Saved first, so that the outputs go beside the session (never beside the image).
    QVERIFY(w_->saveSessionTo(kWork + "/run.tessera"));
  }

  void runFromMenuEqualsCli() {
    auto* dialog = openDialog();
    QVERIFY(dialog);
    dialog->modelEdit()->setText(model_);
    dialog->channelList()->item(0)->setCheckState(Qt::Checked);
    dialog->wholeImageButton()->setChecked(true);
    dialog->instancesBox()->setChecked(true);
    QSignalSpy finished(w_->modelActions(), &app::ModelActions::finished);
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    QSignalSpy cells(w_.get(), &app::MainWindow::cellsLoaded);
    dialog->accept();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    QVERIFY(opened.count() > 0 || opened.wait(120000));
    QVERIFY(cells.count() > 0 || cells.wait(120000));

    // The layers: the prediction (its channel joins the image's), labels and the cells.
    const auto& s = w_->model().session();
    const data::SessionLayer* prediction = nullptr;
    for (const auto& l : s.layers)
      if (l.kind == data::LayerKind::Image && l.dataset != s.layers.front().dataset)
        prediction = &l;
    QVERIFY(prediction);
    const auto* pd = s.dataset(prediction->dataset);
    QVERIFY(QString::fromStdString(pd->path).startsWith(kWork + "/run.tessera-data/"));
    QVERIFY(s.firstLayer(data::LayerKind::Labels));
    QVERIFY(s.firstLayer(data::LayerKind::Cells));
    QVERIFY(w_->isWindowModified());
    const auto shown = w_->current()->image;
    QCOMPARE(shown->info().channels.size(), 3u);
    QCOMPARE(w_->imageView()->layer().displays().size(), 3u);
    QVERIFY(w_->imageView()->labels());

    // `tessera predict` on the same region gives the same values, in the file and as drawn.
    const QString cli = kWork + "/cli.ome.zarr";
    QProcess p;
    p.start(qEnvironmentVariable("TESSERA_EXE"),
            {"predict", image_, "--model", model_, "--channels", "0", "--out", cli});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    auto fromCli = data::openImage(cli.toStdString());
    auto fromWindow = data::openImage(pd->path);
    QVERIFY(fromCli && fromWindow);
    const auto expected = plane(**fromCli, 0, 300, 260);
    QCOMPARE(expected.size(), 300u * 260u);
    QVERIFY(expected == plane(**fromWindow, 0, 300, 260));
    QVERIFY(expected == plane(*shown, 2, 300, 260));

    // One cell per nucleus, each at its nucleus.
    auto data = w_->cells()->session().data();
    QVERIFY(data);
    QCOMPARE(data->size(), static_cast<std::int64_t>(truth_.size()));
    for (const auto& d : truth_) {
      double best = 1e9;
      for (std::size_t i = 0; i < data->px.size(); ++i)
        best = std::min(best, std::hypot(data->px[i] - d.x, data->py[i] - d.y));
      QVERIFY2(best < 1.0, qPrintable(QString("nucleus at %1,%2").arg(d.x).arg(d.y)));
    }
  }

  void cliWritesTheSameLabels() {
    const QString out = kWork + "/cli-cells";
    QDir().mkpath(out);
    QProcess bad;
    bad.start(qEnvironmentVariable("TESSERA_EXE"),
              {"predict", image_, "--model", model_, "--channels", "0", "--out",
               out + "/p.ome.zarr", "--labels", out + "/l.ome.zarr"});
    QVERIFY(bad.waitForFinished(60000));
    QCOMPARE(bad.exitCode(), 2);  // labels come from --cells
    QProcess p;
    p.start(qEnvironmentVariable("TESSERA_EXE"),
            {"predict", image_, "--model", model_, "--channels", "0", "--out", out + "/p.ome.zarr",
             "--cells", out + "/c.h5ad", "--labels", out + "/l.ome.zarr"});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    const auto* layer = w_->model().session().firstLayer(data::LayerKind::Labels);
    QVERIFY(layer);
    auto fromWindow = data::openImage(w_->model().session().dataset(layer->dataset)->path);
    auto fromCli = data::openImage((out + "/l.ome.zarr").toStdString());
    QVERIFY(fromWindow && fromCli);
    QCOMPARE((*fromCli)->info().dtype, data::DType::I32);
    const auto labels = plane(**fromCli, 0, 300, 260);
    QVERIFY(labels == plane(**fromWindow, 0, 300, 260));
    QCOMPARE(*std::max_element(labels.begin(), labels.end()), static_cast<float>(truth_.size()));
  }

  void sessionReopensWithTheLayers() {
    QVERIFY(w_->saveSessionTo(kWork + "/run.tessera"));
    app::MainWindow other(*ctx_);
    other.resize(900, 700);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QVERIFY(open(&other, {kWork + "/run.tessera"}, true));
    QCOMPARE(other.model().session().layers.size(), w_->model().session().layers.size());
    QCOMPARE(other.current()->image->info().channels.size(), 3u);
    QVERIFY(other.imageView()->labels());
    QCOMPARE(other.cells()->session().data()->size(), static_cast<std::int64_t>(truth_.size()));
    QCOMPARE(plane(*other.current()->image, 2, 300, 260),
             plane(*w_->current()->image, 2, 300, 260));
  }

  void classifierColoursCellsByPrediction() {
    auto* classifier = w_->modelActions()->classifier();
    auto data = w_->cells()->session().data();
    QVERIFY(data);
    // Each cell's kind from the nucleus it sits on.
    std::vector<bool> kindA(data->px.size());
    for (std::size_t i = 0; i < data->px.size(); ++i) {
      double best = 1e9;
      for (const auto& d : truth_)
        if (const double e = std::hypot(data->px[i] - d.x, data->py[i] - d.y); e < best)
          best = e, kindA[i] = d.a;
    }
    std::vector<std::uint32_t> a, b;
    for (std::uint32_t i = 0; i < kindA.size(); ++i)
      (kindA[i] ? a : b).push_back(i);
    a.resize(4);
    b.resize(4);
    // A lasso around the first nucleus selects its cell, and only it.
    auto& cs = w_->cells()->session();
    const auto& d0 = truth_.front();
    std::vector<widgets::Vec2> lasso;
    for (int k = 0; k < 12; ++k)
      lasso.push_back({d0.x + 9 * std::cos(k * M_PI / 6), d0.y + 9 * std::sin(k * M_PI / 6)});
    cs.selectPolygon(lasso, widgets::SelectOp::Replace, false);
    QCOMPARE(cs.selection().size(), 1u);
    QVERIFY(std::hypot(data->px[cs.selection()[0]] - d0.x, data->py[cs.selection()[0]] - d0.y) < 1);
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    // Class A from a selection through the panel (one class: nothing to train yet), B directly.
    cs.applyPick(a, widgets::SelectOp::Replace);
    classifier->panel()->classEdit()->setText("A");
    classifier->panel()->labelButton()->click();
    QCOMPARE(classifier->classNames(), QStringList{"A"});
    QCOMPARE(trained.count(), 0);
    classifier->labelCells(b, "B");  // live: trains
    QVERIFY(trained.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(w_->cells()->session().data()->table->column("classifier") != nullptr,
                             10000);
    const auto* column = w_->cells()->session().data()->table->column("classifier");
    QVERIFY(column);
    int right = 0;
    for (std::size_t i = 0; i < kindA.size(); ++i)
      right += (column->codes[i] == 0) == kindA[i] ? 1 : 0;
    const double accuracy = static_cast<double>(right) / static_cast<double>(kindA.size());
    QVERIFY2(accuracy >= 0.95, qPrintable(QString::number(accuracy) + ": " +
                                          classifier->panel()->statusLabel()->text()));
    // The cells (and their labels) take the predicted class's colour.
    QCOMPARE(w_->cells()->imageOverlay()->legend().title, std::string("classifier"));
    auto* labels = w_->imageView()->labels();
    QVERIFY(labels);
    const auto* labelColumn = w_->cells()->session().data()->table->column("label");
    QVERIFY(labelColumn);
    const auto colorOfCell = [&](std::uint32_t i) {
      return labels->colorOf(static_cast<std::int64_t>(labelColumn->numbers[i]));
    };
    QVERIFY(colorOfCell(a[0]) != 0);
    QCOMPARE(colorOfCell(a[1]), colorOfCell(a[0]));
    QVERIFY(colorOfCell(b[0]) != colorOfCell(a[0]));
    // The cross-validated confusion matrix counts every labelled cell once.
    auto* table = classifier->panel()->confusionTable();
    QCOMPARE(table->rowCount(), 2);
    int total = 0;
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c)
        total += table->item(r, c)->text().toInt();
    QCOMPARE(total, 8);
  }

  void classesFromAnnotations() {
    auto* classifier = w_->modelActions()->classifier();
    classifier->clearLabels();
    auto* annotations = w_->findChild<app::AnnotationsController*>();
    QVERIFY(annotations);
    data::Annotation box;  // around the first two nuclei
    box.kind = data::AnnotationKind::Rectangle;
    box.points = {{5, 5}, {60, 35}};
    box.classification.name = "A";
    data::Annotation point;  // on the third
    point.kind = data::AnnotationKind::Point;
    point.points = {{truth_[2].x + 1, truth_[2].y}};
    point.classification.name = "B";
    data::Annotation plain = box;  // no class: not a label
    plain.classification.name.clear();
    plain.points = {{0, 0}, {300, 260}};
    annotations->apply({box, point, plain}, "test");
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    QCOMPARE(classifier->labelFromAnnotations(), 3);
    QCOMPARE(classifier->classNames(), (QStringList{"A", "B"}));
    auto data = w_->cells()->session().data();
    int a = 0, b = 0;
    for (std::size_t i = 0; i < classifier->labels().size(); ++i) {
      const int l = classifier->labels()[i];
      const double dx = data->px[i], dy = data->py[i];
      if (l == 0) {
        ++a;
        QVERIFY(dx < 60 && dy < 35);
      } else if (l == 1) {
        ++b;
        QVERIFY(std::hypot(dx - truth_[2].x, dy - truth_[2].y) < 1);
      }
    }
    QCOMPARE(a, 2);
    QCOMPARE(b, 1);
    QVERIFY(trained.wait(60000));  // live: it trained on them
  }

  void cancelLeavesNothing() {
    const auto layers = w_->model().session().layers.size();
    const QDir folder(kWork + "/run.tessera-data");
    const auto before = folder.entryList(QDir::NoDotAndDotDot | QDir::AllEntries);
    app::RunModelChoice choice;
    choice.model = model_;
    choice.channels = {0};
    choice.wholeImage = true;
    QSignalSpy finished(w_->modelActions(), &app::ModelActions::finished);
    QVERIFY(w_->modelActions()->run(choice));
    w_->modelActions()->cancel();
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("cancelled"));
    QTest::qWait(300);
    QCOMPARE(w_->model().session().layers.size(), layers);
    QCOMPARE(folder.entryList(QDir::NoDotAndDotDot | QDir::AllEntries), before);
  }

  void predictionLayerCanBeRemoved() {
    const auto& s = w_->model().session();
    std::string id;
    for (const auto& l : s.layers)
      if (l.kind == data::LayerKind::Image && l.dataset != s.layers.front().dataset) id = l.id;
    QVERIFY(!id.empty());
    bool removable = false;
    for (const auto& row : w_->layerList()->layers())
      if (row.id == QString::fromStdString(id)) removable = row.removable;
    QVERIFY(removable);
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    emit w_->layerList()->removeRequested(QString::fromStdString(id));
    QVERIFY(opened.wait(60000));
    QVERIFY(!w_->model().session().layer(id));
    QCOMPARE(w_->current()->image->info().channels.size(), 2u);
    QCOMPARE(w_->imageView()->layer().displays().size(), 2u);
    QVERIFY(w_->imageView()->labels());
    QVERIFY(w_->model().session().firstLayer(data::LayerKind::Cells));
  }

  // The demo: a generated nuclei model (mean 7x7 of DAPI over 2500) run on the part of
  // the demo in view labels its nuclei; their cells colour by a marker's mean intensity and a
  // classifier told a few immune (CD45) and epithelial (PanCK) cells sorts the rest.
  void nucleiDemoEndToEnd() {
    const QString dir = kWork + "/demo-model";
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/app/make_nuclei_fixture.py", dir, "2500", "7"});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    QVERIFY(open(w_.get(), {"demo"}, true));
    QVERIFY(w_->saveSessionTo(kWork + "/demo.tessera"));
    w_->imageView()->centerOn(3512, 3512, 1.0);
    auto* dialog = openDialog();
    QVERIFY(dialog);
    dialog->modelEdit()->setText(dir + "/nuclei.onnx");
    dialog->channelList()->item(0)->setCheckState(Qt::Checked);  // DAPI
    dialog->instancesBox()->setChecked(true);
    const auto region = dialog->choice();
    QVERIFY(region.width > 500 && region.height > 300);
    QSignalSpy finished(w_->modelActions(), &app::ModelActions::finished);
    QSignalSpy cells(w_.get(), &app::MainWindow::cellsLoaded);
    dialog->accept();
    QVERIFY(finished.wait(300000));
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    QVERIFY(cells.count() > 0 || cells.wait(120000));
    auto data = w_->cells()->session().data();
    QVERIFY(data);
    // The demo has about one cell per 30 x 30 pixels.
    QVERIFY2(data->size() > region.width * region.height / 2000,
             qPrintable(QString::number(data->size())));
    for (std::size_t i = 0; i < data->px.size(); ++i) {
      QVERIFY(data->px[i] >= region.x && data->px[i] <= region.x + region.width);
      QVERIFY(data->py[i] >= region.y && data->py[i] <= region.y + region.height);
    }
    QTest::qWait(100);  // the session's cells state is applied once the table loaded
    QVERIFY(w_->cells()->session().colorByGene("CD45"));
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("CD45"),
                              20000);

    const auto cd45 = app::geneValuesNow(*data, data->table->geneIndex("CD45"));
    const auto panck = app::geneValuesNow(*data, data->table->geneIndex("PanCK"));
    QVERIFY(cd45 && panck);
    std::vector<std::uint32_t> byCd45(cd45->size()), byPanck(cd45->size());
    std::iota(byCd45.begin(), byCd45.end(), 0u);
    byPanck = byCd45;
    std::sort(byCd45.begin(), byCd45.end(),
              [&](auto a, auto b) { return (*cd45)[a] > (*cd45)[b]; });
    std::sort(byPanck.begin(), byPanck.end(),
              [&](auto a, auto b) { return (*panck)[a] > (*panck)[b]; });
    auto* classifier = w_->modelActions()->classifier();
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    classifier->labelCells({byCd45.begin(), byCd45.begin() + 6}, "immune");
    classifier->labelCells({byPanck.begin(), byPanck.begin() + 6}, "epithelial");
    QVERIFY(trained.wait(60000));
    const auto* column = w_->cells()->session().data()->table->column("classifier");
    QVERIFY(column);
    int right = 0;
    for (int i = 6; i < 26; ++i)
      right += (column->codes[byCd45[static_cast<std::size_t>(i)]] == 0 ? 1 : 0) +
               (column->codes[byPanck[static_cast<std::size_t>(i)]] == 1 ? 1 : 0);
    QVERIFY2(right >= 36, qPrintable(QString::number(right)));
    QVERIFY(waitComplete(w_.get()));
    w_->imageView()->grabFrame().save(kWork + "/demo-classified.png");
  }

  // A model zoo package (zip) on a region of a coarser level: the layer's pixels there equal
  // `tessera predict` for the same region and level.
  void zooPackageOnACoarserLevel() {
    const QString dir = kWork + "/zoo";
    QProcess py;
    py.start(TESSERA_PYTHON, {QString(TESSERA_SOURCE_DIR) + "/tests/data/make_ai_models.py", dir,
                              QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ai"});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const auto channels = w_->current()->image->info().channels.size();
    app::RunModelChoice choice;
    choice.model = dir + "/rdf05.zip";
    choice.channels = {3};  // PanCK
    choice.level = 2;
    app::viewRegion(w_->current()->image->info(), 2, w_->imageView()->camera().visibleWorld(),
                    choice);
    QVERIFY(choice.width > 100 && choice.height > 100);
    QSignalSpy finished(w_->modelActions(), &app::ModelActions::finished);
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    QVERIFY(w_->modelActions()->run(choice));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    QVERIFY(opened.count() > 0 || opened.wait(120000));
    const auto shown = w_->current()->image;
    QCOMPARE(shown->info().channels.size(), channels + 2);  // the package has two outputs
    const QString cli = kWork + "/zoo-cli.ome.zarr";
    QProcess p;
    p.start(
        qEnvironmentVariable("TESSERA_EXE"),
        {"predict", "demo", "--model", choice.model, "--channels", "3", "--level", "2", "--region",
         QString("%1,%2,%3,%4").arg(choice.x).arg(choice.y).arg(choice.width).arg(choice.height),
         "--out", cli});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    auto fromCli = data::openImage(cli.toStdString());
    QVERIFY(fromCli);
    for (std::int64_t c = 0; c < 2; ++c) {
      auto expected =
          data::ai::readWindow(**fromCli, 0, 0, 0, {c}, 0, 0, choice.width, choice.height);
      auto drawn = data::ai::readWindow(*shown, 2, 0, 0, {static_cast<std::int64_t>(channels) + c},
                                        choice.x, choice.y, choice.width, choice.height);
      QVERIFY(expected && drawn);
      QCOMPARE(cv::norm((*expected)[0], (*drawn)[0], cv::NORM_INF), 0.0);
    }
  }

  void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(RunModelTest)
#include "tst_run_model.moc"
