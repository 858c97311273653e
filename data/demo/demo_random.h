#pragma once
/// Portable, deterministic randomness for the demo generator. std:: distributions are
/// implementation-defined, so every distribution here is written out by hand on top of
/// splitmix64 bits; the same seed gives the same values on every platform and run.
/// Hash functions are pure (thread-safe); an Rng is a small value owned by one thread.
#include <cmath>
#include <cstdint>
#include <numbers>

namespace tessera::data::demo {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Order-sensitive hash of a few integers (pixel coordinates, channel, cell index, ...).
constexpr std::uint64_t hashMix(std::uint64_t a, std::uint64_t b) {
  return splitmix64(a ^ (splitmix64(b) + 0x632BE59BD9B4E019ull));
}
constexpr std::uint64_t hash3(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  return hashMix(hashMix(seed, a), b);
}
constexpr std::uint64_t hash4(std::uint64_t seed, std::uint64_t a, std::uint64_t b,
                              std::uint64_t c) {
  return hashMix(hash3(seed, a, b), c);
}

/// Uniform in [0, 1) from the top 53 bits.
constexpr double toUnit(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

/// Cheap approximately normal value (Irwin–Hall of four 16-bit uniforms, unit variance); used
/// for per-pixel camera noise where a full Box–Muller per pixel would be wasteful.
inline float approxNormal(std::uint64_t bits) {
  const float s = static_cast<float>(bits & 0xFFFF) + static_cast<float>((bits >> 16) & 0xFFFF) +
                  static_cast<float>((bits >> 32) & 0xFFFF) + static_cast<float>(bits >> 48);
  return (s * (1.0f / 65536.0f) - 2.0f) * 1.7320508f;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(splitmix64(seed ^ 0xD1B54A32D192ED03ull)) {}

  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return toUnit(next()); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Integer in [0, n).
  int below(int n) { return static_cast<int>(uniform() * n); }
  bool chance(double p) { return uniform() < p; }

  double normal() {
    if (hasSpare_) {
      hasSpare_ = false;
      return spare_;
    }
    double u1 = uniform();
    while (u1 <= 1e-300)
      u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * std::numbers::pi * u2;
    spare_ = r * std::sin(a);
    hasSpare_ = true;
    return r * std::cos(a);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double logNormal(double median, double sigma) { return median * std::exp(sigma * normal()); }

  /// Marsaglia–Tsang gamma with scale 1.
  double gamma(double shape) {
    if (shape < 1.0) {
      double u = uniform();
      while (u <= 1e-300)
        u = uniform();
      return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  /// Poisson by multiplication for small means, rounded normal approximation for large ones
  /// (counts that large are far from zero, where the approximation is visible).
  int poisson(double mean) {
    if (mean <= 0.0) return 0;
    if (mean < 30.0) {
      const double limit = std::exp(-mean);
      double p = uniform();
      int k = 0;
      while (p > limit) {
        p *= uniform();
        ++k;
      }
      return k;
    }
    const double v = std::round(normal(mean, std::sqrt(mean)));
    return v < 0 ? 0 : static_cast<int>(v);
  }

  /// Gamma–Poisson mixture: mean `mean`, variance mean + mean^2 / dispersion.
  int negBinomial(double mean, double dispersion) {
    if (mean <= 0.0) return 0;
    return poisson(gamma(dispersion) * mean / dispersion);
  }

 private:
  std::uint64_t state_;
  double spare_ = 0;
  bool hasSpare_ = false;
};

}  // namespace tessera::data::demo
