#pragma once
/// Cell outlines or filled cells over the image: hundreds of thousands of polygons.
/// - Polygons come as plain arrays: interleaved world (level-0 pixel) vertices x0,y0,x1,y1,...
///   and offsets (n + 1 entries, in vertices) delimiting each ring; a ring is not closed
///   explicitly (the last vertex joins the first).
/// - Outline: one closed polyline per cell. Filled: a triangle fan from the cell's centroid,
///   exact for star-shaped cells (segmentation masks give those). Both draw in one call and
///   share the coordinates; recolouring writes only the per-vertex RGBA array, hiding rebuilds
///   only the cells.
/// - Culling: the polygons are sorted into an OverlayGrid by centroid; the cells list only the
///   polygons of the grid cells around the view (grown by half its size on each side and by the
///   largest polygon), rebuilt only when the view leaves that range or hidden/fill change.
/// - Colours come from the same OverlayColoring as points (one item per polygon).
/// - Level of detail: when the typical cell (the median equal-area diameter) is under
///   `minDiameterPx` on screen, outlines are noise; a PointOverlay of the centroids with that
///   diameter (in world units) stands in; those dots are under `minDiameterPx` too, so the
///   stand-in's density tiles take over from that same width (one textured quad per tile
///   rather than 200k sprites) once enough centroids are in view.
/// - Selected polygons get a thick outline in the selection colour, in front.
/// UI thread only (owns VTK actors of the renderer). Errors name the overlay and the field.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/error.h"
#include "render/overlay_colors.h"
#include "render/overlay_grid.h"
#include "render/point_overlay.h"
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

enum class PolygonFill { Outline, Filled };

class PolygonOverlay {
 public:
  explicit PolygonOverlay(vtkRenderer* renderer, std::string name = "polygons", double z = 0.3);
  ~PolygonOverlay();
  PolygonOverlay(const PolygonOverlay&) = delete;
  PolygonOverlay& operator=(const PolygonOverlay&) = delete;

  /// Refuses offsets that do not start at 0, decrease, overrun `xy`, or rings of < 3 vertices.
  data::Expected<void> setPolygons(std::vector<float> xy, std::vector<std::uint32_t> offsets);
  data::Expected<void> setColoring(OverlayColoring coloring);
  /// 1 = hidden, one per polygon; empty shows all.
  data::Expected<void> setHidden(std::vector<std::uint8_t> hidden);
  data::Expected<void> setSelection(std::vector<std::uint32_t> indices);
  void setFill(PolygonFill fill);
  void setOpacity(double opacity);
  void setVisible(bool visible);
  /// Moves the layer `dz` further from the camera (world z), to draw it below the layers
  /// nearer than it: the session's layer order (see render/scene.h, layerDepth).
  void setDepthOffset(double dz);

  void setLineWidth(double px);
  void setSelectionColor(std::uint32_t rgb);
  void setLodMinDiameterPx(double px);

  /// Chooses polygons or the centroid stand-in for `camera`. Call before each render.
  void update(const ViewCamera& camera);

  std::size_t count() const { return centroidX_.size(); }
  const std::string& name() const { return name_; }
  const OverlayColoring& coloring() const { return coloring_; }
  double opacity() const { return opacity_; }
  /// Median diameter of a disk with each polygon's area, world units.
  double typicalDiameter() const { return typicalDiameter_; }
  /// True when the last update() drew the centroid stand-in instead of polygons.
  bool standIn() const { return standIn_; }
  const PointOverlay& centroids() const { return *centroids_; }
  /// Polygons listed in the cells after the last update() that drew polygons.
  std::size_t submitted() const { return submitted_; }
  struct Revisions {
    std::uint64_t geometry = 0, colors = 0, cells = 0;
  };
  Revisions revisions() const { return rev_; }

 private:
  struct Vtk;
  void rebuildColors();
  void rebuildCells();
  void rebuildSelection();

  vtkRenderer* renderer_;
  std::string name_;
  double z_;
  std::unique_ptr<Vtk> vtk_;
  std::unique_ptr<PointOverlay> centroids_;
  std::vector<float> xy_;
  std::vector<std::uint32_t> offsets_;
  std::vector<float> centroidX_, centroidY_;
  OverlayGrid grid_;
  OverlayGrid::Range built_;
  double maxRadius_ = 0;  ///< farthest vertex from its centroid, world units
  std::size_t submitted_ = 0;
  OverlayColoring coloring_;
  std::vector<std::uint8_t> hidden_;
  std::vector<std::uint32_t> selection_;
  PolygonFill fill_ = PolygonFill::Outline;
  bool cellsDirty_ = true;
  double opacity_ = 1;
  bool visible_ = true;
  double minDiameterPx_ = 2.0;
  double typicalDiameter_ = 0;
  bool standIn_ = false;
  Revisions rev_;
};

}  // namespace tessera::render
