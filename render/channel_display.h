#pragma once
/// How one channel is shown: colour or named LUT, contrast window, gamma, invert, visibility.
/// Plain values; owned by the UI thread and copied into the compositor.
#include <cstdint>
#include <string>
#include <vector>

#include "data/image_info.h"

namespace tessera::render {

enum class Lut { Solid, Grays, Fire, Viridis, Magma, Inferno, Cividis, Glasbey };

struct ChannelDisplay {
  std::string name;
  std::uint32_t color = 0xFFFFFF;  ///< 0xRRGGBB, used when lut == Solid
  Lut lut = Lut::Solid;
  double start = 0, end = 65535;  ///< contrast window; end > start
  double gamma = 1.0;
  bool inverted = false;
  bool visible = true;
  bool windowFromData = false;  ///< true when the window still has to come from auto-contrast
  bool operator==(const ChannelDisplay&) const = default;
};

/// Defaults from OME metadata; channels without a window are flagged for auto-contrast.
std::vector<ChannelDisplay> defaultDisplays(const data::ImageInfo& info);

const char* lutName(Lut lut);
bool lutFromName(const std::string& name, Lut& out);
/// RGB of the LUT at x in [0, 1].
void lutColor(Lut lut, double x, double rgb[3]);

}  // namespace tessera::render
