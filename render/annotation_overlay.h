#pragma once
/// Annotations drawn over the image (window, figure export, story handouts): outlines of areas
/// (holes included), lines, arrows with a head, points as small rings and text labels, each in
/// its class colour; the selected annotation thicker and its vertices marked. World geometry
/// (level-0 pixels) goes into one polyline set; sizes in screen pixels (arrow heads, point
/// rings, handles) and text positions follow the camera in update(). Hidden annotations are
/// left out. UI thread only (owns VTK actors of the renderer).
#include <memory>
#include <vector>

#include <vtkSmartPointer.h>

#include "data/annotation/annotation.h"
#include "render/view_camera.h"

class vtkRenderer;
class vtkActor;
class vtkTextActor;

namespace tessera::render {

class AnnotationOverlay {
 public:
  explicit AnnotationOverlay(vtkRenderer* renderer, double z = 0.1);
  ~AnnotationOverlay();
  AnnotationOverlay(const AnnotationOverlay&) = delete;
  AnnotationOverlay& operator=(const AnnotationOverlay&) = delete;

  void setAnnotations(std::vector<data::Annotation> annotations);
  const std::vector<data::Annotation>& annotations() const { return annotations_; }
  /// Index of the selected annotation, or -1.
  void setSelected(int index);
  void setVisible(bool visible);
  /// The annotations layer's opacity (lines and labels).
  void setOpacity(double opacity);
  /// World z offset added to the overlay's own z: its place in the session's layer order (see
  /// render/scene.h, layerDepth). The labels are 2D text and stay in front.
  void setDepthOffset(double dz);
  double depthOffset() const { return depth_; }
  /// Rebuilds the geometry for the camera (screen-sized parts) and places the labels.
  void update(const ViewCamera& camera);

 private:
  // Held, not borrowed: the window may drop its renderer before its owner drops this overlay.
  vtkSmartPointer<vtkRenderer> renderer_;
  double z_;
  double depth_ = 0;
  double opacity_ = 1;
  std::vector<data::Annotation> annotations_;
  int selected_ = -1;
  bool visible_ = true;
  vtkSmartPointer<vtkActor> lines_, selectedLines_;
  std::vector<vtkSmartPointer<vtkTextActor>> labels_;
};

}  // namespace tessera::render
