#pragma once
/// Default channel presentation shared by every image reader, used when a file carries no
/// rendering metadata. Pure functions, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/image_info.h"

namespace tessera::data {

/// Colour of channel `index` out of `count`: white for a single channel, else a fixed
/// sequence (blue, green, red, magenta, cyan, yellow, orange, purple), repeated.
std::uint32_t defaultChannelColor(std::size_t index, std::size_t count);

/// `count` channels named "Channel i" (from 0) with default colours, window unset.
std::vector<ChannelInfo> defaultChannels(std::size_t count);

/// Parses "RRGGBB" (or "RRGGBBAA", alpha ignored; an optional leading '#').
std::optional<std::uint32_t> parseHexColor(std::string_view text);

/// "RRGGBB", upper case.
std::string formatHexColor(std::uint32_t rgb);

}  // namespace tessera::data
