// The window's cells side of the model: the current selection (lasso, box, a click, a recalled
// name) and the named selections go into the model as undoable edits, and come back from it onto
// the cells (undo, redo, a session file, a table that finished loading); a colour-by request is
// recorded at once, before the gene's values arrive, so an undo right after it undoes it; the
// embedding basis, the Genes search and the transcript genes shown are edits of the cells layer.
#include <QLineEdit>
#include <algorithm>
#include <utility>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/cells/transcripts_layer.h"
#include "app/core/session_display.h"
#include "app/gui/main_window.h"
#include "app/gui/transcripts_panel.h"
#include "widgets/genes_panel.h"

namespace tessera::app {

void MainWindow::wireCellsModel() {
  auto& cs = cells_->session();
  connect(&cs, &CellsSession::colorByRequested, this,
          [this] { cellsEdited(tr("Colour by gene")); });
  connect(&cs, &CellsSession::selectionChanged, this, &MainWindow::selectionEdited);
  connect(&cs, &CellsSession::namedSelectionsChanged, this, &MainWindow::namedSelectionsEdited);
  connect(&cs, &CellsSession::embeddingChanged, this,
          [this] { cellsEdited(tr("Embedding basis")); });
  connect(cells_.get(), &CellsLinker::profileGenesChanged, this,
          [this] { cellsEdited(tr("Profile genes")); });
  connect(genes_->searchBox(), &QLineEdit::textChanged, this,
          [this] { cellsEdited(tr("Search genes")); });
  connect(transcripts_, &TranscriptsPanel::shownChanged, this,
          [this] { cellsEdited(tr("Transcript genes")); });
  // Transcripts load after their table: the layer's hidden genes go onto them then.
  connect(cells_->transcripts(), &TranscriptsLayer::loaded, this, [this] {
    const auto* l = model_.session().firstLayer(data::LayerKind::Cells);
    if (!l) return;
    const bool was = std::exchange(applying_, true);
    applyTranscriptGenes(*cells_, toPanelState(*l));
    applying_ = was;
  });
}

void MainWindow::selectionEdited() {
  const auto& cs = cells_->session();
  if (applying_ || !cellsReady_ || !cs.data()) return;
  const auto& cells = cs.selection();
  editing_ = true;
  model_.setCurrentSelection(cells, cells.empty() ? "Clear selection" : "Select cells");
  editing_ = false;
}

void MainWindow::namedSelectionsEdited() {
  const auto& cs = cells_->session();
  if (applying_ || !cellsReady_ || !cs.data()) return;
  std::map<std::string, std::vector<std::uint32_t>> named;
  for (const auto& [name, cells] : cs.namedSelections())
    named[name.toStdString()] = cells;
  editing_ = true;
  for (const auto& [name, cells] : std::map(model_.session().selections))
    if (!named.count(name)) model_.removeSelection(name);
  for (const auto& [name, cells] : named)
    model_.setSelection(name, cells);
  editing_ = false;
}

void MainWindow::replaceCellsData(std::shared_ptr<const CellsData> data) {
  // The cells session recolours the new table before it says `loaded` (which is when the
  // window stops recording): not ready from here, so that recolouring is not taken for an edit.
  cellsReady_ = false;
  cells_->session().setData(std::move(data));
}

void MainWindow::applySelections() {
  auto& cs = cells_->session();
  if (!cs.data()) return;
  const auto n = static_cast<std::uint32_t>(cs.data()->size());
  // Indices past the table's end (a session saved over another table) are left out.
  auto valid = [n](const std::vector<std::uint32_t>& cells) {
    std::vector<std::uint32_t> out;
    for (auto c : cells)
      if (c < n) out.push_back(c);
    return out;
  };
  std::map<QString, std::vector<std::uint32_t>> named;
  for (const auto& [name, cells] : model_.session().selections)
    named[QString::fromStdString(name)] = valid(cells);
  const auto selection = valid(model_.session().selection);
  auto shown = cs.selection();
  std::sort(shown.begin(), shown.end());
  const bool was = std::exchange(applying_, true);
  cs.setNamedSelections(std::move(named));
  if (shown != selection) cs.applyPick(selection, widgets::SelectOp::Replace);
  applying_ = was;
}

}  // namespace tessera::app
