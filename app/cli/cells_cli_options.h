#pragma once
/// The cell options shared by `tessera render` and `tessera render-embedding`:
/// --cells FILE, --color-by GENE|COLUMN, --lut NAME (no '='; `--lut C=NAME` stays a channel
/// option), --range A:B, --cell-style points|outlines|filled. Plain parsing; any thread.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_overlay.h"

namespace tessera::app {

struct CellsOptions {
  std::filesystem::path cells;
  std::string colorBy;
  std::optional<render::Lut> lut;
  std::optional<std::pair<double, double>> range;
  std::optional<CellStyle> style;
  std::string error;  ///< set when parsing fails
  /// A gene when the table has one by that name, else a column (Default when empty).
  ColorBy toColorBy(const CellsData& d) const;
};

enum class CellsOption { NotMine, Taken, Bad };

/// Consumes option `a` (pulling its value through `value`) when it is one of the above.
CellsOption parseCellsOption(const std::string& a,
                             const std::function<std::optional<std::string>()>& value,
                             CellsOptions& out);

}  // namespace tessera::app
