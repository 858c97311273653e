#include <QtTest>

#include "../support/offscreen_scene.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <deque>
#include <mutex>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "render/image_layer.h"
#include "render/offscreen_render.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {

double ch0(std::int64_t x, std::int64_t y) {
  return static_cast<double>((x * 37 + y * 11) % 65536);
}
double ch1(std::int64_t x, std::int64_t y) {
  return static_cast<double>((x * y) % 60000);
}

// Level-l pixels of a 2x mean pyramid would need real downsampling; the tests only look at
// level 0 exactly, and at coarser levels only for coverage, so each level samples the function.
std::shared_ptr<test::MemorySource> gradientSource() {
  return std::make_shared<test::MemorySource>(
      data::DType::U16, 1024, 768, 2, 3, 256,
      [](int l, std::int64_t c, std::int64_t x, std::int64_t y) {
        return c == 0 ? ch0(x << l, y << l) : ch1(x << l, y << l);
      });
}

// One channel in white over the whole uint16 range: value v shows as grey v * 255 / 65535.
std::vector<render::ChannelDisplay> whiteFullRange() {
  std::vector<render::ChannelDisplay> ds(1);
  ds[0].color = 0xFFFFFF;
  ds[0].start = 0;
  ds[0].end = 65535;
  return ds;
}

// Runs posted callbacks on the test thread, like the GUI event loop would.

bool waitFor(Queue& q, render::ImageLayer& layer, const render::ViewCamera& cam,
             std::function<bool()> done) {
  for (int i = 0; i < 400; ++i) {
    layer.update(cam);
    if (done()) return true;
    QTest::qWait(10);
    q.pump();
  }
  return false;
}

}  // namespace

class ImageLayerTest : public QObject {
  Q_OBJECT
 private slots:
  void oneToOneCompositeIsPixelExact() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    auto src = gradientSource();
    render::RenderRequest req;
    req.region = render::Rect{100, 50, 400, 250};  // crosses tile borders at 256
    std::vector<render::ChannelDisplay> ds(2);
    ds[0].name = "a";
    ds[0].color = 0xFF0000;
    ds[0].start = 1000;
    ds[0].end = 50000;
    ds[0].gamma = 0.7;
    ds[1].name = "b";
    ds[1].color = 0x00FFFF;
    ds[1].start = 0;
    ds[1].end = 30000;
    ds[1].inverted = true;
    req.displays = ds;
    req.scaleBar = false;
    auto img = render::renderOffscreen(src, cache, req);
    QVERIFY2(img.has_value(), img ? "" : img.error().message.c_str());
    QCOMPARE(img->width, 300);
    QCOMPARE(img->height, 200);
    QCOMPARE(img->level, 0);
    int worst = 0;
    for (int y = 0; y < img->height; ++y)
      for (int x = 0; x < img->width; ++x) {
        const std::int64_t ix = 100 + x, iy = 50 + y;
        const double v[2] = {ch0(ix, iy), ch1(ix, iy)};
        double ref[3] = {0, 0, 0};
        for (int c = 0; c < 2; ++c) {
          double f = std::clamp((v[c] - ds[c].start) / (ds[c].end - ds[c].start), 0.0, 1.0);
          if (ds[c].inverted) f = 1 - f;
          f = std::pow(f, ds[c].gamma);
          for (int k = 0; k < 3; ++k)
            ref[k] += f * ((ds[c].color >> (16 - 8 * k)) & 0xFF);
        }
        for (int k = 0; k < 3; ++k) {
          const int got = img->rgb[(static_cast<std::size_t>(y) * img->width + x) * 3 + k];
          worst = std::max(worst,
                           std::abs(got - static_cast<int>(std::lround(std::min(255.0, ref[k])))));
        }
      }
    QVERIFY2(worst <= 2, qPrintable(QString("worst pixel error %1/255").arg(worst)));
  }

  void coarserLevelCoversTilesStillLoading() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    auto src = std::make_shared<test::MemorySource>(
        data::DType::U16, 1024, 1024, 1, 3, 256,
        [](int, std::int64_t, std::int64_t, std::int64_t) { return 40000.0; });
    src->delay = std::chrono::milliseconds(150);
    Scene scene(256, 256);
    Queue q;
    render::ImageLayer layer(scene.renderer, cache, q.post(), {});
    layer.setSource(src);
    layer.setDisplays(whiteFullRange());
    render::ViewCamera cam;
    cam.setViewport(256, 256);
    cam.setCenter(512, 512);
    cam.oneToOne();
    bool sawFallback = false;
    QVERIFY(waitFor(q, layer, cam, [&] {
      const auto st = layer.status();
      if (st.uncovered == 0 && !st.complete()) {
        sawFallback = true;
        const auto px = scene.grab(cam);
        for (std::size_t i = 0; i < px.size(); ++i)
          if (px[i] < 100) return false;  // a hole would be black
      }
      return st.complete();
    }));
    QVERIFY(sawFallback);
    const auto px = scene.grab(cam);
    QVERIFY(std::all_of(px.begin(), px.end(),
                        [](std::uint8_t v) { return std::abs(int(v) - 156) <= 2; }));
  }

  // Panning along a row of 32 tiles evicts the first ones (the layer keeps about 24): their
  // actors are reused for the tiles that come next, moved by their matrix. Every tile must
  // show its own pixels where it belongs, on the way and back at the start.
  void recycledTileActorsShowTheirNewTiles() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    constexpr int kTile = 256, kCols = 32;
    auto src = std::make_shared<test::MemorySource>(
        data::DType::U16, kTile * kCols, kTile, 1, 1, kTile,
        [](int, std::int64_t, std::int64_t x, std::int64_t) { return 2000.0 * (x / kTile); });
    Scene scene(kTile, kTile);
    Queue q;
    render::ImageLayer layer(scene.renderer, cache, q.post(), {});
    layer.setSource(src);
    layer.setDisplays(whiteFullRange());
    auto grey = [](int col) {
      const auto v = static_cast<std::uint32_t>(std::lround(2000.0 * col * 255 / 65535));
      return (v << 16) | (v << 8) | v;
    };
    render::ViewCamera cam;
    cam.setViewport(kTile, kTile);
    cam.oneToOne();
    // Centred on the border between tiles k-1 and k: the left half shows k-1, the right half k.
    auto check = [&](int k) {
      cam.setCenter(k * kTile, kTile / 2.0);
      if (!waitFor(q, layer, cam, [&] { return layer.status().complete(); })) return false;
      const auto px = scene.grab(cam);
      return near(at(px, kTile, kTile / 4, kTile / 2), grey(k - 1)) &&
             near(at(px, kTile, 3 * kTile / 4, kTile / 2), grey(k));
    };
    for (int k = 1; k < kCols; ++k)
      QVERIFY2(check(k), qPrintable(QString("border %1").arg(k)));
    QVERIFY(layer.actorCount() < static_cast<std::size_t>(kCols));
    for (int k : {1, 2, 16})
      QVERIFY2(check(k), qPrintable(QString("back at border %1").arg(k)));
  }

  void failedTileIsHatched() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    auto src = gradientSource();
    src->failing.insert({0, 0, 0});
    render::RenderRequest req;
    req.region = render::Rect{0, 0, 200, 200};
    req.scaleBar = false;
    auto img = render::renderOffscreen(src, cache, req);
    QVERIFY(img.has_value());
    int red = 0, data = 0;
    for (std::size_t i = 0; i + 2 < img->rgb.size(); i += 3) {
      if (img->rgb[i] == 170 && img->rgb[i + 1] == 30)
        ++red;
      else if (img->rgb[i] + img->rgb[i + 1] + img->rgb[i + 2] > 0)
        ++data;
    }
    QVERIFY(red > 1000);
    QVERIFY(data > 1000);  // between the stripes: the coarser level, not black
  }

  void failingLevelFallsBackToTheNextLevelAndIsMarked() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    // Level 0 fails everywhere in view; level 1 holds the data (grey 156).
    auto src = std::make_shared<test::MemorySource>(
        data::DType::U16, 1024, 1024, 1, 3, 256,
        [](int, std::int64_t, std::int64_t, std::int64_t) { return 40000.0; });
    for (std::int64_t r = 0; r < 4; ++r)
      for (std::int64_t c = 0; c < 4; ++c)
        src->failing.insert({0, r, c});
    Scene scene(256, 256);
    Queue q;
    render::ImageLayer layer(scene.renderer, cache, q.post(), {});
    layer.setSource(src);
    layer.setDisplays(whiteFullRange());
    const auto cam = camera(256, 256, 128, 128, 1.0);
    QVERIFY(waitFor(q, layer, cam, [&] {
      const auto st = layer.status();
      return st.complete() && st.failedTiles == st.visibleTiles && st.uncovered == 0 &&
             st.pendingRequests == 0;
    }));
    layer.update(cam);
    const auto px = scene.grab(cam);
    int red = 0, grey = 0, other = 0;
    for (int y = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x) {
        const auto rgb = at(px, 256, x, y);
        if (near(rgb, 0xAA1E1Eu))
          ++red;
        else if (near(rgb, 0x9C9C9Cu))
          ++grey;
        else
          ++other;
      }
    QVERIFY2(red > 20000 && grey > 20000, qPrintable(QString("%1 %2").arg(red).arg(grey)));
    QVERIFY2(other < 2000, qPrintable(QString::number(other)));  // only stripe edges
    QCOMPARE_RGB(at(px, 256, 12, 0), 0x9C9C9Cu);                 // (x + y) / 8 odd: between stripes
    QCOMPARE_RGB(at(px, 256, 3, 0), 0xAA1E1Eu);
  }

  void tilesLeavingTheViewAreCancelled() {
    data::ThreadPool pool(1);
    data::TileCache cache(64 << 20, pool);
    auto src = std::make_shared<test::MemorySource>(
        data::DType::U8, 8192, 8192, 1, 6, 256,
        [](int, std::int64_t, std::int64_t, std::int64_t) { return 200.0; });
    src->delay = std::chrono::milliseconds(20);
    Scene scene(512, 512);
    Queue q;
    render::ImageLayer layer(scene.renderer, cache, q.post(), {});
    layer.setSource(src);
    render::ViewCamera cam;
    cam.setViewport(512, 512);
    // Visit ten far-apart places at 1:1 without waiting; each asks for a dozen tiles or more.
    for (int i = 0; i < 10; ++i) {
      cam.setCenter(400 + 750.0 * i, 400 + 750.0 * i);
      cam.oneToOne();
      layer.update(cam);
    }
    QVERIFY(waitFor(q, layer, cam, [&] { return layer.status().complete(); }));
    pool.waitIdle();
    const auto stats = cache.stats();
    QVERIFY2(stats.cancelled > 50, qPrintable(QString("cancelled %1").arg(stats.cancelled)));
    QVERIFY(src->reads.load() < 100);
  }

  void displayChangeDoesNotReread() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    auto src = gradientSource();
    Scene scene(300, 300);
    Queue q;
    render::ImageLayer layer(scene.renderer, cache, q.post(), {});
    layer.setSource(src);
    render::ViewCamera cam;
    cam.setViewport(300, 300);
    cam.setCenter(150, 150);
    cam.oneToOne();
    QVERIFY(waitFor(q, layer, cam, [&] { return layer.status().complete(); }));
    pool.waitIdle();
    const int reads = src->reads.load();
    auto before = scene.grab(cam);
    auto ds = layer.displays();
    ds[0].color = 0x00FF00;
    ds[1].visible = false;
    layer.setDisplays(ds);
    layer.update(cam);
    // Re-composited on a worker: until it is back, the old picture stays (no hole, no flash).
    QVERIFY(scene.grab(cam) == before);
    QVERIFY(waitFor(q, layer, cam, [&] { return layer.status().complete(); }));
    auto after = scene.grab(cam);
    QCOMPARE(src->reads.load(), reads);
    QVERIFY(before != after);
    // Only green remains.
    for (std::size_t i = 0; i < after.size(); i += 3)
      QCOMPARE(int(after[i]), 0);
  }
};

QTEST_MAIN(ImageLayerTest)
#include "tst_image_layer.moc"
