#include "render/density_tiles.h"

#include <vtkActor.h>
#include <vtkImageData.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkShaderProperty.h>
#include <vtkSmartPointer.h>
#include <vtkTexture.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include "render/blend_order.h"

namespace tessera::render {
namespace {

// Opaque (cut-out) at full opacity, blended in the opaque pass below it (see blend_order.h).
void setBlending(vtkActor& actor, double opacity) {
  actor.GetProperty()->SetOpacity(opacity);
  setBlended(actor, true);
}

}  // namespace

struct DensityTiles::Tile {
  vtkSmartPointer<vtkImageData> image;
  vtkSmartPointer<vtkActor> actor;
  std::uint64_t colors = ~std::uint64_t{0}, hidden = ~std::uint64_t{0};  // binned for
  std::uint64_t used = 0;  // the show() that last wanted it
  bool empty = true;
};

struct DensityTiles::Cache {
  std::map<std::array<int, 3>, Tile> tiles;  // (level, column, row)
  std::vector<std::uint32_t> bins;           // r, g, b, count per bin of one tile
};

DensityTiles::DensityTiles(vtkRenderer* renderer, double z)
    : renderer_(renderer), z_(z), cache_(std::make_unique<Cache>()) {}

DensityTiles::~DensityTiles() {
  clear();
}

void DensityTiles::clear() {
  for (auto& [key, tile] : cache_->tiles)
    if (tile.actor) renderer_->RemoveActor(tile.actor);
  cache_->tiles.clear();
  inView_ = 0;
}

void DensityTiles::hide() {
  for (auto& [key, tile] : cache_->tiles)
    if (tile.actor) tile.actor->VisibilityOff();
  inView_ = 0;
}

void DensityTiles::setDepthOffset(double dz) {
  depth_ = dz;
  for (auto& [key, tile] : cache_->tiles)
    if (tile.actor) tile.actor->SetPosition(0, 0, depth_);
}

void DensityTiles::setOpacity(double opacity) {
  opacity_ = opacity;
  for (auto& [key, tile] : cache_->tiles)
    if (tile.actor) setBlending(*tile.actor, opacity_);
}

void DensityTiles::bin(Tile& tile, int level, int tx, int ty, const DensityInput& in) {
  tile.colors = in.colorsRev;
  tile.hidden = in.hiddenRev;
  tile.empty = true;
  const double s = std::ldexp(1.0, level), span = s * kBins, x0 = tx * span, y0 = ty * span;
  const auto range = in.grid.range({x0, y0, x0 + span, y0 + span});
  if (range.empty()) return;
  auto& bins = cache_->bins;
  bins.assign(std::size_t{kBins} * kBins * 4, 0);
  // Single precision and one multiply per axis: this loop runs over every point in view after
  // each recolouring (a gene switch), so it must fit in a frame for a million points.
  const float inv = static_cast<float>(1.0 / s), fx0 = static_cast<float>(x0),
              fy0 = static_cast<float>(y0);
  const bool anyHidden = !in.hidden.empty();
  std::size_t binned = 0;
  for (int row = range.r0; row <= range.r1; ++row) {
    const auto [b, e] = in.grid.rowSpan(row, range.c0, range.c1);
    for (auto k = b; k < e; ++k) {
      if (anyHidden && in.hidden[k]) continue;
      const float fx = (in.x[k] - fx0) * inv, fy = (in.y[k] - fy0) * inv;
      if (!(fx >= 0 && fy >= 0 && fx < kBins && fy < kBins)) continue;
      auto* bin =
          bins.data() + 4 * (static_cast<std::size_t>(fy) * kBins + static_cast<std::size_t>(fx));
      const auto* c = in.rgba + 4 * std::size_t{k};
      bin[0] += c[0];
      bin[1] += c[1];
      bin[2] += c[2];
      bin[3] += 1;
      ++binned;
    }
  }
  tile.empty = binned == 0;
  if (tile.empty) {
    if (tile.actor) tile.actor->VisibilityOff();
    return;
  }
  ++built_;
  if (!tile.actor) {
    auto plane = vtkSmartPointer<vtkPlaneSource>::New();
    plane->SetOrigin(x0, y0, z_);
    plane->SetPoint1(x0 + span, y0, z_);
    plane->SetPoint2(x0, y0 + span, z_);
    auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
    mapper->SetInputConnection(plane->GetOutputPort());
    tile.image = vtkSmartPointer<vtkImageData>::New();
    tile.image->SetDimensions(kBins, kBins, 1);
    tile.image->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
    auto texture = vtkSmartPointer<vtkTexture>::New();
    texture->SetInputData(tile.image);
    texture->InterpolateOff();
    texture->EdgeClampOn();
    texture->SetColorModeToDirectScalars();
    tile.actor = vtkSmartPointer<vtkActor>::New();
    tile.actor->SetMapper(mapper);
    tile.actor->SetTexture(texture);
    tile.actor->SetPosition(0, 0, depth_);
    tile.actor->GetProperty()->LightingOff();
    // Bins without points are cut out (see setBlending).
    tile.actor->GetShaderProperty()->AddFragmentShaderReplacement(
        "//VTK::TCoord::Impl", true,
        "//VTK::TCoord::Impl\n  if (gl_FragData[0].a <= 0.0) discard;\n", false);
    setBlending(*tile.actor, opacity_);
    tile.actor->PickableOff();
    renderer_->AddActor(tile.actor);
  }
  auto* out = static_cast<std::uint8_t*>(tile.image->GetScalarPointer());
  for (std::size_t p = 0; p < std::size_t{kBins} * kBins; ++p) {
    const std::uint32_t* b = bins.data() + 4 * p;
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

void DensityTiles::show(const ViewCamera& camera, const DensityInput& in) {
  ++tick_;
  auto& tiles = cache_->tiles;
  // Bins of 2^level world units, 1-2 screen pixels wide: no point falls between pixels.
  const int level = static_cast<int>(std::ceil(std::log2(1.0 / camera.zoom()) - 1e-9));
  const double span = std::ldexp(double{kBins}, level);
  const Rect r = camera.visibleWorld();
  const int tx0 = static_cast<int>(std::floor(r.x0 / span)),
            tx1 = static_cast<int>(std::floor(r.x1 / span));
  const int ty0 = static_cast<int>(std::floor(r.y0 / span)),
            ty1 = static_cast<int>(std::floor(r.y1 / span));
  for (int ty = ty0; ty <= ty1; ++ty)
    for (int tx = tx0; tx <= tx1; ++tx) {
      auto& tile = tiles[{level, tx, ty}];
      tile.used = tick_;
      if (tile.colors != in.colorsRev || tile.hidden != in.hiddenRev) bin(tile, level, tx, ty, in);
    }
  // Show the tiles in view; forget the least recently shown beyond the budget.
  inView_ = 0;
  std::vector<std::pair<std::uint64_t, std::array<int, 3>>> old;
  for (auto& [key, tile] : tiles) {
    const bool shown = tile.used == tick_ && !tile.empty;
    inView_ += shown;
    if (tile.actor) tile.actor->SetVisibility(shown);
    if (tile.used != tick_) old.push_back({tile.used, key});
  }
  if (tiles.size() > kMaxTiles) {
    std::sort(old.begin(), old.end());
    for (std::size_t i = 0; i < old.size() && tiles.size() > kMaxTiles; ++i) {
      auto it = tiles.find(old[i].second);
      if (it->second.actor) renderer_->RemoveActor(it->second.actor);
      tiles.erase(it);
    }
  }
}

}  // namespace tessera::render
