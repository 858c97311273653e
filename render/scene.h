#pragma once
/// Puts a ViewCamera onto a vtkRenderer: parallel projection looking along +z with y down, so
/// world units are level-0 pixels exactly as on screen. UI thread (or the CLI's render thread).
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

/// The session's layer order is drawn as depth: each layer kind (labels, cells, transcripts,
/// annotations) and each run of image layers sits in its own band of world z, `fromTop` bands
/// behind the top one (0). A layer keeps its own z range inside the band (image levels z 1 to ~21,
/// labels 0.5 to ~1.3, cells and transcripts 0.18 to 0.3, annotations 0.05 to 0.1), so the order of
/// the bands decides what covers what, whatever order the actors are drawn in. The selection
/// outline and annotation labels (2D text) stay in front of every band. Bands past the last
/// share it.
constexpr double kLayerDepthBand = 40.0;
constexpr int kLayerBands = 8;  // four kinds and up to four image parts
inline double layerDepth(int fromTop) {
  return kLayerDepthBand * (fromTop < 0 ? 0 : fromTop < kLayerBands ? fromTop : kLayerBands - 1);
}

void setupRenderer(vtkRenderer* renderer);
void applyCamera(vtkRenderer* renderer, const ViewCamera& camera);

}  // namespace tessera::render
