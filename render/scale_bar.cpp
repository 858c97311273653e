#include "render/scale_bar.h"

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
constexpr int kQuads = 5;  // the bar and the four sides of its rim
}  // namespace

ScaleBar::ScaleBar(vtkRenderer* renderer) : renderer_(renderer) {
  // One polydata: the white bar and a black rim of four quads around it (the backing;
  // collapsed to nothing without it). They do not overlap, so the window's depth test and the
  // order the quads are drawn in cannot hide the bar.
  points_ = vtkSmartPointer<vtkPoints>::New();
  points_->SetNumberOfPoints(4 * kQuads);
  for (int i = 0; i < 4 * kQuads; ++i)
    points_->SetPoint(i, 0, 0, 0);
  auto polys = vtkSmartPointer<vtkCellArray>::New();
  auto colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  colors->SetNumberOfComponents(3);
  for (vtkIdType q = 0; q < kQuads; ++q) {
    const vtkIdType quad[4] = {4 * q, 4 * q + 1, 4 * q + 2, 4 * q + 3};
    polys->InsertNextCell(4, quad);
    const unsigned char v = q == 0 ? 255 : 0;
    colors->InsertNextTuple3(v, v, v);
  }
  auto poly = vtkSmartPointer<vtkPolyData>::New();
  poly->SetPoints(points_);
  poly->SetPolys(polys);
  poly->GetCellData()->SetScalars(colors);
  auto mapper = vtkSmartPointer<vtkPolyDataMapper2D>::New();
  mapper->SetInputData(poly);
  mapper->SetScalarModeToUseCellData();
  mapper->SetColorModeToDirectScalars();
  bar_ = vtkSmartPointer<vtkActor2D>::New();
  bar_->SetMapper(mapper);
  text_ = vtkSmartPointer<vtkTextActor>::New();
  text_->GetTextProperty()->SetColor(1, 1, 1);
  text_->GetTextProperty()->SetFontSize(16);
  text_->GetTextProperty()->SetJustificationToCentered();
  text_->GetTextProperty()->ShadowOn();
  text_->GetTextProperty()->SetBackgroundColor(0, 0, 0);
  text_->GetTextProperty()->SetBackgroundOpacity(0);
  renderer_->AddActor2D(bar_);
  renderer_->AddActor2D(text_);
}

ScaleBar::~ScaleBar() {
  renderer_->RemoveActor2D(bar_);
  renderer_->RemoveActor2D(text_);
}

void ScaleBar::update(double physicalPerPixel, const std::string& unit, int viewportWidth, int) {
  length_ = chooseScaleBar(physicalPerPixel, unit, std::max(40.0, viewportWidth * 0.2));
  const bool show = length_.pixels > 0;
  bar_->SetVisibility(show);
  text_->SetVisibility(show);
  if (!show) return;
  // Display coordinates have y up from the bottom edge.
  const double x0 = 20, y0 = 20, h = 5;
  const double r = backingOn_ ? 2 : 0;
  const double x1 = x0 + length_.pixels, y1 = y0 + h;
  // The bar, then the rim below, above, left and right of it: {left, right, bottom, top}.
  const double quads[kQuads][4] = {{x0, x1, y0, y1},
                                   {x0 - r, x1 + r, y0 - r, y0},
                                   {x0 - r, x1 + r, y1, y1 + r},
                                   {x0 - r, x0, y0, y1},
                                   {x1, x1 + r, y0, y1}};
  for (int q = 0; q < kQuads; ++q) {
    const auto& c = quads[q];
    points_->SetPoint(4 * q + 0, c[0], c[2], 0);
    points_->SetPoint(4 * q + 1, c[1], c[2], 0);
    points_->SetPoint(4 * q + 2, c[1], c[3], 0);
    points_->SetPoint(4 * q + 3, c[0], c[3], 0);
  }
  points_->Modified();
  text_->SetInput(length_.label().c_str());
  text_->SetDisplayPosition(static_cast<int>(x0 + length_.pixels / 2),
                            static_cast<int>(y0 + h + 6));
  text_->GetTextProperty()->SetBackgroundOpacity(backingOn_ ? 0.6 : 0.0);
}

}  // namespace tessera::render
