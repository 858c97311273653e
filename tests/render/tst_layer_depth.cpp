// The session's layer order as depth bands (render::layerDepth): whichever band is nearer is
// drawn on top, opaque or blended, whatever order the actors were added in, and the deepest band
// (with the image's coarsest level) stays inside the camera's clipping range.
#include <QtTest>

#include "../support/offscreen_scene.h"

#include <cmath>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "render/image_layer.h"
#include "render/point_overlay.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {

constexpr int kW = 200, kH = 120;
constexpr std::uint32_t kRed = 0xFF0000;

double imageValue(std::int64_t x, std::int64_t) {
  return 10000.0 + 150.0 * static_cast<double>(x);
}

std::uint32_t grey(std::int64_t x) {
  const auto g = static_cast<std::uint32_t>(std::lround(imageValue(x, 0) / 65535.0 * 255.0));
  return (g << 16) | (g << 8) | g;
}

std::uint32_t over(std::uint32_t top, double a, std::uint32_t under) {
  std::uint32_t out = 0;
  for (int s = 16; s >= 0; s -= 8) {
    const double v = a * ((top >> s) & 0xFF) + (1 - a) * ((under >> s) & 0xFF);
    out |= static_cast<std::uint32_t>(std::lround(v)) << s;
  }
  return out;
}

}  // namespace

class LayerDepthTest : public QObject {
  Q_OBJECT
 private slots:
  void nearerBandIsDrawnOnTop() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(kW, kH);
    Queue q;
    // The points are added first, the image's tiles later: the order of the actors must not
    // matter, only the bands.
    render::PointOverlay points(scene.renderer);
    QVERIFY(points.setPoints({50.5f, 150.5f}, {60.5f, 60.5f}).has_value());
    QVERIFY(points.setColoring(render::OverlayColoring::solidColor(kRed)).has_value());
    points.setSize(11, render::SizeUnit::ScreenPixels);
    render::ImageLayer image(scene.renderer, cache, q.post(), {});
    image.setSource(std::make_shared<test::MemorySource>(
        data::DType::U16, 1024, 768, 1, 3, 256,
        [](int l, std::int64_t, std::int64_t x, std::int64_t y) {
          return imageValue(x << l, y << l);
        }));
    std::vector<render::ChannelDisplay> ds(1);
    ds[0].start = 0;
    ds[0].end = 65535;
    image.setDisplays(ds);
    const auto cam = camera(kW, kH, kW / 2.0, kH / 2.0, 1.0);  // world == screen
    auto draw = [&] {
      for (int i = 0; i < 400; ++i) {
        image.update(cam);
        if (image.status().visibleTiles > 0 && image.status().complete()) break;
        QTest::qWait(10);
        q.pump();
      }
      points.update(cam);
      return scene.grab(cam);
    };

    // The image in the deepest band, the points on top: both drawn.
    image.setDepthOffset(render::layerDepth(render::kLayerBands - 1));
    auto px = draw();
    QVERIFY(image.status().complete());
    QCOMPARE_RGB(at(px, kW, 10, 10), grey(10));
    QCOMPARE_RGB(at(px, kW, 50, 60), kRed);
    QCOMPARE_RGB(at(px, kW, 150, 60), kRed);

    // Swapped: the opaque image covers the points.
    image.setDepthOffset(render::layerDepth(0));
    points.setDepthOffset(render::layerDepth(1));
    px = draw();
    QCOMPARE_RGB(at(px, kW, 50, 60), grey(50));
    QCOMPARE_RGB(at(px, kW, 150, 60), grey(150));

    // A translucent image on top blends over the points below it (blend order by depth).
    image.setOpacity(0.5);
    px = draw();
    QCOMPARE_RGB(at(px, kW, 50, 60), over(grey(50), 0.5, kRed));
    QCOMPARE_RGB(at(px, kW, 10, 10), over(grey(10), 0.5, 0));

    // Translucent points on top again blend over the image.
    image.setOpacity(1);
    image.setDepthOffset(render::layerDepth(1));
    points.setDepthOffset(render::layerDepth(0));
    points.setOpacity(0.6);
    px = draw();
    QCOMPARE_RGB(at(px, kW, 150, 60), over(kRed, 0.6, grey(150)));
  }
};

QTEST_MAIN(LayerDepthTest)
#include "tst_layer_depth.moc"
