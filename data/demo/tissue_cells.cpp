// Cells of the demo section: structured seeds (gland epithelium, vessel walls), variable-density
// dart throwing for everything else, per-type shapes and latents, and analytic outlines.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include "data/demo/demo_noise.h"
#include "data/demo/tissue_builder.h"

namespace tessera::data::demo {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr float kMaxReach = 30.0f;  // largest clip semi-axis; must stay below kBucket

struct SeedGrid {
  static constexpr double kCell = 36;
  int nx, ny;
  std::vector<std::vector<int>> cells;
  SeedGrid(int w, int h)
      : nx(int(w / kCell) + 1), ny(int(h / kCell) + 1), cells(static_cast<std::size_t>(nx) * ny) {}
  std::vector<int>& at(double x, double y) {
    return cells[static_cast<std::size_t>(std::clamp(int(y / kCell), 0, ny - 1)) * nx +
                 std::clamp(int(x / kCell), 0, nx - 1)];
  }
};

struct SeedPlacer {
  std::vector<Cell>& cells;
  std::vector<float> spacing;
  SeedGrid grid;

  bool fits(double x, double y, double sp) {
    const int i0 = int(x / SeedGrid::kCell), j0 = int(y / SeedGrid::kCell);
    for (int j = std::max(0, j0 - 1); j <= std::min(grid.ny - 1, j0 + 1); ++j)
      for (int i = std::max(0, i0 - 1); i <= std::min(grid.nx - 1, i0 + 1); ++i)
        for (int k : grid.cells[static_cast<std::size_t>(j) * grid.nx + i]) {
          const double need = 0.5 * (sp + spacing[k]);
          const double dx = x - cells[k].x, dy = y - cells[k].y;
          if (dx * dx + dy * dy < need * need) return false;
        }
    return true;
  }
  void add(Cell c, double sp) {
    grid.at(c.x, c.y).push_back(int(cells.size()));
    spacing.push_back(float(sp));
    cells.push_back(c);
  }
};

/// Places seeds at even arc-length steps along a closed curve, oriented along its tangent.
void placeRing(SeedPlacer& placer, Rng& rng,
               const std::function<std::array<double, 2>(double)>& curve, double spacing,
               CellType type, Region region, bool axisAlongNormal) {
  constexpr int kSteps = 720;
  std::vector<double> arc(kSteps + 1, 0.0);
  auto prev = curve(0);
  for (int s = 1; s <= kSteps; ++s) {
    const auto p = curve(2 * kPi * s / kSteps);
    arc[s] = arc[s - 1] + std::hypot(p[0] - prev[0], p[1] - prev[1]);
    prev = p;
  }
  const int n = std::max(3, int(std::lround(arc[kSteps] / spacing)));
  const double offset = rng.uniform();
  for (int k = 0; k < n; ++k) {
    const double target = arc[kSteps] * (k + offset + rng.uniform(-0.15, 0.15)) / n;
    const auto it =
        std::lower_bound(arc.begin(), arc.end(), std::fmod(target + arc[kSteps], arc[kSteps]));
    const double theta = 2 * kPi * double(it - arc.begin()) / kSteps;
    const auto p = curve(theta), q = curve(theta + 1e-3);
    double tx = q[0] - p[0], ty = q[1] - p[1];
    const double tn = std::max(1e-9, std::hypot(tx, ty));
    tx /= tn;
    ty /= tn;
    const double jitter = rng.uniform(-1.2, 1.2);  // along the normal
    Cell c;
    c.x = float(p[0] - ty * jitter);
    c.y = float(p[1] + tx * jitter);
    c.type = type;
    c.region = region;
    c.axisCos = float(axisAlongNormal ? -ty : tx);
    c.axisSin = float(axisAlongNormal ? tx : ty);
    if (placer.fits(c.x, c.y, spacing * 0.55)) placer.add(c, spacing * 0.55);
  }
}

CellType pick(Rng& rng, std::initializer_list<std::pair<CellType, double>> weights) {
  double total = 0;
  for (const auto& w : weights)
    total += w.second;
  double u = rng.uniform() * total;
  for (const auto& w : weights) {
    if (u < w.second) return w.first;
    u -= w.second;
  }
  return weights.begin()->first;
}

}  // namespace

void ModelBuilder::placeSeeds() {
  const DemoConfig& cfg = m.config_;
  SeedPlacer placer{m.cells_, {}, SeedGrid(cfg.width, cfg.height)};
  Rng rng = this->rng(kSeeds);

  for (const Gland& g : m.glands_) {
    if (g.solid) continue;
    const bool basal = rng.chance(0.6);
    const double luminal = -g.wall * 0.55;
    auto curveAt = [&g](double d) {
      return [&g, d](double t) {
        const double r = g.radiusAt(t) + d;
        return std::array<double, 2>{g.x + r * std::cos(t), g.y + r * std::sin(t)};
      };
    };
    if (basal)
      placeRing(placer, rng, curveAt(-5), 26, CellType::BasalEpithelial, Region::Gland, false);
    placeRing(placer, rng, curveAt(luminal), 13, CellType::Epithelial, Region::Gland, true);
  }
  for (const Vessel& v : m.vessels_) {
    auto curveAt = [&v](double d) {
      return [&v, d](double t) {
        const double u = (v.a + d) * std::cos(t), w = (v.b + d) * std::sin(t);
        return std::array<double, 2>{v.x + u * v.cosA - w * v.sinA, v.y + u * v.sinA + w * v.cosA};
      };
    };
    placeRing(placer, rng, curveAt(2.5), 22, CellType::Endothelial, Region::Vessel, false);
    if (v.artery) {
      placeRing(placer, rng, curveAt(12), 15, CellType::SmoothMuscle, Region::Vessel, false);
      placeRing(placer, rng, curveAt(23), 16, CellType::SmoothMuscle, Region::Vessel, false);
    }
  }

  // Darts: uniform candidates, each kept if it respects the local spacing of its region.
  const double area = double(cfg.width) * cfg.height;
  const int attempts = int(area / 22.0);
  for (int a = 0; a < attempts; ++a) {
    const double x = rng.uniform(0, cfg.width), y = rng.uniform(0, cfg.height);
    if (m.tissue(x, y) < 26) continue;
    if (vesselAt(x, y, 8) >= 0) continue;
    Cell c;
    c.x = float(x);
    c.y = float(y);
    c.axisCos = c.axisSin = 0;  // no structural orientation: shapeCells picks one
    double sp;
    const int gi = glandAt(x, y, 8);
    Rng local(hash3(seed, 0x5EED, std::uint64_t(a)));
    if (gi >= 0) {
      const Gland& g = m.glands_[gi];
      if (!g.solid) continue;
      const double r = std::hypot(x - g.x, y - g.y),
                   edge = g.radiusAt(std::atan2(y - g.y, x - g.x));
      if (r > edge) continue;
      c.region = Region::Gland;
      c.type = r > edge - 12 ? CellType::BasalEpithelial : CellType::Epithelial;
      sp = 16.5;
    } else if (const int fi = follicleAt(x, y); fi >= 0) {
      const Follicle& f = m.follicles_[fi];
      const double rr = std::hypot(x - f.x, y - f.y) / f.radius;
      c.region = Region::Follicle;
      sp = 11.5 + 4 * rr * rr;
      c.type = rr < 0.62 ? pick(local, {{CellType::BCell, 0.82},
                                        {CellType::TCell, 0.11},
                                        {CellType::Macrophage, 0.07}})
                         : pick(local, {{CellType::TCell, 0.55},
                                        {CellType::BCell, 0.35},
                                        {CellType::Macrophage, 0.05},
                                        {CellType::Fibroblast, 0.05}});
    } else if (const double zone = epiZone(x, y); zone > 0.05) {
      c.region = Region::LaminaPropria;
      sp = 16.5;
      c.type = pick(local, {{CellType::Fibroblast, 0.38},
                            {CellType::TCell, 0.27},
                            {CellType::Macrophage, 0.2},
                            {CellType::BCell, 0.15}});
    } else {
      const double inf = infiltrate(x, y);
      c.region = Region::Stroma;
      // Density eases into the lamina propria instead of stepping at the zone border.
      const double t = std::clamp((zone + 0.3) / 0.35, 0.0, 1.0);
      sp = (25 - 9 * inf) + (16.5 - (25 - 9 * inf)) * t * t * (3 - 2 * t);
      c.type = pick(local, {{CellType::Fibroblast, 0.8 - 0.5 * inf},
                            {CellType::TCell, 0.08 + 0.3 * inf},
                            {CellType::Macrophage, 0.08 + 0.12 * inf},
                            {CellType::BCell, 0.02 + 0.08 * inf}});
    }
    if (placer.fits(x, y, sp)) placer.add(c, sp);
  }
}

void ModelBuilder::shapeCells() {
  for (std::size_t i = 0; i < m.cells_.size(); ++i) {
    Cell& c = m.cells_[i];
    Rng r(hash3(seed, 0x5A4E, i));
    const double ang = r.uniform(0, 2 * kPi);
    const auto setAxis = [&c](double a) {
      c.axisCos = float(std::cos(a));
      c.axisSin = float(std::sin(a));
    };
    const bool oriented = c.axisCos != 0 || c.axisSin != 0;
    if (!oriented) setAxis(ang);
    double a = 8, b = 8, na = 5, nb = 5;
    const double size = r.logNormal(1.0, 0.1);
    switch (c.type) {
      case CellType::Epithelial:
        // Columnar in a gland lining, polygonal in a solid nest.
        if (oriented)
          a = 21, b = 9, na = 7.5, nb = 5;
        else
          a = 13, b = 11, na = 6.5, nb = 5.5;
        break;
      case CellType::BasalEpithelial:
        a = 15, b = 6.5, na = 7, nb = 4;
        break;
      case CellType::TCell:
        a = b = 8.5, na = nb = 5.2, setAxis(ang);
        break;
      case CellType::BCell:
        a = b = 9, na = nb = 5.6, setAxis(ang);
        break;
      case CellType::Macrophage:
        a = 14, b = 11, na = 6.5, nb = 5, setAxis(ang);
        break;
      case CellType::Fibroblast: {
        const auto d = m.fibreDirection(c.x, c.y);
        setAxis(std::atan2(d[1], d[0]) + r.normal(0, 0.25));
        a = 26, b = 6.5, na = 10, nb = 3;
        break;
      }
      case CellType::Endothelial:
        a = 15, b = 4.5, na = 8, nb = 2.4;
        break;
      case CellType::SmoothMuscle:
        a = 19, b = 5.5, na = 10, nb = 2.6;
        break;
    }
    c.clipA = float(std::min(a * size, double(kMaxReach)));
    c.clipB = float(std::min(b * size, double(kMaxReach)));
    c.nucA = float(na * size * r.logNormal(1.0, 0.08));
    c.nucB = float(nb * size * r.logNormal(1.0, 0.08));

    // Latents: marker intensities vary cell to cell around a per-type level.
    const bool immune = isImmune(c.type), epi = isEpithelial(c.type);
    c.dapi = float(
        r.logNormal(c.type == CellType::TCell || c.type == CellType::BCell ? 1.15 : 0.95, 0.18));
    c.membrane =
        float(r.logNormal(epi ? 1.3 : (c.type == CellType::Endothelial ? 0.9 : 0.65), 0.3));
    c.cd45 = float(immune ? r.logNormal(c.type == CellType::Macrophage ? 0.75 : 1.0, 0.35)
                          : r.logNormal(0.03, 0.4));
    c.panck = float(c.type == CellType::Epithelial        ? r.logNormal(1.0, 0.3)
                    : c.type == CellType::BasalEpithelial ? r.logNormal(0.55, 0.3)
                                                          : r.logNormal(0.02, 0.4));
    double prolif = 0.01;
    switch (c.type) {
      case CellType::Epithelial:
        c.state =
            float(std::clamp(r.normal(c.region == Region::Gland ? 0.72 : 0.45, 0.15), 0.0, 1.0));
        prolif = 0.05;
        break;
      case CellType::BasalEpithelial:
        c.state = float(std::clamp(r.normal(0.2, 0.1), 0.0, 1.0));
        prolif = 0.2;
        break;
      case CellType::TCell:
        c.subtype = r.chance(0.38) ? 1 : 0;
        c.state = float(r.uniform());
        prolif = 0.04;
        break;
      case CellType::BCell: {
        const int fi = follicleAt(c.x, c.y);
        const bool germinal =
            fi >= 0 && std::hypot(c.x - m.follicles_[fi].x, c.y - m.follicles_[fi].y) <
                           0.62 * m.follicles_[fi].radius;
        c.state = float(std::clamp(r.normal(germinal ? 0.75 : 0.25, 0.15), 0.0, 1.0));
        prolif = germinal ? 0.35 : 0.03;
        break;
      }
      case CellType::Macrophage:
        c.subtype = r.chance(0.5) ? 1 : 0;
        c.state = float(r.uniform());
        break;
      case CellType::Fibroblast:
        c.state = float(std::clamp(std::abs(r.normal(0, 0.3)), 0.0, 1.0));
        break;
      case CellType::Endothelial:
        c.state = float(r.uniform());
        break;
      case CellType::SmoothMuscle:
        c.state = float(std::clamp(r.normal(0.85, 0.1), 0.0, 1.0));
        break;
    }
    c.proliferating = r.chance(prolif);
    if (c.proliferating) c.dapi *= 1.3f;
  }
}

void ModelBuilder::buildBuckets() {
  constexpr int kB = TissueModel::kBucket;
  m.bucketsX_ = (m.config_.width + kB - 1) / kB;
  m.bucketsY_ = (m.config_.height + kB - 1) / kB;
  const int nb = m.bucketsX_ * m.bucketsY_;
  auto bucketOf = [&](const Cell& c) {
    return std::clamp(int(c.y) / kB, 0, m.bucketsY_ - 1) * m.bucketsX_ +
           std::clamp(int(c.x) / kB, 0, m.bucketsX_ - 1);
  };
  m.bucketStart_.assign(nb + 1, 0);
  for (const Cell& c : m.cells_)
    ++m.bucketStart_[bucketOf(c) + 1];
  for (int b = 0; b < nb; ++b)
    m.bucketStart_[b + 1] += m.bucketStart_[b];
  m.bucketItems_.assign(m.cells_.size(), 0);
  std::vector<int> fill(m.bucketStart_.begin(), m.bucketStart_.end() - 1);
  for (int i = 0; i < int(m.cells_.size()); ++i)
    m.bucketItems_[fill[bucketOf(m.cells_[i])]++] = i;

  m.nbStart_.assign(nb + 1, 0);
  m.nbItems_.clear();
  for (int by = 0; by < m.bucketsY_; ++by) {
    for (int bx = 0; bx < m.bucketsX_; ++bx) {
      for (int j = std::max(0, by - 1); j <= std::min(m.bucketsY_ - 1, by + 1); ++j)
        for (int i = std::max(0, bx - 1); i <= std::min(m.bucketsX_ - 1, bx + 1); ++i) {
          const int b = j * m.bucketsX_ + i;
          m.nbItems_.insert(m.nbItems_.end(), m.bucketItems_.begin() + m.bucketStart_[b],
                            m.bucketItems_.begin() + m.bucketStart_[b + 1]);
        }
      m.nbStart_[by * m.bucketsX_ + bx + 1] = int(m.nbItems_.size());
    }
  }
}

}  // namespace tessera::data::demo
