#pragma once
/// Colour sources shared by the point, polygon and label overlays: one solid colour, a per-item
/// scalar through a LUT and a range, a per-item category code through a palette, or a colour per
/// item. Overlays take plain arrays (no AnnData); the omics layers fill them.
/// Plain values and pure functions; safe to use from any thread.
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"
#include "render/channel_display.h"

namespace tessera::render {

struct OverlayColoring {
  enum class Mode { Solid, Scalar, Categorical, Direct };
  Mode mode = Mode::Solid;
  std::uint32_t solid = 0xFFFFFF;  ///< 0xRRGGBB for Mode::Solid
  /// Mode::Scalar: one value per item mapped through `lut` over [min, max] (clamped);
  /// NaN takes `missingColor`.
  std::vector<float> scalars;
  Lut lut = Lut::Viridis;
  double min = 0, max = 1;
  /// Mode::Categorical: one code per item; palette[code] (0xRRGGBB) or, past the palette's end,
  /// categoryColor(code). A negative code (missing) takes `missingColor`.
  std::vector<std::int32_t> categories;
  std::vector<std::uint32_t> palette;
  /// Mode::Direct: 0xRRGGBB per item.
  std::vector<std::uint32_t> direct;
  std::uint32_t missingColor = 0x808080;

  static OverlayColoring solidColor(std::uint32_t rgb);
  static OverlayColoring scalar(std::vector<float> values, Lut lut, double min, double max);
  static OverlayColoring categorical(std::vector<std::int32_t> codes,
                                     std::vector<std::uint32_t> palette = {});
};

/// The well separated (glasbey) colour of category `code` >= 0, cycling after 32.
std::uint32_t categoryColor(std::int64_t code);

/// Refuses a colouring whose per-item arrays do not have `n` entries, or a range with
/// max < min; `what` names the overlay in the message.
data::Expected<void> checkColoring(const OverlayColoring& c, std::size_t n,
                                   const std::string& what);

/// RGB of item i (0xRRGGBB). `c` must have passed checkColoring.
std::uint32_t itemColor(const OverlayColoring& c, std::size_t i);

/// Writes n RGBA8 colours: alpha 255, or 0 where hidden[i] != 0 (`hidden` empty = none hidden).
void fillColors(const OverlayColoring& c, std::size_t n, std::span<const std::uint8_t> hidden,
                std::uint8_t* rgba);

/// A hidden mask (1 = hidden) for the items whose category code is in `hiddenCodes`: the cluster
/// toggles of a legend.
std::vector<std::uint8_t> hiddenByCategory(std::span<const std::int32_t> codes,
                                           const std::set<std::int32_t>& hiddenCodes);

}  // namespace tessera::render
