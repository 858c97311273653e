#include <QtTest>

#include "../support/offscreen_scene.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "render/point_overlay.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {

// Three points at pixel centres of a 1:1 view whose world equals its screen.
struct Three {
  std::vector<float> x{50.5f, 150.5f, 250.5f}, y{50.5f, 100.5f, 150.5f};
  std::vector<std::int32_t> codes{0, 1, 2};
  std::vector<std::uint32_t> palette{0xFF0000, 0x00FF00, 0x0000FF};
};

int countLit(const std::vector<std::uint8_t>& px) {
  int n = 0;
  for (std::size_t i = 0; i < px.size(); i += 3)
    n += (px[i] | px[i + 1] | px[i + 2]) != 0;
  return n;
}

}  // namespace

class PointOverlayTest : public QObject {
  Q_OBJECT
 private slots:
  void categoricalPointsAppearAtTheirPixels() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer);
    Three t;
    QVERIFY(points.setPoints(t.x, t.y).has_value());
    QVERIFY(
        points.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    points.setSize(9, render::SizeUnit::ScreenPixels);
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Sprites);
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 50, 50), 0xFF0000u);
    QCOMPARE_RGB(at(px, 300, 53, 50), 0xFF0000u);  // inside the 9-pixel disk
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x00FF00u);
    QCOMPARE_RGB(at(px, 300, 250, 150), 0x0000FFu);
    QCOMPARE_RGB(at(px, 300, 56, 50), 0x000000u);  // outside it
    QCOMPARE_RGB(at(px, 300, 54, 54), 0x000000u);  // a disk, not a square
    QCOMPARE_RGB(at(px, 300, 100, 100), 0x000000u);
  }

  // Points prepared on another thread land where setPoints would put them, coloured.
  void preparedPointsOnAWorker() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer, "prepared", 0.2);
    Three t;
    std::optional<data::Expected<render::PreparedPoints>> prepared;
    std::thread worker([&] {
      prepared = render::PointOverlay::prepare(
          t.x, t.y, render::OverlayColoring::categorical(t.codes, t.palette), 0.2, "prepared");
    });
    worker.join();
    QVERIFY(prepared && prepared->has_value());
    auto wrongDepth = render::PointOverlay::prepare(t.x, t.y, {}, 0.5, "prepared");
    QVERIFY(wrongDepth.has_value());
    QVERIFY(!points.setPoints(std::move(*wrongDepth)).has_value());
    QVERIFY(!render::PointOverlay::prepare(t.x, {1.f}, {}, 0.2, "prepared").has_value());
    QVERIFY(points.setPoints(std::move(**prepared)).has_value());
    QCOMPARE(points.count(), std::size_t{3});
    points.setSize(9, render::SizeUnit::ScreenPixels);
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 50, 50), 0xFF0000u);
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x00FF00u);
    QCOMPARE_RGB(at(px, 300, 250, 150), 0x0000FFu);
    // Recolouring writes into the same buffers.
    QVERIFY(points.setColoring(render::OverlayColoring::solidColor(0xFFFF00)).has_value());
    points.update(cam);
    QCOMPARE_RGB(at(scene.grab(cam), 300, 150, 100), 0xFFFF00u);
  }

  void scalarColoursFollowTheLut() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer);
    Three t;
    QVERIFY(points.setPoints(t.x, t.y).has_value());
    QVERIFY(points
                .setColoring(render::OverlayColoring::scalar({10.f, 15.f, 40.f},
                                                             render::Lut::Viridis, 10, 20))
                .has_value());
    points.setSize(5, render::SizeUnit::ScreenPixels);
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    const auto px = scene.grab(cam);
    for (const auto& [i, f] : {std::pair{0, 0.0}, {1, 0.5}, {2, 1.0}}) {
      double rgb[3];
      render::lutColor(render::Lut::Viridis, f, rgb);
      const std::uint32_t want = (std::uint32_t(std::lround(rgb[0] * 255)) << 16) |
                                 (std::uint32_t(std::lround(rgb[1] * 255)) << 8) |
                                 std::uint32_t(std::lround(rgb[2] * 255));
      QCOMPARE_RGB(at(px, 300, int(t.x[i]), int(t.y[i])), want);
    }
  }

  void hiddenCategoriesVanish() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer);
    Three t;
    QVERIFY(points.setPoints(t.x, t.y).has_value());
    QVERIFY(
        points.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    points.setSize(7, render::SizeUnit::ScreenPixels);
    QVERIFY(points.setHidden(render::hiddenByCategory(t.codes, {1})).has_value());
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 50, 50), 0xFF0000u);
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x000000u);
    QCOMPARE_RGB(at(px, 300, 250, 150), 0x0000FFu);
    QVERIFY(points.setHidden({}).has_value());
    points.update(cam);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x00FF00u);
    QVERIFY(!points.setHidden({1, 0}).has_value());  // wrong length is refused
  }

  void recolouringChangesOnlyColours() {
    Scene scene(400, 400);
    render::PointOverlay points(scene.renderer);
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0, 400);
    std::vector<float> x(5000), y(5000);
    std::vector<std::int32_t> codes(5000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = u(rng);
      y[i] = u(rng);
      codes[i] = static_cast<std::int32_t>(i % 5);
    }
    QVERIFY(points.setPoints(x, y).has_value());
    QVERIFY(points.setColoring(render::OverlayColoring::categorical(codes)).has_value());
    points.setSize(3, render::SizeUnit::ScreenPixels);
    const auto cam = camera(400, 400, 200, 200, 1.0);
    points.update(cam);
    const auto before = scene.grab(cam);
    const auto rev = points.revisions();
    QVERIFY(points.setColoring(render::OverlayColoring::solidColor(0xFFFFFF)).has_value());
    points.update(cam);
    const auto after = scene.grab(cam);
    QCOMPARE(points.revisions().geometry, rev.geometry);
    QCOMPARE(points.revisions().cells, rev.cells);
    QCOMPARE(points.revisions().colors, rev.colors + 1);
    int changed = 0;
    for (std::size_t i = 0; i < before.size(); i += 3) {
      const bool litBefore = (before[i] | before[i + 1] | before[i + 2]) != 0;
      const bool litAfter = (after[i] | after[i + 1] | after[i + 2]) != 0;
      QCOMPARE(litAfter, litBefore);  // same footprint
      if (litAfter) {
        QCOMPARE(int(after[i]), 255);
        changed += before[i] != 255 || before[i + 1] != 255 || before[i + 2] != 255;
      }
    }
    QVERIFY(changed > 1000);
  }

  void worldSizeScalesWithZoom() {
    Scene scene(200, 200);
    render::PointOverlay points(scene.renderer);
    QVERIFY(points.setPoints({100.f}, {100.f}).has_value());
    points.setSize(40, render::SizeUnit::World);  // e.g. a spot 40 level-0 pixels across
    for (const double zoom : {0.5, 2.0}) {
      const auto cam = camera(200, 200, 100, 100, zoom);
      points.update(cam);
      QCOMPARE(points.diameterPx(zoom), 40 * zoom);
      const auto px = scene.grab(cam);
      const double r = 20 * zoom;
      QCOMPARE_RGB(at(px, 200, 100 + int(r - 2), 100), 0xFFFFFFu);
      QCOMPARE_RGB(at(px, 200, 100 + int(r + 2), 100), 0x000000u);
    }
  }

  void selectionIsRinged() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer);
    Three t;
    QVERIFY(points.setPoints(t.x, t.y).has_value());
    QVERIFY(
        points.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    points.setSize(9, render::SizeUnit::ScreenPixels);
    points.setSelectionColor(0xFFFF00);
    QVERIFY(points.setSelection({1}).has_value());
    QVERIFY(!points.setSelection({3}).has_value());
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x00FF00u);  // the point keeps its colour
    QCOMPARE_RGB(at(px, 300, 156, 100), 0xFFFF00u);  // with a ring around it
    QCOMPARE_RGB(at(px, 300, 56, 50), 0x000000u);    // unselected: no ring
  }

  void opacityBlendsOverTheBackground() {
    Scene scene(300, 200);
    render::PointOverlay points(scene.renderer);
    Three t;
    QVERIFY(points.setPoints(t.x, t.y).has_value());
    points.setSize(7, render::SizeUnit::ScreenPixels);
    points.setOpacity(0.5);
    const auto cam = camera(300, 200, 150, 100, 1.0);
    points.update(cam);
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 300, 150, 100), 0x808080u);
    points.setVisible(false);
    points.update(cam);
    px = scene.grab(cam);
    QCOMPARE(countLit(px), 0);
  }

  void densityStandsInWhenSubPixelAndDense() {
    Scene scene(400, 300);
    render::PointOverlay points(scene.renderer);
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> u(0, 4000);
    std::vector<float> x(20000), y(20000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = u(rng);
      y[i] = 1000 + u(rng) / 4;  // a band: the stand-in must cover only it
    }
    QVERIFY(points.setPoints(x, y).has_value());
    points.setSize(10, render::SizeUnit::World);
    points.setLodPolicy({1.5, 5000});
    // The switch happens where a 10-unit point becomes 1.5 px wide: zoom 0.15.
    auto cam = camera(400, 300, 2000, 1500, 0.16);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Sprites);
    cam.setZoom(0.15);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Density);
    // Few points in view: sprites again, whatever the zoom.
    points.setLodPolicy({1.5, 50000});
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Sprites);

    // The stand-in covers what one-pixel sprites cover, in the same colour. Its bins are 1-2
    // screen pixels wide (world-aligned, 2^level units), so it covers a little more.
    cam.setZoom(0.09);
    points.setSize(1, render::SizeUnit::ScreenPixels);
    points.setLodPolicy({1.0, std::size_t(1) << 40});
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Sprites);
    const auto sprites = scene.grab(cam);
    points.setLodPolicy({1.0, 0});
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Density);
    QVERIFY(points.densityTilesInView() > 0);
    const auto density = scene.grab(cam);
    // Bins and pixels do not line up: a sprite's pixel counts as covered when the stand-in
    // lights it or a neighbour.
    auto litNear = [&](int x, int y) {
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int xx = std::clamp(x + dx, 0, 399), yy = std::clamp(y + dy, 0, 299);
          if (density[(static_cast<std::size_t>(yy) * 400 + xx) * 3]) return true;
        }
      return false;
    };
    int litS = 0, litD = 0, missed = 0;
    double sx0, sy0, sx1, sy1;
    cam.worldToScreen(0, 1000, sx0, sy0);
    cam.worldToScreen(4000, 2000, sx1, sy1);
    for (std::size_t i = 0; i < sprites.size(); i += 3) {
      const bool s = sprites[i] != 0, d = density[i] != 0;
      litS += s;
      litD += d;
      missed += s && !litNear(int(i / 3 % 400), int(i / 3 / 400));
      if (!d) continue;
      QCOMPARE(int(density[i]), 255);
      // Within the band, give or take one bin (16 world units = 1.44 px here).
      const double x = double(i / 3 % 400), y = double(i / 3 / 400);
      QVERIFY(x >= sx0 - 2 && x <= sx1 + 2 && y >= sy0 - 2 && y <= sy1 + 2);
    }
    QVERIFY(litS > 5000);
    QVERIFY2(missed <= litS / 50 && litD <= litS * 5 / 2,
             qPrintable(QString("lit %1 vs %2, %3 missed").arg(litS).arg(litD).arg(missed)));
  }

  void selectionKeepsItsColourOverDensityTiles() {
    // Zoomed out, density tiles stand in for the points; a selected point is still drawn in its
    // own colour (green among red ones), in a yellow ring.
    Scene scene(400, 300);
    render::PointOverlay points(scene.renderer);
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0, 4000);
    std::vector<float> x(20000), y(20000);
    std::vector<std::int32_t> codes(x.size(), 0);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = u(rng), y[i] = 1000 + u(rng) / 4;
    x[7] = 2000, y[7] = 1500, codes[7] = 1;
    QVERIFY(points.setPoints(x, y).has_value());
    QVERIFY(points.setColoring(render::OverlayColoring::categorical(codes, {0xFF0000, 0x00FF00}))
                .has_value());
    points.setSize(1, render::SizeUnit::ScreenPixels);
    points.setLodPolicy({1.0, 0});
    points.setSelectionColor(0xFFFF00);
    QVERIFY(points.setSelection({7}).has_value());
    const auto cam = camera(400, 300, 2000, 1500, 0.09);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Density);
    const auto px = scene.grab(cam);
    double sx = 0, sy = 0;
    cam.worldToScreen(2000, 1500, sx, sy);
    const int cx = static_cast<int>(sx), cy = static_cast<int>(sy);
    // A 3 px dot of its own colour (the point sits on a pixel corner), a 7 px yellow ring.
    int own = 0, ring = 0;
    for (int dy = -4; dy <= 4; ++dy)
      for (int dx = -4; dx <= 4; ++dx) {
        const auto c = at(px, 400, cx + dx, cy + dy);
        if (std::abs(dx) <= 1 && std::abs(dy) <= 1) own += c == 0x00FF00u;
        if (std::max(std::abs(dx), std::abs(dy)) == 3) ring += c == 0xFFFF00u;
      }
    QVERIFY2(own >= 4, qPrintable(QString::number(own)));
    QVERIFY2(ring >= 8, qPrintable(QString::number(ring)));
    // Without a selection the green point is only a share of its tile's mean colour.
    QVERIFY(points.setSelection({}).has_value());
    points.update(cam);
    const auto plain = scene.grab(cam);
    QVERIFY(at(plain, 400, cx, cy) != 0x00FF00u);
  }

  // Sprites: only the points around the view are submitted, and a pan inside that margin
  // rebuilds nothing; the points land at the right pixels after the pan.
  void spritesAreCulledAndPansDoNotRebuild() {
    Scene scene(200, 200);
    render::PointOverlay points(scene.renderer);
    // A 100 x 100 lattice, 40 units apart: 10000 points over 4000 x 4000 world units.
    std::vector<float> x, y;
    std::vector<std::int32_t> codes;
    for (int j = 0; j < 100; ++j)
      for (int i = 0; i < 100; ++i) {
        x.push_back(40.f * i + 20.5f);
        y.push_back(40.f * j + 20.5f);
        codes.push_back((i + j) % 2);
      }
    QVERIFY(points.setPoints(x, y).has_value());
    QVERIFY(points.setColoring(render::OverlayColoring::categorical(codes, {0xFF0000, 0x00FF00}))
                .has_value());
    points.setSize(7, render::SizeUnit::ScreenPixels);
    auto cam = camera(200, 200, 2000, 2000, 1.0);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Sprites);
    QVERIFY2(points.submitted() > 25 && points.submitted() <= points.count() / 4,
             qPrintable(QString::number(points.submitted())));
    const auto rev = points.revisions();
    for (int step = 0; step < 10; ++step) {
      cam.pan(7, -5);  // 70 x 50 pixels in all: inside the half-view margin
      points.update(cam);
      QCOMPARE(points.revisions().cells, rev.cells);
    }
    auto px = scene.grab(cam);
    // Lattice point (i, j) is at world (40 i + 20.5, 40 j + 20.5).
    for (const auto& [i, j] : {std::pair{49, 49}, {50, 49}, {49, 50}, {48, 50}}) {
      double sx, sy;
      cam.worldToScreen(40.0 * i + 20.5, 40.0 * j + 20.5, sx, sy);
      QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), (i + j) % 2 ? 0x00FF00u : 0xFF0000u);
    }
    double gx, gy;  // between lattice points: background
    cam.worldToScreen(40.0 * 50, 40.0 * 50, gx, gy);
    QCOMPARE_RGB(at(px, 200, int(gx), int(gy)), 0x000000u);
    // A pan far away rebuilds once and shows the points there.
    cam.setCenter(300, 3700);
    points.update(cam);
    QCOMPARE(points.revisions().cells, rev.cells + 1);
    px = scene.grab(cam);
    double sx, sy;
    cam.worldToScreen(40.0 * 7 + 20.5, 40.0 * 92 + 20.5, sx, sy);
    QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), 0x00FF00u);
    // Hiding rebuilds the cells in view without moving anything else.
    QVERIFY(points.setHidden(render::hiddenByCategory(codes, {1})).has_value());
    points.update(cam);
    QCOMPARE(points.revisions().cells, rev.cells + 2);
    QCOMPARE(points.revisions().geometry, rev.geometry);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), 0x000000u);
  }

  // Density: tiles are world-aligned and cached, so pans move quads and rebuild no tile;
  // recolouring recomputes the tiles in view once.
  void densityTilesAreCachedAcrossPans() {
    Scene scene(400, 300);
    scene.renderer->SetBackground(0.25, 0.25, 0.25);
    render::PointOverlay points(scene.renderer);
    // Left half red, right half blue, 400k points over 40000 x 30000.
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> ux(0, 40000), uy(0, 30000);
    std::vector<float> x(400000), y(400000);
    std::vector<std::int32_t> codes(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      do {  // with an empty hole around (26000, 10000)
        x[i] = ux(rng);
        y[i] = uy(rng);
      } while (std::abs(x[i] - 26000) < 2000 && std::abs(y[i] - 10000) < 2000);
      codes[i] = x[i] < 20000 ? 0 : 1;
    }
    QVERIFY(points.setPoints(x, y).has_value());
    QVERIFY(points.setColoring(render::OverlayColoring::categorical(codes, {0xFF0000, 0x0000FF}))
                .has_value());
    points.setSize(1, render::SizeUnit::ScreenPixels);
    points.setLodPolicy({1.5, 1000});
    // Zoom 1/80: bins of 128 units (1.6 px), tiles of 32768 units: two cover every point.
    auto cam = camera(400, 300, 20000, 15000, 0.0125);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Density);
    const auto r = cam.visibleWorld();
    std::size_t inView = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      inView += x[i] >= r.x0 && x[i] < r.x1 && y[i] >= r.y0 && y[i] < r.y1;
    QCOMPARE(points.visibleInView(), inView);
    auto px = scene.grab(cam);
    const auto built = points.revisions().density;
    QVERIFY(built > 0);
    // About 5.5 points per bin: sample 7 x 7 pixels around a place.
    auto dominant = [&](const std::vector<std::uint8_t>& img, double wx, double wy) {
      double sx, sy;
      cam.worldToScreen(wx, wy, sx, sy);
      int red = 0, blue = 0;
      for (int dy = -3; dy <= 3; ++dy)
        for (int dx = -3; dx <= 3; ++dx) {
          const auto c = at(img, 400, int(sx) + dx, int(sy) + dy);
          red += c == 0xFF0000u;
          blue += c == 0x0000FFu;
        }
      return red > 10 && blue == 0 ? 0xFF0000u : blue > 10 && red == 0 ? 0x0000FFu : 0u;
    };
    QCOMPARE(dominant(px, 10000, 15000), 0xFF0000u);
    QCOMPARE(dominant(px, 30000, 15000), 0x0000FFu);
    for (int step = 0; step < 12; ++step) {
      cam.pan(-9, 4);
      points.update(cam);
    }
    px = scene.grab(cam);
    // Cached: no tile rebuilt by the pans (tiles without points are never built).
    QVERIFY2(points.revisions().density == built,
             qPrintable(QString("%1 tiles built, then %2; %3 in view")
                            .arg(built)
                            .arg(points.revisions().density)
                            .arg(points.densityTilesInView())));
    // The view now spans x 12640-44640, y -840-23160.
    QCOMPARE(dominant(px, 16000, 14000), 0xFF0000u);
    QCOMPARE(dominant(px, 34000, 14000), 0x0000FFu);
    // Bins without points are cut out: the background shows through (the tiles are opaque
    // where they hold points, so they stay out of VTK's costly translucent pass).
    double ex, ey;
    cam.worldToScreen(26000, 10000, ex, ey);
    QCOMPARE_RGB(at(px, 400, int(ex), int(ey)), 0x404040u);
    // Recolour: the tiles in view are recomputed once, then pans are free again.
    QVERIFY(points.setColoring(render::OverlayColoring::solidColor(0x00FF00)).has_value());
    points.update(cam);
    const auto recoloured = points.revisions().density;
    QVERIFY(recoloured > built && recoloured - built <= points.densityTilesInView() + 2);
    cam.pan(5, 5);
    points.update(cam);
    QCOMPARE(points.revisions().density, recoloured);
    px = scene.grab(cam);
    double sx, sy;
    cam.worldToScreen(30000, 12000, sx, sy);
    int green = 0;
    for (int dx = -3; dx <= 3; ++dx)
      green += at(px, 400, int(sx) + dx, int(sy)) == 0x00FF00u;
    QVERIFY(green >= 2);
  }

  void millionPointsTiming() {
    Scene scene(800, 500);
    render::PointOverlay points(scene.renderer);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0, 20000);
    std::vector<float> x(1000000), y(1000000);
    std::vector<float> v(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = u(rng);
      y[i] = u(rng);
      v[i] = u(rng);
    }
    auto t0 = std::chrono::steady_clock::now();
    QVERIFY(points.setPoints(std::move(x), std::move(y)).has_value());
    points.setSize(3, render::SizeUnit::ScreenPixels);
    auto cam = camera(800, 500, 10000, 10000, 0.05);
    points.update(cam);
    scene.grab(cam);
    auto t1 = std::chrono::steady_clock::now();
    QVERIFY(points.setColoring(render::OverlayColoring::scalar(v, render::Lut::Magma, 0, 20000))
                .has_value());
    points.update(cam);
    scene.grab(cam);
    auto t2 = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    qInfo("1M points: first frame %.0f ms (%s), recolour + frame %.0f ms", ms(t0, t1),
          points.lod() == render::PointLod::Density ? "density" : "sprites", ms(t1, t2));
    // The same with the density stand-in: recolouring bins the tiles in view again.
    points.setSize(1, render::SizeUnit::ScreenPixels);
    points.update(cam);
    QCOMPARE(points.lod(), render::PointLod::Density);
    scene.grab(cam);
    std::vector<double> upload, update, frame;
    for (int rep = 0; rep < 5; ++rep) {
      auto a = std::chrono::steady_clock::now();
      QVERIFY(points
                  .setColoring(render::OverlayColoring::scalar(v, render::Lut::Magma, 0,
                                                               rep % 2 ? 10000 : 20000))
                  .has_value());
      auto b = std::chrono::steady_clock::now();
      points.update(cam);
      auto c = std::chrono::steady_clock::now();
      scene.grab(cam);
      auto d = std::chrono::steady_clock::now();
      upload.push_back(ms(a, b));
      update.push_back(ms(b, c));
      frame.push_back(ms(c, d));
    }
    std::sort(upload.begin(), upload.end());
    std::sort(update.begin(), update.end());
    std::sort(frame.begin(), frame.end());
    qInfo(
        "1M points, density: recolour %.1f ms + binning the tiles in view %.1f ms + frame "
        "(and read-back) %.1f ms (medians)",
        upload[2], update[2], frame[2]);
  }
};

QTEST_MAIN(PointOverlayTest)
#include "tst_point_overlay.moc"
