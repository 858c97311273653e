#include "widgets/selection_tool.h"

#include <vtkActor2D.h>
#include <vtkCellArray.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

#include <cmath>

namespace tessera::widgets {

struct SelectionTool::Vtk {
  vtkRenderer* renderer = nullptr;
  vtkSmartPointer<vtkPolyData> poly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor2D> actor = vtkSmartPointer<vtkActor2D>::New();
};

SelectionTool::SelectionTool(vtkRenderer* renderer, std::function<Vec2(QPointF)> toWorld,
                             std::function<void()> repaint, QObject* parent)
    : QObject(parent),
      vtk_(std::make_unique<Vtk>()),
      toWorld_(std::move(toWorld)),
      repaint_(std::move(repaint)) {
  vtk_->renderer = renderer;
  auto mapper = vtkSmartPointer<vtkPolyDataMapper2D>::New();
  mapper->SetInputData(vtk_->poly);
  vtk_->actor->SetMapper(mapper);
  vtk_->actor->GetProperty()->SetColor(1.0, 0.85, 0.2);
  vtk_->actor->GetProperty()->SetLineWidth(2);
  vtk_->actor->SetVisibility(false);
  renderer->AddActor2D(vtk_->actor);
}

SelectionTool::~SelectionTool() {
  vtk_->renderer->RemoveActor2D(vtk_->actor);
}

bool SelectionTool::press(QPointF device, Qt::MouseButton button, Qt::KeyboardModifiers mods) {
  if (button != Qt::LeftButton) return false;
  SelectionShape s = shape_;
  if (s == SelectionShape::None) {
    if (!(mods & Qt::ControlModifier)) return false;
    s = (mods & Qt::ShiftModifier) ? SelectionShape::Box : SelectionShape::Lasso;
    op_ = (mods & Qt::AltModifier) ? SelectOp::Subtract : SelectOp::Replace;
  } else {
    op_ = (mods & Qt::AltModifier)     ? SelectOp::Subtract
          : (mods & Qt::ShiftModifier) ? SelectOp::Add
                                       : SelectOp::Replace;
  }
  drawing_ = s;
  path_ = {device};
  updateActor();
  return true;
}

bool SelectionTool::move(QPointF device) {
  if (!active()) return false;
  if (drawing_ == SelectionShape::Box) {
    path_.resize(1);
    path_.push_back(device);
  } else if (std::hypot(device.x() - path_.back().x(), device.y() - path_.back().y()) >= 2.0) {
    path_.push_back(device);
  }
  updateActor();
  return true;
}

bool SelectionTool::release(QPointF device) {
  if (!active()) return false;
  move(device);
  std::vector<QPointF> outline = path_;
  if (drawing_ == SelectionShape::Box && outline.size() >= 2) {
    const QPointF a = outline.front(), b = outline.back();
    outline = {a, QPointF(b.x(), a.y()), b, QPointF(a.x(), b.y())};
  }
  drawing_ = SelectionShape::None;
  path_.clear();
  updateActor();
  std::vector<Vec2> world;
  world.reserve(outline.size());
  for (const auto& p : outline)
    world.push_back(toWorld_(p));
  if (world.size() >= 3) emit drawn(world, op_);
  return true;
}

void SelectionTool::updateActor() {
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto lines = vtkSmartPointer<vtkCellArray>::New();
  std::vector<QPointF> shown = path_;
  if (drawing_ == SelectionShape::Box && shown.size() >= 2) {
    const QPointF a = shown.front(), b = shown.back();
    shown = {a, QPointF(b.x(), a.y()), b, QPointF(a.x(), b.y())};
  }
  for (const auto& p : shown)
    points->InsertNextPoint(p.x(), deviceHeight_ - p.y(), 0);
  if (shown.size() >= 2) {
    lines->InsertNextCell(static_cast<vtkIdType>(shown.size() + 1));
    for (std::size_t i = 0; i < shown.size(); ++i)
      lines->InsertCellPoint(static_cast<vtkIdType>(i));
    lines->InsertCellPoint(0);
  }
  vtk_->poly->SetPoints(points);
  vtk_->poly->SetLines(lines);
  vtk_->poly->Modified();
  vtk_->actor->SetVisibility(shown.size() >= 2);
  if (repaint_) repaint_();
}

}  // namespace tessera::widgets
