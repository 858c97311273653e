#include "render/point_overlay.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkShaderProperty.h>
#include <vtkSmartPointer.h>
#include <vtkUniforms.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "render/blend_order.h"

namespace tessera::render {
namespace {

vtkSmartPointer<vtkActor> spriteActor(vtkPolyData* poly) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(poly);
  mapper->SetColorModeToDirectScalars();
  mapper->SetScalarModeToUsePointData();
  mapper->ScalarVisibilityOn();
  // Colours are exact RGBA: no interpolation through a lookup table or texture.
  mapper->InterpolateScalarsBeforeMappingOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->LightingOff();
  // Flat round disks: discard pixels whose centre lies outside the circle. VTK's sphere
  // imposters would also shift each fragment's depth by the radius, which breaks the ring drawn
  // behind a selected point. A sprite under ~1.4 px keeps its whole square, so that every point
  // lights the pixel it falls in, wherever it sits inside it.
  actor->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf("diskRadiusPx", 0.5f);
  actor->GetShaderProperty()->AddFragmentShaderReplacement(
      "//VTK::Color::Impl", true,
      "//VTK::Color::Impl\n"
      "  { float d = length(2.0 * gl_PointCoord - 1.0) * diskRadiusPx;\n"
      "    if (d > max(diskRadiusPx, 0.7072)) discard; }\n",
      false);
  actor->PickableOff();
  return actor;
}

// Vertex cells for the listed point ids, built from raw arrays (no per-cell insertion).
void setVerts(vtkPolyData* poly, const std::vector<vtkIdType>& ids) {
  auto offsets = vtkSmartPointer<vtkIdTypeArray>::New();
  offsets->SetNumberOfValues(static_cast<vtkIdType>(ids.size() + 1));
  auto* o = offsets->GetPointer(0);
  for (std::size_t i = 0; i <= ids.size(); ++i)
    o[i] = static_cast<vtkIdType>(i);
  auto conn = vtkSmartPointer<vtkIdTypeArray>::New();
  conn->SetNumberOfValues(static_cast<vtkIdType>(ids.size()));
  if (!ids.empty()) std::memcpy(conn->GetPointer(0), ids.data(), ids.size() * sizeof(vtkIdType));
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  cells->SetData(offsets, conn);
  poly->SetVerts(cells);
}

}  // namespace

struct PointOverlay::Vtk {
  vtkSmartPointer<vtkPoints> points = vtkSmartPointer<vtkPoints>::New();
  vtkSmartPointer<vtkUnsignedCharArray> colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  vtkSmartPointer<vtkPolyData> poly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> sprites;
  // Selection: the selected points again, larger, behind the sprites: a ring.
  vtkSmartPointer<vtkPolyData> selPoly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> selection;
  // While density tiles stand in for the sprites, the selected points in their own colours
  // over the tiles, each inside its ring.
  vtkSmartPointer<vtkUnsignedCharArray> selColors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  vtkSmartPointer<vtkPolyData> selFillPoly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> selectedFill;
  std::vector<std::uint32_t> scratch;  // colours in point order
};

PointOverlay::PointOverlay(vtkRenderer* renderer, std::string name, double z)
    : renderer_(renderer),
      name_(std::move(name)),
      z_(z),
      vtk_(std::make_unique<Vtk>()),
      density_(std::make_unique<DensityTiles>(renderer, z)) {
  auto& v = *vtk_;
  v.points->SetDataTypeToFloat();
  v.colors->SetNumberOfComponents(4);
  v.colors->SetName("colors");
  v.poly->SetPoints(v.points);
  v.poly->GetPointData()->SetScalars(v.colors);
  v.sprites = spriteActor(v.poly);
  v.selection = spriteActor(v.selPoly);
  v.selection->GetMapper()->ScalarVisibilityOff();
  v.selColors->SetNumberOfComponents(4);
  v.selFillPoly->GetPointData()->SetScalars(v.selColors);
  v.selectedFill = spriteActor(v.selFillPoly);
  for (auto* a : {v.selection.Get(), v.sprites.Get(), v.selectedFill.Get()}) {
    a->VisibilityOff();
    renderer_->AddActor(a);
  }
  setSelectionColor(selectionColor_);
}

PointOverlay::~PointOverlay() {
  for (auto* a : {vtk_->selection.Get(), vtk_->sprites.Get(), vtk_->selectedFill.Get()})
    renderer_->RemoveActor(a);
}

namespace {
// Colours of `c` for the n points, in grid order.
void sortedColors(const OverlayColoring& c, const OverlayGrid& grid,
                  std::vector<std::uint32_t>& scratch, std::uint32_t* out) {
  const std::size_t n = grid.size();
  scratch.resize(n);
  fillColors(c, n, {}, reinterpret_cast<std::uint8_t*>(scratch.data()));
  const auto& order = grid.order();
  for (std::size_t k = 0; k < n; ++k)
    out[k] = scratch[order[k]];
}
}  // namespace

data::Expected<PreparedPoints> PointOverlay::prepare(const std::vector<float>& x,
                                                     const std::vector<float>& y,
                                                     OverlayColoring coloring, double z,
                                                     const std::string& name) {
  if (x.size() != y.size())
    return data::fail(data::Errc::InvalidArgument, name + ": " + std::to_string(x.size()) +
                                                       " x coordinates but " +
                                                       std::to_string(y.size()) + " y coordinates");
  if (auto ok = checkColoring(coloring, x.size(), name); !ok) return std::unexpected(ok.error());
  PreparedPoints p;
  p.grid.build(x, y);
  const auto& order = p.grid.order();
  const std::size_t n = x.size();
  p.x.resize(n);
  p.y.resize(n);
  p.xyz.resize(3 * n);
  for (std::size_t k = 0; k < n; ++k) {
    p.x[k] = x[order[k]];
    p.y[k] = y[order[k]];
    p.xyz[3 * k] = p.x[k];
    p.xyz[3 * k + 1] = p.y[k];
    p.xyz[3 * k + 2] = static_cast<float>(z);
  }
  p.rgba.resize(n);
  std::vector<std::uint32_t> scratch;
  sortedColors(coloring, p.grid, scratch, p.rgba.data());
  p.coloring = std::move(coloring);
  p.z = z;
  return p;
}

data::Expected<void> PointOverlay::setPoints(std::vector<float> x, std::vector<float> y) {
  auto p = prepare(x, y, OverlayColoring::solidColor(0xFFFFFF), z_, name_);
  if (!p) return std::unexpected(p.error());
  return setPoints(std::move(*p));
}

data::Expected<void> PointOverlay::setPoints(PreparedPoints p) {
  if (p.x.size() != p.y.size() || p.grid.size() != p.x.size() || p.xyz.size() != 3 * p.x.size() ||
      p.rgba.size() != p.x.size() || p.z != z_)
    return data::fail(data::Errc::InvalidArgument,
                      name_ + ": prepared points do not match (sizes or depth)");
  grid_ = std::move(p.grid);
  x_ = std::move(p.x);
  y_ = std::move(p.y);
  xyz_ = std::move(p.xyz);
  rgba_ = std::move(p.rgba);
  // VTK reads the overlay's own buffers (save = 1: VTK never frees them): no copy here.
  const auto n = static_cast<vtkIdType>(x_.size());
  auto coords = vtkSmartPointer<vtkFloatArray>::New();
  coords->SetNumberOfComponents(3);
  coords->SetArray(xyz_.data(), 3 * n, 1);
  vtk_->points->SetData(coords);
  vtk_->colors->SetArray(reinterpret_cast<std::uint8_t*>(rgba_.data()), 4 * n, 1);
  vtk_->colors->Modified();
  ++rev_.geometry;
  ++rev_.colors;
  coloring_ = std::move(p.coloring);
  hidden_.clear();
  selection_.clear();
  density_->clear();
  rebuildCells();
  rebuildSelection();
  return {};
}

data::Expected<void> PointOverlay::setColoring(OverlayColoring coloring) {
  if (auto ok = checkColoring(coloring, x_.size(), name_); !ok) return ok;
  coloring_ = std::move(coloring);
  rebuildColors();
  return {};
}

data::Expected<void> PointOverlay::setHidden(std::vector<std::uint8_t> hidden) {
  if (!hidden.empty() && hidden.size() != x_.size())
    return data::fail(data::Errc::InvalidArgument,
                      name_ + ": hidden mask has " + std::to_string(hidden.size()) +
                          " entries for " + std::to_string(x_.size()) + " points");
  if (hidden.empty()) {
    hidden_.clear();
  } else {
    hidden_.resize(hidden.size());
    const auto& order = grid_.order();
    for (std::size_t k = 0; k < hidden.size(); ++k)
      hidden_[k] = hidden[order[k]];
  }
  rebuildCells();
  return {};
}

data::Expected<void> PointOverlay::setSelection(std::vector<std::uint32_t> indices) {
  for (const auto i : indices)
    if (i >= x_.size())
      return data::fail(data::Errc::InvalidArgument, name_ + ": selected point " +
                                                         std::to_string(i) + " is out of range (" +
                                                         std::to_string(x_.size()) + " points)");
  selection_ = std::move(indices);
  rebuildSelection();
  return {};
}

void PointOverlay::setSize(double diameter, SizeUnit unit) {
  size_ = std::max(0.0, diameter);
  unit_ = unit;
}

void PointOverlay::setDepthOffset(double dz) {
  depth_ = dz;
  // Moved whole (actor positions), so nothing is rebuilt; the next update() adds the ring's
  // own shift over density tiles.
  for (auto* a : {vtk_->sprites.Get(), vtk_->selection.Get(), vtk_->selectedFill.Get()})
    a->SetPosition(0, 0, depth_);
  density_->setDepthOffset(dz);
}

void PointOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  for (auto* a : {vtk_->sprites.Get(), vtk_->selection.Get(), vtk_->selectedFill.Get()}) {
    a->GetProperty()->SetOpacity(opacity_);
    setBlended(*a, opacity_ < 1.0);
  }
  density_->setOpacity(opacity_);
}

void PointOverlay::setVisible(bool visible) {
  visible_ = visible;
}

void PointOverlay::setSelectionColor(std::uint32_t rgb) {
  selectionColor_ = rgb;
  vtk_->selection->GetProperty()->SetColor(((rgb >> 16) & 0xFF) / 255.0,
                                           ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

double PointOverlay::diameterPx(double zoom) const {
  return unit_ == SizeUnit::World ? size_ * zoom : size_;
}

void PointOverlay::rebuildColors() {
  sortedColors(coloring_, grid_, vtk_->scratch, rgba_.data());
  vtk_->colors->Modified();
  ++rev_.colors;
  selectionColors();
}

void PointOverlay::selectionColors() {
  auto& c = *vtk_->selColors;
  c.SetNumberOfTuples(static_cast<vtkIdType>(selection_.size()));
  const auto& rank = grid_.rank();
  for (std::size_t k = 0; k < selection_.size(); ++k)
    std::memcpy(c.GetPointer(static_cast<vtkIdType>(4 * k)), &rgba_[rank[selection_[k]]], 4);
  c.Modified();
}

void PointOverlay::rebuildCells() {
  // The vertex cells follow in update(), for the view; the counts per grid cell now.
  shownPerCell_.assign(static_cast<std::size_t>(grid_.cols()) * grid_.rows(), 0);
  for (int r = 0; r < grid_.rows(); ++r)
    for (int c = 0; c < grid_.cols(); ++c) {
      const auto [b, e] = grid_.rowSpan(r, c, c);
      std::uint32_t shown = e - b;
      if (!hidden_.empty())
        for (auto k = b; k < e; ++k)
          shown -= hidden_[k];
      shownPerCell_[static_cast<std::size_t>(r) * grid_.cols() + c] = shown;
    }
  ++hiddenRev_;
  cellsDirty_ = true;
}

void PointOverlay::rebuildSelection() {
  auto pts = vtkSmartPointer<vtkPoints>::New();
  pts->SetDataTypeToFloat();
  pts->SetNumberOfPoints(static_cast<vtkIdType>(selection_.size()));
  std::vector<vtkIdType> ids(selection_.size());
  // Just behind the sprites, so the larger disk shows as a ring around each selected point.
  const double z = z_ + 0.01;
  const auto& rank = grid_.rank();
  for (std::size_t k = 0; k < selection_.size(); ++k) {
    const auto s = rank[selection_[k]];
    pts->SetPoint(static_cast<vtkIdType>(k), x_[s], y_[s], z);
    ids[k] = static_cast<vtkIdType>(k);
  }
  vtk_->selPoly->SetPoints(pts);
  setVerts(vtk_->selPoly, ids);
  // The same points a little in front of the density tiles.
  auto front = vtkSmartPointer<vtkPoints>::New();
  front->DeepCopy(pts);
  for (vtkIdType k = 0; k < front->GetNumberOfPoints(); ++k) {
    double p[3];
    front->GetPoint(k, p);
    front->SetPoint(k, p[0], p[1], z_ - 0.005);
  }
  vtk_->selFillPoly->SetPoints(front);
  setVerts(vtk_->selFillPoly, ids);
  selectionColors();
}

void PointOverlay::countInView(const Rect& r) {
  const auto range = grid_.range(r);
  std::size_t n = 0;
  for (int row = range.r0; row <= range.r1; ++row)
    for (int c = range.c0; c <= range.c1; ++c) {
      // Whole cells inside the view count from the tally; cells on its border point by point.
      const auto [b, e] = grid_.rowSpan(row, c, c);
      const Rect cr = grid_.cellRect(c, row);
      if (cr.x0 >= r.x0 && cr.x1 <= r.x1 && cr.y0 >= r.y0 && cr.y1 <= r.y1) {
        n += shownPerCell_[static_cast<std::size_t>(row) * grid_.cols() + c];
        continue;
      }
      for (auto k = b; k < e; ++k)
        n += (hidden_.empty() || !hidden_[k]) && x_[k] >= r.x0 && x_[k] < r.x1 && y_[k] >= r.y0 &&
             y_[k] < r.y1;
    }
  visibleInView_ = n;
}

void PointOverlay::update(const ViewCamera& camera) {
  auto& v = *vtk_;
  if (!visible_ || x_.empty()) {
    for (auto* a : {v.sprites.Get(), v.selection.Get(), v.selectedFill.Get()})
      a->VisibilityOff();
    density_->hide();
    lod_ = PointLod::None;
    return;
  }
  const double d = diameterPx(camera.zoom());
  const Rect view = camera.visibleWorld();
  const ViewKey key{camera.zoom(),          camera.centerX(),        camera.centerY(),
                    camera.viewportWidth(), camera.viewportHeight(), hiddenRev_,
                    rev_.geometry};
  if (!(key == countKey_)) {
    countInView(view);
    countKey_ = key;
  }
  lod_ = d <= policy_.maxDiameterPx && visibleInView_ >= policy_.minVisible ? PointLod::Density
                                                                            : PointLod::Sprites;
  const double sprite = std::clamp(d, 1.0, kMaxSpritePx);
  // Over density tiles a selected point is drawn at least 3 px wide, to show its colour.
  const bool densitySelection = lod_ == PointLod::Density && !selection_.empty();
  const double selected = densitySelection ? std::max(sprite, 3.0) : sprite;
  const double ring = selected + 4.0;
  v.sprites->GetProperty()->SetPointSize(static_cast<float>(sprite));
  v.sprites->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(sprite / 2));
  v.selection->GetProperty()->SetPointSize(static_cast<float>(ring));
  v.selection->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(ring / 2));
  v.selection->SetVisibility(!selection_.empty());
  v.sprites->SetVisibility(lod_ == PointLod::Sprites);
  // Over density tiles the ring comes in front of them too (behind its own point, as ever).
  v.selection->SetPosition(0, 0, depth_ + (densitySelection ? -0.012 : 0));
  v.selectedFill->SetVisibility(densitySelection);
  v.selectedFill->GetProperty()->SetPointSize(static_cast<float>(selected));
  v.selectedFill->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(selected / 2));
  if (lod_ == PointLod::Sprites) {
    // Sprites reach half their (capped) width past the view.
    const double pad = ring / 2 / camera.zoom();
    if (grid_.recull(view, pad, built_) || cellsDirty_) {
      std::vector<vtkIdType> ids;
      for (int r = built_.r0; r <= built_.r1; ++r) {
        const auto [b, e] = grid_.rowSpan(r, built_.c0, built_.c1);
        for (auto k = b; k < e; ++k)
          if (hidden_.empty() || !hidden_[k]) ids.push_back(static_cast<vtkIdType>(k));
      }
      setVerts(v.poly, ids);
      submitted_ = ids.size();
      cellsDirty_ = false;
      ++rev_.cells;
    }
  }
  if (lod_ == PointLod::Density)
    density_->show(camera,
                   {grid_, x_, y_, v.colors->GetPointer(0), hidden_, rev_.colors, hiddenRev_});
  else
    density_->hide();
  rev_.density = density_->built();
}

}  // namespace tessera::render
