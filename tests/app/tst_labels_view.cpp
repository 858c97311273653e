#include <QApplication>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include "app/app_context.h"
#include "app/main_window.h"
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
 private slots:
  void labelImageIsDrawnWithItsColours() {
    const QString path = QStringLiteral(TESSERA_TEST_WORK_DIR "/labelled.ome.zarr");
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kMakeFixture, path});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

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
};

QTEST_MAIN(LabelsViewTest)
#include "tst_labels_view.moc"
