#include "app/core/session_state.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QSlider>
#include <algorithm>
#include <cmath>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/transcripts_layer.h"
#include "app/gui/transcripts_panel.h"
#include "render/channel_display.h"
#include "widgets/channel_panel.h"
#include "widgets/genes_panel.h"
#include "widgets/image_view.h"

namespace tessera::app {

PanelState capturePanelState(CellsLinker& linker) {
  const CellsSession& session = linker.session();
  PanelState s;
  const ColorBy& by = session.colorBy();
  if (by.kind == ColorBy::Kind::Gene) s.colorKind = "gene";
  if (by.kind == ColorBy::Kind::Column) s.colorKind = "column";
  s.colorName = QString::fromStdString(by.name);
  s.lut = QString::fromLatin1(render::lutName(by.lut));
  s.range = by.range;
  if (const auto* g = session.groups()) s.groups = QString::fromStdString(g->name);
  if (const auto* o = linker.imageOverlay()) {
    s.overlayVisible = o->visible();
    s.overlayOpacity = o->opacity();
    s.overlayStyle = static_cast<int>(o->style());
    s.pointSize = o->pointSize();
  }
  s.profileGenes = linker.profileGenes();
  if (const auto d = session.data(); d && !d->ex.empty())
    s.basis = QString::fromStdString(d->embeddingKey);
  const LinkedWidgets& w = linker.widgets();
  s.geneSearch = w.genes->searchBox()->text();
  if (const auto* t = linker.transcripts()->data(); t && w.transcripts) {
    const auto shown = w.transcripts->shownGenes();
    QStringList hidden;
    for (std::size_t g = 0; g < t->genes.size() && g < shown.size(); ++g)
      if (!shown[g]) hidden << QString::fromStdString(t->genes[g]);
    s.hiddenTranscriptGenes = hidden;
  }
  return s;
}

void applyPanelState(CellsLinker& linker, const PanelState& s) {
  CellsSession& session = linker.session();
  const auto d = session.data();
  if (!d) return;
  const data::CellTable& t = *d->table;
  if (const auto* c = t.column(s.groups.toStdString());
      c && c->kind == data::CellColumnKind::Categorical)
    session.setGroups(s.groups);
  if (s.colorKind == "gene" && t.geneIndex(s.colorName.toStdString()) >= 0)
    session.colorByGene(s.colorName);
  else if (s.colorKind == "column" && t.column(s.colorName.toStdString()))
    session.colorByColumn(s.colorName);
  // Another basis before the colouring's values arrive: they apply to any basis of the table.
  if (!s.basis.isEmpty() && s.basis.toStdString() != d->embeddingKey)
    if (auto other = withBasis(*d, s.basis.toStdString())) session.setBasis(std::move(other));
  render::Lut lut;
  if (render::lutFromName(s.lut.toStdString(), lut)) session.setLut(lut);
  if (s.range) session.setRange(s.range);

  // Overlay choices go through the Channels panel's controls so they show what is applied.
  const LinkedWidgets& w = linker.widgets();
  if (auto* o = linker.imageOverlay()) {
    o->setPointSize(s.pointSize);
    if (s.overlayStyle >= 0) o->setStyle(static_cast<CellStyle>(s.overlayStyle));
    if (const int row = linker.overlayRow(); row >= 0) {
      w.channels->setOverlayStyle(row, static_cast<int>(o->style()));
      if (auto* v = w.channels->overlayVisible(row)) v->setChecked(s.overlayVisible);
      if (auto* op = w.channels->overlayOpacity(row))
        op->setValue(static_cast<int>(std::lround(s.overlayOpacity * 100)));
    } else {
      o->setVisible(s.overlayVisible);
      o->setOpacity(s.overlayOpacity);
    }
  }
  QStringList genes;
  for (const auto& g : s.profileGenes)
    if (t.geneIndex(g.toStdString()) >= 0) genes << g;
  // The search first: filtering the Genes list may change its selection, which the profile
  // shows.
  if (w.genes->searchBox()->text() != s.geneSearch) w.genes->searchBox()->setText(s.geneSearch);
  if (genes != linker.profileGenes()) linker.showProfileGenes(genes);
  applyTranscriptGenes(linker, s);
  w.image->requestRender();
}

void applyTranscriptGenes(CellsLinker& linker, const PanelState& s) {
  const LinkedWidgets& w = linker.widgets();
  const auto* tx = linker.transcripts()->data();
  if (!tx || !w.transcripts || !s.hiddenTranscriptGenes) return;
  if (capturePanelState(linker).hiddenTranscriptGenes == s.hiddenTranscriptGenes) return;
  QStringList shown;
  for (const auto& g : tx->genes)
    if (!s.hiddenTranscriptGenes->contains(QString::fromStdString(g)))
      shown << QString::fromStdString(g);
  w.transcripts->showOnly(shown);  // the panel's change reaches the layer through the linker
}

}  // namespace tessera::app
