// Several labels layers in one session: a second Run Model with labels output adds its labels as
// a layer of their own on top of the first run's (the new cells take the old table's place);
// each labels layer is drawn (its pixels show and hide with its layer), comes back from the
// saved session, and is removed and brought back through the session model's layer edits.
#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QtTest>

#include "app/core/app_context.h"
#include "app/core/layer_order.h"
#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"
#include "render/label_layer.h"
#include "render/scene.h"
#include "tests/support/run_process.h"
#include "tests/support/view_wait.h"
#include "tests/support/window_model_run.h"
#include "widgets/image_view.h"

using namespace tessera;

using test::runPython;

namespace {
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/labels_layers");

std::vector<std::string> labelsLayers(const data::Session& s) {
  std::vector<std::string> ids;
  for (const auto& l : s.layers)
    if (l.kind == data::LayerKind::Labels) ids.push_back(l.id);
  return ids;
}

int cellsLayers(const data::Session& s) {
  return static_cast<int>(std::count_if(s.layers.begin(), s.layers.end(), [](const auto& l) {
    return l.kind == data::LayerKind::Cells;
  }));
}

// The image and every label image drawn at their levels.
QImage frame(widgets::ImageView* view) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < 60000) {
    QTest::qWait(50);
    bool done = view->layer().status().visibleTiles > 0 && view->layer().status().complete();
    for (auto* l : view->allLabels())
      done = done && (!l->visible() || l->status().complete());
    if (done) {
      QTest::qWait(150);
      return view->grabFrame().convertToFormat(QImage::Format_RGB32);
    }
  }
  return {};
}

int differing(const QImage& a, const QImage& b) {
  if (a.size() != b.size() || a.isNull()) return -1;
  int n = 0;
  for (int y = 0; y < a.height(); ++y)
    for (int x = 0; x < a.width(); ++x)
      n += a.pixel(x, y) != b.pixel(x, y) ? 1 : 0;
  return n;
}
}  // namespace

class LabelsLayersTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;

  bool run(const QString& model) { return testing::runInstancesModel(*w_, model); }

  void setVisible(const std::string& layer, bool visible) {
    w_->model().setLayerVisible(layer, visible);
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork + "/b");
    const QString make = QString(TESSERA_SOURCE_DIR) + "/tests/app/make_nuclei_fixture.py";
    QVERIFY(runPython({make, kWork}));
    // A second "nuclei" model: a wider mean and a higher threshold find smaller nuclei.
    QVERIFY(runPython({make, kWork + "/b", "800", "7"}));
    ctx_ = std::make_unique<app::AppContext>(256);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1100, 800);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    w_->openInputs({kWork + "/nuclei.ome.tif"});
    QVERIFY(opened.wait(120000));
    QVERIFY(w_->saveSessionTo(kWork + "/two.tessera"));
  }

  void secondRunAddsALabelsLayer() {
    QVERIFY(run(kWork + "/nuclei.onnx"));
    const auto first = labelsLayers(w_->model().session());
    QCOMPARE(first.size(), 1u);
    const std::string firstCells =
        w_->model().session().firstLayer(data::LayerKind::Cells)->dataset;
    QVERIFY(run(kWork + "/b/nuclei.onnx"));
    const auto& s = w_->model().session();
    const auto ids = labelsLayers(s);
    QCOMPARE(ids.size(), 2u);
    QCOMPARE(ids[0], first[0]);  // the first run's, under the new one
    QVERIFY(s.dataset(s.layer(ids[0])->dataset) && s.dataset(s.layer(ids[1])->dataset));
    QVERIFY(s.layer(ids[0])->dataset != s.layer(ids[1])->dataset);
    QCOMPARE(cellsLayers(s), 1);
    QVERIFY(s.firstLayer(data::LayerKind::Cells)->dataset != firstCells);
    auto* view = w_->imageView();
    QVERIFY(view->labels());
    QVERIFY(view->moreLabels(ids[0]));
    QCOMPARE(view->allLabels().size(), 2u);

    // Each labels layer draws its own pixels over the image (the run's layers in their order):
    // shown alone, it differs from neither shown.
    const std::string older = ids[0], newer = ids[1];
    setVisible(older, false);
    setVisible(newer, false);
    const QImage none = frame(view);
    QVERIFY(!none.isNull());
    setVisible(older, true);
    QVERIFY(!view->moreLabels(older) || view->moreLabels(older)->visible());
    const QImage olderOnly = frame(view);
    setVisible(older, false);
    setVisible(newer, true);
    const QImage newerOnly = frame(view);
    const int byOlder = differing(olderOnly, none), byNewer = differing(newerOnly, none);
    QVERIFY2(byOlder > 500, qPrintable(QString::number(byOlder)));
    QVERIFY2(byNewer > 500, qPrintable(QString::number(byNewer)));
    // Different segmentations: the nuclei of the second model are smaller.
    QVERIFY2(differing(olderOnly, newerOnly) > 100,
             qPrintable(QString::number(differing(olderOnly, newerOnly))));
    setVisible(older, true);
  }

  // Saved and reopened, both labels layers come back, drawn, with their state.
  void bothComeBackWithTheSession() {
    const auto ids = labelsLayers(w_->model().session());
    QCOMPARE(ids.size(), 2u);
    w_->model().setLayerOpacity(ids[0], 0.3);
    QVERIFY(w_->saveSessionTo(kWork + "/two.tessera"));
    app::MainWindow other(*ctx_);
    other.resize(900, 700);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QSignalSpy opened(&other, &app::MainWindow::datasetOpened);
    other.openInputs({kWork + "/two.tessera"});
    QVERIFY(opened.wait(120000));
    QTest::qWait(100);
    QVERIFY(labelsLayers(other.model().session()) == ids);
    auto* view = other.imageView();
    QCOMPARE(view->allLabels().size(), 2u);
    QVERIFY(view->moreLabels(ids[0]));
    QCOMPARE(view->moreLabels(ids[0])->opacity(), 0.3);
    QVERIFY(view->labels());
    QVERIFY(!frame(view).isNull());
    QVERIFY(!other.isWindowModified());
  }

  // Remove Layer on the older labels (the Layers dock's model edit) takes its label image out of
  // the view and its dataset out of the session; Undo brings both back.
  void removedAndBroughtBack() {
    const auto ids = labelsLayers(w_->model().session());
    QCOMPARE(ids.size(), 2u);
    auto* view = w_->imageView();
    const QImage both = frame(view);
    const std::string dataset = w_->model().session().layer(ids[0])->dataset;
    w_->model().removeLayer(ids[0]);
    QVERIFY(!w_->model().session().dataset(dataset));
    QVERIFY(!view->moreLabels(ids[0]));
    QCOMPARE(view->allLabels().size(), 1u);
    QVERIFY(view->labels());
    const QImage without = frame(view);
    QVERIFY(differing(both, without) > 500);
    w_->undoAction()->trigger();
    QVERIFY(w_->model().session().dataset(dataset));
    QVERIFY(view->moreLabels(ids[0]));
    QCOMPARE(view->moreLabels(ids[0])->opacity(), 0.3);
    QCOMPARE(differing(both, frame(view)), 0);
  }

  // The labels band is the topmost labels layer's; each labels layer under it sits a little
  // deeper in the same band, in the session's order.
  void depthsOfSeveralLabelsLayers() {
    data::Session s;
    for (const auto& [id, kind] : std::vector<std::pair<std::string, data::LayerKind>>{
             {"image", data::LayerKind::Image},
             {"labels", data::LayerKind::Labels},
             {"cells", data::LayerKind::Cells},
             {"labels-2", data::LayerKind::Labels}}) {
      data::SessionLayer l;
      l.id = id;
      l.kind = kind;
      s.layers.push_back(l);
    }
    // Labels layers on either side of the cells: the upper one's place decides the band. With no
    // annotations layer in the session, the annotations keep band 0 on top (layerDepths).
    auto d = app::labelsLayerDepths(s);
    QCOMPARE(d.bands.labels, render::layerDepth(1));
    QCOMPARE(d.bands.cells, render::layerDepth(2));
    QCOMPARE(d.bands.image, render::layerDepth(3));
    QCOMPARE(d.layers.size(), 2u);
    QCOMPARE(d.layers.at("labels-2"), render::layerDepth(1));
    QCOMPARE(d.layers.at("labels"), render::layerDepth(1) + 2.0);
    std::swap(s.layers[1], s.layers[3]);  // the older labels on top now
    d = app::labelsLayerDepths(s);
    QCOMPARE(d.layers.at("labels"), render::layerDepth(1));
    QCOMPARE(d.layers.at("labels-2"), render::layerDepth(1) + 2.0);
    // One labels layer: the bands of layerDepths.
    s.layers.erase(s.layers.begin() + 1);
    d = app::labelsLayerDepths(s);
    const auto one = app::layerDepths(s);
    QCOMPARE(d.bands.labels, one.labels);
    QCOMPARE(d.bands.cells, one.cells);
    QCOMPARE(d.bands.image, one.image);
    QCOMPARE(d.layers.at("labels"), one.labels);
  }

  void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(LabelsLayersTest)
#include "tst_labels_layers.moc"
