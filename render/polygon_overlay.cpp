#include "render/polygon_overlay.h"

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
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "render/blend_order.h"

namespace tessera::render {
namespace {

vtkSmartPointer<vtkActor> flatActor(vtkPolyData* poly, bool scalars) {
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(poly);
  mapper->SetColorModeToDirectScalars();
  mapper->SetScalarModeToUsePointData();
  mapper->SetScalarVisibility(scalars);
  mapper->InterpolateScalarsBeforeMappingOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  actor->VisibilityOff();
  return actor;
}

vtkSmartPointer<vtkCellArray> cellsFrom(std::vector<vtkIdType>& offsets,
                                        std::vector<vtkIdType>& conn) {
  auto o = vtkSmartPointer<vtkIdTypeArray>::New();
  o->SetNumberOfValues(static_cast<vtkIdType>(offsets.size()));
  std::copy(offsets.begin(), offsets.end(), o->GetPointer(0));
  auto c = vtkSmartPointer<vtkIdTypeArray>::New();
  c->SetNumberOfValues(static_cast<vtkIdType>(conn.size()));
  std::copy(conn.begin(), conn.end(), c->GetPointer(0));
  auto cells = vtkSmartPointer<vtkCellArray>::New();
  cells->SetData(o, c);
  return cells;
}

}  // namespace

struct PolygonOverlay::Vtk {
  // Ring vertices of every polygon, then one centroid per polygon.
  vtkSmartPointer<vtkPoints> points = vtkSmartPointer<vtkPoints>::New();
  vtkSmartPointer<vtkUnsignedCharArray> colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  vtkSmartPointer<vtkPolyData> poly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> actor;
  vtkSmartPointer<vtkPolyData> selPoly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> selection;
  std::vector<std::uint8_t> itemRgba;  // one RGBA per polygon
};

PolygonOverlay::PolygonOverlay(vtkRenderer* renderer, std::string name, double z)
    : renderer_(renderer), name_(std::move(name)), z_(z), vtk_(std::make_unique<Vtk>()) {
  auto& v = *vtk_;
  v.points->SetDataTypeToFloat();
  v.colors->SetNumberOfComponents(4);
  v.colors->SetName("colors");
  v.poly->SetPoints(v.points);
  v.poly->GetPointData()->SetScalars(v.colors);
  v.actor = flatActor(v.poly, true);
  v.selection = flatActor(v.selPoly, false);
  v.selection->GetProperty()->SetLineWidth(3);
  renderer_->AddActor(v.actor);
  renderer_->AddActor(v.selection);
  centroids_ = std::make_unique<PointOverlay>(renderer, name_ + " centroids", z);
  setLodMinDiameterPx(minDiameterPx_);
  setSelectionColor(0xFFFF00);
}

PolygonOverlay::~PolygonOverlay() {
  renderer_->RemoveActor(vtk_->actor);
  renderer_->RemoveActor(vtk_->selection);
}

data::Expected<void> PolygonOverlay::setPolygons(std::vector<float> xy,
                                                 std::vector<std::uint32_t> offsets) {
  auto bad = [&](const std::string& why) {
    return data::fail(data::Errc::InvalidArgument, name_ + ": " + why);
  };
  if (xy.size() % 2)
    return bad("odd number of vertex coordinates (" + std::to_string(xy.size()) + ")");
  const std::size_t nv = xy.size() / 2;
  if (offsets.empty() || offsets.front() != 0) return bad("offsets must start at 0");
  if (offsets.back() != nv)
    return bad("last offset " + std::to_string(offsets.back()) + " is not the vertex count " +
               std::to_string(nv));
  for (std::size_t i = 0; i + 1 < offsets.size(); ++i)
    if (offsets[i + 1] < offsets[i] + 3)
      return bad("polygon " + std::to_string(i) + " has fewer than 3 vertices");
  xy_ = std::move(xy);
  offsets_ = std::move(offsets);
  const std::size_t n = offsets_.size() - 1;
  centroidX_.assign(n, 0);
  centroidY_.assign(n, 0);
  std::vector<double> diameters(n);
  maxRadius_ = 0;
  for (std::size_t p = 0; p < n; ++p) {
    const std::uint32_t b = offsets_[p], e = offsets_[p + 1];
    double a = 0, cx = 0, cy = 0, mx = 0, my = 0;
    for (std::uint32_t i = b; i < e; ++i) {
      const std::uint32_t j = i + 1 == e ? b : i + 1;
      const double x0 = xy_[2 * i], y0 = xy_[2 * i + 1], x1 = xy_[2 * j], y1 = xy_[2 * j + 1];
      const double cross = x0 * y1 - x1 * y0;
      a += cross;
      cx += (x0 + x1) * cross;
      cy += (y0 + y1) * cross;
      mx += x0;
      my += y0;
    }
    const double k = e - b;
    // The area centroid, or the vertex mean for a degenerate (zero-area) ring.
    const bool degenerate = std::abs(a) < 1e-9;
    centroidX_[p] = static_cast<float>(degenerate ? mx / k : cx / (3 * a));
    centroidY_[p] = static_cast<float>(degenerate ? my / k : cy / (3 * a));
    diameters[p] = 2 * std::sqrt(std::abs(a) / 2 / std::numbers::pi);
    for (std::uint32_t i = b; i < e; ++i)
      maxRadius_ = std::max(maxRadius_, std::hypot(xy_[2 * i] - double{centroidX_[p]},
                                                   xy_[2 * i + 1] - double{centroidY_[p]}));
  }
  grid_.build(centroidX_, centroidY_);
  built_ = {};
  if (n) {
    std::nth_element(diameters.begin(), diameters.begin() + n / 2, diameters.end());
    typicalDiameter_ = diameters[n / 2];
  } else {
    typicalDiameter_ = 0;
  }
  auto coords = vtkSmartPointer<vtkFloatArray>::New();
  coords->SetNumberOfComponents(3);
  coords->SetNumberOfTuples(static_cast<vtkIdType>(nv + n));
  float* c = coords->GetPointer(0);
  for (std::size_t i = 0; i < nv; ++i) {
    c[3 * i] = xy_[2 * i];
    c[3 * i + 1] = xy_[2 * i + 1];
    c[3 * i + 2] = static_cast<float>(z_);
  }
  for (std::size_t p = 0; p < n; ++p) {
    float* q = c + 3 * (nv + p);
    q[0] = centroidX_[p];
    q[1] = centroidY_[p];
    q[2] = static_cast<float>(z_);
  }
  vtk_->points->SetData(coords);
  vtk_->colors->SetNumberOfTuples(static_cast<vtkIdType>(nv + n));
  ++rev_.geometry;
  if (auto ok = centroids_->setPoints(centroidX_, centroidY_); !ok) return ok;
  centroids_->setSize(typicalDiameter_, SizeUnit::World);
  coloring_ = OverlayColoring::solidColor(0xFFFFFF);
  hidden_.clear();
  selection_.clear();
  rebuildColors();
  cellsDirty_ = true;
  rebuildSelection();
  return {};
}

data::Expected<void> PolygonOverlay::setColoring(OverlayColoring coloring) {
  if (auto ok = checkColoring(coloring, count(), name_); !ok) return ok;
  coloring_ = std::move(coloring);
  rebuildColors();
  return centroids_->setColoring(coloring_);
}

data::Expected<void> PolygonOverlay::setHidden(std::vector<std::uint8_t> hidden) {
  if (!hidden.empty() && hidden.size() != count())
    return data::fail(data::Errc::InvalidArgument,
                      name_ + ": hidden mask has " + std::to_string(hidden.size()) +
                          " entries for " + std::to_string(count()) + " polygons");
  hidden_ = std::move(hidden);
  cellsDirty_ = true;
  return centroids_->setHidden(hidden_);
}

data::Expected<void> PolygonOverlay::setSelection(std::vector<std::uint32_t> indices) {
  for (const auto i : indices)
    if (i >= count())
      return data::fail(data::Errc::InvalidArgument, name_ + ": selected polygon " +
                                                         std::to_string(i) + " is out of range (" +
                                                         std::to_string(count()) + " polygons)");
  selection_ = std::move(indices);
  rebuildSelection();
  return centroids_->setSelection(selection_);
}

void PolygonOverlay::setFill(PolygonFill fill) {
  if (fill == fill_) return;
  fill_ = fill;
  cellsDirty_ = true;
}

void PolygonOverlay::setDepthOffset(double dz) {
  for (auto* a : {vtk_->actor.Get(), vtk_->selection.Get()})
    a->SetPosition(0, 0, dz);
  centroids_->setDepthOffset(dz);
}

void PolygonOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  vtk_->actor->GetProperty()->SetOpacity(opacity_);
  setBlended(*vtk_->actor, opacity_ < 1.0);
  centroids_->setOpacity(opacity_);
}

void PolygonOverlay::setLodMinDiameterPx(double px) {
  minDiameterPx_ = px;
  PointLodPolicy policy;
  policy.maxDiameterPx = std::max(policy.maxDiameterPx, px);
  centroids_->setLodPolicy(policy);
}

void PolygonOverlay::setVisible(bool visible) {
  visible_ = visible;
}

void PolygonOverlay::setLineWidth(double px) {
  vtk_->actor->GetProperty()->SetLineWidth(static_cast<float>(std::max(1.0, px)));
}

void PolygonOverlay::setSelectionColor(std::uint32_t rgb) {
  vtk_->selection->GetProperty()->SetColor(((rgb >> 16) & 0xFF) / 255.0,
                                           ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
  centroids_->setSelectionColor(rgb);
}

void PolygonOverlay::rebuildColors() {
  auto& v = *vtk_;
  const std::size_t n = count();
  v.itemRgba.resize(n * 4);
  fillColors(coloring_, n, {}, v.itemRgba.data());
  auto* out = reinterpret_cast<std::uint32_t*>(v.colors->GetPointer(0));
  const auto* item = reinterpret_cast<const std::uint32_t*>(v.itemRgba.data());
  for (std::size_t p = 0; p < n; ++p) {
    std::fill(out + offsets_[p], out + offsets_[p + 1], item[p]);
    out[xy_.size() / 2 + p] = item[p];
  }
  v.colors->Modified();
  ++rev_.colors;
}

void PolygonOverlay::rebuildCells() {
  const auto nv = static_cast<vtkIdType>(xy_.size() / 2);
  std::vector<vtkIdType> offsets{0}, conn;
  const auto& order = grid_.order();
  submitted_ = 0;
  for (int r = built_.r0; r <= built_.r1; ++r) {
    const auto [first, last] = grid_.rowSpan(r, built_.c0, built_.c1);
    for (auto k = first; k < last; ++k) {
      const std::size_t p = order[k];
      if (!hidden_.empty() && hidden_[p]) continue;
      ++submitted_;
      const vtkIdType b = offsets_[p], e = offsets_[p + 1];
      if (fill_ == PolygonFill::Filled) {
        const vtkIdType centre = nv + static_cast<vtkIdType>(p);
        for (vtkIdType i = b; i < e; ++i) {
          conn.insert(conn.end(), {centre, i, i + 1 == e ? b : i + 1});
          offsets.push_back(static_cast<vtkIdType>(conn.size()));
        }
      } else {
        for (vtkIdType i = b; i < e; ++i)
          conn.push_back(i);
        conn.push_back(b);
        offsets.push_back(static_cast<vtkIdType>(conn.size()));
      }
    }
  }
  auto cells = cellsFrom(offsets, conn);
  auto empty = vtkSmartPointer<vtkCellArray>::New();
  vtk_->poly->SetPolys(fill_ == PolygonFill::Filled ? cells : empty);
  vtk_->poly->SetLines(fill_ == PolygonFill::Filled ? empty : cells);
  cellsDirty_ = false;
  ++rev_.cells;
}

void PolygonOverlay::rebuildSelection() {
  auto pts = vtkSmartPointer<vtkPoints>::New();
  pts->SetDataTypeToFloat();
  std::vector<vtkIdType> offsets{0}, conn;
  // In front of the polygons and of the centroid stand-in.
  const double z = z_ - 0.05;
  for (const auto p : selection_) {
    const vtkIdType first = pts->GetNumberOfPoints();
    for (std::uint32_t i = offsets_[p]; i < offsets_[p + 1]; ++i) {
      conn.push_back(pts->InsertNextPoint(xy_[2 * i], xy_[2 * i + 1], z));
    }
    conn.push_back(first);
    offsets.push_back(static_cast<vtkIdType>(conn.size()));
  }
  vtk_->selPoly->SetPoints(pts);
  vtk_->selPoly->SetLines(cellsFrom(offsets, conn));
}

void PolygonOverlay::update(const ViewCamera& camera) {
  auto& v = *vtk_;
  if (!visible_ || count() == 0) {
    v.actor->VisibilityOff();
    v.selection->VisibilityOff();
    centroids_->setVisible(false);
    centroids_->update(camera);
    standIn_ = false;
    return;
  }
  standIn_ = typicalDiameter_ * camera.zoom() < minDiameterPx_;
  if (!standIn_) {
    // Outlines reach maxRadius_ past their centroid, and a line half its width further.
    const double pad = maxRadius_ + 4 / camera.zoom();
    if (grid_.recull(camera.visibleWorld(), pad, built_) || cellsDirty_) rebuildCells();
  }
  v.actor->SetVisibility(!standIn_);
  v.selection->SetVisibility(!standIn_ && !selection_.empty());
  centroids_->setVisible(standIn_);
  centroids_->update(camera);
}

}  // namespace tessera::render
