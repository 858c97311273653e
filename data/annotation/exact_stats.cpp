#include "data/annotation/exact_stats.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace tessera::data {
namespace {

template <class T>
T loadAt(const std::uint8_t* p, std::size_t i) {
  T v;
  std::memcpy(&v, p + i * sizeof(T), sizeof(T));
  return v;
}

std::uint64_t floatKey(float f) {
  const auto b = std::bit_cast<std::uint32_t>(f);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
float keyFloat(std::uint64_t k) {
  const auto b = static_cast<std::uint32_t>(k);
  return std::bit_cast<float>((b & 0x80000000u) ? (b & 0x7FFFFFFFu) : ~b);
}
std::uint64_t doubleKey(double d) {
  const auto b = std::bit_cast<std::uint64_t>(d);
  return (b >> 63) ? ~b : (b | (1ull << 63));
}
double keyDouble(std::uint64_t k) {
  return std::bit_cast<double>((k >> 63) ? (k & ~(1ull << 63)) : ~k);
}

float halfToFloat(std::uint16_t h) {
  const int e = (h >> 10) & 0x1F, m = h & 0x3FF;
  const float s = (h & 0x8000) ? -1.0f : 1.0f;
  if (e == 0) return s * std::ldexp(static_cast<float>(m), -24);
  if (e == 31) return m ? std::numeric_limits<float>::quiet_NaN() : s * INFINITY;
  return s * std::ldexp(static_cast<float>(m + 1024), e - 25);
}

}  // namespace

ExactStats::ExactStats(DType dtype) : dtype_(dtype) {
  switch (dtype) {
    case DType::Bool:
    case DType::U8:
    case DType::I8:
      keyBits_ = digitBits_ = 8;
      break;
    case DType::U16:
    case DType::I16:
      keyBits_ = digitBits_ = 16;
      break;
    case DType::U32:
    case DType::I32:
    case DType::F16:  // keyed as float32, which holds every half exactly
    case DType::F32:
      keyBits_ = 32;
      break;
    case DType::U64:
    case DType::I64:
    case DType::F64:
      keyBits_ = 64;
      break;
  }
  passes_ = keyBits_ / digitBits_;
  beginPass(0);
}

void ExactStats::beginPass(int p) {
  pass_ = p;
  if (p > 0) settleTargets();
  const std::size_t bins = std::size_t{1} << digitBits_;
  for (auto& t : target_)
    t.hist.assign(bins, 0);
}

// After a pass: each target's digit is the bin holding its rank.
void ExactStats::settleTargets() {
  if (pass_ == 1) {
    target_[0].rank = (count_ - 1) / 2;
    target_[1].rank = count_ / 2;
    target_[1].hist = target_[0].hist;  // pass 0 histograms every value once, into target 0
  } else if (sharedPrefix_) {
    target_[1].hist = target_[0].hist;  // one histogram served both
  }
  for (auto& t : target_) {
    std::uint64_t below = 0;
    std::size_t bin = 0;
    for (; bin < t.hist.size(); ++bin) {
      if (below + t.hist[bin] > t.rank) break;
      below += t.hist[bin];
    }
    t.rank -= below;
    t.prefix = (t.prefix << digitBits_) | bin;
  }
  sharedPrefix_ = target_[0].prefix == target_[1].prefix;
}

bool ExactStats::done() const {
  return count_ == 0;
}

template <class T, class Key>
void ExactStats::addTyped(const std::uint8_t* p, std::size_t n, Key key) {
  const int shift = keyBits_ - (pass_ + 1) * digitBits_;
  const std::uint64_t mask = (std::uint64_t{1} << digitBits_) - 1;
  if (pass_ == 0) {
    auto& hist = target_[0].hist;
    for (std::size_t i = 0; i < n; ++i) {
      const T v = loadAt<T>(p, i);
      double x;
      if constexpr (std::is_same_v<T, std::uint16_t>) {
        if (dtype_ == DType::F16) {
          const float f = halfToFloat(v);
          if (std::isnan(f)) continue;
          x = f;
        } else {
          x = v;
        }
      } else {
        x = static_cast<double>(v);
        if constexpr (std::is_floating_point_v<T>)
          if (std::isnan(v)) continue;
      }
      if (count_ == 0) {
        shift_ = x;
        min_ = max_ = x;
      }
      ++count_;
      const double d = x - shift_;
      s1_ += d;
      s2_ += d * d;
      if (x < min_) min_ = x;
      if (x > max_) max_ = x;
      ++hist[(key(v) >> shift) & mask];
    }
    return;
  }
  const int high = shift + digitBits_;
  for (std::size_t i = 0; i < n; ++i) {
    const T v = loadAt<T>(p, i);
    if constexpr (std::is_floating_point_v<T>)
      if (std::isnan(v)) continue;
    if constexpr (std::is_same_v<T, std::uint16_t>)
      if (dtype_ == DType::F16 && std::isnan(halfToFloat(v))) continue;
    const std::uint64_t k = key(v);
    const std::uint64_t top = high >= 64 ? 0 : (k >> high);
    if (top == target_[0].prefix) ++target_[0].hist[(k >> shift) & mask];
    if (!sharedPrefix_ && top == target_[1].prefix) ++target_[1].hist[(k >> shift) & mask];
  }
}

void ExactStats::add(const std::uint8_t* p, std::size_t n) {
  switch (dtype_) {
    case DType::Bool:
    case DType::U8:
      return addTyped<std::uint8_t>(p, n, [](std::uint8_t v) { return std::uint64_t{v}; });
    case DType::I8:
      return addTyped<std::int8_t>(
          p, n, [](std::int8_t v) { return std::uint64_t{static_cast<std::uint8_t>(v) ^ 0x80u}; });
    case DType::U16:
      return addTyped<std::uint16_t>(p, n, [](std::uint16_t v) { return std::uint64_t{v}; });
    case DType::I16:
      return addTyped<std::int16_t>(p, n, [](std::int16_t v) {
        return std::uint64_t{static_cast<std::uint16_t>(v) ^ 0x8000u};
      });
    case DType::U32:
      return addTyped<std::uint32_t>(p, n, [](std::uint32_t v) { return std::uint64_t{v}; });
    case DType::I32:
      return addTyped<std::int32_t>(p, n, [](std::int32_t v) {
        return std::uint64_t{static_cast<std::uint32_t>(v) ^ 0x80000000u};
      });
    case DType::U64:
      return addTyped<std::uint64_t>(p, n, [](std::uint64_t v) { return v; });
    case DType::I64:
      return addTyped<std::int64_t>(
          p, n, [](std::int64_t v) { return static_cast<std::uint64_t>(v) ^ (1ull << 63); });
    case DType::F16:
      return addTyped<std::uint16_t>(p, n,
                                     [](std::uint16_t v) { return floatKey(halfToFloat(v)); });
    case DType::F32:
      return addTyped<float>(p, n, [](float v) { return floatKey(v); });
    case DType::F64:
      return addTyped<double>(p, n, [](double v) { return doubleKey(v); });
  }
}

double ExactStats::keyValue(std::uint64_t k) const {
  switch (dtype_) {
    case DType::I8:
      return static_cast<std::int8_t>(static_cast<std::uint8_t>(k ^ 0x80u));
    case DType::I16:
      return static_cast<std::int16_t>(static_cast<std::uint16_t>(k ^ 0x8000u));
    case DType::I32:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(k ^ 0x80000000u));
    case DType::I64:
      return static_cast<double>(static_cast<std::int64_t>(k ^ (1ull << 63)));
    case DType::F16:
    case DType::F32:
      return keyFloat(k);
    case DType::F64:
      return keyDouble(k);
    default:
      return static_cast<double>(k);
  }
}

double ExactStats::mean() const {
  return count_ ? shift_ + s1_ / static_cast<double>(count_) : std::nan("");
}

double ExactStats::stddev() const {
  if (!count_) return std::nan("");
  const double n = static_cast<double>(count_);
  return std::sqrt(std::max(0.0, (s2_ - s1_ * s1_ / n) / n));
}

double ExactStats::min() const {
  return count_ ? min_ : std::nan("");
}
double ExactStats::max() const {
  return count_ ? max_ : std::nan("");
}

double ExactStats::median() const {
  if (!count_) return std::nan("");
  // The last pass's histograms have not been folded into the prefixes yet.
  Target t[2] = {target_[0], target_[1]};
  if (pass_ == 0) {
    t[0].rank = (count_ - 1) / 2;
    t[1].rank = count_ / 2;
    t[1].hist = t[0].hist;
  } else if (sharedPrefix_) {
    t[1].hist = t[0].hist;
  }
  for (auto& x : t) {
    std::uint64_t below = 0;
    std::size_t bin = 0;
    for (; bin < x.hist.size(); ++bin) {
      if (below + x.hist[bin] > x.rank) break;
      below += x.hist[bin];
    }
    x.prefix = (x.prefix << digitBits_) | bin;
  }
  if (pass_ + 1 < passes_) return std::nan("");  // not every pass has run
  return (keyValue(t[0].prefix) + keyValue(t[1].prefix)) / 2;
}

}  // namespace tessera::data
