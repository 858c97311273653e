#include "render/compositor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace tessera::render {
namespace {
constexpr int kFixedBits = 12;
constexpr double kFixedOne = 1 << kFixedBits;

void colorOf(const ChannelDisplay& d, double f, double rgb[3]) {
  if (d.lut == Lut::Solid) {
    for (int k = 0; k < 3; ++k)
      rgb[k] = f * ((d.color >> (16 - 8 * k)) & 0xFF) / 255.0;
  } else {
    lutColor(d.lut, f, rgb);
  }
}

}  // namespace

double normalise(const ChannelDisplay& d, double v) {
  if (std::isnan(v)) return v;
  const double span = d.end - d.start;
  double x = span > 0 ? (v - d.start) / span : (v >= d.end ? 1.0 : 0.0);
  x = std::clamp(x, 0.0, 1.0);
  if (d.inverted) x = 1.0 - x;
  if (d.gamma != 1.0) x = std::pow(x, d.gamma);
  return x;
}

void Compositor::prepare(const std::vector<ChannelDisplay>& displays, data::DType dtype) {
  dtype_ = dtype;
  channels_.clear();
  const bool tabled = dtype == data::DType::U8 || dtype == data::DType::U16;
  const std::size_t n = dtype == data::DType::U8 ? 256 : 65536;
  for (const auto& d : displays) {
    Channel c{d, {}};
    if (tabled) {
      c.table.resize(n);
      double rgb[3];
      for (std::size_t v = 0; v < n; ++v) {
        colorOf(d, normalise(d, static_cast<double>(v)), rgb);
        for (int k = 0; k < 3; ++k)
          c.table[v][k] = static_cast<std::uint32_t>(std::lround(rgb[k] * 255.0 * kFixedOne));
      }
    }
    channels_.push_back(std::move(c));
  }
}

void Compositor::composite(std::span<const data::Tile* const> tiles, std::uint8_t* rgba) const {
  if (tiles.empty()) return;
  const std::size_t count =
      static_cast<std::size_t>(tiles[0]->width) * static_cast<std::size_t>(tiles[0]->height);
  const std::size_t nc = std::min(tiles.size(), channels_.size());
  const bool tabled = !channels_.empty() && !channels_[0].table.empty();
  if (tabled) {
    std::vector<std::uint32_t> acc(count * 3, 0);
    for (std::size_t c = 0; c < nc; ++c) {
      const auto& table = channels_[c].table;
      const auto* src = tiles[c]->data.data();
      std::uint32_t* a = acc.data();
      if (dtype_ == data::DType::U16) {
        for (std::size_t i = 0; i < count; ++i, a += 3) {
          std::uint16_t v;
          std::memcpy(&v, src + 2 * i, 2);
          const auto& e = table[v];
          a[0] += e[0];
          a[1] += e[1];
          a[2] += e[2];
        }
      } else {
        for (std::size_t i = 0; i < count; ++i, a += 3) {
          const auto& e = table[src[i]];
          a[0] += e[0];
          a[1] += e[1];
          a[2] += e[2];
        }
      }
    }
    constexpr std::uint32_t half = 1u << (kFixedBits - 1);
    for (std::size_t i = 0; i < count; ++i) {
      for (int k = 0; k < 3; ++k)
        rgba[4 * i + k] = static_cast<std::uint8_t>(
            std::min<std::uint32_t>(255, (acc[3 * i + k] + half) >> kFixedBits));
      rgba[4 * i + 3] = 255;
    }
    return;
  }
  for (std::size_t i = 0; i < count; ++i) {
    double sum[3] = {0, 0, 0};
    bool any = nc == 0;
    for (std::size_t c = 0; c < nc; ++c) {
      const double f = normalise(channels_[c].display, tileValue(*tiles[c], i));
      if (std::isnan(f)) continue;
      any = true;
      double rgb[3];
      colorOf(channels_[c].display, f, rgb);
      for (int k = 0; k < 3; ++k)
        sum[k] += rgb[k];
    }
    for (int k = 0; k < 3; ++k)
      rgba[4 * i + k] =
          static_cast<std::uint8_t>(std::lround(std::clamp(sum[k], 0.0, 1.0) * 255.0));
    rgba[4 * i + 3] = any ? 255 : 0;
  }
}

std::array<double, 2> autoWindow(const data::Tile& tile, double lowPct, double highPct) {
  const std::size_t count =
      static_cast<std::size_t>(tile.width) * static_cast<std::size_t>(tile.height);
  std::vector<double> values;
  values.reserve(count);
  // A strided sample keeps this cheap on big tiles; percentiles barely move.
  const std::size_t step = std::max<std::size_t>(1, count / 65536);
  for (std::size_t i = 0; i < count; i += step) {
    const double v = tileValue(tile, i);
    if (std::isfinite(v)) values.push_back(v);
  }
  if (values.empty()) return {0.0, 1.0};
  auto at = [&](double pct) {
    const auto k = static_cast<std::size_t>(std::clamp(pct / 100.0, 0.0, 1.0) *
                                            static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
  };
  double lo = at(lowPct), hi = at(highPct);
  if (!(hi > lo))
    hi = lo + (data::dtypeIsFloat(tile.dtype) ? 1e-6 * std::max(1.0, std::abs(lo)) : 1.0);
  return {lo, hi};
}

}  // namespace tessera::render
