#include "data/expression/group_summary.h"

#include <algorithm>
#include <cmath>

namespace tessera::data {
namespace {

// numpy's _lerp: a + (b - a) t, computed from b when t >= 0.5 for symmetry.
double lerp(double a, double b, double t) {
  const double d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

// Element k of a group's sorted values: its negatives, then `zeros` zeros, then positives.
struct SortedGroup {
  std::vector<double> neg, pos;  // each ascending
  std::int64_t zeros = 0;
  std::int64_t size() const { return static_cast<std::int64_t>(neg.size() + pos.size()) + zeros; }
  double at(std::int64_t k) const {
    const auto nn = static_cast<std::int64_t>(neg.size());
    if (k < nn) return neg[k];
    if (k < nn + zeros) return 0;
    return pos[k - nn - zeros];
  }
  // numpy.quantile(method="linear").
  double quantile(double q) const {
    const std::int64_t n = size();
    const double h = static_cast<double>(n - 1) * q;
    const auto lo = static_cast<std::int64_t>(std::floor(h));
    const std::int64_t hi = std::min(lo + 1, n - 1);
    return lerp(at(lo), at(hi), h - static_cast<double>(lo));
  }
};

// numpy.histogram's bin of v for equal bins on [lo, hi] (edges as numpy.linspace makes them).
int binOf(double v, double lo, double hi, int bins, const std::vector<double>& edges) {
  const double norm = bins / (hi - lo);
  int i = static_cast<int>((v - lo) * norm);
  if (i >= bins) i = bins - 1;
  if (i < 0) i = 0;
  if (v < edges[i])
    --i;
  else if (i != bins - 1 && v >= edges[i + 1])
    ++i;
  return i;
}

}  // namespace

Expected<GroupSummaries> summarizeGroups(std::int64_t nCells, std::span<const std::int32_t> rows,
                                         std::span<const float> values,
                                         std::span<const std::int32_t> codes,
                                         const std::vector<std::string>& categories, int bins) {
  if (static_cast<std::int64_t>(codes.size()) != nCells)
    return fail(Errc::InvalidArgument, "group codes have " + std::to_string(codes.size()) +
                                           " entries for " + std::to_string(nCells) + " cells");
  if (bins < 1) return fail(Errc::InvalidArgument, "histogram needs at least one bin");
  const auto nGroups = static_cast<std::int32_t>(categories.size());
  std::vector<SortedGroup> sorted(categories.size());
  GroupSummaries out;
  out.bins = bins;
  out.groups.resize(categories.size());
  for (std::size_t k = 0; k < categories.size(); ++k) {
    out.groups[k].name = categories[k];
    out.groups[k].histogram.assign(static_cast<std::size_t>(bins), 0);
  }
  for (const std::int32_t c : codes) {
    if (c < -1 || c >= nGroups)
      return fail(Errc::InvalidArgument, "group code " + std::to_string(c) + " outside [-1, " +
                                             std::to_string(nGroups) + ")");
    if (c >= 0) ++out.groups[c].cells;
  }
  std::vector<double> sums(categories.size(), 0.0);
  std::vector<std::int64_t> nonzero(categories.size(), 0);
  double lo = 0, hi = 0;
  const bool anyZero = static_cast<std::int64_t>(values.size()) < nCells;
  bool first = !anyZero;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const double v = values[k];
    if (first) lo = hi = v;
    first = false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    const std::int32_t c = codes[rows[k]];
    if (c < 0 || v == 0) continue;
    sums[c] += v;
    ++nonzero[c];
    (v < 0 ? sorted[c].neg : sorted[c].pos).push_back(v);
  }
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  out.lo = lo;
  out.hi = hi;
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  const double step = (hi - lo) / bins;
  for (int b = 0; b < bins; ++b)
    edges[b] = lo + b * step;
  edges[bins] = hi;
  const int zeroBin = binOf(0.0, lo, hi, bins, edges);
  for (std::size_t g = 0; g < categories.size(); ++g) {
    GroupSummary& s = out.groups[g];
    SortedGroup& sg = sorted[g];
    sg.zeros = s.cells - nonzero[g];
    s.histogram[zeroBin] += sg.zeros;
    for (const auto* part : {&sg.neg, &sg.pos})
      for (const double v : *part)
        ++s.histogram[binOf(v, lo, hi, bins, edges)];
    if (s.cells == 0) continue;
    std::sort(sg.neg.begin(), sg.neg.end());
    std::sort(sg.pos.begin(), sg.pos.end());
    s.mean = sums[g] / static_cast<double>(s.cells);
    s.fracExpressing = static_cast<double>(nonzero[g]) / static_cast<double>(s.cells);
    const double qs[5] = {0, 0.25, 0.5, 0.75, 1};
    for (int q = 0; q < 5; ++q)
      s.quantiles[q] = sg.quantile(qs[q]);
  }
  return out;
}

}  // namespace tessera::data
