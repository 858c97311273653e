#include "render/legend.h"

#include <vtkActor2D.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace tessera::render {
namespace {
constexpr int kBarWidth = 160, kBarHeight = 12, kBarSteps = 64, kLabelWidth = 140;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
}  // namespace

Legend::Legend(vtkRenderer* renderer) : renderer_(renderer) {
  shapes_ = vtkSmartPointer<vtkPolyData>::New();
  auto mapper = vtkSmartPointer<vtkPolyDataMapper2D>::New();
  mapper->SetInputData(shapes_);
  mapper->SetColorModeToDirectScalars();
  mapper->SetScalarModeToUseCellData();
  shapesActor_ = vtkSmartPointer<vtkActor2D>::New();
  shapesActor_->SetMapper(mapper);
  shapesActor_->VisibilityOff();
  renderer_->AddActor2D(shapesActor_);
}

Legend::~Legend() {
  clearText();
  renderer_->RemoveActor2D(shapesActor_);
}

void Legend::clearText() {
  for (auto& t : texts_)
    renderer_->RemoveActor2D(t);
  texts_.clear();
}

vtkTextActor* Legend::addText(const std::string& s, int fontSize) {
  auto t = vtkSmartPointer<vtkTextActor>::New();
  t->SetInput(s.c_str());
  t->GetTextProperty()->SetFontSize(fontSize);
  t->GetTextProperty()->SetColor(1, 1, 1);
  t->GetTextProperty()->SetShadow(1);
  t->GetTextProperty()->SetVerticalJustificationToCentered();
  renderer_->AddActor2D(t);
  texts_.push_back(t);
  return t;
}

void Legend::showCategories(std::string title, std::vector<LegendEntry> entries) {
  kind_ = Kind::Categories;
  title_ = std::move(title);
  entries_ = std::move(entries);
  width_ = height_ = 0;
}

void Legend::showScale(std::string title, Lut lut, double min, double max) {
  kind_ = Kind::Scale;
  title_ = std::move(title);
  lut_ = lut;
  min_ = min;
  max_ = max;
  width_ = height_ = 0;
}

void Legend::hide() {
  kind_ = Kind::None;
  clearText();
  shapesActor_->VisibilityOff();
}

Rect Legend::swatchRect(int i) const {
  if (kind_ == Kind::None || width_ == 0) return {};
  const double x0 = width_ - kMargin - (kind_ == Kind::Scale ? kBarWidth : kSwatch + kLabelWidth);
  const double top = kMargin + kRow;  // below the title
  if (kind_ == Kind::Scale) return {x0, top, x0 + kBarWidth, top + kBarHeight};
  return {x0, top + i * kRow, x0 + kSwatch, top + i * kRow + kSwatch};
}

void Legend::update(int viewportWidth, int viewportHeight) {
  if (kind_ == Kind::None) return;
  if (viewportWidth == width_ && viewportHeight == height_) return;
  width_ = viewportWidth;
  height_ = viewportHeight;
  clearText();
  auto points = vtkSmartPointer<vtkPoints>::New();
  auto quads = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(4);
  // VTK 2D coordinates start at the bottom left; rects here are top-left based.
  auto quad = [&](const Rect& r, std::uint32_t rgb, std::uint8_t alpha) {
    const vtkIdType base = points->GetNumberOfPoints();
    points->InsertNextPoint(r.x0, height_ - r.y1, 0);
    points->InsertNextPoint(r.x1, height_ - r.y1, 0);
    points->InsertNextPoint(r.x1, height_ - r.y0, 0);
    points->InsertNextPoint(r.x0, height_ - r.y0, 0);
    const vtkIdType ids[4] = {base, base + 1, base + 2, base + 3};
    quads->InsertNextCell(4, ids);
    colors->InsertNextTypedTuple(std::array<std::uint8_t, 4>{static_cast<std::uint8_t>(rgb >> 16),
                                                             static_cast<std::uint8_t>(rgb >> 8),
                                                             static_cast<std::uint8_t>(rgb), alpha}
                                     .data());
  };
  const Rect first = swatchRect(0);
  auto* title = addText(title_, 13);
  title->SetPosition(first.x0, height_ - (kMargin + kRow / 2.0));
  if (kind_ == Kind::Scale) {
    const Rect bar = swatchRect(0);
    for (int s = 0; s < kBarSteps; ++s) {
      double rgb[3];
      lutColor(lut_, (s + 0.5) / kBarSteps, rgb);
      const std::uint32_t c = (std::uint32_t(rgb[0] * 255 + 0.5) << 16) |
                              (std::uint32_t(rgb[1] * 255 + 0.5) << 8) |
                              std::uint32_t(rgb[2] * 255 + 0.5);
      const double x0 = bar.x0 + bar.width() * s / kBarSteps,
                   x1 = bar.x0 + bar.width() * (s + 1) / kBarSteps;
      quad({x0, bar.y0, x1, bar.y1}, c, 255);
    }
    auto* lo = addText(number(min_), 11);
    lo->SetPosition(bar.x0, height_ - (bar.y1 + kRow / 2.0));
    auto* hi = addText(number(max_), 11);
    hi->GetTextProperty()->SetJustificationToRight();
    hi->SetPosition(bar.x1, height_ - (bar.y1 + kRow / 2.0));
  } else {
    const int shown = std::min<int>(static_cast<int>(entries_.size()), kMaxEntries);
    for (int i = 0; i < shown; ++i) {
      const auto& e = entries_[static_cast<std::size_t>(i)];
      const Rect r = swatchRect(i);
      if (e.hidden) {
        // An outline only: the category is toggled off.
        quad({r.x0, r.y0, r.x1, r.y0 + 1}, e.rgb, 255);
        quad({r.x0, r.y1 - 1, r.x1, r.y1}, e.rgb, 255);
        quad({r.x0, r.y0, r.x0 + 1, r.y1}, e.rgb, 255);
        quad({r.x1 - 1, r.y0, r.x1, r.y1}, e.rgb, 255);
      } else {
        quad(r, e.rgb, 255);
      }
      auto* t = addText(e.label, 11);
      t->SetPosition(r.x1 + 6, height_ - (r.y0 + r.y1) / 2.0);
    }
    if (static_cast<int>(entries_.size()) > shown) {
      auto* t = addText("+" + std::to_string(entries_.size() - shown) + " more", 11);
      const Rect r = swatchRect(shown);
      t->SetPosition(r.x0, height_ - (r.y0 + r.y1) / 2.0);
    }
  }
  shapes_->SetPoints(points);
  shapes_->SetPolys(quads);
  shapes_->GetCellData()->SetScalars(colors);
  shapes_->Modified();
  shapesActor_->VisibilityOn();
}

}  // namespace tessera::render
