#include "render/overlay_colors.h"

#include <algorithm>
#include <cmath>

namespace tessera::render {
namespace {
std::uint32_t packRgb(const double rgb[3]) {
  std::uint32_t out = 0;
  for (int k = 0; k < 3; ++k)
    out =
        (out << 8) | static_cast<std::uint32_t>(std::lround(std::clamp(rgb[k], 0.0, 1.0) * 255.0));
  return out;
}

// The LUT sampled at 1024 steps: recolouring a million points must not call lutColor per point.
std::vector<std::uint32_t> lutTable(Lut lut) {
  std::vector<std::uint32_t> t(1024);
  for (std::size_t i = 0; i < t.size(); ++i) {
    double rgb[3];
    lutColor(lut, static_cast<double>(i) / (t.size() - 1), rgb);
    t[i] = packRgb(rgb);
  }
  return t;
}
}  // namespace

OverlayColoring OverlayColoring::solidColor(std::uint32_t rgb) {
  OverlayColoring c;
  c.solid = rgb;
  return c;
}

OverlayColoring OverlayColoring::scalar(std::vector<float> values, Lut lut, double min,
                                        double max) {
  OverlayColoring c;
  c.mode = Mode::Scalar;
  c.scalars = std::move(values);
  c.lut = lut;
  c.min = min;
  c.max = max;
  return c;
}

OverlayColoring OverlayColoring::categorical(std::vector<std::int32_t> codes,
                                             std::vector<std::uint32_t> palette) {
  OverlayColoring c;
  c.mode = Mode::Categorical;
  c.categories = std::move(codes);
  c.palette = std::move(palette);
  return c;
}

std::uint32_t categoryColor(std::int64_t code) {
  double rgb[3];
  // The Glasbey LUT keeps 0 for background; categories start at its first colour.
  lutColor(Lut::Glasbey, static_cast<double>(code % 32 + 1) / 255.0, rgb);
  return packRgb(rgb);
}

data::Expected<void> checkColoring(const OverlayColoring& c, std::size_t n,
                                   const std::string& what) {
  auto sizeError = [&](const char* field, std::size_t got) {
    return data::fail(data::Errc::InvalidArgument, what + ": colouring '" + field + "' has " +
                                                       std::to_string(got) + " entries for " +
                                                       std::to_string(n) + " items");
  };
  switch (c.mode) {
    case OverlayColoring::Mode::Solid:
      break;
    case OverlayColoring::Mode::Scalar:
      if (c.scalars.size() != n) return sizeError("scalars", c.scalars.size());
      if (!(c.max >= c.min))
        return data::fail(data::Errc::InvalidArgument,
                          what + ": colour range max " + std::to_string(c.max) + " is below min " +
                              std::to_string(c.min));
      break;
    case OverlayColoring::Mode::Categorical:
      if (c.categories.size() != n) return sizeError("categories", c.categories.size());
      break;
    case OverlayColoring::Mode::Direct:
      if (c.direct.size() != n) return sizeError("direct", c.direct.size());
      break;
  }
  return {};
}

std::uint32_t itemColor(const OverlayColoring& c, std::size_t i) {
  switch (c.mode) {
    case OverlayColoring::Mode::Solid:
      return c.solid;
    case OverlayColoring::Mode::Direct:
      return c.direct[i];
    case OverlayColoring::Mode::Categorical: {
      const auto code = c.categories[i];
      if (code < 0) return c.missingColor;
      const auto k = static_cast<std::size_t>(code);
      return k < c.palette.size() ? c.palette[k] : categoryColor(code);
    }
    case OverlayColoring::Mode::Scalar: {
      const double v = c.scalars[i];
      if (std::isnan(v)) return c.missingColor;
      double rgb[3];
      const double span = c.max - c.min;
      lutColor(c.lut, span > 0 ? (v - c.min) / span : (v >= c.min ? 1.0 : 0.0), rgb);
      return packRgb(rgb);
    }
  }
  return c.solid;
}

void fillColors(const OverlayColoring& c, std::size_t n, std::span<const std::uint8_t> hidden,
                std::uint8_t* rgba) {
  auto put = [&](std::size_t i, std::uint32_t rgb) {
    std::uint8_t* p = rgba + 4 * i;
    p[0] = static_cast<std::uint8_t>(rgb >> 16);
    p[1] = static_cast<std::uint8_t>(rgb >> 8);
    p[2] = static_cast<std::uint8_t>(rgb);
    p[3] = !hidden.empty() && hidden[i] ? 0 : 255;
  };
  if (c.mode == OverlayColoring::Mode::Scalar) {
    const auto table = lutTable(c.lut);
    const double span = c.max - c.min;
    const double scale = span > 0 ? (table.size() - 1) / span : 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = c.scalars[i];
      if (std::isnan(v)) {
        put(i, c.missingColor);
        continue;
      }
      double pos = span > 0 ? (v - c.min) * scale : (v >= c.min ? table.size() - 1.0 : 0.0);
      pos = std::clamp(pos, 0.0, table.size() - 1.0);
      put(i, table[static_cast<std::size_t>(pos + 0.5)]);
    }
    return;
  }
  if (c.mode == OverlayColoring::Mode::Categorical) {
    std::vector<std::uint32_t> lookup(c.palette);
    for (std::size_t i = 0; i < n; ++i) {
      const auto code = c.categories[i];
      if (code < 0) {
        put(i, c.missingColor);
        continue;
      }
      const auto k = static_cast<std::size_t>(code);
      if (k >= lookup.size() && k < 65536) {
        const auto old = lookup.size();
        lookup.resize(k + 1);
        for (std::size_t j = old; j <= k; ++j)
          lookup[j] = categoryColor(static_cast<std::int64_t>(j));
      }
      put(i, k < lookup.size() ? lookup[k] : categoryColor(code));
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i)
    put(i, itemColor(c, i));
}

std::vector<std::uint8_t> hiddenByCategory(std::span<const std::int32_t> codes,
                                           const std::set<std::int32_t>& hiddenCodes) {
  std::vector<std::uint8_t> out(codes.size(), 0);
  if (hiddenCodes.empty()) return out;
  for (std::size_t i = 0; i < codes.size(); ++i)
    out[i] = hiddenCodes.count(codes[i]) ? 1 : 0;
  return out;
}

}  // namespace tessera::render
