#pragma once
/// The user's choices on the cells as the panels show them: colour-by (gene or obs column), LUT
/// and range, the Clusters panel's column (the Expression profile's groups too), the cells
/// overlay's visibility, opacity, style and point size, the genes the Expression profile shows,
/// the embedding basis, the Genes panel's search text and the transcript genes hidden. The
/// session model's cells layer holds them (session_display.h converts); nothing is kept
/// elsewhere, so a dataset opened anew comes up with its defaults and a session file brings
/// them back. GUI thread (the linker's widgets). A choice that no longer applies (a gene or
/// column the table lost) is skipped silently.
#include <QString>
#include <QStringList>
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
  QString basis;       ///< the obsm key shown in the Embedding dock ("" = the table's default)
  QString geneSearch;  ///< the Genes panel's search text
  /// Transcript genes not drawn; unset while no transcripts are loaded (the model's list stays).
  std::optional<QStringList> hiddenTranscriptGenes;
  bool operator==(const PanelState&) const = default;
};

/// What `linker` shows now / makes it show `state` (through the same panels the user edits).
PanelState capturePanelState(CellsLinker& linker);
void applyPanelState(CellsLinker& linker, const PanelState& state);
/// Only the transcript genes shown (once the transcripts have loaded; else nothing).
void applyTranscriptGenes(CellsLinker& linker, const PanelState& state);

}  // namespace tessera::app
