#include "app/cli/display_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace tessera::app {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep))
    out.push_back(part);
  return out;
}

bool parseIndex(const std::string& s, std::size_t n, std::size_t& out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno || v < 0 || static_cast<std::size_t>(v) >= n) return false;
  out = static_cast<std::size_t>(v);
  return true;
}

bool parseNumber(const std::string& s, double& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == '\0' && !errno && std::isfinite(out);
}

}  // namespace

bool isDisplayOption(const std::string& o) {
  return o == "--channels" || o == "--window" || o == "--color" || o == "--lut" || o == "--gamma";
}

bool applyDisplayEdits(const std::vector<DisplayEdit>& edits,
                       std::vector<render::ChannelDisplay>& displays, std::string& error) {
  const std::size_t n = displays.size();
  const std::string range = " (the image has channels 0.." + std::to_string(n ? n - 1 : 0) + ")";
  for (const auto& e : edits) {
    if (e.option == "--channels") {
      std::set<std::size_t> keep;
      for (const auto& part : split(e.value, ',')) {
        std::size_t c = 0;
        if (!parseIndex(part, n, c)) {
          error = "--channels: '" + part + "' is not a channel index" + range;
          return false;
        }
        keep.insert(c);
      }
      for (std::size_t c = 0; c < n; ++c)
        displays[c].visible = keep.count(c) > 0;
      continue;
    }
    for (const auto& item : split(e.value, ',')) {
      const auto eq = item.find('=');
      std::size_t c = 0;
      if (eq == std::string::npos || !parseIndex(item.substr(0, eq), n, c)) {
        error = e.option + ": expected CHANNEL=VALUE, got '" + item + "'" + range;
        return false;
      }
      const std::string v = item.substr(eq + 1);
      auto& d = displays[c];
      if (e.option == "--window") {
        const auto colon = v.find(':');
        double a = 0, b = 0;
        if (colon == std::string::npos || !parseNumber(v.substr(0, colon), a) ||
            !parseNumber(v.substr(colon + 1), b)) {
          error = "--window: expected CHANNEL=START:END, got '" + item + "'";
          return false;
        }
        if (b <= a) {
          error = "--window: the end must be greater than the start for channel " +
                  std::to_string(c) + " ('" + v + "')";
          return false;
        }
        d.start = a;
        d.end = b;
        d.windowFromData = false;
      } else if (e.option == "--color") {
        char* end = nullptr;
        const unsigned long rgb = std::strtoul(v.c_str(), &end, 16);
        if (v.size() != 6 || *end != '\0') {
          error = "--color: expected CHANNEL=RRGGBB in hex, got '" + item + "'";
          return false;
        }
        d.color = static_cast<std::uint32_t>(rgb);
        d.lut = render::Lut::Solid;
      } else if (e.option == "--lut") {
        render::Lut lut;
        if (!render::lutFromName(v, lut)) {
          error = "--lut: unknown LUT '" + v +
                  "' (grays, fire, viridis, magma, inferno, cividis, glasbey)";
          return false;
        }
        d.lut = lut;
      } else if (e.option == "--gamma") {
        double g = 0;
        if (!parseNumber(v, g) || g <= 0 || g > 10) {
          error = "--gamma: expected CHANNEL=G with 0 < G <= 10, got '" + item + "'";
          return false;
        }
        d.gamma = g;
      }
    }
  }
  return true;
}

}  // namespace tessera::app
