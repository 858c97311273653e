#include "render/scene.h"

#include <vtkCamera.h>
#include <vtkRenderer.h>

#include "render/blend_order.h"

namespace tessera::render {

void setupRenderer(vtkRenderer* renderer) {
  renderer->SetBackground(0.0, 0.0, 0.0);
  renderer->GetActiveCamera()->ParallelProjectionOn();
  renderer->InteractiveOff();
  installBlendOrder(renderer);
}

void applyCamera(vtkRenderer* renderer, const ViewCamera& camera) {
  auto* cam = renderer->GetActiveCamera();
  constexpr double kDistance = 1000.0;
  cam->ParallelProjectionOn();
  cam->SetFocalPoint(camera.centerX(), camera.centerY(), 0.0);
  cam->SetPosition(camera.centerX(), camera.centerY(), -kDistance);
  cam->SetViewUp(0.0, -1.0, 0.0);
  cam->SetParallelScale(camera.viewportHeight() / 2.0 / camera.zoom());
  // Tiles sit at z = level + 1 (at most a few dozen) in the deepest layer band, and
  // annotations at z 0.05 in front; a fixed range avoids per-frame resets. The depth buffer
  // spans the range, so it is kept tight: the offsets inside a layer are ~0.005.
  cam->SetClippingRange(kDistance - 10.0, kDistance + 200.0 + kLayerDepthBand * kLayerBands);
}

}  // namespace tessera::render
