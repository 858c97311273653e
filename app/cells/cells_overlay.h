#pragma once
/// The cells drawn over one renderer: points (screen-sized, or world-sized Visium spots) or
/// outlines/filled polygons when every cell has one, plus the legend. Wraps PointOverlay /
/// PolygonOverlay so the window, the embedding and `tessera render` share one code path.
/// GUI (or CLI render) thread; owns VTK actors of the renderer: destroy it before the
/// renderer's window.
#include <memory>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "app/cells/cells_legend.h"
#include "render/point_overlay.h"
#include "render/polygon_overlay.h"

class vtkRenderer;

namespace tessera::app {

enum class CellStyle { Points, Outlines, Filled };

class CellsOverlay {
 public:
  /// `embedding` draws the cells at their embedding coordinates instead of their positions.
  CellsOverlay(vtkRenderer* renderer, bool embedding = false);
  ~CellsOverlay();

  /// Sets the cells (positions or embedding, outlines); Outlines when the cells have them.
  data::Expected<void> setData(std::shared_ptr<const CellsData> data);
  void setStyle(CellStyle style);
  CellStyle style() const { return style_; }
  data::Expected<void> setColoring(const render::OverlayColoring& coloring);
  data::Expected<void> setHidden(std::vector<std::uint8_t> hidden);
  data::Expected<void> setSelection(std::vector<std::uint32_t> selection);
  void setOpacity(double opacity);
  void setVisible(bool visible);
  /// Its place in the layer order (render::layerDepth); the legend stays on top.
  void setDepthOffset(double dz);
  double depthOffset() const { return depth_; }
  bool visible() const { return visible_; }
  double opacity() const { return opacity_; }
  /// Cells without a physical spot size are drawn as dots about as wide as their typical
  /// spacing in world units (so a million cells at fit are sub-pixel and the density stand-in
  /// draws them), but never narrower than `px` on screen while fewer than kManyCells are shown.
  void setPointSize(double px);
  double pointSize() const { return pointPx_; }
  static constexpr std::size_t kManyCells = 200000;
  void setLegend(const LegendSpec& spec) { legend_.set(spec); }
  const LegendSpec& legend() const { return legend_.spec(); }
  void setLegendVisible(bool v) { legend_.setVisible(v); }

  void update(const render::ViewCamera& camera);
  bool hasOutlines() const;
  const render::PointOverlay* points() const { return points_.get(); }

 private:
  void applyStyle();
  vtkRenderer* renderer_;
  bool embedding_;
  std::shared_ptr<const CellsData> data_;
  std::unique_ptr<render::PointOverlay> points_;
  std::unique_ptr<render::PolygonOverlay> polygons_;
  CellsLegend legend_;
  CellStyle style_ = CellStyle::Points;
  double opacity_ = 1;
  bool visible_ = true;
  double pointPx_ = 4;
  double depth_ = 0;
  double spacing_ = 0;  ///< typical distance between cells, world units
};

}  // namespace tessera::app
