#include "app/cells/profile_data.h"

#include <algorithm>

#include "data/expression/group_summary.h"

namespace tessera::app {

std::vector<widgets::ProfilePanel::Box> profileBoxes(const std::vector<float>& values,
                                                     const data::CellColumn& groups,
                                                     const std::vector<std::uint32_t>& palette,
                                                     int bins) {
  const std::size_t n = std::min(values.size(), groups.codes.size());
  std::vector<std::vector<float>> by(groups.categories.size());
  std::vector<std::int32_t> rows;
  std::vector<float> nonzero;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = groups.codes[i];
    if (c >= 0 && static_cast<std::size_t>(c) < by.size())
      by[static_cast<std::size_t>(c)].push_back(values[i]);
    if (values[i] != 0) {
      rows.push_back(static_cast<std::int32_t>(i));
      nonzero.push_back(values[i]);
    }
  }
  // The engine's summaries give the shared-bin histograms the violins are drawn from.
  const std::span<const std::int32_t> codes(groups.codes.data(), n);
  auto summary = data::summarizeGroups(static_cast<std::int64_t>(n), rows, nonzero, codes,
                                       groups.categories, bins);
  std::vector<widgets::ProfilePanel::Box> out;
  for (std::size_t c = 0; c < by.size(); ++c) {
    auto& v = by[c];
    widgets::ProfilePanel::Box b;
    b.label = QString::fromStdString(groups.categories[c]);
    b.rgb = c < palette.size() ? palette[c] : 0x808080;
    if (!v.empty()) {
      double sum = 0;
      for (float x : v)
        sum += x;
      b.mean = sum / static_cast<double>(v.size());
      auto q = [&](double f) {
        auto it = v.begin() + static_cast<std::ptrdiff_t>(f * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), it, v.end());
        return static_cast<double>(*it);
      };
      b.p5 = q(0.05), b.q1 = q(0.25), b.median = q(0.5), b.q3 = q(0.75), b.p95 = q(0.95);
    }
    if (summary && c < summary->groups.size() && summary->hi > summary->lo) {
      const auto& h = summary->groups[c].histogram;
      b.density.assign(h.begin(), h.end());
      b.densityLo = summary->lo;
      b.densityHi = summary->hi;
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::pair<double, double> selectionMeans(const std::vector<float>& values,
                                         const std::vector<std::uint8_t>& mask) {
  double in = 0, out = 0;
  std::int64_t nIn = 0, nOut = 0;
  const std::size_t n = std::min(values.size(), mask.size());
  for (std::size_t i = 0; i < n; ++i)
    if (mask[i]) {
      in += values[i];
      ++nIn;
    } else {
      out += values[i];
      ++nOut;
    }
  return {nIn > 0 ? in / static_cast<double>(nIn) : 0.0,
          nOut > 0 ? out / static_cast<double>(nOut) : 0.0};
}

}  // namespace tessera::app
