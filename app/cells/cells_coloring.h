#pragma once
/// What the cells are coloured by (a gene, a categorical obs column, a numeric obs column) and
/// how that becomes per-cell colours and a legend. Pure functions over CellsData; any thread.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/cells/cells_data.h"
#include "render/overlay_colors.h"

namespace tessera::app {

struct ColorBy {
  enum class Kind { Default, Gene, Column };
  Kind kind = Kind::Default;  ///< Default: the default group column, else solid
  std::string name;           ///< gene or obs column
  render::Lut lut = render::Lut::Viridis;
  std::optional<std::pair<double, double>> range;  ///< continuous range; auto when empty
  /// Categorical colour overrides per category index (the Clusters panel's edits).
  std::map<int, std::uint32_t> customColors;
};

struct LegendSpec {
  std::string title;
  bool continuous = false;
  render::Lut lut = render::Lut::Viridis;
  double min = 0, max = 1;
  struct Entry {
    std::string label;
    std::uint32_t rgb = 0;
    std::int64_t count = 0;
  };
  std::vector<Entry> entries;  ///< categorical
};

struct ResolvedColoring {
  render::OverlayColoring coloring;
  LegendSpec legend;
  /// Per-cell value shown on hover (gene/numeric), else empty: the scalars the colours come
  /// from, not a copy of them (a million cells' copy cost a gene switch about 1.5 ms).
  const std::vector<float>& values() const {
    static const std::vector<float> none;
    return coloring.mode == render::OverlayColoring::Mode::Scalar ? coloring.scalars : none;
  }
  const data::CellColumn* column = nullptr;  ///< the categorical column, if any
};

/// A gene's automatic colour range: these percentiles of its values (min–max where they meet).
inline constexpr double kGeneRangeLowPercentile = 1, kGeneRangeHighPercentile = 99;

/// Resolves `by` against `d`; Errc::NotFound names the gene or column ("gene 'XYZ' not found").
/// A gene's values come from the engine beforehand (`gene`: one per cell, moved into the
/// colouring: copying a million of them was a fifth of a gene switch); without them a gene
/// colouring is Errc::NotFound.

data::Expected<ResolvedColoring> resolveColoring(const CellsData& d, const ColorBy& by,
                                                 std::vector<float> gene = {});

/// resolveColoring for the CLI: a gene's values are fetched from the engine first, waiting
/// (never on the GUI thread).
data::Expected<ResolvedColoring> resolveCliColoring(const CellsData& d, const ColorBy& by);

/// The palette of a categorical column: its uns colours, else categoryColor(i), with overrides.
std::vector<std::uint32_t> columnPalette(const data::CellColumn& c,
                                         const std::map<int, std::uint32_t>& custom = {});

/// Parses "#rrggbb" (or "#rrggbbaa"); nullopt otherwise.
std::optional<std::uint32_t> parseHexColor(const std::string& s);

/// Hidden mask from hidden category indices of a categorical column (empty when none hidden).
std::vector<std::uint8_t> hiddenMask(const data::CellColumn* groups, const std::set<int>& hidden);

}  // namespace tessera::app
