#pragma once
/// Puts a ViewCamera onto a vtkRenderer: parallel projection looking along +z with y down, so
/// world units are level-0 pixels exactly as on screen. UI thread (or the CLI's render thread).
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

void setupRenderer(vtkRenderer* renderer);
void applyCamera(vtkRenderer* renderer, const ViewCamera& camera);

}  // namespace tessera::render
