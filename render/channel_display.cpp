#include "render/channel_display.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace tessera::render {
namespace {

using Stops = std::vector<std::uint32_t>;

// Evenly spaced samples of the matplotlib / ImageJ maps; linear interpolation in between is
// within a few levels of the originals.
const Stops& stopsOf(Lut lut) {
  static const Stops grays{0x000000, 0xFFFFFF};
  static const Stops fire{0x000000, 0x55009A, 0xB0005A, 0xF03C00, 0xFF9A00, 0xFFFF60, 0xFFFFFF};
  static const Stops viridis{0x440154, 0x482878, 0x3E4989, 0x31688E, 0x26828E,
                             0x1F9E89, 0x35B779, 0x6ECE58, 0xB5DE2B, 0xFDE725};
  static const Stops magma{0x000004, 0x180F3D, 0x440F76, 0x721F81, 0x9E2F7F,
                           0xCD4071, 0xF1605D, 0xFD9668, 0xFECA8D, 0xFCFDBF};
  static const Stops inferno{0x000004, 0x1B0C41, 0x4A0C6B, 0x781C6D, 0xA52C60,
                             0xCF4446, 0xED6925, 0xFB9B06, 0xF7D13D, 0xFCFFA4};
  static const Stops cividis{0x00224E, 0x123570, 0x3B496C, 0x575D6D, 0x707173,
                             0x8A8779, 0xA69D75, 0xC4B56C, 0xE4CF5B, 0xFEE838};
  switch (lut) {
    case Lut::Fire:
      return fire;
    case Lut::Viridis:
      return viridis;
    case Lut::Magma:
      return magma;
    case Lut::Inferno:
      return inferno;
    case Lut::Cividis:
      return cividis;
    default:
      return grays;
  }
}

// A glasbey-style palette of well separated colours for label values.
constexpr std::array<std::uint32_t, 32> kGlasbey{
    0xD60000, 0x8C3CFF, 0x028800, 0x00ACC7, 0x98FF00, 0xFF7FD1, 0x6C004F, 0xFFA530,
    0x00009D, 0x867068, 0x004942, 0x4F2A00, 0x00FDCF, 0xBCB7FF, 0x95B379, 0xC004B9,
    0x2566A2, 0x280041, 0xDCB3AF, 0xFEF590, 0x50455B, 0xA47C00, 0xFF7166, 0x3F816E,
    0x82000C, 0xA37BB3, 0x344E00, 0x9BE4FF, 0xEB0077, 0x2D000A, 0x5EA0FF, 0x8F0F55};

constexpr std::array<std::pair<Lut, const char*>, 8> kNames{{{Lut::Solid, "solid"},
                                                             {Lut::Grays, "grays"},
                                                             {Lut::Fire, "fire"},
                                                             {Lut::Viridis, "viridis"},
                                                             {Lut::Magma, "magma"},
                                                             {Lut::Inferno, "inferno"},
                                                             {Lut::Cividis, "cividis"},
                                                             {Lut::Glasbey, "glasbey"}}};

}  // namespace

const char* lutName(Lut lut) {
  for (const auto& [l, n] : kNames)
    if (l == lut) return n;
  return "solid";
}

bool lutFromName(const std::string& name, Lut& out) {
  for (const auto& [l, n] : kNames)
    if (name == n) {
      out = l;
      return true;
    }
  return false;
}

void lutColor(Lut lut, double x, double rgb[3]) {
  if (lut == Lut::Glasbey) {
    const auto idx = static_cast<std::size_t>(std::max(0.0, std::round(x * 255.0)));
    const std::uint32_t c = idx == 0 ? 0 : kGlasbey[(idx - 1) % kGlasbey.size()];
    for (int k = 0; k < 3; ++k)
      rgb[k] = ((c >> (16 - 8 * k)) & 0xFF) / 255.0;
    return;
  }
  const Stops& s = stopsOf(lut);
  const double pos = std::clamp(x, 0.0, 1.0) * static_cast<double>(s.size() - 1);
  const auto i = std::min(static_cast<std::size_t>(pos), s.size() - 2);
  const double t = pos - static_cast<double>(i);
  for (int k = 0; k < 3; ++k) {
    const double a = (s[i] >> (16 - 8 * k)) & 0xFF, b = (s[i + 1] >> (16 - 8 * k)) & 0xFF;
    rgb[k] = (a + (b - a) * t) / 255.0;
  }
}

std::vector<ChannelDisplay> defaultDisplays(const data::ImageInfo& info) {
  std::vector<ChannelDisplay> out;
  for (std::size_t i = 0; i < info.channels.size(); ++i) {
    const auto& ch = info.channels[i];
    ChannelDisplay d;
    d.name = ch.name;
    d.color = ch.color;
    d.visible = ch.visible;
    d.inverted = ch.inverted;
    if (ch.window && (*ch.window)[1] > (*ch.window)[0]) {
      d.start = (*ch.window)[0];
      d.end = (*ch.window)[1];
    } else {
      d.windowFromData = true;
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace tessera::render
