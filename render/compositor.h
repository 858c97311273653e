#pragma once
/// Exact CPU compositing of channel tiles into RGBA8:
///   out = clamp(sum_c colour_c * clamp((v - start_c) / (end_c - start_c), 0, 1) ^ gamma_c)
/// (invert flips the normalised value before gamma). 8- and 16-bit data go through a per-channel
/// lookup table in 12-bit fixed point (error < 0.1/255); other types are computed directly.
/// NaN contributes nothing, and a pixel that is NaN in every channel is transparent.
/// A Compositor is prepared once per display change and may then be used from any thread.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "data/tile_source.h"
#include "render/channel_display.h"

namespace tessera::render {

class Compositor {
 public:
  /// `displays` and `dtype` describe the channels that will be passed to composite(), in order.
  void prepare(const std::vector<ChannelDisplay>& displays, data::DType dtype);
  /// `tiles[i]` is channel i of prepare(); all tiles share width/height. Writes w*h*4 bytes.
  void composite(std::span<const data::Tile* const> tiles, std::uint8_t* rgba) const;

 private:
  struct Channel {
    ChannelDisplay display;
    std::vector<std::array<std::uint32_t, 3>> table;  // empty for the direct path
  };
  std::vector<Channel> channels_;
  data::DType dtype_ = data::DType::U16;
};

/// Normalised value in [0, 1] of `v` for `d` (window, invert, gamma), NaN passes through.
double normalise(const ChannelDisplay& d, double v);
/// A contrast window from the data: the lowPct..highPct percentiles, end > start always.
std::array<double, 2> autoWindow(const data::Tile& tile, double lowPct = 0.5,
                                 double highPct = 99.5);
using data::tileValue;

}  // namespace tessera::render
