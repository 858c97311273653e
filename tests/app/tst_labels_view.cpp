#include <QApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include <QCheckBox>
#include <QSlider>
#include <QTemporaryDir>

#include "app/cells/cells_labels.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "data/cells/cell_table.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"

using namespace tessera;

namespace {
// A grey two-channel image with an NGFF label image: label 1 (coloured red by image-label)
// fills [100,200)², label 2 (no colour) fills [300,400)².
const char* kMakeFixture = R"PY(
import sys, numpy as np, zarr
root = zarr.open_group(zarr.DirectoryStore(sys.argv[1]), mode="w")
img = np.full((2, 512, 512), 1000, dtype="<u2")
root.create_dataset("0", data=img, chunks=(1, 256, 256), dimension_separator="/")
axes = [{"name": "c", "type": "channel"}, {"name": "y", "type": "space"}, {"name": "x", "type": "space"}]
root.attrs["multiscales"] = [{"version": "0.4", "axes": axes,
    "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 1, 1]}]}]}]
root.attrs["omero"] = {"channels": [{"label": "a", "color": "FFFFFF", "window": {"start": 0, "end": 4000}},
                                    {"label": "b", "color": "FFFFFF", "window": {"start": 0, "end": 4000}}]}
labels = root.create_group("labels")
labels.attrs["labels"] = ["cells"]
cells = labels.create_group("cells")
seg = np.zeros((512, 512), dtype="<i4")
seg[100:200, 100:200] = 1
seg[300:400, 300:400] = 2
cells.create_dataset("0", data=seg, chunks=(256, 256), dimension_separator="/")
cells.attrs["multiscales"] = [{"version": "0.4", "axes": axes[1:],
    "datasets": [{"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 1]}]}]}]
cells.attrs["image-label"] = {"version": "0.4", "colors": [{"label-value": 1, "rgba": [255, 0, 0, 255]}]}
)PY";

// The cells of that label image: cell ids are the label values; cluster A (green) holds label 1,
// B (blue) label 2; gene g is 0 in cell 1 and 10 in cell 2.
const char* kMakeTable = R"PY(
import sys, numpy as np, pandas as pd, anndata as ad
obs = pd.DataFrame({"cluster": pd.Categorical(["A", "B"])}, index=["1", "2"])
a = ad.AnnData(X=np.array([[0.0], [10.0]], dtype=np.float32), obs=obs,
               var=pd.DataFrame(index=["g"]))
a.uns["cluster_colors"] = ["#00ff00", "#0000ff"]
a.write_h5ad(sys.argv[1])
)PY";

void runPython(const char* script, const QString& arg) {
  QProcess py;
  py.start(TESSERA_PYTHON, {"-c", script, arg});
  QVERIFY(py.waitForFinished(120000));
  QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
}

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

class LabelsViewTest : public QObject {
  Q_OBJECT
  QTemporaryDir config_;

 private slots:
  void initTestCase() {
    // Panel state (the gene coloured last) is kept between runs: start each run afresh.
    qputenv("XDG_CONFIG_HOME", config_.path().toUtf8());
  }

  void labelImageIsDrawnWithItsColours() {
    const QString path = QStringLiteral(TESSERA_TEST_WORK_DIR "/labelled.ome.zarr");
    runPython(kMakeFixture, path);

    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy opened(&window, &app::MainWindow::datasetOpened);
    window.openInputs({path});
    QVERIFY(opened.wait(60000));
    auto* view = window.imageView();
    QVERIFY(view->labels() != nullptr);
    QVERIFY(settle(view));
    const QImage frame = view->grabFrame();
    frame.save(QStringLiteral(TESSERA_TEST_WORK_DIR "/labels_view.png"));
    auto at = [&](double wx, double wy) {
      double sx = 0, sy = 0;
      view->camera().worldToScreen(wx, wy, sx, sy);
      return frame.pixelColor(static_cast<int>(sx), static_cast<int>(sy));
    };
    const QColor inRed = at(150, 150), inUncoloured = at(350, 350), outside = at(50, 450);
    // Grey image (1000 of 4000 in two white channels: ~128) with red at 50 % over label 1.
    QVERIFY2(inRed.red() > inRed.green() + 60, qPrintable(inRed.name()));
    QVERIFY2(std::abs(inUncoloured.red() - inUncoloured.green()) < 10,
             qPrintable(inUncoloured.name()));
    QVERIFY2(std::abs(outside.red() - outside.green()) < 10 && outside.green() > 80,
             qPrintable(outside.name()));
  }

  // Cells linked to the label image by their ids: the label regions take the cells' colouring,
  // and the label image's row in the Channels panel drives its opacity and visibility.
  void labelsTakeTheCellsColouringAndTheirPanelRow() {
    const QString image = QStringLiteral(TESSERA_TEST_WORK_DIR "/labelled_cells.ome.zarr");
    const QString table = QStringLiteral(TESSERA_TEST_WORK_DIR "/labelled_cells.h5ad");
    runPython(kMakeFixture, image);
    runPython(kMakeTable, table);

    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QSignalSpy cells(&window, &app::MainWindow::cellsLoaded);
    window.openInputs({image, table});
    QVERIFY(cells.wait(60000));
    auto* view = window.imageView();
    QVERIFY(view->labels() != nullptr);
    QVERIFY(window.cellsLabels()->linked());
    auto* panel = window.channelPanel();
    const int row = window.cellsLabels()->row();
    QVERIFY(row >= 0);
    QCOMPARE(panel->overlayName(row), QStringLiteral("Labels: cells"));
    QCOMPARE(panel->overlayOpacity(row)->value(), 50);

    auto at = [&](double wx, double wy) {
      QTest::qWait(50);
      settle(view);
      const QImage frame = view->grabFrame();
      double sx = 0, sy = 0;
      view->camera().worldToScreen(wx, wy, sx, sy);
      return frame.pixelColor(static_cast<int>(sx), static_cast<int>(sy));
    };
    auto expect = [](QColor got, QColor want, int tol = 12) {
      QVERIFY2(distance(got, want) <= tol, qPrintable(got.name() + " vs " + want.name()));
    };
    const QColor grey = at(50, 450);
    QVERIFY(std::abs(grey.red() - grey.green()) < 10 && grey.green() > 80);
    // Opacity 100 % from the panel: the cluster colours exactly.
    panel->overlayOpacity(row)->setValue(100);
    QCOMPARE(view->labels()->opacity(), 1.0);
    expect(at(150, 150), QColor(0x00, 0xFF, 0x00));
    expect(at(350, 350), QColor(0x00, 0x00, 0xFF));
    // Colouring by a gene recolours the regions through the LUT (viridis ends).
    auto& session = window.cells()->session();
    QSignalSpy colored(&session, &app::CellsSession::coloringChanged);
    QVERIFY(session.colorByGene("g"));
    QVERIFY(colored.wait(20000));
    expect(at(150, 150), QColor(0x44, 0x01, 0x54), 20);
    expect(at(350, 350), QColor(0xFD, 0xE7, 0x25), 20);
    view->grabFrame().save(QStringLiteral(TESSERA_TEST_WORK_DIR "/labels_by_gene.png"));
    panel->grab().save(QStringLiteral(TESSERA_TEST_WORK_DIR "/labels_panel.png"));
    // Half opacity from the panel blends with the image.
    panel->overlayOpacity(row)->setValue(50);
    const QColor half = at(350, 350);
    expect(half,
           QColor((0xFD + grey.red() + 1) / 2, (0xE7 + grey.green() + 1) / 2,
                  (0x25 + grey.blue() + 1) / 2),
           20);
    // Hidden from the panel: the image alone.
    panel->overlayVisible(row)->setChecked(false);
    QVERIFY(!view->labels()->visible());
    expect(at(350, 350), grey, 8);
    expect(at(150, 150), grey, 8);
    panel->overlayVisible(row)->setChecked(true);
    expect(at(350, 350), half, 8);
  }
};

QTEST_MAIN(LabelsViewTest)
#include "tst_labels_view.moc"
