#pragma once
/// The user's choices on one dataset's cells, kept between runs: colour-by (gene or obs
/// column), LUT and range, the Clusters panel's column, the cells overlay's visibility,
/// opacity, style and point size, and the genes the Expression profile shows. Saved in
/// QSettings under "datasets/<sha1 of the absolute path>/" (the path itself is stored too), so
/// reopening the same file or folder restores them; the gene-search text is not kept.
/// GUI thread (QSettings and the linker's widgets). A saved choice that no longer applies (a gene
/// or column the table lost) is skipped silently.
#include <QString>
#include <QStringList>
#include <filesystem>
#include <optional>
#include <utility>

namespace tessera::app {

class CellsLinker;

struct PanelState {
  QString colorKind;  ///< "gene", "column" or "" (the default colouring)
  QString colorName;
  QString lut;  ///< render::lutName
  std::optional<std::pair<double, double>> range;
  QString groups;  ///< the Clusters panel's categorical column
  bool overlayVisible = true;
  double overlayOpacity = 1;
  int overlayStyle = 0;  ///< CellStyle; -1 leaves the overlay's own choice for the data
  double pointSize = 4;  ///< px, the cells overlay's minimum dot size
  QStringList profileGenes;
  bool operator==(const PanelState&) const = default;
};

/// The QSettings group for a dataset ("datasets/<hex>").
QString panelStateGroup(const std::filesystem::path& dataset);
void savePanelState(const std::filesystem::path& dataset, const PanelState& state);
std::optional<PanelState> loadPanelState(const std::filesystem::path& dataset);

/// What `linker` shows now / makes it show `state` (through the same panels the user edits).
PanelState capturePanelState(CellsLinker& linker);
void applyPanelState(CellsLinker& linker, const PanelState& state);

}  // namespace tessera::app
