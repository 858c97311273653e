// A UMAP-like layout without running UMAP: each cluster (or sub-population) is a thick curved
// band along a quadratic Bezier, parameterised by the cell's own latent state, so continua in
// the data (basal -> luminal, fibroblast -> myofibroblast -> smooth muscle, naive -> effector)
// appear as continuous trajectories, and cycling cells of several types drift towards a
// shared island the way they do in real embeddings.
#include <algorithm>
#include <array>
#include <cmath>

#include "data/demo/demo_expression.h"
#include "data/demo/demo_noise.h"
#include "data/demo/demo_random.h"

namespace tessera::data::demo {
namespace {

struct Band {
  std::array<double, 2> p0, p1, p2;  ///< Bezier control points
  double width0, width1;             ///< half-width at t = 0 and t = 1
};

std::array<double, 2> bezier(const Band& b, double t) {
  const double u = 1 - t;
  return {u * u * b.p0[0] + 2 * u * t * b.p1[0] + t * t * b.p2[0],
          u * u * b.p0[1] + 2 * u * t * b.p1[1] + t * t * b.p2[1]};
}

const Band& bandFor(const Cell& c) {
  // Basal epithelium ends where luminal epithelium starts; fibroblasts run into smooth muscle.
  static const Band kEpi{{-6.5, 5.0}, {-6.0, 9.5}, {-1.5, 10.5}, 0.7, 1.1};
  static const Band kBasal{{-11.0, 1.5}, {-9.0, 2.0}, {-6.8, 4.6}, 0.8, 0.5};
  static const Band kCd4{{4.0, 8.5}, {5.5, 10.5}, {7.5, 9.0}, 0.8, 0.6};
  static const Band kCd8{{4.6, 7.6}, {7.5, 6.8}, {9.5, 4.2}, 0.6, 0.8};
  static const Band kB{{10.5, -1.0}, {12.5, -3.5}, {10.0, -6.0}, 0.9, 0.8};
  static const Band kMac{{1.0, -4.5}, {3.5, -7.5}, {6.0, -6.0}, 0.9, 0.9};
  static const Band kFib{{-5.0, -2.0}, {-8.5, -4.5}, {-7.0, -8.0}, 1.1, 0.5};
  static const Band kEndo{{-12.0, -7.5}, {-13.0, -9.5}, {-11.0, -11.0}, 0.6, 0.6};
  static const Band kSmc{{-6.0, -10.0}, {-4.5, -11.5}, {-2.5, -11.0}, 0.5, 0.7};
  switch (c.type) {
    case CellType::Epithelial:
      return kEpi;
    case CellType::BasalEpithelial:
      return kBasal;
    case CellType::TCell:
      return c.subtype == 1 ? kCd8 : kCd4;
    case CellType::BCell:
      return kB;
    case CellType::Macrophage:
      return kMac;
    case CellType::Fibroblast:
      return kFib;
    case CellType::Endothelial:
      return kEndo;
    case CellType::SmoothMuscle:
      return kSmc;
  }
  return kFib;
}

}  // namespace

std::vector<double> demoEmbedding(const TissueModel& model) {
  const auto& cells = model.cells();
  std::vector<double> xy(cells.size() * 2);
  const std::uint64_t seed = hashMix(model.config().seed, 0x0A11);
  const std::uint64_t warpX = hashMix(seed, 1), warpY = hashMix(seed, 2);
  constexpr std::array<double, 2> kCycling{2.0, 1.5};
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    Rng r(hashMix(seed, i));
    const Band& b = bandFor(c);
    double t = c.state;
    if (c.type == CellType::SmoothMuscle) t = std::clamp((c.state - 0.6) / 0.4, 0.0, 1.0);
    t = std::clamp(t + r.normal(0, 0.04), 0.0, 1.0);
    const auto p = bezier(b, t), q = bezier(b, std::min(1.0, t + 0.01)),
               o = bezier(b, std::max(0.0, t - 0.01));
    double tx = q[0] - o[0], ty = q[1] - o[1];
    const double tn = std::max(1e-9, std::hypot(tx, ty));
    tx /= tn;
    ty /= tn;
    // Heavy-ish tails across the band, a little slack along it.
    const double width = b.width0 + (b.width1 - b.width0) * t;
    double across = r.normal() * width * (r.chance(0.1) ? 1.8 : 1.0);
    across += 0.35 * width * std::sin(6.0 * t + 3.0 * b.p0[0]);
    const double along = r.normal(0, 0.25);
    double x = p[0] - ty * across + tx * along;
    double y = p[1] + tx * across + ty * along;
    if (c.proliferating) {
      const double pull = r.uniform(0.45, 0.9);
      x += (kCycling[0] - x) * pull + r.normal(0, 0.5);
      y += (kCycling[1] - y) * pull + r.normal(0, 0.5);
    }
    // A smooth global warp breaks the remaining symmetry of the bands.
    const double wx = 0.9 * fbm(warpX, x / 4.0, y / 4.0, 2),
                 wy = 0.9 * fbm(warpY, x / 4.0, y / 4.0, 2);
    xy[2 * i] = x + wx;
    xy[2 * i + 1] = y + wy;
  }
  return xy;
}

}  // namespace tessera::data::demo
