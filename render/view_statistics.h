#pragma once
/// Statistics of what is on screen, for the channel panel: a histogram and percentiles of a
/// channel's raw values over the visible tiles. Pure functions of samples; any thread.
#include <array>
#include <cstdint>
#include <vector>

namespace tessera::render {

struct ChannelStats {
  double min = 0, max = 0;             ///< of the finite samples
  std::vector<std::uint32_t> bins;     ///< equal-width bins over [min, max]
  std::array<double, 2> window{0, 1};  ///< 0.5 and 99.5 percentiles (end > start)
  std::size_t samples = 0;
};

ChannelStats computeStats(std::vector<double> samples, int bins = 128);

}  // namespace tessera::render
