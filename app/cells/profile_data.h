#pragma once
/// What the Expression profile panel draws for one gene over one categorical obs column: per
/// group, the mean, 5th/25th/50th/75th/95th percentiles and a histogram on bins shared by every
/// group (data::summarizeGroups) for its violin. Pure function of plain values; any thread
/// (the GUI calls it with a column already in memory: O(cells) plus a sort per group).
#include <cstdint>
#include <vector>

#include "data/cells/cell_table.h"
#include "widgets/profile_panel.h"

namespace tessera::app {

/// `values` has one entry per cell; cells with code -1 belong to no group; `palette` gives each
/// category's colour (grey past its end).
std::vector<widgets::ProfilePanel::Box> profileBoxes(const std::vector<float>& values,
                                                     const data::CellColumn& groups,
                                                     const std::vector<std::uint32_t>& palette,
                                                     int bins = 32);

/// Mean of `values` over the cells with mask != 0 and over the rest (0 for an empty side).
std::pair<double, double> selectionMeans(const std::vector<float>& values,
                                         const std::vector<std::uint8_t>& mask);

}  // namespace tessera::app
