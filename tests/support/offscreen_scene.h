#pragma once
/// Off-screen VTK scene and helpers shared by the render tests: a renderer in an off-screen
/// window whose pixels come back top row first, a queue standing in for the UI thread's event
/// loop, and RGB comparisons with a tolerance. Test code only; one thread.
#include <QString>
#include <QtTest>

#include <vtkNew.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkUnsignedCharArray.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "render/image_layer.h"
#include "render/scene.h"
#include "render/task_queue.h"
#include "render/view_camera.h"

namespace tessera::test {

struct Scene {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkRenderWindow> window;
  Scene(int w, int h) {
    render::setupRenderer(renderer);
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetSize(w, h);
    window->AddRenderer(renderer);
  }
  int w() const { return window->GetSize()[0]; }
  // RGB, top row first.
  std::vector<std::uint8_t> grab(const render::ViewCamera& cam) {
    render::applyCamera(renderer, cam);
    window->Render();
    const int* s = window->GetSize();
    vtkNew<vtkUnsignedCharArray> px;
    window->GetPixelData(0, 0, s[0] - 1, s[1] - 1, 0, px);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(s[0]) * s[1] * 3);
    for (int y = 0; y < s[1]; ++y)
      std::memcpy(out.data() + static_cast<std::size_t>(y) * s[0] * 3,
                  px->GetPointer(0) + static_cast<std::size_t>(s[1] - 1 - y) * s[0] * 3, s[0] * 3);
    return out;
  }
};

inline std::uint32_t at(const std::vector<std::uint8_t>& px, int w, int x, int y) {
  const auto* p = px.data() + (static_cast<std::size_t>(y) * w + x) * 3;
  return (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
}

inline bool near(std::uint32_t a, std::uint32_t b, int tol = 2) {
  for (int s = 0; s < 24; s += 8)
    if (std::abs(int((a >> s) & 0xFF) - int((b >> s) & 0xFF)) > tol) return false;
  return true;
}

inline QString hex(std::uint32_t c) {
  return QString("%1").arg(c, 6, 16, QChar('0'));
}

#define QCOMPARE_RGB(got, want)            \
  QVERIFY2(tessera::test::near(got, want), \
           qPrintable(                     \
               QString("got %1, want %2").arg(tessera::test::hex(got), tessera::test::hex(want))))

inline render::ViewCamera camera(int w, int h, double cx, double cy, double zoom) {
  render::ViewCamera cam;
  cam.setViewport(w, h);
  cam.setCenter(cx, cy);
  cam.setZoom(zoom);
  return cam;
}

// Runs posted tile callbacks on the test thread, as the GUI event loop would.
struct Queue : render::TaskQueue {
  render::ImageLayer::Post post() { return poster(); }
  void pump() { run(); }
};

}  // namespace tessera::test
