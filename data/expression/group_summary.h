#pragma once
/// Per-group summaries of one gene for an obs categorical (the Genes panel's dot plot and
/// violins): cells, mean, fraction expressing (value != 0), the quantiles 0, .25, .5, .75, 1
/// (numpy's default linear interpolation) and a histogram on bins shared by every group
/// (numpy.histogram's rules on [min, max] of the gene over all cells, including zeros).
/// The gene comes as a sparse column (rows + values, any order; absent = 0), so the zeros of
/// a group cost one count, not one element each. Cells whose code is -1 (missing) belong to
/// no group. Pure function; any thread. Errc::InvalidArgument when codes do not match the cell
/// count or a code is outside [-1, categories).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::data {

struct GroupSummary {
  std::string name;
  std::int64_t cells = 0;
  double mean = 0;
  double fracExpressing = 0;
  std::array<double, 5> quantiles{};  ///< min, q25, median, q75, max (0 for an empty group)
  std::vector<std::int64_t> histogram;
};

struct GroupSummaries {
  double lo = 0, hi = 0;  ///< histogram range: bin k covers [lo + k w, lo + (k+1) w)
  int bins = 0;
  std::vector<GroupSummary> groups;  ///< one per category, in category order
};

Expected<GroupSummaries> summarizeGroups(std::int64_t nCells, std::span<const std::int32_t> rows,
                                         std::span<const float> values,
                                         std::span<const std::int32_t> codes,
                                         const std::vector<std::string>& categories, int bins = 32);

}  // namespace tessera::data
