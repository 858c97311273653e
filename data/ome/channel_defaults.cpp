#include "data/ome/channel_defaults.h"

#include <array>
#include <cctype>
#include <cstdio>

namespace tessera::data {

std::uint32_t defaultChannelColor(std::size_t index, std::size_t count) {
  if (count <= 1) return 0xFFFFFF;
  // Blue first because multichannel fluorescence usually starts with a nuclear stain (DAPI).
  static constexpr std::array<std::uint32_t, 8> kSequence = {
      0x0000FF, 0x00FF00, 0xFF0000, 0xFF00FF, 0x00FFFF, 0xFFFF00, 0xFF8000, 0x8000FF};
  return kSequence[index % kSequence.size()];
}

std::vector<ChannelInfo> defaultChannels(std::size_t count) {
  std::vector<ChannelInfo> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    out[i].name = "Channel " + std::to_string(i);
    out[i].color = defaultChannelColor(i, count);
  }
  return out;
}

std::optional<std::uint32_t> parseHexColor(std::string_view text) {
  if (!text.empty() && text.front() == '#') text.remove_prefix(1);
  if (text.size() != 6 && text.size() != 8) return std::nullopt;
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 6; ++i) {
    const char ch = text[i];
    int digit = 0;
    if (ch >= '0' && ch <= '9')
      digit = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      digit = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      digit = ch - 'A' + 10;
    else
      return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  for (std::size_t i = 6; i < text.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  return value;
}

std::string formatHexColor(std::uint32_t rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06X", rgb & 0xFFFFFFu);
  return buf;
}

}  // namespace tessera::data
