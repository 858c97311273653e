#include <QtTest>

#include "../support/offscreen_scene.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <chrono>
#include <cmath>

#include "render/polygon_overlay.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {

// Side-s squares at half-pixel corners, so 1-pixel outlines run through pixel centres.
void square(std::vector<float>& xy, std::vector<std::uint32_t>& off, float x0, float y0, float s) {
  xy.insert(xy.end(), {x0, y0, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s});
  off.push_back(static_cast<std::uint32_t>(xy.size() / 2));
}

struct Two {
  std::vector<float> xy;
  std::vector<std::uint32_t> off{0};
  std::vector<std::int32_t> codes{0, 1};
  std::vector<std::uint32_t> palette{0xFF0000, 0x00FF00};
  Two() {
    square(xy, off, 20.5f, 20.5f, 40);
    square(xy, off, 100.5f, 40.5f, 60);
  }
};

struct Bounds {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1, lit = 0;
};
Bounds litBounds(const std::vector<std::uint8_t>& px, int w) {
  Bounds b;
  for (std::size_t i = 0; i < px.size(); i += 3)
    if (px[i] | px[i + 1] | px[i + 2]) {
      const int x = static_cast<int>(i / 3 % w), y = static_cast<int>(i / 3 / w);
      b.x0 = std::min(b.x0, x);
      b.y0 = std::min(b.y0, y);
      b.x1 = std::max(b.x1, x);
      b.y1 = std::max(b.y1, y);
      ++b.lit;
    }
  return b;
}

}  // namespace

class PolygonOverlayTest : public QObject {
  Q_OBJECT
 private slots:
  void outlinesRunAlongTheEdges() {
    Scene scene(200, 150);
    render::PolygonOverlay polys(scene.renderer);
    Two t;
    QVERIFY(polys.setPolygons(t.xy, t.off).has_value());
    QVERIFY(
        polys.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    const auto cam = camera(200, 150, 100, 75, 1.0);
    polys.update(cam);
    QVERIFY(!polys.standIn());
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, 20, 40), 0xFF0000u);   // left edge
    QCOMPARE_RGB(at(px, 200, 40, 60), 0xFF0000u);   // bottom edge
    QCOMPARE_RGB(at(px, 200, 40, 40), 0x000000u);   // hollow
    QCOMPARE_RGB(at(px, 200, 160, 70), 0x00FF00u);  // right edge of the second
    QCOMPARE_RGB(at(px, 200, 80, 40), 0x000000u);
  }

  void filledCellsCoverTheirInside() {
    Scene scene(200, 150);
    render::PolygonOverlay polys(scene.renderer);
    Two t;
    QVERIFY(polys.setPolygons(t.xy, t.off).has_value());
    QVERIFY(
        polys.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    polys.setFill(render::PolygonFill::Filled);
    const auto cam = camera(200, 150, 100, 75, 1.0);
    polys.update(cam);
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, 40, 40), 0xFF0000u);
    QCOMPARE_RGB(at(px, 200, 130, 70), 0x00FF00u);
    QCOMPARE_RGB(at(px, 200, 70, 40), 0x000000u);
    const auto b = litBounds(px, 200);
    QCOMPARE(b.lit, 40 * 40 + 60 * 60);  // exactly the squares' pixels, no seams or overlap
  }

  void hiddenPolygonsVanishAndRecolouringKeepsShapes() {
    Scene scene(200, 150);
    render::PolygonOverlay polys(scene.renderer);
    Two t;
    QVERIFY(polys.setPolygons(t.xy, t.off).has_value());
    polys.setFill(render::PolygonFill::Filled);
    QVERIFY(
        polys.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    QVERIFY(polys.setHidden(render::hiddenByCategory(t.codes, {0})).has_value());
    const auto cam = camera(200, 150, 100, 75, 1.0);
    polys.update(cam);
    auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, 40, 40), 0x000000u);
    QCOMPARE_RGB(at(px, 200, 130, 70), 0x00FF00u);
    const auto rev = polys.revisions();
    QVERIFY(polys.setColoring(render::OverlayColoring::scalar({0.f, 1.f}, render::Lut::Grays, 0, 1))
                .has_value());
    polys.update(cam);
    px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, 130, 70), 0xFFFFFFu);
    QCOMPARE(polys.revisions().geometry, rev.geometry);
    QCOMPARE(polys.revisions().cells, rev.cells);
    QCOMPARE(litBounds(px, 200).lit, 60 * 60);
  }

  void selectionIsOutlined() {
    Scene scene(200, 150);
    render::PolygonOverlay polys(scene.renderer);
    Two t;
    QVERIFY(polys.setPolygons(t.xy, t.off).has_value());
    QVERIFY(
        polys.setColoring(render::OverlayColoring::categorical(t.codes, t.palette)).has_value());
    polys.setFill(render::PolygonFill::Filled);
    QVERIFY(polys.setSelection({1}).has_value());
    const auto cam = camera(200, 150, 100, 75, 1.0);
    polys.update(cam);
    const auto px = scene.grab(cam);
    QCOMPARE_RGB(at(px, 200, 100, 70), 0xFFFF00u);
    QCOMPARE_RGB(at(px, 200, 130, 70), 0x00FF00u);
    QCOMPARE_RGB(at(px, 200, 20, 40), 0xFF0000u);
  }

  void badPolygonsAreRefused() {
    Scene scene(10, 10);
    render::PolygonOverlay polys(scene.renderer, "cells.parquet");
    auto r = polys.setPolygons({0, 0, 1, 0, 1, 1}, {0, 2});
    QVERIFY(!r.has_value());
    QVERIFY(r.error().message.find("cells.parquet") != std::string::npos);
    QVERIFY(!polys.setPolygons({0, 0, 1, 0}, {0, 2}).has_value());
    QVERIFY(!polys.setPolygons({0, 0, 1, 0, 1, 1}, {0, 2, 3}).has_value());
    QVERIFY(polys.setPolygons({0, 0, 1, 0, 1, 1}, {0, 3}).has_value());
    QVERIFY(!polys.setColoring(render::OverlayColoring::categorical({1, 2})).has_value());
  }

  void centroidsStandInBelowTwoPixels() {
    Scene scene(300, 300);
    render::PolygonOverlay polys(scene.renderer);
    std::vector<float> xy;
    std::vector<std::uint32_t> off{0};
    for (int j = 0; j < 40; ++j)
      for (int i = 0; i < 40; ++i)
        square(xy, off, 20.f * i, 20.f * j, 10.f);
    QVERIFY(polys.setPolygons(xy, off).has_value());
    polys.setFill(render::PolygonFill::Filled);
    const double d = polys.typicalDiameter();
    QVERIFY(std::abs(d - 2 * std::sqrt(100 / M_PI)) < 1e-3);
    // Cells become noise under 2 px: the switch is at zoom 2 / d.
    const double zSwitch = 2.0 / d;
    auto cam = camera(300, 300, 395, 395, zSwitch * 1.02);
    polys.update(cam);
    QVERIFY(!polys.standIn());
    const auto cells = litBounds(scene.grab(cam), 300);
    cam.setZoom(zSwitch * 0.98);
    polys.update(cam);
    QVERIFY(polys.standIn());
    QCOMPARE(polys.centroids().lod(), render::PointLod::Sprites);
    const auto centroids = litBounds(scene.grab(cam), 300);
    // The stand-in covers the same area (within a pixel or two) and about as many pixels.
    QVERIFY(std::abs(cells.x0 - centroids.x0) <= 2 && std::abs(cells.x1 - centroids.x1) <= 2);
    QVERIFY(std::abs(cells.y0 - centroids.y0) <= 2 && std::abs(cells.y1 - centroids.y1) <= 2);
    QVERIFY2(
        centroids.lit > cells.lit / 2 && centroids.lit < cells.lit * 2,
        qPrintable(QString("cells lit %1, centroids lit %2").arg(cells.lit).arg(centroids.lit)));
  }

  // Only the polygons around the view are listed; pans inside that margin rebuild nothing and
  // the outlines are where they belong after the pan.
  void polygonsAreCulledAndPansDoNotRebuild() {
    Scene scene(200, 200);
    render::PolygonOverlay polys(scene.renderer);
    // 100 x 100 squares of side 20, 40 apart, alternately red and green.
    std::vector<float> xy;
    std::vector<std::uint32_t> off{0};
    std::vector<std::int32_t> codes;
    for (int j = 0; j < 100; ++j)
      for (int i = 0; i < 100; ++i) {
        square(xy, off, 40.f * i + 10.5f, 40.f * j + 10.5f, 20);
        codes.push_back((i + j) % 2);
      }
    QVERIFY(polys.setPolygons(xy, off).has_value());
    QVERIFY(polys.setColoring(render::OverlayColoring::categorical(codes, {0xFF0000, 0x00FF00}))
                .has_value());
    auto cam = camera(200, 200, 2000, 2000, 1.0);
    polys.update(cam);
    QVERIFY(!polys.standIn());
    QVERIFY2(polys.submitted() > 25 && polys.submitted() <= polys.count() / 4,
             qPrintable(QString::number(polys.submitted())));
    const auto rev = polys.revisions();
    for (int step = 0; step < 10; ++step) {
      cam.pan(-6, 8);
      polys.update(cam);
    }
    QCOMPARE(polys.revisions().cells, rev.cells);
    auto px = scene.grab(cam);
    // The left edge of square (i, j) runs along x = 40 i + 10.5.
    for (const auto& [i, j] : {std::pair{50, 48}, {51, 48}, {52, 49}}) {
      double sx, sy;
      cam.worldToScreen(40.0 * i + 10.5, 40.0 * j + 20.5, sx, sy);
      QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), (i + j) % 2 ? 0x00FF00u : 0xFF0000u);
      cam.worldToScreen(40.0 * i + 20.5, 40.0 * j + 20.5, sx, sy);
      QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), 0x000000u);  // inside: an outline only
    }
    // Far away: one rebuild, and the outlines there.
    cam.setCenter(3800, 200);
    polys.update(cam);
    QCOMPARE(polys.revisions().cells, rev.cells + 1);
    px = scene.grab(cam);
    double sx, sy;
    cam.worldToScreen(40.0 * 95 + 10.5, 40.0 * 4 + 20.5, sx, sy);
    QCOMPARE_RGB(at(px, 200, int(sx), int(sy)), 0x00FF00u);  // (95 + 4) % 2: green
  }

  void twoHundredThousandPolygonsTiming() {
    Scene scene(800, 500);
    render::PolygonOverlay polys(scene.renderer);
    std::vector<float> xy;
    std::vector<std::uint32_t> off{0};
    for (int j = 0; j < 400; ++j)
      for (int i = 0; i < 500; ++i) {
        const float cx = 20.f * i + 10, cy = 20.f * j + 10;
        for (int k = 0; k < 8; ++k)
          xy.insert(xy.end(), {cx + 8 * std::cos(k * 0.785f), cy + 8 * std::sin(k * 0.785f)});
        off.push_back(static_cast<std::uint32_t>(xy.size() / 2));
      }
    auto t0 = std::chrono::steady_clock::now();
    QVERIFY(polys.setPolygons(std::move(xy), std::move(off)).has_value());
    QCOMPARE(polys.count(), std::size_t(200000));
    polys.setLodMinDiameterPx(0);
    auto cam = camera(800, 500, 5000, 4000, 0.08);
    polys.update(cam);
    scene.grab(cam);
    auto t1 = std::chrono::steady_clock::now();
    std::vector<std::int32_t> codes(200000);
    for (std::size_t i = 0; i < codes.size(); ++i)
      codes[i] = static_cast<std::int32_t>(i % 9);
    QVERIFY(polys.setColoring(render::OverlayColoring::categorical(codes)).has_value());
    polys.update(cam);
    scene.grab(cam);
    auto t2 = std::chrono::steady_clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    qInfo("200k polygons: first frame %.0f ms, recolour + frame %.0f ms", ms(t0, t1), ms(t1, t2));
  }
};

QTEST_MAIN(PolygonOverlayTest)
#include "tst_polygon_overlay.moc"
