#include "data/demo/tissue_painter.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "data/demo/demo_noise.h"

namespace tessera::data::demo {
namespace {

// Channel order: DAPI, Na-K-ATPase, CD45, PanCK.
constexpr DemoChannel kChannels[kDemoChannels] = {
    {"DAPI", "0000FF"}, {"Na-K-ATPase", "00FF00"}, {"CD45", "FF0000"}, {"PanCK", "FF00FF"}};

// Broad-band autofluorescence of matrix, blood and lipofuscin as seen by each channel.
constexpr std::array<float, kDemoChannels> kMatrixAf = {0.45f, 1.0f, 0.35f, 0.25f};
constexpr std::array<float, kDemoChannels> kBloodAf = {0.3f, 1.0f, 0.7f, 0.4f};
constexpr float kCameraOffset = 100.0f;
constexpr float kReadNoiseVar = 16.0f;

inline float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

inline float unitNoise(std::uint64_t seed, double x, double y) {
  return 0.5f + 0.5f * valueNoise(seed, x, y);
}

struct NoiseSeeds {
  std::uint64_t edge, fibre, membrane, chromatin, chromatinFine, grain, filament, lipo, blood,
      camera;
  explicit NoiseSeeds(std::uint64_t s)
      : edge(hashMix(s, 101)),
        fibre(hashMix(s, 102)),
        membrane(hashMix(s, 103)),
        chromatin(hashMix(s, 104)),
        chromatinFine(hashMix(s, 105)),
        grain(hashMix(s, 106)),
        filament(hashMix(s, 107)),
        lipo(hashMix(s, 108)),
        blood(hashMix(s, 109)),
        camera(hashMix(s, 110)) {}
};

/// Signal added by the vessels overlapping the block: blood in lumens, elastic laminae.
void addVessels(const std::vector<Vessel>& all, const std::vector<int>& vessels,
                const NoiseSeeds& ns, double x, double y, std::array<float, kDemoChannels>& s) {
  for (int vi : vessels) {
    const Vessel* v = &all[vi];
    const double dx = x - v->x, dy = y - v->y;
    const double u = (dx * v->cosA + dy * v->sinA) / v->a;
    const double w = (-dx * v->sinA + dy * v->cosA) / v->b;
    const double rho = std::sqrt(u * u + w * w);
    if (rho > 1.0 + 14.0 / v->b) continue;
    if (rho < 0.97 && v->a > 11) {
      const float rbc =
          smoothstep(0.12f, 0.35f, valueNoise(ns.blood + std::uint64_t(vi), x / 6.0, y / 6.0));
      for (int c = 0; c < kDemoChannels; ++c)
        s[c] += 1700.0f * rbc * kBloodAf[c];
    }
    if (v->artery && rho > 0.9) {
      const double r = std::hypot(dx, dy), dist = (rho - 1.0) * r / std::max(rho, 1e-6);
      const double wave = 6.0 + 1.3 * std::sin(std::atan2(w, u) * 26.0);
      const float el = 2400.0f * std::exp(-float((dist - wave) * (dist - wave)) / 1.3f);
      s[0] += 0.5f * el;
      s[1] += el;
      s[2] += 0.2f * el;
    }
  }
}

}  // namespace

const DemoChannel& demoChannel(int channel) {
  return kChannels[channel];
}

void paintBlock(const TissueModel& model, int x0, int y0, int w, int h,
                std::span<std::uint16_t> out) {
  const NoiseSeeds ns(model.config().seed);
  const auto& cells = model.cells();
  constexpr int kB = TissueModel::kBucket;

  std::vector<int> vessels;
  for (int i = 0; i < int(model.vessels().size()); ++i) {
    const Vessel& v = model.vessels()[i];
    const double reach = v.a + 40;
    if (v.x + reach >= x0 && v.x - reach <= x0 + w && v.y + reach >= y0 && v.y - reach <= y0 + h)
      vessels.push_back(i);
  }
  const std::size_t plane = static_cast<std::size_t>(w) * h;

  for (int row = 0; row < h; ++row) {
    const int py = y0 + row;
    const double y = py + 0.5;
    const int by = std::clamp(py / kB, 0, model.bucketsY() - 1);
    for (int col = 0; col < w; ++col) {
      const int px = x0 + col;
      const double x = px + 0.5;
      std::array<float, kDemoChannels> s{};

      float tf = model.tissue(x, y);
      if (std::abs(tf) < 24.0f) tf += 10.0f * valueNoise(ns.edge, x / 6.0, y / 6.0);
      const float mask = smoothstep(-2.5f, 2.5f, tf);
      const PixelGeometry g = model.geometryAt(
          x, y, model.bucketSeeds(std::clamp(px / kB, 0, model.bucketsX() - 1), by));

      if (mask > 0.0f) {
        // Extracellular matrix: fibres along the local direction, displaced by cells.
        const auto dir = model.fibreDirection(x, y);
        const double along = x * dir[0] + y * dir[1], across = -x * dir[1] + y * dir[0];
        const float fib = unitNoise(ns.fibre, along / 24.0, across / 2.4);
        float ecm = mask * (110.0f + 950.0f * model.matrix(x, y) * (0.2f + 1.1f * fib * fib));
        if (g.inside) ecm *= 0.35f;
        for (int c = 0; c < kDemoChannels; ++c)
          s[c] += ecm * kMatrixAf[c];
        if (!vessels.empty()) addVessels(model.vessels(), vessels, ns, x, y, s);
      }

      if (g.cell >= 0 && g.boundary < 4.0f) {
        const Cell& c = cells[g.cell];
        const float mem = std::exp(-(g.boundary * g.boundary) / 0.9f) *
                          (0.7f + 0.6f * unitNoise(ns.membrane, x / 1.8, y / 1.8));
        s[1] += 4200.0f * c.membrane * mem;
        s[2] += 5200.0f * c.cd45 * mem;
        s[3] += 2300.0f * c.panck * mem;
      }
      if (g.inside) {
        const Cell& c = cells[g.cell];
        const float dx = float(x) - c.nucX, dy = float(y) - c.nucY;
        const float nu = (dx * c.nucCos + dy * c.nucSin) / c.nucA;
        const float nv = (-dx * c.nucSin + dy * c.nucCos) / c.nucB;
        const float rn = std::sqrt(nu * nu + nv * nv);
        const float nuc = smoothstep(1.0f, 0.82f, rn);
        if (nuc > 0.0f) {
          // Chromatin: coarse and fine clumps plus heterochromatin along the envelope.
          const std::uint64_t cs = ns.chromatin + static_cast<std::uint64_t>(g.cell);
          const float chrom = 0.6f * unitNoise(cs, x / 2.4, y / 2.4) +
                              0.4f * unitNoise(ns.chromatinFine, x / 1.1, y / 1.1);
          const float rim = std::exp(-((rn - 0.86f) * (rn - 0.86f)) / 0.012f);
          s[0] += 11000.0f * c.dapi * nuc * (0.45f + 0.75f * chrom * chrom + 0.3f * rim);
        }
        const float cyto = 1.0f - nuc;
        const float grain = unitNoise(ns.grain, x / 2.0, y / 2.0);
        s[1] += 180.0f * c.membrane * cyto;
        s[2] += 1500.0f * c.cd45 * cyto * (0.6f + 0.8f * grain);
        if (c.panck > 0.1f) {
          // Keratin filaments run roughly along the cell axis.
          const double along = x * c.axisCos + y * c.axisSin,
                       across = -x * c.axisSin + y * c.axisCos;
          const float fil = unitNoise(ns.filament, along / 5.0, across / 1.4);
          s[3] += 6500.0f * c.panck * cyto * (0.35f + 0.9f * fil * fil);
        } else {
          s[3] += 6500.0f * c.panck * cyto;
        }
        for (int k = 0; k < kDemoChannels; ++k)
          s[k] += 80.0f * cyto;
        if (c.type == CellType::Macrophage) {
          const float lipo = smoothstep(0.55f, 0.8f, unitNoise(ns.lipo, x / 1.6, y / 1.6));
          for (int k = 0; k < kDemoChannels; ++k)
            s[k] += 1600.0f * lipo * cyto;
        }
      }

      const float illum = model.illumination(x, y);
      const std::size_t idx = static_cast<std::size_t>(row) * w + col;
      for (int c = 0; c < kDemoChannels; ++c) {
        const float signal = s[c] * illum;
        const float noise =
            approxNormal(hash4(ns.camera, std::uint64_t(px), std::uint64_t(py), std::uint64_t(c)));
        const float v = kCameraOffset + signal + noise * std::sqrt(kReadNoiseVar + 0.6f * signal);
        out[c * plane + idx] = static_cast<std::uint16_t>(std::clamp(v + 0.5f, 0.0f, 65535.0f));
      }
    }
  }
}

}  // namespace tessera::data::demo
