#include "app/core/session_state.h"

#include <QCheckBox>
#include <QCryptographicHash>
#include <QSettings>
#include <QSlider>
#include <algorithm>
#include <cmath>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "render/channel_display.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"

namespace tessera::app {
namespace {

QString absoluteKey(const std::filesystem::path& dataset) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::absolute(dataset, ec), ec);
  if (ec) p = std::filesystem::absolute(dataset, ec).lexically_normal();
  return QString::fromStdString(p.string());
}

}  // namespace

QString panelStateGroup(const std::filesystem::path& dataset) {
  const QByteArray hash =
      QCryptographicHash::hash(absoluteKey(dataset).toUtf8(), QCryptographicHash::Sha1);
  return QStringLiteral("datasets/") + QString::fromLatin1(hash.toHex());
}

void savePanelState(const std::filesystem::path& dataset, const PanelState& s) {
  QSettings settings;
  settings.remove(panelStateGroup(dataset));
  settings.beginGroup(panelStateGroup(dataset));
  settings.setValue("path", absoluteKey(dataset));
  settings.setValue("colorKind", s.colorKind);
  settings.setValue("colorName", s.colorName);
  settings.setValue("lut", s.lut);
  if (s.range) {
    settings.setValue("rangeMin", s.range->first);
    settings.setValue("rangeMax", s.range->second);
  }
  settings.setValue("groups", s.groups);
  settings.setValue("overlayVisible", s.overlayVisible);
  settings.setValue("overlayOpacity", s.overlayOpacity);
  settings.setValue("overlayStyle", s.overlayStyle);
  settings.setValue("pointSize", s.pointSize);
  settings.setValue("profileGenes", s.profileGenes);
  settings.endGroup();
}

std::optional<PanelState> loadPanelState(const std::filesystem::path& dataset) {
  QSettings settings;
  settings.beginGroup(panelStateGroup(dataset));
  // The stored path guards against a hash collision and against stale groups.
  if (settings.value("path").toString() != absoluteKey(dataset)) return std::nullopt;
  PanelState s;
  s.colorKind = settings.value("colorKind").toString();
  s.colorName = settings.value("colorName").toString();
  s.lut = settings.value("lut").toString();
  if (settings.contains("rangeMin") && settings.contains("rangeMax"))
    s.range = std::make_pair(settings.value("rangeMin").toDouble(),
                             settings.value("rangeMax").toDouble());
  s.groups = settings.value("groups").toString();
  s.overlayVisible = settings.value("overlayVisible", true).toBool();
  s.overlayOpacity = std::clamp(settings.value("overlayOpacity", 1.0).toDouble(), 0.0, 1.0);
  s.overlayStyle = std::clamp(settings.value("overlayStyle", 0).toInt(), 0, 2);
  s.pointSize = std::clamp(settings.value("pointSize", 4.0).toDouble(), 0.5, 64.0);
  s.profileGenes = settings.value("profileGenes").toStringList();
  return s;
}

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
  if (!genes.isEmpty()) linker.showProfileGenes(genes);
  w.image->requestRender();
}

}  // namespace tessera::app
