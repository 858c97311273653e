#include "app/cells/cells_coloring.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::app {

std::optional<std::uint32_t> parseHexColor(const std::string& s) {
  if ((s.size() != 7 && s.size() != 9) || s[0] != '#') return std::nullopt;
  std::uint32_t v = 0;
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

data::Expected<ResolvedColoring> resolveCliColoring(const CellsData& d, const ColorBy& by) {
  if (by.kind != ColorBy::Kind::Gene) return resolveColoring(d, by);
  const auto g = d.table->geneIndex(by.name);
  if (g < 0)
    return data::fail(data::Errc::NotFound,
                      d.table->location + ": gene '" + by.name + "' not found");
  auto values = geneValuesNow(d, g);
  if (!values) return std::unexpected(values.error());
  return resolveColoring(d, by, std::move(*values));
}

std::vector<std::uint32_t> columnPalette(const data::CellColumn& c,
                                         const std::map<int, std::uint32_t>& custom) {
  std::vector<std::uint32_t> palette(c.categories.size());
  for (std::size_t i = 0; i < palette.size(); ++i) {
    std::optional<std::uint32_t> rgb;
    if (c.colors.size() == c.categories.size()) rgb = parseHexColor(c.colors[i]);
    palette[i] = rgb ? *rgb : render::categoryColor(static_cast<std::int64_t>(i));
    if (auto it = custom.find(static_cast<int>(i)); it != custom.end()) palette[i] = it->second;
  }
  return palette;
}

std::vector<std::uint8_t> hiddenMask(const data::CellColumn* groups, const std::set<int>& hidden) {
  if (!groups || hidden.empty()) return {};
  std::vector<std::uint8_t> mask(groups->codes.size(), 0);
  for (std::size_t i = 0; i < mask.size(); ++i)
    mask[i] = hidden.count(groups->codes[i]) ? 1 : 0;
  return mask;
}

namespace {
// The p-th percentile of a gene's finite values as data::ai::percentile gives it (numpy's
// linear interpolation), without selecting among a million values: a gene is mostly zeros, so
// an order statistic that falls among them is 0, and only the negatives or positives (`neg`,
// `pos`, reordered here) are searched otherwise.
double sparsePercentile(std::vector<float>& neg, std::size_t zeros, std::vector<float>& pos,
                        double p) {
  const std::size_t n = neg.size() + zeros + pos.size();
  if (n == 0) return 0;
  auto nth = [&](std::size_t k) -> double {  // the k-th smallest, 0-based
    if (k < neg.size()) {
      std::nth_element(neg.begin(), neg.begin() + static_cast<std::ptrdiff_t>(k), neg.end());
      return neg[k];
    }
    k -= neg.size();
    if (k < zeros) return 0;
    k -= zeros;
    std::nth_element(pos.begin(), pos.begin() + static_cast<std::ptrdiff_t>(k), pos.end());
    return pos[k];
  };
  const double at = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(n - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const double frac = at - static_cast<double>(lo);
  const double a = nth(lo);
  if (frac == 0 || lo + 1 >= n) return a;
  const double b = nth(lo + 1);
  return a + (b - a) * frac;
}

ResolvedColoring continuous(std::vector<float> values, const std::string& title, const ColorBy& by,
                            bool percentiles) {
  ResolvedColoring r;
  // One pass: the range, and for percentiles the non-zero finite values apart from the zeros
  // (most of a gene's cells, hence tested first).
  float fmin = std::numeric_limits<float>::infinity(), fmax = -fmin;
  std::vector<float> neg, pos;
  std::size_t zeros = 0, finite = 0;
  const bool split = percentiles && !by.range;
  for (const float v : values) {
    if (v == 0) {
      ++zeros;
      continue;
    }
    if (!std::isfinite(v)) continue;
    ++finite;
    fmin = std::min(fmin, v);
    fmax = std::max(fmax, v);
    if (split) (v < 0 ? neg : pos).push_back(v);
  }
  if (zeros > 0) fmin = std::min(fmin, 0.0f), fmax = std::max(fmax, 0.0f);
  const bool any = finite + zeros > 0;
  double lo = any ? fmin : 0, hi = any ? fmax : 0;
  if (split && any) {
    // A gene's range is its 1st–99th percentile: a few bright cells would otherwise leave the
    // rest dark. Kept as min–max when most cells share one value (a sparse gene's zeros).
    const double p1 = sparsePercentile(neg, zeros, pos, kGeneRangeLowPercentile);
    const double p99 = sparsePercentile(neg, zeros, pos, kGeneRangeHighPercentile);
    if (p99 > p1) lo = p1, hi = p99;
  }
  if (by.range) lo = by.range->first, hi = by.range->second;
  if (hi <= lo) hi = lo + 1;
  r.coloring = render::OverlayColoring::scalar(std::move(values), by.lut, lo, hi);
  r.legend.title = title;
  r.legend.continuous = true;
  r.legend.lut = by.lut;
  r.legend.min = lo;
  r.legend.max = hi;
  return r;
}
}  // namespace

data::Expected<ResolvedColoring> resolveColoring(const CellsData& d, const ColorBy& by,
                                                 std::vector<float> gene) {
  const auto& t = *d.table;
  if (by.kind == ColorBy::Kind::Gene) {
    const auto g = t.geneIndex(by.name);
    if (g < 0)
      return data::fail(data::Errc::NotFound, t.location + ": gene '" + by.name + "' not found");
    if (!d.expression || static_cast<std::int64_t>(gene.size()) != d.size())
      return data::fail(data::Errc::NotFound,
                        t.location + ": no expression values for gene '" + by.name + "'");
    return continuous(std::move(gene), by.name, by, true);
  }
  const data::CellColumn* c = nullptr;
  if (by.kind == ColorBy::Kind::Column) {
    c = t.column(by.name);
    if (!c)
      return data::fail(data::Errc::NotFound,
                        t.location + ": obs column '" + by.name + "' not found");
  } else {
    c = d.defaultGroups();
    if (!c) {
      ResolvedColoring r;
      r.coloring = render::OverlayColoring::solidColor(0x40E0FF);
      return r;
    }
  }
  if (c->kind == data::CellColumnKind::Numeric || c->kind == data::CellColumnKind::Bool) {
    std::vector<float> v(c->numbers.begin(), c->numbers.end());
    return continuous(std::move(v), c->name, by, false);
  }
  if (c->kind != data::CellColumnKind::Categorical)
    return data::fail(data::Errc::Unsupported,
                      t.location + ": obs column '" + c->name +
                          "' holds strings; colour by a categorical or numeric column");
  ResolvedColoring r;
  r.column = c;
  auto palette = columnPalette(*c, by.customColors);
  std::vector<std::int64_t> counts(c->categories.size(), 0);
  for (auto code : c->codes)
    if (code >= 0 && static_cast<std::size_t>(code) < counts.size())
      ++counts[static_cast<std::size_t>(code)];
  r.legend.title = c->name;
  for (std::size_t i = 0; i < c->categories.size(); ++i)
    r.legend.entries.push_back({c->categories[i], palette[i], counts[i]});
  r.coloring = render::OverlayColoring::categorical(c->codes, std::move(palette));
  return r;
}

}  // namespace tessera::app
