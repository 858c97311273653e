#pragma once
/// A legend for an overlay's colouring, drawn as VTK 2D actors in the top-right corner so that
/// it appears in window screenshots and `tessera render` output alike.
/// - Categories: a swatch and a label per entry (at most kMaxEntries, then "+N more").
/// - Continuous: a LUT bar with its min and max.
/// UI thread only (owns 2D actors of the renderer).
#include <cstdint>
#include <string>
#include <vector>

#include <vtkSmartPointer.h>

#include "render/channel_display.h"
#include "render/view_camera.h"

class vtkRenderer;
class vtkActor2D;
class vtkTextActor;
class vtkPolyData;

namespace tessera::render {

struct LegendEntry {
  std::string label;
  std::uint32_t rgb = 0xFFFFFF;
  bool hidden = false;  ///< drawn as an empty swatch (a toggled-off cluster)
};

class Legend {
 public:
  static constexpr int kMaxEntries = 24;
  static constexpr int kSwatch = 12, kRow = 18, kMargin = 12;

  explicit Legend(vtkRenderer* renderer);
  ~Legend();
  Legend(const Legend&) = delete;
  Legend& operator=(const Legend&) = delete;

  void showCategories(std::string title, std::vector<LegendEntry> entries);
  void showScale(std::string title, Lut lut, double min, double max);
  void hide();

  /// Lays the legend out for a viewport of the given size (device pixels). Call before render.
  void update(int viewportWidth, int viewportHeight);

  /// Screen rect (top-left origin, device pixels) of swatch i, or of the bar for a scale, as
  /// laid out by the last update(); empty when hidden.
  Rect swatchRect(int i) const;

 private:
  enum class Kind { None, Categories, Scale };
  void clearText();
  vtkTextActor* addText(const std::string& s, int fontSize);

  vtkRenderer* renderer_;
  Kind kind_ = Kind::None;
  std::string title_;
  std::vector<LegendEntry> entries_;
  Lut lut_ = Lut::Viridis;
  double min_ = 0, max_ = 1;
  int width_ = 0, height_ = 0;
  vtkSmartPointer<vtkPolyData> shapes_;
  vtkSmartPointer<vtkActor2D> shapesActor_;
  std::vector<vtkSmartPointer<vtkTextActor>> texts_;
};

}  // namespace tessera::render
