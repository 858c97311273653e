#pragma once
/// Pixel synthesis for the demo image: paints any block of level 0 (4 channels, uint16) from a
/// TissueModel. Every pixel is a pure function of the model and its coordinates (hash-based
/// noise), so blocks can be painted independently, concurrently and in any order, and a chunk
/// always gets the same bytes. Thread-safe (reads the immutable model only).
#include <cstdint>
#include <span>

#include "data/demo/tissue_model.h"

namespace tessera::data::demo {

inline constexpr int kDemoChannels = 4;

struct DemoChannel {
  const char* name;
  const char* color;  ///< "RRGGBB", as OME omero metadata writes it
};
const DemoChannel& demoChannel(int channel);

/// Paints level-0 pixels [x0, x0 + w) x [y0, y0 + h) into `out`, channel-major:
/// out[(c * h + row) * w + col]; out.size() must be kDemoChannels * w * h.
void paintBlock(const TissueModel& model, int x0, int y0, int w, int h,
                std::span<std::uint16_t> out);

}  // namespace tessera::data::demo
