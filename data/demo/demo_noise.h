#pragma once
/// Hash-based 2D value noise for the demo: a pure function of (seed, x, y), so any chunk of the
/// image can be painted on its own, in any order, on any thread, with identical results.
#include <cmath>
#include <cstdint>

#include "data/demo/demo_random.h"

namespace tessera::data::demo {

/// Lattice value in [-1, 1).
inline float latticeValue(std::uint64_t seed, std::int64_t ix, std::int64_t iy) {
  const std::uint64_t h =
      hash3(seed, static_cast<std::uint64_t>(ix), static_cast<std::uint64_t>(iy));
  return static_cast<float>(h >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

/// Smooth value noise in about [-1, 1]; features are about one unit wide.
inline float valueNoise(std::uint64_t seed, double x, double y) {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
  const float tx = static_cast<float>(x - fx), ty = static_cast<float>(y - fy);
  const float sx = tx * tx * (3.0f - 2.0f * tx), sy = ty * ty * (3.0f - 2.0f * ty);
  const float a = latticeValue(seed, ix, iy), b = latticeValue(seed, ix + 1, iy);
  const float c = latticeValue(seed, ix, iy + 1), d = latticeValue(seed, ix + 1, iy + 1);
  const float top = a + (b - a) * sx, bottom = c + (d - c) * sx;
  return top + (bottom - top) * sy;
}

/// Fractal sum of `octaves` value-noise layers, normalised to about [-1, 1].
inline float fbm(std::uint64_t seed, double x, double y, int octaves, float gain = 0.5f) {
  float sum = 0, amp = 1, norm = 0;
  double f = 1;
  for (int o = 0; o < octaves; ++o) {
    sum += amp * valueNoise(seed + static_cast<std::uint64_t>(o) * 7919u, x * f, y * f);
    norm += amp;
    amp *= gain;
    f *= 2.03;
  }
  return sum / norm;
}

}  // namespace tessera::data::demo
