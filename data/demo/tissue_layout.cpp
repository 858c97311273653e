// Layout of the demo section: the tissue outline, an epithelial (mucosa-like) zone with
// glands, lymphoid follicles and vessels in the stroma, and the coarse fields derived from them.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "data/demo/demo_noise.h"
#include "data/demo/tissue_builder.h"

namespace tessera::data::demo {
namespace {

constexpr double kPi = std::numbers::pi;

TissueModel::Field makeField(const DemoConfig& c) {
  TissueModel::Field f;
  f.nx = c.width / TissueModel::kFieldStep + 2;
  f.ny = c.height / TissueModel::kFieldStep + 2;
  f.v.assign(static_cast<std::size_t>(f.nx) * f.ny, 0.0f);
  return f;
}

template <class Fn>
void fillField(TissueModel::Field& f, Fn&& fn) {
  for (int j = 0; j < f.ny; ++j)
    for (int i = 0; i < f.nx; ++i)
      f.v[static_cast<std::size_t>(j) * f.nx + i] = static_cast<float>(
          fn(double(i) * TissueModel::kFieldStep, double(j) * TissueModel::kFieldStep));
}

}  // namespace

double Gland::radiusAt(double angle) const {
  double r = 1.0;
  for (int k = 0; k < 4; ++k)
    r += harmAmp[k] * std::cos((k + 2) * angle + harmPhase[k]);
  return radius * r;
}

void ModelBuilder::buildFields() {
  const DemoConfig& c = m.config_;
  const double w = c.width, h = c.height;
  const auto n1 = noiseSeed(1), n2 = noiseSeed(2), n3 = noiseSeed(3), n4 = noiseSeed(4);
  const auto n5 = noiseSeed(5);
  const double phase = rng(kFields).uniform(0, 2 * kPi);
  m.tissue_ = makeField(c);
  fillField(m.tissue_, [&](double x, double y) {
    // Domain-warped ellipse: a section outline that is irregular at several scales.
    const double wx = x + 0.046 * w * fbm(n1, x / (0.23 * w), y / (0.23 * h), 3);
    const double wy = y + 0.046 * h * fbm(n2, x / (0.23 * w), y / (0.23 * h), 3);
    const double dx = wx - 0.5 * w, dy = (wy - 0.5 * h) * 1.1;
    const double r = std::hypot(dx, dy), theta = std::atan2(dy, dx);
    const double radius = 0.43 * w * (1 + 0.05 * std::cos(2 * theta + phase));
    double f = radius - r + 90.0 * fbm(n3, x / 350.0, y / 350.0, 2);
    const double hole = fbm(n4, x / 600.0, y / 600.0, 2);  // occasional tears in the section
    if (hole > 0.6) f = std::min(f, (0.6 - hole) * 3000.0 + 40.0);
    const double border = std::min({x, y, w - x, h - y}) - 0.015 * w;
    return std::min(f, border);
  });
  m.illum_ = makeField(c);
  fillField(m.illum_, [&](double x, double y) {
    const double dx = x / w - 0.5, dy = y / h - 0.5;
    return 1.02 - 0.22 * (dx * dx + dy * dy) + 0.04 * fbm(n5, x / 1500.0, y / 1500.0, 2);
  });
}

void ModelBuilder::indexFeatures() {
  const DemoConfig& c = m.config_;
  featNx = c.width / kFeatureCell + 1;
  featNy = c.height / kFeatureCell + 1;
  const auto cellsN = static_cast<std::size_t>(featNx) * featNy;
  featGlands.assign(cellsN, {});
  featVessels.assign(cellsN, {});
  featFollicles.assign(cellsN, {});
  auto add = [&](std::vector<std::vector<int>>& grid, int idx, double x, double y, double r) {
    r += 220;  // widest margin any lookup uses
    const int i0 = std::max(0, int((x - r) / kFeatureCell)),
              i1 = std::min(featNx - 1, int((x + r) / kFeatureCell));
    const int j0 = std::max(0, int((y - r) / kFeatureCell)),
              j1 = std::min(featNy - 1, int((y + r) / kFeatureCell));
    for (int j = j0; j <= j1; ++j)
      for (int i = i0; i <= i1; ++i)
        grid[static_cast<std::size_t>(j) * featNx + i].push_back(idx);
  };
  for (int i = 0; i < int(m.glands_.size()); ++i)
    add(featGlands, i, m.glands_[i].x, m.glands_[i].y, m.glands_[i].radius * 1.6);
  for (int i = 0; i < int(m.vessels_.size()); ++i)
    add(featVessels, i, m.vessels_[i].x, m.vessels_[i].y, m.vessels_[i].a + 40);
  for (int i = 0; i < int(m.follicles_.size()); ++i)
    add(featFollicles, i, m.follicles_[i].x, m.follicles_[i].y, m.follicles_[i].radius);
}

static std::size_t featIndex(const ModelBuilder& b, double x, double y) {
  const int i = std::clamp(int(x / ModelBuilder::kFeatureCell), 0, b.featNx - 1);
  const int j = std::clamp(int(y / ModelBuilder::kFeatureCell), 0, b.featNy - 1);
  return static_cast<std::size_t>(j) * b.featNx + i;
}

int ModelBuilder::glandAt(double x, double y, double margin) const {
  if (featGlands.empty()) return -1;
  for (int gi : featGlands[featIndex(*this, x, y)]) {
    const Gland& g = m.glands_[gi];
    const double dx = x - g.x, dy = y - g.y, r = std::hypot(dx, dy);
    if (r > g.radius * 1.6 + margin) continue;
    if (r < g.radiusAt(std::atan2(dy, dx)) + margin) return gi;
  }
  return -1;
}

int ModelBuilder::vesselAt(double x, double y, double margin) const {
  if (featVessels.empty()) return -1;
  for (int vi : featVessels[featIndex(*this, x, y)]) {
    const Vessel& v = m.vessels_[vi];
    const double dx = x - v.x, dy = y - v.y;
    const double u = (dx * v.cosA + dy * v.sinA) / (v.a + margin);
    const double w = (-dx * v.sinA + dy * v.cosA) / (v.b + margin);
    if (u * u + w * w < 1.0) return vi;
  }
  return -1;
}

int ModelBuilder::follicleAt(double x, double y) const {
  if (featFollicles.empty()) return -1;
  for (int fi : featFollicles[featIndex(*this, x, y)]) {
    const Follicle& f = m.follicles_[fi];
    if (std::hypot(x - f.x, y - f.y) < f.radius) return fi;
  }
  return -1;
}

void ModelBuilder::placeFeatures() {
  const DemoConfig& c = m.config_;
  const double w = c.width, h = c.height, scale = w / 8192.0;

  Rng gr = rng(kGlands);
  for (int attempt = 0; attempt < 6000 && m.glands_.size() < 95; ++attempt) {
    Gland g;
    g.x = gr.uniform(0, w);
    g.y = gr.uniform(0, h);
    const double u = gr.uniform();
    g.solid = gr.chance(0.15);
    g.radius = (g.solid ? 80 + 90 * u : 100 + 210 * u * u) * scale;
    for (int k = 0; k < 4; ++k) {
      g.harmAmp[k] = gr.uniform(0, 0.16 / std::sqrt(k + 1.0));
      g.harmPhase[k] = gr.uniform(0, 2 * kPi);
    }
    g.wall = gr.uniform(32, 40);
    if (epiZone(g.x, g.y) < 0.05) continue;
    if (m.tissue(g.x, g.y) < g.radius * 1.5 + 80) continue;
    bool clear = true;
    for (const Gland& o : m.glands_)
      if (std::hypot(o.x - g.x, o.y - g.y) < 1.45 * (o.radius + g.radius) + 50) clear = false;
    if (clear) m.glands_.push_back(g);
  }
  indexFeatures();

  Rng fr = rng(kFollicles);
  for (int attempt = 0; attempt < 3000 && m.follicles_.size() < 8; ++attempt) {
    Follicle f{fr.uniform(0, w), fr.uniform(0, h), fr.uniform(230, 420) * scale};
    if (m.tissue(f.x, f.y) < f.radius + 150) continue;
    if (epiZone(f.x, f.y) > 0.35) continue;
    bool clear = glandAt(f.x, f.y, f.radius + 80) < 0;
    for (const Follicle& o : m.follicles_)
      if (std::hypot(o.x - f.x, o.y - f.y) < o.radius + f.radius + 600 * scale) clear = false;
    if (clear) m.follicles_.push_back(f);
  }
  indexFeatures();

  Rng vr = rng(kVessels);
  for (int attempt = 0; attempt < 8000 && m.vessels_.size() < 110; ++attempt) {
    Vessel v;
    v.x = vr.uniform(0, w);
    v.y = vr.uniform(0, h);
    const bool big = vr.chance(0.4);
    v.a = big ? vr.uniform(16, 44) : vr.uniform(6, 14);
    v.b = v.a * vr.uniform(0.5, 1.0);
    const double ang = vr.uniform(0, kPi);
    v.cosA = std::cos(ang);
    v.sinA = std::sin(ang);
    v.artery = big && vr.chance(0.65);
    const double reach = v.a + (v.artery ? 34 : 10);
    if (m.tissue(v.x, v.y) < reach + 60) continue;
    if (glandAt(v.x, v.y, reach + 40) >= 0) continue;
    if (follicleAt(v.x, v.y) >= 0) continue;
    bool clear = true;
    for (const Vessel& o : m.vessels_)
      if (std::hypot(o.x - v.x, o.y - v.y) < o.a + v.a + 140) clear = false;
    if (clear) m.vessels_.push_back(v);
  }
  indexFeatures();
}

void ModelBuilder::finishFields() {
  const DemoConfig& c = m.config_;
  const auto n6 = noiseSeed(6), n8 = noiseSeed(8);
  m.matrix_ = makeField(c);
  fillField(m.matrix_, [&](double x, double y) {
    double v = 0.45 + 0.3 * fbm(n8, x / 900.0, y / 900.0, 3);
    if (follicleAt(x, y) >= 0) v *= 0.3;
    if (glandAt(x, y, 0) >= 0) v *= 0.2;
    return std::clamp(v, 0.05, 1.0);
  });
  // Orientation is stored as the doubled angle so that opposite directions (the same fibre)
  // do not cancel when the field is interpolated.
  m.fibreCos_ = makeField(c);
  m.fibreSin_ = makeField(c);
  for (int j = 0; j < m.fibreCos_.ny; ++j) {
    for (int i = 0; i < m.fibreCos_.nx; ++i) {
      const double x = double(i) * TissueModel::kFieldStep, y = double(j) * TissueModel::kFieldStep;
      const double a = 1.6 * kPi * fbm(n6, x / 1400.0, y / 1400.0, 2);
      double c2 = std::cos(2 * a), s2 = std::sin(2 * a);
      // Stroma wraps around glands: blend towards the tangent of the nearest gland.
      const int gi = glandAt(x, y, 200);
      if (gi >= 0) {
        const Gland& g = m.glands_[gi];
        const double dx = x - g.x, dy = y - g.y, r = std::max(1.0, std::hypot(dx, dy));
        const double out = std::max(0.0, r - g.radiusAt(std::atan2(dy, dx)));
        const double wgt = std::exp(-out / 90.0);
        const double tx = -dy / r, ty = dx / r;
        c2 = c2 * (1 - wgt) + (tx * tx - ty * ty) * wgt;
        s2 = s2 * (1 - wgt) + (2 * tx * ty) * wgt;
      }
      const double n = std::max(1e-6, std::hypot(c2, s2));
      const std::size_t k = static_cast<std::size_t>(j) * m.fibreCos_.nx + i;
      m.fibreCos_.v[k] = static_cast<float>(c2 / n);
      m.fibreSin_.v[k] = static_cast<float>(s2 / n);
    }
  }
}

double ModelBuilder::epiZone(double x, double y) const {
  const double w = m.config_.width, h = m.config_.height;
  return 0.7 * fbm(noiseSeed(7), x / (0.3 * w), y / (0.3 * h), 2) +
         1.5 * (0.5 - (x + y) / (w + h)) + 0.1;
}

double ModelBuilder::infiltrate(double x, double y) const {
  double v = std::clamp(1.4 * fbm(noiseSeed(9), x / 1100.0, y / 1100.0, 2), 0.0, 1.0);
  for (const Follicle& f : m.follicles_) {
    const double d = std::hypot(x - f.x, y - f.y) - f.radius;
    if (d < 500) v = std::max(v, 0.9 * std::exp(-std::max(0.0, d) / 220.0));
  }
  return v;
}

}  // namespace tessera::data::demo
