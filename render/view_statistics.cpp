#include "render/view_statistics.h"

#include <algorithm>
#include <cmath>

namespace tessera::render {

ChannelStats computeStats(std::vector<double> samples, int bins) {
  ChannelStats s;
  std::erase_if(samples, [](double v) { return !std::isfinite(v); });
  s.samples = samples.size();
  s.bins.assign(static_cast<std::size_t>(std::max(1, bins)), 0);
  if (samples.empty()) return s;
  const auto [mn, mx] = std::minmax_element(samples.begin(), samples.end());
  s.min = *mn;
  s.max = *mx;
  const double span = s.max > s.min ? s.max - s.min : 1.0;
  for (const double v : samples) {
    auto b = static_cast<std::size_t>((v - s.min) / span * static_cast<double>(s.bins.size()));
    s.bins[std::min(b, s.bins.size() - 1)]++;
  }
  auto at = [&](double q) {
    const auto k = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k),
                     samples.end());
    return samples[k];
  };
  s.window = {at(0.005), at(0.995)};
  if (!(s.window[1] > s.window[0])) s.window[1] = s.window[0] + 1.0;
  return s;
}

}  // namespace tessera::render
