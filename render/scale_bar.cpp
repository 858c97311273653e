#include "render/scale_bar.h"

#include <vtkActor2D.h>
#include <vtkCellArray.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>

#include <array>
#include <cmath>
#include <cstdio>

namespace tessera::render {
namespace {
// Metres per unit for the units OME-NGFF uses most.
double metresPer(const std::string& unit) {
  if (unit == "nanometer") return 1e-9;
  if (unit == "micrometer" || unit == "micron") return 1e-6;
  if (unit == "millimeter") return 1e-3;
  if (unit == "centimeter") return 1e-2;
  if (unit == "meter") return 1.0;
  return 0;
}
}  // namespace

std::string ScaleBarLength::label() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g %s", value, unit.c_str());
  return buf;
}

ScaleBarLength chooseScaleBar(double physicalPerPixel, const std::string& unit, double maxPixels) {
  ScaleBarLength out;
  const double mPer = metresPer(unit);
  double perPixel = physicalPerPixel;  // in the display unit chosen below
  if (mPer > 0) {
    const double metresPerPixel = physicalPerPixel * mPer;
    const double span = metresPerPixel * maxPixels;
    static const std::array<std::pair<double, const char*>, 5> units{
        {{1e-9, "nm"}, {1e-6, "µm"}, {1e-3, "mm"}, {1e-2, "cm"}, {1.0, "m"}}};
    out.unit = "nm";
    double scale = 1e-9;
    for (const auto& [s, name] : units)
      if (span >= s) {
        scale = s;
        out.unit = name;
      }
    if (out.unit == "cm") {  // microscopists read mm rather than cm
      scale = 1e-3;
      out.unit = "mm";
    }
    perPixel = metresPerPixel / scale;
  } else {
    out.unit = "px";
  }
  if (perPixel <= 0 || !std::isfinite(perPixel)) return out;
  const double maxValue = perPixel * maxPixels;
  const double decade = std::pow(10.0, std::floor(std::log10(maxValue)));
  for (const double m : {5.0, 2.0, 1.0}) {
    if (m * decade <= maxValue) {
      out.value = m * decade;
      break;
    }
  }
  out.pixels = out.value / perPixel;
  return out;
}

namespace {
// A quad in display coordinates (y up) placed through `pts` (4 corners).
vtkSmartPointer<vtkActor2D> quadActor(vtkSmartPointer<vtkPoints>& pts) {
  pts = vtkSmartPointer<vtkPoints>::New();
  pts->SetNumberOfPoints(4);
  for (int i = 0; i < 4; ++i)
    pts->SetPoint(i, 0, 0, 0);
  auto polys = vtkSmartPointer<vtkCellArray>::New();
  const vtkIdType quad[4] = {0, 1, 2, 3};
  polys->InsertNextCell(4, quad);
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(pts);
  poly->SetPolys(polys);
  auto mapper = vtkSmartPointer<vtkPolyDataMapper2D>::New();
  mapper->SetInputData(poly);
  auto actor = vtkSmartPointer<vtkActor2D>::New();
  actor->SetMapper(mapper);
  return actor;
}
}  // namespace

ScaleBar::ScaleBar(vtkRenderer* renderer) : renderer_(renderer) {
  // The backing: a black rim around the bar (opaque 2D actors draw in the order they were
  // added, so it goes first, under the bar) and a dark box that the text draws on itself
  // (a translucent 2D actor of its own would draw over the bar in the window's passes).
  backing_ = quadActor(backingPoints_);
  backing_->GetProperty()->SetColor(0, 0, 0);
  backing_->SetVisibility(false);
  bar_ = quadActor(points_);
  bar_->GetProperty()->SetColor(1, 1, 1);
  text_ = vtkSmartPointer<vtkTextActor>::New();
  text_->GetTextProperty()->SetColor(1, 1, 1);
  text_->GetTextProperty()->SetFontSize(16);
  text_->GetTextProperty()->SetJustificationToCentered();
  text_->GetTextProperty()->ShadowOn();
  text_->GetTextProperty()->SetBackgroundColor(0, 0, 0);
  text_->GetTextProperty()->SetBackgroundOpacity(0);
  renderer_->AddActor2D(backing_);
  renderer_->AddActor2D(bar_);
  renderer_->AddActor2D(text_);
}

ScaleBar::~ScaleBar() {
  renderer_->RemoveActor2D(backing_);
  renderer_->RemoveActor2D(bar_);
  renderer_->RemoveActor2D(text_);
}

void ScaleBar::update(double physicalPerPixel, const std::string& unit, int viewportWidth, int) {
  length_ = chooseScaleBar(physicalPerPixel, unit, std::max(40.0, viewportWidth * 0.2));
  const bool show = length_.pixels > 0;
  bar_->SetVisibility(show);
  text_->SetVisibility(show);
  backing_->SetVisibility(show && backingOn_);
  if (!show) return;
  // Display coordinates have y up from the bottom edge.
  const double x0 = 20, y0 = 20, h = 5;
  points_->SetPoint(0, x0, y0, 0);
  points_->SetPoint(1, x0 + length_.pixels, y0, 0);
  points_->SetPoint(2, x0 + length_.pixels, y0 + h, 0);
  points_->SetPoint(3, x0, y0 + h, 0);
  points_->Modified();
  text_->SetInput(length_.label().c_str());
  text_->SetDisplayPosition(static_cast<int>(x0 + length_.pixels / 2),
                            static_cast<int>(y0 + h + 6));
  const double rim = 2;
  backingPoints_->SetPoint(0, x0 - rim, y0 - rim, 0);
  backingPoints_->SetPoint(1, x0 + length_.pixels + rim, y0 - rim, 0);
  backingPoints_->SetPoint(2, x0 + length_.pixels + rim, y0 + h + rim, 0);
  backingPoints_->SetPoint(3, x0 - rim, y0 + h + rim, 0);
  backingPoints_->Modified();
  text_->GetTextProperty()->SetBackgroundOpacity(backingOn_ ? 0.6 : 0.0);
}

}  // namespace tessera::render
