#pragma once
/// A scale bar in physical units: picks a round length (1, 2 or 5 × 10^k in the best unit)
/// that spans a sensible share of the view, and draws it as a 2D overlay in the lower left,
/// optionally on a backing (a dark box behind the text, a black rim around the bar) so that
/// both read on any image.
/// UI thread only (it owns VTK 2D actors).
#include <string>

#include <vtkSmartPointer.h>

class vtkRenderer;
class vtkActor2D;
class vtkTextActor;
class vtkPoints;

namespace tessera::render {

struct ScaleBarLength {
  double pixels = 0;  ///< on screen, device pixels
  double value = 0;   ///< in `unit`
  std::string unit;   ///< "nm", "µm", "mm", "cm", "m" or "px"
  std::string label() const;
};

/// Round length for a bar of at most `maxPixels` on screen. `physicalPerPixel` is the size of
/// one device pixel in `unit` (e.g. "micrometer"); an empty unit counts in pixels.
ScaleBarLength chooseScaleBar(double physicalPerPixel, const std::string& unit, double maxPixels);

class ScaleBar {
 public:
  explicit ScaleBar(vtkRenderer* renderer);
  ~ScaleBar();
  /// Places the bar for the current view; hidden when `physicalPerPixel` <= 0.
  void update(double physicalPerPixel, const std::string& unit, int viewportWidth,
              int viewportHeight);
  const ScaleBarLength& current() const { return length_; }
  /// The backing (off by default; `tessera render` draws without it). Applies from the next
  /// update().
  void setBacking(bool on) { backingOn_ = on; }

 private:
  vtkRenderer* renderer_;
  bool backingOn_ = false;
  vtkSmartPointer<vtkPoints> points_;
  vtkSmartPointer<vtkActor2D> bar_;
  vtkSmartPointer<vtkTextActor> text_;
  ScaleBarLength length_;
};

}  // namespace tessera::render
