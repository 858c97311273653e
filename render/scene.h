#pragma once
/// Puts a ViewCamera onto a vtkRenderer: parallel projection looking along +z with y down, so
/// world units are level-0 pixels exactly as on screen. UI thread (or the CLI's render thread).
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

/// How far (world z) a layer sits behind the layers above it, `fromTop` layers down the session's
/// layer order (0 = the top one). Each layer keeps its own z range (image levels z 1 to ~20,
/// labels 0.5 to 1, cells 0.2 to 0.3) inside one band, and every band lies inside the camera's
/// clipping range (applyCamera), so the order of the bands is the drawing order.
constexpr double kLayerDepthBand = 40.0;
inline double layerDepth(int fromTop) {
  return kLayerDepthBand * fromTop;
}

void setupRenderer(vtkRenderer* renderer);
void applyCamera(vtkRenderer* renderer, const ViewCamera& camera);

}  // namespace tessera::render
