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
#include <array>
#include <cmath>
#include <cstring>
#include <map>

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

// Opaque (cut-out) at full opacity, blended below it.
void setTileBlending(vtkActor& actor, double opacity) {
  actor.SetForceOpaque(opacity >= 1.0);
  actor.SetForceTranslucent(opacity < 1.0);
}

}  // namespace

// One density tile: 256 x 256 bins of level L, a textured quad at its world place.
struct DensityTile {
  static constexpr int kBins = 256;
  vtkSmartPointer<vtkImageData> image = vtkSmartPointer<vtkImageData>::New();
  vtkSmartPointer<vtkActor> actor;
  std::uint64_t colors = ~std::uint64_t{0}, hidden = ~std::uint64_t{0};  // computed for
  std::uint64_t used = 0;  // the update() tick that last showed it
  bool empty = true;
};

struct PointOverlay::Vtk {
  vtkSmartPointer<vtkPoints> points = vtkSmartPointer<vtkPoints>::New();
  vtkSmartPointer<vtkUnsignedCharArray> colors = vtkSmartPointer<vtkUnsignedCharArray>::New();
  vtkSmartPointer<vtkPolyData> poly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> sprites;
  // Selection: the selected points again, larger, behind the sprites: a ring.
  vtkSmartPointer<vtkPolyData> selPoly = vtkSmartPointer<vtkPolyData>::New();
  vtkSmartPointer<vtkActor> selection;
  std::map<std::array<int, 3>, DensityTile> tiles;  // (level, column, row)
  std::vector<std::uint32_t> bins;                  // r, g, b, count per bin of one tile
  std::vector<std::uint32_t> scratch;               // colours in point order
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
  for (auto* a : {v.selection.Get(), v.sprites.Get()}) {
    a->VisibilityOff();
    renderer_->AddActor(a);
  }
  setSelectionColor(selectionColor_);
}

PointOverlay::~PointOverlay() {
  for (auto* a : {vtk_->selection.Get(), vtk_->sprites.Get()})
    renderer_->RemoveActor(a);
  for (auto& [key, tile] : vtk_->tiles)
    if (tile.actor) renderer_->RemoveActor(tile.actor);
}

data::Expected<void> PointOverlay::setPoints(std::vector<float> x, std::vector<float> y) {
  if (x.size() != y.size())
    return data::fail(data::Errc::InvalidArgument, name_ + ": " + std::to_string(x.size()) +
                                                       " x coordinates but " +
                                                       std::to_string(y.size()) + " y coordinates");
  OverlayGrid grid;
  grid.build(x, y);
  return setPoints(std::move(x), std::move(y), std::move(grid));
}

data::Expected<void> PointOverlay::setPoints(std::vector<float> x, std::vector<float> y,
                                             OverlayGrid grid) {
  if (x.size() != y.size() || grid.size() != x.size())
    return data::fail(data::Errc::InvalidArgument, name_ + ": " + std::to_string(x.size()) +
                                                       " x and " + std::to_string(y.size()) +
                                                       " y coordinates, a grid of " +
                                                       std::to_string(grid.size()) + " points");
  grid_ = std::move(grid);
  const auto& order = grid_.order();
  const std::size_t n = x.size();
  x_.resize(n);
  y_.resize(n);
  auto coords = vtkSmartPointer<vtkFloatArray>::New();
  coords->SetNumberOfComponents(3);
  coords->SetNumberOfTuples(static_cast<vtkIdType>(n));
  float* p = coords->GetPointer(0);
  for (std::size_t k = 0; k < n; ++k) {
    x_[k] = x[order[k]];
    y_[k] = y[order[k]];
    p[3 * k] = x_[k];
    p[3 * k + 1] = y_[k];
    p[3 * k + 2] = static_cast<float>(z_);
  }
  vtk_->points->SetData(coords);
  vtk_->colors->SetNumberOfTuples(static_cast<vtkIdType>(n));
  ++rev_.geometry;
  coloring_ = OverlayColoring::solidColor(0xFFFFFF);
  hidden_.clear();
  selection_.clear();
  for (auto& [key, tile] : vtk_->tiles)
    if (tile.actor) renderer_->RemoveActor(tile.actor);
  vtk_->tiles.clear();
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

void PointOverlay::setOpacity(double opacity) {
  opacity_ = std::clamp(opacity, 0.0, 1.0);
  for (auto* a : {vtk_->sprites.Get(), vtk_->selection.Get()})
    a->GetProperty()->SetOpacity(opacity_);
  for (auto& [key, tile] : vtk_->tiles)
    if (tile.actor) {
      tile.actor->GetProperty()->SetOpacity(opacity_);
      setTileBlending(*tile.actor, opacity_);
    }
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
  auto& v = *vtk_;
  const std::size_t n = x_.size();
  v.scratch.resize(n);
  fillColors(coloring_, n, {}, reinterpret_cast<std::uint8_t*>(v.scratch.data()));
  // Into grid order, the order of the VTK points.
  auto* out = reinterpret_cast<std::uint32_t*>(v.colors->GetPointer(0));
  const auto& order = grid_.order();
  for (std::size_t k = 0; k < n; ++k)
    out[k] = v.scratch[order[k]];
  v.colors->Modified();
  ++rev_.colors;
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
  ++tick_;
  tilesInView_ = 0;
  if (!visible_ || x_.empty()) {
    for (auto* a : {v.sprites.Get(), v.selection.Get()})
      a->VisibilityOff();
    for (auto& [key, tile] : v.tiles)
      if (tile.actor) tile.actor->VisibilityOff();
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
  const double ring = sprite + 4.0;
  v.sprites->GetProperty()->SetPointSize(static_cast<float>(sprite));
  v.sprites->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(sprite / 2));
  v.selection->GetProperty()->SetPointSize(static_cast<float>(ring));
  v.selection->GetShaderProperty()->GetFragmentCustomUniforms()->SetUniformf(
      "diskRadiusPx", static_cast<float>(ring / 2));
  v.selection->SetVisibility(!selection_.empty());
  v.sprites->SetVisibility(lod_ == PointLod::Sprites);
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
  updateDensity(camera);
}

void PointOverlay::updateDensity(const ViewCamera& camera) {
  auto& v = *vtk_;
  constexpr int kBins = DensityTile::kBins;
  std::array<int, 4> want{0, 0, -1, -1};  // tile columns and rows in view
  int level = 0;
  if (lod_ == PointLod::Density) {
    // Bins of 2^level world units, 1-2 screen pixels wide: no point falls between pixels.
    level = static_cast<int>(std::ceil(std::log2(1.0 / camera.zoom()) - 1e-9));
    const double span = std::ldexp(double{kBins}, level);
    const Rect r = camera.visibleWorld();
    want = {static_cast<int>(std::floor(r.x0 / span)), static_cast<int>(std::floor(r.y0 / span)),
            static_cast<int>(std::floor(r.x1 / span)), static_cast<int>(std::floor(r.y1 / span))};
    for (int ty = want[1]; ty <= want[3]; ++ty)
      for (int tx = want[0]; tx <= want[2]; ++tx) {
        auto& tile = v.tiles[{level, tx, ty}];
        tile.used = tick_;
        if (tile.colors == rev_.colors && tile.hidden == hiddenRev_) continue;
        // Bin the points of the grid cells under the tile.
        const double s = std::ldexp(1.0, level), x0 = tx * span, y0 = ty * span;
        const auto range = grid_.range({x0, y0, x0 + span, y0 + span});
        if (range.empty()) {
          tile.colors = rev_.colors;
          tile.hidden = hiddenRev_;
          tile.empty = true;
          continue;
        }
        v.bins.assign(std::size_t{kBins} * kBins * 4, 0);
        const auto* rgba = v.colors->GetPointer(0);
        std::size_t inTile = 0;
        for (int row = range.r0; row <= range.r1; ++row) {
          const auto [b, e] = grid_.rowSpan(row, range.c0, range.c1);
          for (auto k = b; k < e; ++k) {
            if (!hidden_.empty() && hidden_[k]) continue;
            const double bx = std::floor((x_[k] - x0) / s), by = std::floor((y_[k] - y0) / s);
            if (!(bx >= 0 && by >= 0 && bx < kBins && by < kBins)) continue;
            auto* bin = v.bins.data() +
                        4 * (static_cast<std::size_t>(by) * kBins + static_cast<std::size_t>(bx));
            const auto* c = rgba + 4 * k;
            bin[0] += c[0];
            bin[1] += c[1];
            bin[2] += c[2];
            bin[3] += 1;
            ++inTile;
          }
        }
        tile.colors = rev_.colors;
        tile.hidden = hiddenRev_;
        tile.empty = inTile == 0;
        if (tile.empty) {
          if (tile.actor) tile.actor->VisibilityOff();
          continue;
        }
        ++rev_.density;
        if (!tile.actor) {
          auto plane = vtkSmartPointer<vtkPlaneSource>::New();
          plane->SetOrigin(x0, y0, z_);
          plane->SetPoint1(x0 + span, y0, z_);
          plane->SetPoint2(x0, y0 + span, z_);
          auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
          mapper->SetInputConnection(plane->GetOutputPort());
          auto texture = vtkSmartPointer<vtkTexture>::New();
          texture->SetInputData(tile.image);
          texture->InterpolateOff();
          texture->EdgeClampOn();
          texture->SetColorModeToDirectScalars();
          tile.actor = vtkSmartPointer<vtkActor>::New();
          tile.actor->SetMapper(mapper);
          tile.actor->SetTexture(texture);
          tile.actor->GetProperty()->LightingOff();
          tile.actor->GetProperty()->SetOpacity(opacity_);
          // Bins without points are cut out rather than blended, so that at full opacity the
          // tiles stay in the opaque pass: VTK's translucent pass (order-independent
          // transparency) costs ~100 ms a frame on llvmpipe.
          tile.actor->GetShaderProperty()->AddFragmentShaderReplacement(
              "//VTK::TCoord::Impl", true,
              "//VTK::TCoord::Impl\n  if (gl_FragData[0].a <= 0.0) discard;\n", false);
          setTileBlending(*tile.actor, opacity_);
          tile.actor->PickableOff();
          renderer_->AddActor(tile.actor);
          tile.image->SetDimensions(kBins, kBins, 1);
          tile.image->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
        }
        auto* out = static_cast<std::uint8_t*>(tile.image->GetScalarPointer());
        for (std::size_t p = 0; p < std::size_t{kBins} * kBins; ++p) {
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
        tile.image->Modified();
      }
  }
  // Show the tiles in view; forget the least recently shown beyond the budget.
  std::vector<std::pair<std::uint64_t, std::array<int, 3>>> old;
  for (auto& [key, tile] : v.tiles) {
    const bool show = tile.used == tick_ && !tile.empty;
    tilesInView_ += show;
    if (tile.actor) tile.actor->SetVisibility(show);
    if (tile.used != tick_) old.push_back({tile.used, key});
  }
  if (v.tiles.size() > kMaxDensityTiles) {
    std::sort(old.begin(), old.end());
    for (std::size_t i = 0; i < old.size() && v.tiles.size() > kMaxDensityTiles; ++i) {
      auto it = v.tiles.find(old[i].second);
      if (it->second.actor) renderer_->RemoveActor(it->second.actor);
      v.tiles.erase(it);
    }
  }
}

}  // namespace tessera::render
