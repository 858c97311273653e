#pragma once
/// A scatter of up to millions of points over the image: spots, cells, transcripts.
/// - One draw call: vtkPoints + one vertex cell per shown point, drawn as round sprites
///   (flat disks: a fragment shader discards outside the circle). Recolouring writes only the RGBA
///   array; coordinates are uploaded once.
/// - Culling: the points are sorted into an OverlayGrid (and stored in that order), and the
///   vertex cells list only the points of the grid cells around the view (the view grown by
///   half its size on each side). They are rebuilt only when the view leaves that range (or
///   the hidden mask changes), so a pan submits a few thousand sprites, not millions.
/// - Size is a diameter in screen pixels or in world units (level-0 pixels; convert a physical
///   size such as a 55 µm Visium spot with the image's pixel size first). Sprites are capped at
///   kMaxSpritePx on screen.
/// - Level of detail: when sprites would be at most `maxDiameterPx` wide and at least
///   `minVisible` points are in view, DensityTiles stand in for the sprites (world-aligned
///   tiles of mean colours per power-of-two level, cached across pans, binned again in view
///   when the colouring or the hidden mask changes). A selection stays drawn as sprites in its
///   points' own colours, each in a ring of the selection colour, over the tiles too.
/// UI thread only (owns VTK actors of the renderer). Errors name the overlay and the field.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/error.h"
#include "render/density_tiles.h"
#include "render/overlay_colors.h"
#include "render/overlay_grid.h"
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

enum class SizeUnit { ScreenPixels, World };
enum class PointLod { Sprites, Density, None };

struct PointLodPolicy {
  double maxDiameterPx = 1.5;       ///< density stand-in only when sprites are at most this wide
  std::size_t minVisible = 100000;  ///< ... and at least this many points are in view
};

/// Points sorted into their grid, with VTK-ready coordinates and colours (PointOverlay::prepare).
struct PreparedPoints {
  OverlayGrid grid;
  std::vector<float> x, y;          ///< grid order
  std::vector<float> xyz;           ///< grid order, x y z per point
  std::vector<std::uint32_t> rgba;  ///< grid order, RGBA8 per point
  OverlayColoring coloring;
  double z = 0;
};

class PointOverlay {
 public:
  static constexpr double kMaxSpritePx = 128.0;

  /// `z` is the depth of the layer (the camera looks along +z; image tiles sit at z >= 1).
  explicit PointOverlay(vtkRenderer* renderer, std::string name = "points", double z = 0.2);
  ~PointOverlay();
  PointOverlay(const PointOverlay&) = delete;
  PointOverlay& operator=(const PointOverlay&) = delete;

  /// World (level-0 pixel) coordinates; resets colouring to solid white, hidden and selection.
  data::Expected<void> setPoints(std::vector<float> x, std::vector<float> y);
  /// Sorts points (and their colours) into their grid off the UI thread: pure, any thread.
  /// `z` and `name` must be the overlay's. Refuses mismatched sizes or colouring.
  static data::Expected<PreparedPoints> prepare(const std::vector<float>& x,
                                                const std::vector<float>& y,
                                                OverlayColoring coloring, double z,
                                                const std::string& name);
  /// Takes prepared points without copying them (millions of points, e.g. transcripts).
  data::Expected<void> setPoints(PreparedPoints points);
  data::Expected<void> setColoring(OverlayColoring coloring);
  /// 1 = hidden, one per point; empty shows all.
  data::Expected<void> setHidden(std::vector<std::uint8_t> hidden);
  /// Indices of the selected points, drawn with a ring of `selectionColor`.
  data::Expected<void> setSelection(std::vector<std::uint32_t> indices);
  void setSize(double diameter, SizeUnit unit);
  void setOpacity(double opacity);
  void setVisible(bool visible);
  /// Moves the layer `dz` further from the camera (world z), to draw it below the layers
  /// nearer than it: the session's layer order (see render/scene.h, layerDepth).
  void setDepthOffset(double dz);

  void setSelectionColor(std::uint32_t rgb);
  void setLodPolicy(PointLodPolicy policy) { policy_ = policy; }

  /// Chooses sprites or the density stand-in for `camera` and updates sizes. Call before each
  /// render.
  void update(const ViewCamera& camera);

  std::size_t count() const { return x_.size(); }
  const std::string& name() const { return name_; }
  const OverlayColoring& coloring() const { return coloring_; }
  double opacity() const { return opacity_; }
  bool visible() const { return visible_; }
  /// Sprite diameter on screen at `zoom`, before the kMaxSpritePx cap.
  double diameterPx(double zoom) const;
  /// The mode chosen by the last update().
  PointLod lod() const { return lod_; }
  /// Points (not hidden) inside the view at the last update().
  std::size_t visibleInView() const { return visibleInView_; }
  /// Points listed in the vertex cells (submitted as sprites) after the last update().
  std::size_t submitted() const { return submitted_; }
  /// Density tiles drawn by the last update().
  std::size_t densityTilesInView() const { return density_->inView(); }
  /// How often coordinates, colours, the vertex cells and density tiles holding points were
  /// built (tests, benchmarks).
  struct Revisions {
    std::uint64_t geometry = 0, colors = 0, cells = 0, density = 0;
  };
  Revisions revisions() const { return rev_; }

 private:
  struct Vtk;
  void rebuildColors();
  void rebuildCells();
  void rebuildSelection();
  void selectionColors();
  void countInView(const Rect& view);

  vtkRenderer* renderer_;
  std::string name_;
  double z_;
  std::unique_ptr<Vtk> vtk_;
  std::unique_ptr<DensityTiles> density_;
  OverlayGrid grid_;
  std::vector<float> x_, y_;         // in grid order: x_[grid_.rank()[i]] is point i's
  std::vector<float> xyz_;           // the VTK coordinates (VTK reads this buffer)
  std::vector<std::uint32_t> rgba_;  // the VTK colours (VTK reads this buffer)
  OverlayColoring coloring_;
  std::vector<std::uint8_t> hidden_;         // in grid order; empty = none hidden
  std::vector<std::uint32_t> shownPerCell_;  // points not hidden, per grid cell
  std::uint64_t hiddenRev_ = 0;
  bool cellsDirty_ = true;
  OverlayGrid::Range built_;
  std::size_t submitted_ = 0;
  std::vector<std::uint32_t> selection_;
  double size_ = 4;
  SizeUnit unit_ = SizeUnit::ScreenPixels;
  double opacity_ = 1;
  double depth_ = 0;  ///< setDepthOffset: the layer band, added to z_ by actor positions
  bool visible_ = true;
  std::uint32_t selectionColor_ = 0xFFFF00;
  PointLodPolicy policy_;
  PointLod lod_ = PointLod::None;
  std::size_t visibleInView_ = 0;
  Revisions rev_;
  // What the visible count was computed for.
  struct ViewKey {
    double zoom = 0, cx = 0, cy = 0;
    int w = 0, h = 0;
    std::uint64_t hidden = 0, geometry = 0;
    bool operator==(const ViewKey&) const = default;
  };
  ViewKey countKey_;
};

}  // namespace tessera::render
