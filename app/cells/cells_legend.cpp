#include "app/cells/cells_legend.h"

#include <vtkActor2D.h>
#include <vtkActor2DCollection.h>
#include <vtkCellArray.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tessera::app {
namespace {
constexpr int kMaxRows = 24;
constexpr int kRowPx = 18;
constexpr int kWidthPx = 190;
constexpr int kMargin = 10;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void styleText(vtkTextActor* t, int size, bool bold = false) {
  auto* p = t->GetTextProperty();
  p->SetFontSize(size);
  p->SetColor(0.95, 0.95, 0.95);
  p->SetBold(bold);
  p->SetShadow(false);
  p->SetBackgroundColor(0.06, 0.08, 0.1);
  p->SetBackgroundOpacity(0.8);
  p->SetJustificationToLeft();
  p->SetVerticalJustificationToBottom();
}
}  // namespace

struct CellsLegend::Vtk {
  vtkRenderer* renderer = nullptr;
  vtkSmartPointer<vtkPolyData> shapes = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor2D> shapesActor = vtkSmartPointer<vtkActor2D>::New();
  vtkSmartPointer<vtkTextActor> title = vtkSmartPointer<vtkTextActor>::New();
  std::vector<vtkSmartPointer<vtkTextActor>> labels;
};

CellsLegend::CellsLegend(vtkRenderer* renderer) : vtk_(std::make_unique<Vtk>()) {
  vtk_->renderer = renderer;
  auto mapper = vtkSmartPointer<vtkPolyDataMapper2D>::New();
  mapper->SetInputData(vtk_->shapes);
  mapper->SetScalarModeToUsePointData();
  vtk_->shapesActor->SetMapper(mapper);
  styleText(vtk_->title, 14, true);
  renderer->AddActor2D(vtk_->shapesActor);
  renderer->AddActor2D(vtk_->title);
  for (int i = 0; i < kMaxRows + 1; ++i) {
    auto t = vtkSmartPointer<vtkTextActor>::New();
    styleText(t, 12);
    renderer->AddActor2D(t);
    vtk_->labels.push_back(t);
  }
}

CellsLegend::~CellsLegend() {
  vtk_->renderer->RemoveActor2D(vtk_->shapesActor);
  vtk_->renderer->RemoveActor2D(vtk_->title);
  for (auto& t : vtk_->labels)
    vtk_->renderer->RemoveActor2D(t);
}

void CellsLegend::set(const LegendSpec& spec) {
  spec_ = spec;
  dirty_ = true;
}

void CellsLegend::setVisible(bool visible) {
  visible_ = visible;
  dirty_ = true;
}

void CellsLegend::update(int w, int h) {
  if (!dirty_ && w == lastW_ && h == lastH_) return;
  dirty_ = false;
  lastW_ = w, lastH_ = h;
  const bool show = visible_ && (!spec_.title.empty() || !spec_.entries.empty());
  vtk_->shapesActor->SetVisibility(show);
  vtk_->title->SetVisibility(show);
  for (auto& t : vtk_->labels)
    t->SetVisibility(false);
  if (!show) return;

  auto points = vtkSmartPointer<vtkPoints>::New();
  auto polys = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(4);
  auto quad = [&](double x0, double y0, double x1, double y1, std::uint32_t rgb, unsigned char a) {
    const vtkIdType base = points->GetNumberOfPoints();
    points->InsertNextPoint(x0, y0, 0);
    points->InsertNextPoint(x1, y0, 0);
    points->InsertNextPoint(x1, y1, 0);
    points->InsertNextPoint(x0, y1, 0);
    const vtkIdType ids[4] = {base, base + 1, base + 2, base + 3};
    polys->InsertNextCell(4, ids);
    // Point colours (four per quad): cell colours need buffer textures the window's GL
    // context may not offer.
    const unsigned char c[4] = {static_cast<unsigned char>(rgb >> 16),
                                static_cast<unsigned char>(rgb >> 8),
                                static_cast<unsigned char>(rgb), a};
    for (int k = 0; k < 4; ++k)
      colors->InsertNextTypedTuple(c);
  };

  const double x0 = w - kMargin - kWidthPx, yTop = h - kMargin;
  // No backing box: 2D actors share one depth, so anything drawn over a box would fail the
  // depth test in the window. Texts carry their own dark background instead.
  vtk_->title->SetInput(spec_.title.c_str());
  vtk_->title->SetPosition(x0 + 8, yTop - 22);
  if (spec_.continuous) {
    // Colour bar: 64 steps of the LUT.
    const double bx0 = x0 + 8, bx1 = x0 + kWidthPx - 8, by0 = yTop - 50, by1 = yTop - 32;
    for (int i = 0; i < 64; ++i) {
      double rgb[3];
      render::lutColor(spec_.lut, (i + 0.5) / 64.0, rgb);
      const auto c = (static_cast<std::uint32_t>(rgb[0] * 255) << 16) |
                     (static_cast<std::uint32_t>(rgb[1] * 255) << 8) |
                     static_cast<std::uint32_t>(rgb[2] * 255);
      quad(bx0 + (bx1 - bx0) * i / 64.0, by0, bx0 + (bx1 - bx0) * (i + 1) / 64.0, by1, c, 255);
    }
    vtk_->labels[0]->SetInput(number(spec_.min).c_str());
    vtk_->labels[0]->GetTextProperty()->SetJustificationToLeft();
    vtk_->labels[0]->SetPosition(bx0, by0 - 18);
    vtk_->labels[0]->SetVisibility(true);
    vtk_->labels[1]->SetInput(number(spec_.max).c_str());
    vtk_->labels[1]->GetTextProperty()->SetJustificationToRight();
    vtk_->labels[1]->SetPosition(bx1, by0 - 18);
    vtk_->labels[1]->SetVisibility(true);
  } else {
    const int shown = std::min<int>(static_cast<int>(spec_.entries.size()), kMaxRows);
    for (int i = 0; i < shown; ++i) {
      const auto& e = spec_.entries[static_cast<std::size_t>(i)];
      const double y = yTop - 28 - (i + 1) * kRowPx;
      quad(x0 + 8, y + 3, x0 + 20, y + 15, e.rgb, 255);
      const std::string text = e.label + "  (" + std::to_string(e.count) + ")";
      vtk_->labels[static_cast<std::size_t>(i)]->SetInput(text.c_str());
      vtk_->labels[static_cast<std::size_t>(i)]->GetTextProperty()->SetJustificationToLeft();
      vtk_->labels[static_cast<std::size_t>(i)]->SetPosition(x0 + 26, y + 2);
      vtk_->labels[static_cast<std::size_t>(i)]->SetVisibility(true);
    }
    if (static_cast<int>(spec_.entries.size()) > kMaxRows) {
      auto& t = vtk_->labels[kMaxRows];
      t->SetInput(("+" + std::to_string(spec_.entries.size() - kMaxRows) + " more").c_str());
      t->GetTextProperty()->SetJustificationToLeft();
      t->SetPosition(x0 + 26, yTop - 28 - (kMaxRows + 1) * kRowPx + 2);
      t->SetVisibility(true);
    }
  }
  vtk_->shapes->SetPoints(points);
  vtk_->shapes->SetPolys(polys);
  vtk_->shapes->GetPointData()->SetScalars(colors);
  vtk_->shapes->Modified();
}

}  // namespace tessera::app
