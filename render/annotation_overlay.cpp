#include "render/annotation_overlay.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <algorithm>

#include <cmath>
#include <numbers>

namespace tessera::render {
namespace {

struct Lines {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> cells;
  vtkNew<vtkUnsignedCharArray> colors;
  double z;
  explicit Lines(double zz) : z(zz) { colors->SetNumberOfComponents(3); }
  void polyline(const std::vector<data::Vec2>& pts, bool closed, std::uint32_t rgb) {
    if (pts.size() < 2) return;
    std::vector<vtkIdType> ids;
    for (const auto& p : pts) {
      ids.push_back(points->InsertNextPoint(p.x, p.y, z));
      colors->InsertNextTuple3((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
    }
    if (closed) ids.push_back(ids.front());
    cells->InsertNextCell(static_cast<vtkIdType>(ids.size()), ids.data());
  }
  vtkSmartPointer<vtkPolyData> poly() {
    auto p = vtkSmartPointer<vtkPolyData>::New();
    p->SetPoints(points);
    p->SetLines(cells);
    p->GetPointData()->SetScalars(colors);
    return p;
  }
};

vtkSmartPointer<vtkActor> lineActor(double width) {
  auto actor = vtkSmartPointer<vtkActor>::New();
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetScalarModeToUsePointData();
  mapper->SetColorModeToDirectScalars();
  actor->SetMapper(mapper);
  actor->GetProperty()->SetLineWidth(static_cast<float>(width));
  actor->GetProperty()->SetLighting(false);
  actor->PickableOff();
  return actor;
}

// A ring of `r` world units around p (points, handles).
std::vector<data::Vec2> ring(data::Vec2 p, double r, int n = 12) {
  std::vector<data::Vec2> out;
  for (int i = 0; i < n; ++i) {
    const double t = 2 * std::numbers::pi * i / n;
    out.push_back({p.x + r * std::cos(t), p.y + r * std::sin(t)});
  }
  return out;
}

void draw(Lines& l, const data::Annotation& a, double perPx, bool handles) {
  const auto rgb = a.classification.color;
  for (const auto& poly : data::areaPolygons(a, 96)) {
    l.polyline(poly.outer, true, rgb);
    for (const auto& h : poly.holes)
      l.polyline(h, true, rgb);
  }
  switch (a.kind) {
    case data::AnnotationKind::Point:
      for (const auto& p : a.points)
        l.polyline(ring(p, 5 * perPx), true, rgb);
      break;
    case data::AnnotationKind::Line:
    case data::AnnotationKind::Arrow:
      l.polyline(a.points, false, rgb);
      if (a.kind == data::AnnotationKind::Arrow && a.points.size() >= 2) {
        // A head of 14 px at the last point, 25° either side of the last segment.
        const auto tip = a.points.back(), from = a.points[a.points.size() - 2];
        const double ang = std::atan2(from.y - tip.y, from.x - tip.x), len = 14 * perPx;
        for (double d : {-0.44, 0.44})
          l.polyline({tip, {tip.x + len * std::cos(ang + d), tip.y + len * std::sin(ang + d)}},
                     false, rgb);
      }
      break;
    default:
      break;
  }
  if (handles) {
    std::vector<data::Vec2> vs = a.points;
    for (const auto& poly : a.polygons) {
      vs.insert(vs.end(), poly.outer.begin(), poly.outer.end());
      for (const auto& h : poly.holes)
        vs.insert(vs.end(), h.begin(), h.end());
    }
    for (const auto& v : vs)
      l.polyline(ring(v, 4 * perPx, 8), true, 0xFFFFFF);
  }
}

}  // namespace

AnnotationOverlay::AnnotationOverlay(vtkRenderer* renderer, double z)
    : renderer_(renderer), z_(z), lines_(lineActor(2)), selectedLines_(lineActor(4)) {
  renderer_->AddActor(lines_);
  renderer_->AddActor(selectedLines_);
}

AnnotationOverlay::~AnnotationOverlay() {
  renderer_->RemoveActor(lines_);
  renderer_->RemoveActor(selectedLines_);
  for (auto& t : labels_)
    renderer_->RemoveActor2D(t);
}

void AnnotationOverlay::setAnnotations(std::vector<data::Annotation> annotations) {
  annotations_ = std::move(annotations);
  if (selected_ >= static_cast<int>(annotations_.size())) selected_ = -1;
}

void AnnotationOverlay::setSelected(int index) {
  selected_ = index;
}

void AnnotationOverlay::setVisible(bool visible) {
  visible_ = visible;
}

void AnnotationOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  for (auto* a : {lines_.Get(), selectedLines_.Get()})
    a->GetProperty()->SetOpacity(opacity_);
  for (auto& t : labels_)
    t->GetTextProperty()->SetOpacity(opacity_);
}

void AnnotationOverlay::setDepthOffset(double dz) {
  depth_ = dz;
  for (auto* a : {lines_.Get(), selectedLines_.Get()})
    a->SetPosition(0, 0, dz);
}

void AnnotationOverlay::update(const ViewCamera& camera) {
  const double perPx = 1.0 / camera.zoom();
  Lines normal(z_), selected(z_ - 0.01);
  for (auto& t : labels_)
    renderer_->RemoveActor2D(t);
  labels_.clear();
  for (std::size_t i = 0; i < annotations_.size(); ++i) {
    const auto& a = annotations_[i];
    if (!a.visible || !visible_) continue;
    const bool sel = static_cast<int>(i) == selected_;
    draw(sel ? selected : normal, a, perPx, sel);
    // Text annotations show their text; others their name, at the top-left of their bounds.
    const std::string label = a.kind == data::AnnotationKind::Text ? a.text : a.name;
    if (label.empty()) continue;
    const auto b = data::annotationBounds(a);
    auto t = vtkSmartPointer<vtkTextActor>::New();
    t->SetInput(label.c_str());
    auto* p = t->GetTextProperty();
    const auto rgb = a.classification.color;
    p->SetColor(((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
    p->SetFontSize(a.kind == data::AnnotationKind::Text ? 20 : 14);
    p->ShadowOn();
    p->SetOpacity(opacity_);
    p->SetVerticalJustificationToBottom();
    // Anchored in the world, so that VTK places it for whatever camera draws the frame (the
    // window's, or each tile of a figure) without another update.
    t->GetPositionCoordinate()->SetCoordinateSystemToWorld();
    if (a.kind == data::AnnotationKind::Text)
      t->SetPosition(a.points.front().x, a.points.front().y);
    else
      t->SetPosition(b.x0, b.y0 - 3 * perPx);
    t->GetPositionCoordinate()->SetValue(t->GetPosition()[0], t->GetPosition()[1], z_ + depth_);
    renderer_->AddActor2D(t);
    labels_.push_back(t);
  }
  lines_->GetMapper()->SetInputDataObject(normal.poly());
  selectedLines_->GetMapper()->SetInputDataObject(selected.poly());
}

}  // namespace tessera::render
