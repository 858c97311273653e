#include <QtTest>

#include "../support/memory_source.h"
#include "render/tile_plan.h"
#include "render/view_camera.h"

using namespace tessera;

namespace {
test::MemorySource pyramid() {
  return test::MemorySource(data::DType::U8, 8192, 8192, 1, 6, 512,
                            [](int, std::int64_t, std::int64_t, std::int64_t) { return 0.0; });
}
}  // namespace

class TilePlanTest : public QObject {
  Q_OBJECT
 private slots:
  void choosesLevelMatchingScreenPixel() {
    auto src = pyramid();
    const auto& info = src.info();
    QCOMPARE(render::chooseLevel(info, 1.0), 0);
    QCOMPARE(render::chooseLevel(info, 2.0), 0);
    QCOMPARE(render::chooseLevel(info, 0.5), 1);
    QCOMPARE(render::chooseLevel(info, 0.3), 1);
    QCOMPARE(render::chooseLevel(info, 0.25), 2);
    QCOMPARE(render::chooseLevel(info, 0.125), 3);
    QCOMPARE(render::chooseLevel(info, 0.001), 5);
  }

  void keepsLevelWithinHysteresisBand() {
    auto src = pyramid();
    const auto& info = src.info();
    // Just past the switch to level 1 the current level 0 is kept...
    QCOMPARE(render::chooseLevel(info, 0.48, 0), 0);
    // ...and just before it, level 1 is kept when coming from there.
    QCOMPARE(render::chooseLevel(info, 0.52, 1), 1);
    // Far from the boundary the right level wins regardless.
    QCOMPARE(render::chooseLevel(info, 0.3, 0), 1);
    QCOMPARE(render::chooseLevel(info, 0.9, 1), 0);
  }

  void visibleTilesComeCentreFirst() {
    auto src = pyramid();
    render::Rect view{1000, 1000, 2600, 2000};
    const auto tiles = render::tilesCovering(src.info(), 0, view);
    // Columns 1..5, rows 1..3.
    QCOMPARE(int(tiles.size()), 15);
    const double cx = 1800, cy = 1500;
    auto dist = [&](const render::TileIndex& t) {
      const double x = (t.col + 0.5) * 512 - cx, y = (t.row + 0.5) * 512 - cy;
      return x * x + y * y;
    };
    for (std::size_t i = 1; i < tiles.size(); ++i)
      QVERIFY(dist(tiles[i - 1]) <= dist(tiles[i]));
  }

  void prefetchRingAddsNeighbours() {
    auto src = pyramid();
    render::Rect view{1100, 1100, 1400, 1400};
    QCOMPARE(int(render::tilesCovering(src.info(), 0, view).size()), 1);
    QCOMPARE(int(render::tilesCovering(src.info(), 0, view, 1).size()), 9);
  }

  void tilesAreClippedToTheImage() {
    auto src = pyramid();
    render::Rect view{-5000, -5000, 100, 100};
    const auto tiles = render::tilesCovering(src.info(), 0, view);
    QCOMPARE(int(tiles.size()), 1);
    QCOMPARE(tiles[0].row, std::int64_t(0));
    const auto r = render::tileWorldRect(src.info(), {5, 0, 0});
    QCOMPARE(r.x1, 8192.0);
  }

  void cameraZoomKeepsPointUnderCursor() {
    render::ViewCamera cam;
    cam.setViewport(800, 600);
    cam.fit({0, 0, 8192, 8192});
    double wx0, wy0, wx1, wy1;
    cam.screenToWorld(123, 456, wx0, wy0);
    cam.zoomAbout(123, 456, 3.7);
    cam.screenToWorld(123, 456, wx1, wy1);
    QVERIFY(std::abs(wx0 - wx1) < 1e-9 && std::abs(wy0 - wy1) < 1e-9);
  }

  void cameraFitShowsWholeImage() {
    render::ViewCamera cam;
    cam.setViewport(800, 600);
    cam.fit({0, 0, 8192, 4096});
    const auto v = cam.visibleWorld();
    QVERIFY(v.x0 <= 0 && v.y0 <= 0 && v.x1 >= 8192 && v.y1 >= 4096);
    QCOMPARE(cam.zoom(), 800.0 / 8192.0);
  }

  void cameraPanMovesContentWithTheDrag() {
    render::ViewCamera cam;
    cam.setViewport(100, 100);
    cam.setCenter(50, 50);
    double sx, sy;
    cam.worldToScreen(10, 10, sx, sy);
    cam.pan(7, -3);
    double sx2, sy2;
    cam.worldToScreen(10, 10, sx2, sy2);
    QCOMPARE(sx2 - sx, 7.0);
    QCOMPARE(sy2 - sy, -3.0);
  }
};

QTEST_GUILESS_MAIN(TilePlanTest)
#include "tst_tile_plan.moc"
