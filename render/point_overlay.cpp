#include "render/point_overlay.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkImageData.h>
#include <vtkPlaneSource.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkShaderProperty.h>
#include <vtkSmartPointer.h>
#include <vtkTexture.h>
#include <vtkUniforms.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <cstring>

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
  // Density stand-in: one screen-sized texture on a quad spanning the view.
  vtkSmartPointer<vtkPlaneSource> plane = vtkSmartPointer<vtkPlaneSource>::New();
  vtkSmartPointer<vtkImageData> image = vtkSmartPointer<vtkImageData>::New();
  vtkSmartPointer<vtkTexture> texture = vtkSmartPointer<vtkTexture>::New();
  vtkSmartPointer<vtkActor> density = vtkSmartPointer<vtkActor>::New();
  std::vector<std::uint32_t> bins;  // r, g, b, count per screen pixel
};

PointOverlay::PointOverlay(vtkRenderer* renderer, std::string name, double z)
    : renderer_(renderer), name_(std::move(name)), z_(z), vtk_(std::make_unique<Vtk>()) {
  auto& v = *vtk_;
  v.points->SetDataTypeToFloat();
  v.colors->SetNumberOfComponents(4);
  v.colors->SetName("colors");
  v.poly->SetPoints(v.points);
  v.poly->GetPointData()->SetScalars(v.colors);
  v.sprites = spriteActor(v.poly);
  v.selection = spriteActor(v.selPoly);
  v.selection->GetMapper()->ScalarVisibilityOff();

  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputConnection(v.plane->GetOutputPort());
  v.texture->SetInputData(v.image);
  v.texture->InterpolateOff();
  v.texture->EdgeClampOn();
  v.texture->SetColorModeToDirectScalars();
  v.density->SetMapper(mapper);
  v.density->SetTexture(v.texture);
  v.density->GetProperty()->LightingOff();
  v.density->ForceTranslucentOn();  // transparent where no point falls
  v.density->PickableOff();

  for (auto* a : {v.selection.Get(), v.density.Get(), v.sprites.Get()}) {
    a->VisibilityOff();
    renderer_->AddActor(a);
  }
  setSelectionColor(selectionColor_);
}

PointOverlay::~PointOverlay() {
  for (auto* a : {vtk_->selection.Get(), vtk_->density.Get(), vtk_->sprites.Get()})
    renderer_->RemoveActor(a);
}

data::Expected<void> PointOverlay::setPoints(std::vector<float> x, std::vector<float> y) {
  if (x.size() != y.size())
    return data::fail(data::Errc::InvalidArgument, name_ + ": " + std::to_string(x.size()) +
                                                       " x coordinates but " +
                                                       std::to_string(y.size()) + " y coordinates");
  x_ = std::move(x);
  y_ = std::move(y);
  const auto n = static_cast<vtkIdType>(x_.size());
  auto coords = vtkSmartPointer<vtkFloatArray>::New();
  coords->SetNumberOfComponents(3);
  coords->SetNumberOfTuples(n);
  float* p = coords->GetPointer(0);
  for (vtkIdType i = 0; i < n; ++i) {
    p[3 * i] = x_[static_cast<std::size_t>(i)];
    p[3 * i + 1] = y_[static_cast<std::size_t>(i)];
    p[3 * i + 2] = static_cast<float>(z_);
  }
  vtk_->points->SetData(coords);
  vtk_->colors->SetNumberOfTuples(n);
  ++rev_.geometry;
  coloring_ = OverlayColoring::solidColor(0xFFFFFF);
  hidden_.clear();
  selection_.clear();
  rebuildColors();
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
  hidden_ = std::move(hidden);
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

void PointOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  for (auto* a : {vtk_->sprites.Get(), vtk_->density.Get(), vtk_->selection.Get()})
    a->GetProperty()->SetOpacity(opacity_);
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
  auto* rgba = vtk_->colors->GetPointer(0);
  fillColors(coloring_, x_.size(), {}, rgba);
  vtk_->colors->Modified();
  ++rev_.colors;
}

void PointOverlay::rebuildCells() {
  std::vector<vtkIdType> ids;
  ids.reserve(x_.size());
  for (std::size_t i = 0; i < x_.size(); ++i)
    if (hidden_.empty() || !hidden_[i]) ids.push_back(static_cast<vtkIdType>(i));
  setVerts(vtk_->poly, ids);
  ++rev_.cells;
}

void PointOverlay::rebuildSelection() {
  auto pts = vtkSmartPointer<vtkPoints>::New();
  pts->SetDataTypeToFloat();
  pts->SetNumberOfPoints(static_cast<vtkIdType>(selection_.size()));
  std::vector<vtkIdType> ids(selection_.size());
  // Just behind the sprites, so the larger disk shows as a ring around each selected point.
  const double z = z_ + 0.01;
  for (std::size_t k = 0; k < selection_.size(); ++k) {
    pts->SetPoint(static_cast<vtkIdType>(k), x_[selection_[k]], y_[selection_[k]], z);
    ids[k] = static_cast<vtkIdType>(k);
  }
  vtk_->selPoly->SetPoints(pts);
  setVerts(vtk_->selPoly, ids);
}

void PointOverlay::update(const ViewCamera& camera) {
  auto& v = *vtk_;
  if (!visible_ || x_.empty()) {
    for (auto* a : {v.sprites.Get(), v.density.Get(), v.selection.Get()})
      a->VisibilityOff();
    lod_ = PointLod::None;
    return;
  }
  const double d = diameterPx(camera.zoom());
  const ViewKey key{
      camera.zoom(),           camera.centerX(), camera.centerY(), camera.viewportWidth(),
      camera.viewportHeight(), rev_.colors,      rev_.cells};
  if (!(key == countKey_)) {
    const Rect r = camera.visibleWorld();
    std::size_t n = 0;
    for (std::size_t i = 0; i < x_.size(); ++i)
      n += (hidden_.empty() || !hidden_[i]) && x_[i] >= r.x0 && x_[i] < r.x1 && y_[i] >= r.y0 &&
           y_[i] < r.y1;
    visibleInView_ = n;
    countKey_ = key;
  }
  lod_ = d <= policy_.maxDiameterPx && visibleInView_ >= policy_.minVisible ? PointLod::Density
                                                                            : PointLod::Sprites;
  const double sprite = std::clamp(d, 1.0, kMaxSpritePx);
  const double ring = sprite + 4.0;
  v.sprites->GetProperty()->SetPointSize(static_cast<float>(sprite));
  v.sprites->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(sprite / 2));
  v.selection->GetProperty()->SetPointSize(static_cast<float>(ring));
  v.selection->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(ring / 2));
  v.selection->SetVisibility(!selection_.empty());
  v.sprites->SetVisibility(lod_ == PointLod::Sprites);
  v.density->SetVisibility(lod_ == PointLod::Density);
  if (lod_ == PointLod::Density && !(key == densityKey_)) {
    rebuildDensity(camera);
    densityKey_ = key;
  }
}

void PointOverlay::rebuildDensity(const ViewCamera& camera) {
  auto& v = *vtk_;
  const int w = camera.viewportWidth(), h = camera.viewportHeight();
  const Rect r = camera.visibleWorld();
  const double zoom = camera.zoom();
  const std::size_t npx = static_cast<std::size_t>(w) * h;
  v.bins.assign(npx * 4, 0);
  const std::uint8_t* rgba = v.colors->GetPointer(0);
  for (std::size_t i = 0; i < x_.size(); ++i) {
    if (!hidden_.empty() && hidden_[i]) continue;
    // The pixel a one-pixel sprite would cover: floor of its screen position.
    const double sx = (x_[i] - r.x0) * zoom, sy = (y_[i] - r.y0) * zoom;
    if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
    std::uint32_t* b =
        v.bins.data() + 4 * (static_cast<std::size_t>(sy) * w + static_cast<std::size_t>(sx));
    const std::uint8_t* c = rgba + 4 * i;
    b[0] += c[0];
    b[1] += c[1];
    b[2] += c[2];
    b[3] += 1;
  }
  v.image->SetDimensions(w, h, 1);
  v.image->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
  auto* out = static_cast<std::uint8_t*>(v.image->GetScalarPointer());
  for (std::size_t p = 0; p < npx; ++p) {
    const std::uint32_t* b = v.bins.data() + 4 * p;
    std::uint8_t* o = out + 4 * p;
    if (b[3] == 0) {
      std::memset(o, 0, 4);
      continue;
    }
    for (int k = 0; k < 3; ++k)
      o[k] = static_cast<std::uint8_t>((b[k] + b[3] / 2) / b[3]);
    o[3] = 255;
  }
  v.image->Modified();
  v.plane->SetOrigin(r.x0, r.y0, z_);
  v.plane->SetPoint1(r.x1, r.y0, z_);
  v.plane->SetPoint2(r.x0, r.y1, z_);
  ++rev_.density;
}

}  // namespace tessera::render
