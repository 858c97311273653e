#include <QtTest>

#include "../support/offscreen_scene.h"

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include "render/legend.h"
#include "render/scene.h"

using namespace tessera;
using namespace tessera::test;

namespace {}  // namespace

class LegendTest : public QObject {
  Q_OBJECT
 private slots:
  void categorySwatchesShowTheirColours() {
    Scene scene(400, 300);
    render::Legend legend(scene.renderer);
    legend.showCategories(
        "cluster", {{"B cells", 0xFF0000}, {"T cells", 0x00FF00}, {"stroma", 0x0000FF, true}});
    legend.update(400, 300);
    render::ViewCamera cam;
    cam.setViewport(400, 300);
    const auto px = scene.grab(cam);
    const auto r0 = legend.swatchRect(0), r1 = legend.swatchRect(1), r2 = legend.swatchRect(2);
    QVERIFY(r0.x1 <= 400 && r0.y0 >= 0 && r0.x0 > 200);  // top right
    auto centre = [&](const render::Rect& r) {
      return at(px, 400, int((r.x0 + r.x1) / 2), int((r.y0 + r.y1) / 2));
    };
    QCOMPARE_RGB(centre(r0), 0xFF0000u);
    QCOMPARE_RGB(centre(r1), 0x00FF00u);
    QCOMPARE_RGB(centre(r2), 0x000000u);  // hidden: outline only
    QCOMPARE_RGB(at(px, 400, int(r2.x0), int((r2.y0 + r2.y1) / 2)), 0x0000FFu);
    // Labels are drawn beside the swatches.
    int text = 0;
    for (int y = int(r0.y0); y < int(r1.y1); ++y)
      for (int x = int(r0.x1) + 4; x < 400; ++x)
        text += at(px, 400, x, y) != 0;
    QVERIFY(text > 20);
  }

  void scaleBarFollowsTheLut() {
    Scene scene(400, 300);
    render::Legend legend(scene.renderer);
    legend.showScale("CD3 expression", render::Lut::Viridis, 0, 12.5);
    legend.update(400, 300);
    render::ViewCamera cam;
    cam.setViewport(400, 300);
    const auto px = scene.grab(cam);
    const auto bar = legend.swatchRect(0);
    for (const double f : {0.1, 0.5, 0.9}) {
      double rgb[3];
      render::lutColor(render::Lut::Viridis, f, rgb);
      const std::uint32_t want = (std::uint32_t(rgb[0] * 255 + 0.5) << 16) |
                                 (std::uint32_t(rgb[1] * 255 + 0.5) << 8) |
                                 std::uint32_t(rgb[2] * 255 + 0.5);
      const std::uint32_t got =
          at(px, 400, int(bar.x0 + f * bar.width()), int((bar.y0 + bar.y1) / 2));
      QVERIFY2(near(got, want, 8),
               qPrintable(QString("at %1: got %2, want %3").arg(f).arg(hex(got), hex(want))));
    }
    legend.hide();
    QCOMPARE(legend.swatchRect(0).width(), 0.0);
  }
};

QTEST_MAIN(LegendTest)
#include "tst_legend.moc"
