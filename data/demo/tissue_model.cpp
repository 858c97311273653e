#include "data/demo/tissue_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/demo/tissue_builder.h"

namespace tessera::data::demo {

const char* cellTypeName(CellType type) {
  static constexpr const char* kNames[kCellTypeCount] = {
      "Epithelial", "Basal epithelial", "T cell",      "B cell",
      "Macrophage", "Fibroblast",       "Endothelial", "Smooth muscle"};
  return kNames[static_cast<int>(type)];
}

const char* cellTypeColor(CellType type) {
  static constexpr const char* kColors[kCellTypeCount] = {
      "#e377c2", "#9467bd", "#d62728", "#ff7f0e", "#8c564b", "#2ca02c", "#17becf", "#bcbd22"};
  return kColors[static_cast<int>(type)];
}

bool isImmune(CellType type) {
  return type == CellType::TCell || type == CellType::BCell || type == CellType::Macrophage;
}

bool isEpithelial(CellType type) {
  return type == CellType::Epithelial || type == CellType::BasalEpithelial;
}

const char* regionName(Region region) {
  static constexpr const char* kNames[kRegionCount] = {"Stroma", "Gland", "Lymphoid follicle",
                                                       "Vessel", "Lamina propria"};
  return kNames[static_cast<int>(region)];
}

TissueModel TissueModel::build(const DemoConfig& config) {
  TissueModel m;
  m.config_ = config;
  ModelBuilder b(m, config.seed);
  b.buildFields();
  b.placeFeatures();
  b.finishFields();
  b.placeSeeds();
  b.shapeCells();
  b.buildBuckets();
  b.computeOutlines();
  return m;
}

float TissueModel::sample(const Field& f, double x, double y) const {
  const double gx = std::clamp(x / kFieldStep, 0.0, f.nx - 1.001);
  const double gy = std::clamp(y / kFieldStep, 0.0, f.ny - 1.001);
  const int ix = int(gx), iy = int(gy);
  const float tx = float(gx - ix), ty = float(gy - iy);
  const float* r0 = &f.v[static_cast<std::size_t>(iy) * f.nx + ix];
  const float* r1 = r0 + f.nx;
  const float top = r0[0] + (r0[1] - r0[0]) * tx, bottom = r1[0] + (r1[1] - r1[0]) * tx;
  return top + (bottom - top) * ty;
}

std::array<float, 2> TissueModel::fibreDirection(double x, double y) const {
  // The field holds the doubled angle; halve it back.
  float c2 = sample(fibreCos_, x, y), s2 = sample(fibreSin_, x, y);
  const float n = std::sqrt(c2 * c2 + s2 * s2);
  if (n < 1e-6f) return {1, 0};
  c2 /= n;
  s2 /= n;
  const float c = std::sqrt(std::max(0.0f, 0.5f * (1 + c2)));
  const float s = std::copysign(std::sqrt(std::max(0.0f, 0.5f * (1 - c2))), s2);
  return {c, s};
}

std::span<const int> TissueModel::bucketSeeds(int bx, int by) const {
  const int b = by * bucketsX_ + bx;
  return {nbItems_.data() + nbStart_[b], nbItems_.data() + nbStart_[b + 1]};
}

PixelGeometry TissueModel::geometryAt(double x, double y, std::span<const int> candidates) const {
  PixelGeometry g;
  float best = 1e30f;
  const float px = float(x), py = float(y);
  for (int k : candidates) {
    const float dx = px - cells_[k].x, dy = py - cells_[k].y;
    const float d2 = dx * dx + dy * dy;
    if (d2 < best) best = d2, g.cell = k;
  }
  constexpr float kReach = float(kBucket);
  if (g.cell < 0 || best > kReach * kReach) return PixelGeometry{};
  const Cell& c = cells_[g.cell];
  auto ellipseRho = [px, py](const Cell& e) {
    const float dx = px - e.x, dy = py - e.y;
    const float u = (dx * e.axisCos + dy * e.axisSin) / e.clipA;
    const float v = (-dx * e.axisSin + dy * e.axisCos) / e.clipB;
    return std::sqrt(u * u + v * v);
  };
  const float d1 = std::sqrt(best);
  const float rho = ellipseRho(c);
  g.inside = rho < 1.0f;
  // Distance to the bisector with seed j: (dj^2 - d1^2) / (2 |sj - si|).
  auto bisector = [&](int k, float d2) {
    const float sx = cells_[k].x - c.x, sy = cells_[k].y - c.y;
    return (d2 - best) / (2.0f * std::sqrt(sx * sx + sy * sy) + 1e-6f);
  };
  if (g.inside) {
    float b = rho > 1e-4f ? d1 * (1.0f / rho - 1.0f) : 1e9f;
    for (int k : candidates) {
      if (k == g.cell) continue;
      const float dx = px - cells_[k].x, dy = py - cells_[k].y;
      const float d2 = dx * dx + dy * dy;
      // (dj - d1) / 2 bounds the bisector distance from below: skip far seeds cheaply.
      if (d2 > (d1 + 2 * b) * (d1 + 2 * b)) continue;
      b = std::min(b, bisector(k, d2));
    }
    g.boundary = b;
  } else {
    // Outside every cell: distance to the nearest cell edge, where a neighbour's edge is its
    // ellipse cut by the bisector with the nearest seed.
    float b = d1 * (1.0f - 1.0f / rho);
    for (int k : candidates) {
      if (k == g.cell) continue;
      const float dx = px - cells_[k].x, dy = py - cells_[k].y;
      const float d2 = dx * dx + dy * dy;
      if (d2 > (d1 + 2 * b) * (d1 + 2 * b)) continue;
      const float dk = std::sqrt(d2), rk = ellipseRho(cells_[k]);
      const float out = rk > 1.0f ? dk * (1.0f - 1.0f / rk) : 0.0f;
      b = std::min(b, std::max(out, bisector(k, d2)));
    }
    g.boundary = b;
  }
  return g;
}

PixelGeometry TissueModel::geometryAt(double x, double y) const {
  const int bx = std::clamp(int(std::floor(x / kBucket)), 0, bucketsX_ - 1);
  const int by = std::clamp(int(std::floor(y / kBucket)), 0, bucketsY_ - 1);
  return geometryAt(x, y, bucketSeeds(bx, by));
}

int TissueModel::ownerAt(double x, double y) const {
  const PixelGeometry g = geometryAt(x, y);
  return g.inside ? g.cell : -1;
}

void ModelBuilder::computeOutlines() {
  constexpr int kV = 16;
  constexpr int kB = TissueModel::kBucket;
  std::array<float, kV> dirX{}, dirY{};
  for (int k = 0; k < kV; ++k) {
    dirX[k] = float(std::cos(2 * std::numbers::pi * k / kV));
    dirY[k] = float(std::sin(2 * std::numbers::pi * k / kV));
  }
  for (Cell& c : m.cells_) {
    // Ray k leaves the cell at the nearest of: the clip ellipse, or a bisector with a
    // neighbour (seeds within 2 buckets can cut a cell of reach < kBucket).
    std::array<float, kV> t{};
    for (int k = 0; k < kV; ++k) {
      const float u = (dirX[k] * c.axisCos + dirY[k] * c.axisSin) / c.clipA;
      const float v = (-dirX[k] * c.axisSin + dirY[k] * c.axisCos) / c.clipB;
      t[k] = 1.0f / std::sqrt(u * u + v * v);
    }
    const int bx = int(c.x) / kB, by = int(c.y) / kB;
    for (int j = std::max(0, by - 2); j <= std::min(m.bucketsY_ - 1, by + 2); ++j)
      for (int i = std::max(0, bx - 2); i <= std::min(m.bucketsX_ - 1, bx + 2); ++i) {
        const int b = j * m.bucketsX_ + i;
        for (int n = m.bucketStart_[b]; n < m.bucketStart_[b + 1]; ++n) {
          const Cell& o = m.cells_[m.bucketItems_[n]];
          const float sx = o.x - c.x, sy = o.y - c.y, s2 = sx * sx + sy * sy;
          if (s2 <= 0) continue;
          for (int k = 0; k < kV; ++k) {
            const float dot = dirX[k] * sx + dirY[k] * sy;
            if (dot > 0) t[k] = std::min(t[k], s2 / (2 * dot));
          }
        }
      }
    double a2 = 0, gx = 0, gy = 0;
    for (int k = 0; k < kV; ++k) {
      c.outline[2 * k] = c.x + dirX[k] * t[k];
      c.outline[2 * k + 1] = c.y + dirY[k] * t[k];
    }
    for (int k = 0; k < kV; ++k) {
      const double x0 = c.outline[2 * k], y0 = c.outline[2 * k + 1];
      const double x1 = c.outline[2 * ((k + 1) % kV)], y1 = c.outline[2 * ((k + 1) % kV) + 1];
      const double cr = x0 * y1 - x1 * y0;
      a2 += cr;
      gx += (x0 + x1) * cr;
      gy += (y0 + y1) * cr;
    }
    c.area = float(0.5 * a2);
    c.cx = a2 != 0 ? float(gx / (3 * a2)) : c.x;
    c.cy = a2 != 0 ? float(gy / (3 * a2)) : c.y;

    // The nucleus sits at the centroid, along the cell axis, shrunk to fit inside the outline.
    c.nucX = c.cx;
    c.nucY = c.cy;
    c.nucCos = c.axisCos;
    c.nucSin = c.axisSin;
    float fit = 1.0f;
    for (int k = 0; k < kV; ++k) {
      float reach = 1e9f;  // centroid-to-outline distance along direction k
      for (int e = 0; e < kV; ++e) {
        const float ax = c.outline[2 * e] - c.cx, ay = c.outline[2 * e + 1] - c.cy;
        const float bx2 = c.outline[2 * ((e + 1) % kV)] - c.cx,
                    by2 = c.outline[2 * ((e + 1) % kV) + 1] - c.cy;
        const float ex = bx2 - ax, ey = by2 - ay;
        const float den = dirX[k] * ey - dirY[k] * ex;
        if (std::abs(den) < 1e-9f) continue;
        const float s = (ax * ey - ay * ex) / den, w = (ax * dirY[k] - ay * dirX[k]) / den;
        if (s > 0 && w >= -1e-4f && w <= 1.0001f) reach = std::min(reach, s);
      }
      const float u = (dirX[k] * c.nucCos + dirY[k] * c.nucSin) / c.nucA;
      const float v = (-dirX[k] * c.nucSin + dirY[k] * c.nucCos) / c.nucB;
      fit = std::min(fit, 0.8f * reach * std::sqrt(u * u + v * v));
    }
    c.nucA = std::max(1.5f, c.nucA * fit);
    c.nucB = std::max(1.2f, c.nucB * fit);
  }
}

}  // namespace tessera::data::demo
