#include <QApplication>
#include <QtTest>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "widgets/image_view.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

namespace {
// Left half red, right half green, 2048 x 1024, so positions on screen are easy to check.
std::shared_ptr<test::MemorySource> halves() {
  auto src =
      std::make_shared<test::MemorySource>(data::DType::U8, 2048, 1024, 2, 3, 256,
                                           [](int l, std::int64_t c, std::int64_t x, std::int64_t) {
                                             const bool left = (x << l) < 1024;
                                             return (c == 0) == left ? 200.0 : 0.0;
                                           });
  auto& info = src->mutableInfo();
  info.channels[0].color = 0xFF0000;
  info.channels[1].color = 0x00FF00;
  for (auto& ch : info.channels)
    ch.window = std::array<double, 2>{0, 200};
  return src;
}

bool settle(widgets::ImageView& view) {
  for (int i = 0; i < 400; ++i) {
    QTest::qWait(20);
    const auto st = view.layer().status();
    if (st.visibleTiles > 0 && st.complete()) {
      QTest::qWait(60);
      return true;
    }
  }
  return false;
}
// A 400x300 view showing halves(), settled.
struct Shown {
  data::ThreadPool pool{2};
  data::TileCache cache{64 << 20, pool};
  widgets::ImageView view{cache};
  bool ready() {
    view.resize(400, 300);
    view.show();
    if (!QTest::qWaitForWindowExposed(&view)) return false;
    view.setSource(halves());
    return settle(view);
  }
};
}  // namespace

class ImageViewTest : public QObject {
  Q_OBJECT
 private slots:
  void rendersAtDevicePixelsOnHighDpi() {
    Shown shown;
    QVERIFY(shown.ready());
    auto& view = shown.view;
    QCOMPARE(view.glWindow()->devicePixelRatio(), 2.0);
    const QImage frame = view.grabFrame();
    // The framebuffer has twice the logical size, and the camera uses all of it.
    QCOMPARE(frame.size(), view.glWindow()->size() * 2);
    QCOMPARE(view.camera().viewportWidth(), frame.width());
    // Fit: the image (2:1) spans the width; left half red, right half green.
    const int y = frame.height() / 2;
    const QColor left = frame.pixelColor(frame.width() / 4, y),
                 right = frame.pixelColor(3 * frame.width() / 4, y);
    QVERIFY2(left.red() > 150 && left.green() < 30, qPrintable(left.name()));
    QVERIFY2(right.green() > 150 && right.red() < 30, qPrintable(right.name()));
  }

  void wheelZoomKeepsThePointUnderTheCursor() {
    Shown shown;
    QVERIFY(shown.ready());
    auto& view = shown.view;
    auto* gl = view.glWindow();
    const QPointF logical(100, 80);
    double wx0, wy0, wx1, wy1;
    view.camera().screenToWorld(logical.x() * 2, logical.y() * 2, wx0, wy0);
    const double zoom0 = view.camera().zoom();
    QWheelEvent wheel(logical, gl->mapToGlobal(logical.toPoint()), QPoint(), QPoint(0, 240),
                      Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(gl, &wheel);
    QVERIFY(settle(view));
    view.camera().screenToWorld(logical.x() * 2, logical.y() * 2, wx1, wy1);
    QVERIFY(std::abs(view.camera().zoom() / zoom0 - 1.5625) < 1e-9);
    QVERIFY(std::abs(wx1 - wx0) < 1e-6 && std::abs(wy1 - wy0) < 1e-6);
  }

  void dragPansAndKeysNavigate() {
    Shown shown;
    QVERIFY(shown.ready());
    auto& view = shown.view;
    auto* gl = view.glWindow();
    const double cx = view.camera().centerX(), zoom = view.camera().zoom();
    QTest::mousePress(gl, Qt::LeftButton, {}, QPoint(200, 150));
    QTest::mouseMove(gl, QPoint(150, 150));
    QTest::mouseRelease(gl, Qt::LeftButton, {}, QPoint(150, 150));
    // 50 logical px = 100 device px to the left moves the centre right by 100 / zoom.
    QVERIFY(std::abs(view.camera().centerX() - (cx + 100 / zoom)) < 1e-6);
    QTest::keyClick(gl, Qt::Key_1);
    QCOMPARE(view.camera().zoom(), 1.0);
    QTest::keyClick(gl, Qt::Key_Plus);
    QCOMPARE(view.camera().zoom(), 1.25);
    QTest::keyClick(gl, Qt::Key_0);
    QVERIFY(settle(view));
    QCOMPARE(view.camera().zoom(), zoom);
    const double y0 = view.camera().centerY();
    QTest::keyClick(gl, Qt::Key_Down);
    QVERIFY(view.camera().centerY() > y0);
  }

  void resizeKeepsTheCameraInStep() {
    Shown shown;
    QVERIFY(shown.ready());
    auto& view = shown.view;
    view.resize(600, 500);
    QTest::qWait(200);
    QVERIFY(settle(view));
    QCOMPARE(view.camera().viewportWidth(), view.glWindow()->width() * 2);
    QCOMPARE(view.camera().viewportHeight(), view.glWindow()->height() * 2);
  }
};

int main(int argc, char** argv) {
  // A 2x display, as on a high-DPI laptop.
  qputenv("QT_SCALE_FACTOR", "2");
  QApplication app(argc, argv);
  ImageViewTest test;
  return QTest::qExec(&test, argc, argv);
}
#include "tst_image_view.moc"
