#include <QtTest>

#include "../support/offscreen_scene.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <deque>
#include <mutex>
#include <set>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "render/image_layer.h"
#include "render/label_layer.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {

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

// 32-pixel squares of ids 1..; a 4-pixel background (0) gap between them.
std::int64_t labelOf(std::int64_t x, std::int64_t y) {
  if (x % 32 < 4 || y % 32 < 4) return 0;
  return 1 + x / 32 + 100 * (y / 32);
}

std::shared_ptr<test::MemorySource> labelSource() {
  return std::make_shared<test::MemorySource>(
      data::DType::U16, 1024, 768, 1, 3, 256,
      [](int l, std::int64_t, std::int64_t x, std::int64_t y) {
        return double(labelOf(x << l, y << l));
      });
}

std::uint32_t rgbOf(std::uint32_t rgba) {
  return rgba >> 8;
}

}  // namespace

class LabelLayerTest : public QObject {
  Q_OBJECT
 private slots:
  void paletteColoursIdsAndZeroShowsTheImage() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(300, 200);
    Queue q;
    // A grey image underneath: label 0 must let it through.
    render::ImageLayer image(scene.renderer, cache, q.post(), {});
    image.setSource(std::make_shared<test::MemorySource>(
        data::DType::U16, 1024, 768, 1, 3, 256,
        [](int, std::int64_t, std::int64_t, std::int64_t) { return 40000.0; }));
    std::vector<render::ChannelDisplay> ds(1);
    ds[0].start = 0;
    ds[0].end = 65535;
    image.setDisplays(ds);
    render::LabelLayer labels(scene.renderer, cache, q.post(), {});
    labels.setSource(labelSource());
    const auto cam = camera(300, 200, 150, 100, 1.0);  // world == screen
    QVERIFY(waitComplete(q, image, cam));
    QVERIFY(waitComplete(q, labels, cam));
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 1, 1), 0x9C9C9Cu);  // background label: the image
    for (const auto& [x, y] : {std::pair{10, 10}, {50, 20}, {100, 150}, {280, 180}}) {
      const auto id = labelOf(x, y);
      QVERIFY(id > 0);
      QCOMPARE_RGB(at(px, 300, x, y), rgbOf(labels.colorOf(id)));
    }
    QVERIFY(labels.colorOf(1) != labels.colorOf(2));
    QCOMPARE(labels.labelAt(50.5, 20.5).value_or(-1), labelOf(50, 20));
    // Half opacity blends with the image.
    labels.setOpacity(0.5);
    labels.update(cam);
    px = scene.grab(cam);
    const std::uint32_t c = rgbOf(labels.colorOf(labelOf(50, 20)));
    std::uint32_t want = 0;
    for (int s = 16; s >= 0; s -= 8)
      want = (want << 8) | ((((c >> s) & 0xFF) + 0x9C + 1) / 2);
    QCOMPARE_RGB(at(px, 300, 50, 20), want);
  }

  void valuePerLabelTable() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(300, 200);
    Queue q;
    render::LabelLayer labels(scene.renderer, cache, q.post(), {});
    labels.setSource(labelSource());
    const std::int64_t a = labelOf(10, 10), b = labelOf(50, 10);
    labels.useLabelColors({{a, 0xFF0000FF}, {b, 0x00FF00FF}});
    const auto cam = camera(300, 200, 150, 100, 1.0);
    QVERIFY(waitComplete(q, labels, cam));
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 10, 10), 0xFF0000u);
    QCOMPARE_RGB(at(px, 300, 50, 10), 0x00FF00u);
    QCOMPARE_RGB(at(px, 300, 100, 10), 0x000000u);  // not in the table: transparent
    labels.usePalette();
    labels.update(cam);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 100, 10), rgbOf(labels.colorOf(labelOf(100, 10))));
    labels.setVisible(false);
    labels.update(cam);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 100, 10), 0x000000u);
  }

  void denseTableRecoloursFromCachedTiles() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(300, 200);
    Queue q;
    render::LabelLayer labels(scene.renderer, cache, q.post(), {});
    const auto source = labelSource();
    labels.setSource(source);
    const std::int64_t a = labelOf(10, 10), b = labelOf(50, 10), c = labelOf(100, 10);
    // A value per label, as the cells' colouring gives it: index = label id.
    std::vector<std::uint32_t> byId(static_cast<std::size_t>(b + 1), 0);
    byId[static_cast<std::size_t>(a)] = 0x0000FFFF;
    byId[static_cast<std::size_t>(b)] = 0xFFFF00FF;
    labels.useLabelColors(byId, 0x404040FF);
    const auto cam = camera(300, 200, 150, 100, 1.0);
    QVERIFY(waitComplete(q, labels, cam));
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 10, 10), 0x0000FFu);
    QCOMPARE_RGB(at(px, 300, 50, 10), 0xFFFF00u);
    QCOMPARE_RGB(at(px, 300, 100, 10), 0x404040u);  // past the table: otherRgba
    QCOMPARE_RGB(at(px, 300, 1, 1), 0x000000u);     // label 0 stays transparent
    QCOMPARE(labels.colorOf(c), 0x404040FFu);
    // A new colouring repaints every texture from the cached tiles: no read.
    const int reads = source->reads.load();
    byId[static_cast<std::size_t>(a)] = 0xFF00FFFF;
    byId[static_cast<std::size_t>(b)] = 0;  // e.g. a hidden cell
    labels.useLabelColors(byId);
    labels.update(cam);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 10, 10), 0xFF00FFu);
    QCOMPARE_RGB(at(px, 300, 50, 10), 0x000000u);
    QCOMPARE_RGB(at(px, 300, 100, 10), 0x000000u);
    QCOMPARE(source->reads.load(), reads);
  }

  void zoomedOutUsesACoarserLevelWithoutBlending() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    Scene scene(256, 192);
    Queue q;
    render::LabelLayer labels(scene.renderer, cache, q.post(), {});
    labels.setSource(labelSource());
    auto cam = camera(256, 192, 512, 384, 0.25);
    QVERIFY(waitComplete(q, labels, cam));
    QCOMPARE(labels.status().level, 2);
    const auto px = scene.grab(cam);
    // Every pixel is a palette colour or background: ids were never interpolated.
    std::set<std::uint32_t> allowed{0};
    for (std::int64_t id = 1; id < 3300; ++id)
      allowed.insert(rgbOf(labels.colorOf(id)));
    for (int y = 0; y < 192; y += 3)
      for (int x = 0; x < 256; x += 3)
        QVERIFY(allowed.count(at(px, 256, x, y)));
  }
};

QTEST_MAIN(LabelLayerTest)
#include "tst_label_layer.moc"
