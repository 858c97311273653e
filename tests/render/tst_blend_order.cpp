#include <QtTest>

#include "../support/offscreen_scene.h"

#include <cmath>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "render/blend_order.h"
#include "render/image_layer.h"
#include "render/label_layer.h"
#include "render/point_overlay.h"
#include "render/polygon_overlay.h"

using namespace tessera;
using namespace tessera::test;

namespace {

constexpr int kW = 300, kH = 200;

// Labels only left of x = 128 (32-pixel squares, 4-pixel background gaps); nothing right of it.
std::int64_t labelOf(std::int64_t x, std::int64_t y) {
  if (x >= 128 || x % 32 < 4 || y % 32 < 4) return 0;
  return 1 + x / 32 + 100 * (y / 32);
}

// A horizontal grey ramp, so that a wrong blend order shows in every pixel.
double imageValue(std::int64_t x, std::int64_t) {
  return 10000.0 + 150.0 * static_cast<double>(x);
}

std::uint32_t grey(std::int64_t x) {
  const auto g = static_cast<std::uint32_t>(std::lround(imageValue(x, 0) / 65535.0 * 255.0));
  return (g << 16) | (g << 8) | g;
}

// a * over + (1 - a) * under, per channel.
std::uint32_t over(std::uint32_t top, double a, std::uint32_t under) {
  std::uint32_t out = 0;
  for (int s = 16; s >= 0; s -= 8) {
    const double v = a * ((top >> s) & 0xFF) + (1 - a) * ((under >> s) & 0xFF);
    out |= static_cast<std::uint32_t>(std::lround(v)) << s;
  }
  return out;
}

template <class Layer>
bool waitComplete(Queue& q, Layer& layer, const render::ViewCamera& cam) {
  for (int i = 0; i < 400; ++i) {
    layer.update(cam);
    if (layer.status().complete()) return true;
    QTest::qWait(10);
    q.pump();
  }
  return false;
}

}  // namespace

class BlendOrderTest : public QObject {
  Q_OBJECT
 private slots:
  // Labels at 50 %, points at 60 % and polygons at 40 % over an image, blended in the opaque
  // pass, match VTK's translucent pass wherever at most one translucent sheet covers a pixel,
  // and are the exact "over" composite where two overlap. The overlays are created before the
  // image tiles, which must nevertheless be drawn underneath them.
  void blendedLayersMatchTheTranslucentPass() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(kW, kH);
    Queue q;
    render::PointOverlay points(scene.renderer);
    const std::vector<float> px{200.5f, 250.5f, 50.5f}, py{50.5f, 150.5f, 50.5f};
    QVERIFY(points.setPoints(px, py).has_value());
    QVERIFY(
        points.setColoring(render::OverlayColoring::categorical({0, 1, 0}, {0xFF0000, 0x00FF00}))
            .has_value());
    points.setSize(9, render::SizeUnit::ScreenPixels);
    points.setOpacity(0.6);
    render::PolygonOverlay polygons(scene.renderer);
    // One filled square, right of the labels and away from the points.
    QVERIFY(polygons.setPolygons({160, 120, 190, 120, 190, 170, 160, 170}, {0, 4}).has_value());
    QVERIFY(polygons.setColoring(render::OverlayColoring::solidColor(0x0000FF)).has_value());
    polygons.setFill(render::PolygonFill::Filled);
    polygons.setOpacity(0.4);
    render::LabelLayer labels(scene.renderer, cache, q.post(), {});
    labels.setSource(std::make_shared<test::MemorySource>(
        data::DType::U16, 1024, 768, 1, 3, 256,
        [](int l, std::int64_t, std::int64_t x, std::int64_t y) {
          return double(labelOf(x << l, y << l));
        }));
    labels.setOpacity(0.5);
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
    QVERIFY(waitComplete(q, labels, cam));
    QVERIFY(waitComplete(q, image, cam));
    points.update(cam);
    polygons.update(cam);
    const auto blended = scene.grab(cam);

    // Known pixels: background label, a label, a point, the polygon, a point over a label.
    QCOMPARE_RGB(at(blended, kW, 1, 1), grey(1));
    QCOMPARE_RGB(at(blended, kW, 140, 10), grey(140));
    const std::uint32_t label = labels.colorOf(labelOf(20, 20)) >> 8;
    QCOMPARE_RGB(at(blended, kW, 20, 20), over(label, 0.5, grey(20)));
    QCOMPARE_RGB(at(blended, kW, 200, 50), over(0xFF0000, 0.6, grey(200)));
    QCOMPARE_RGB(at(blended, kW, 250, 150), over(0x00FF00, 0.6, grey(250)));
    QCOMPARE_RGB(at(blended, kW, 175, 145), over(0x0000FF, 0.4, grey(175)));
    const std::uint32_t under = over(labels.colorOf(labelOf(50, 50)) >> 8, 0.5, grey(50));
    QCOMPARE_RGB(at(blended, kW, 50, 50), over(0xFF0000, 0.6, under));

    render::useTranslucentPass(scene.renderer);
    const auto translucent = scene.grab(cam);
    int compared = 0;
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) {
        if (std::abs(x - 50) <= 6 && std::abs(y - 50) <= 6) continue;  // the overlap
        ++compared;
        if (!near(at(blended, kW, x, y), at(translucent, kW, x, y)))
          QFAIL(qPrintable(QString("pixel %1,%2: %3 blended, %4 translucent pass")
                               .arg(x)
                               .arg(y)
                               .arg(hex(at(blended, kW, x, y)))
                               .arg(hex(at(translucent, kW, x, y)))));
      }
    QVERIFY(compared > kW * kH / 2);
  }
};

QTEST_MAIN(BlendOrderTest)
#include "tst_blend_order.moc"
