#include "app/cells/cells_labels.h"

#include <algorithm>
#include <unordered_map>

#include "app/cells/cells_session.h"
#include "data/cells/cell_table.h"
#include "data/spatial/label_centroids.h"
#include "render/label_layer.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"

namespace tessera::app {
namespace {

// Label values up to this many per cell go into a dense table (index = value); sparser ones
// into a map, so that a few huge values cannot allocate a huge table.
constexpr std::int64_t kDenseValuesPerCell = 4;

}  // namespace

std::vector<std::uint32_t> labelColorTable(std::span<const std::int64_t> labelValues,
                                           const render::OverlayColoring& coloring,
                                           std::span<const std::uint8_t> hidden) {
  std::int64_t top = -1;
  for (const auto v : labelValues)
    top = std::max(top, v);
  std::vector<std::uint32_t> table(static_cast<std::size_t>(top + 1), 0);
  for (std::size_t i = 0; i < labelValues.size(); ++i) {
    const auto v = labelValues[i];
    if (v < 0 || (i < hidden.size() && hidden[i])) continue;
    table[static_cast<std::size_t>(v)] = (render::itemColor(coloring, i) << 8) | 0xFF;
  }
  return table;
}

void colorLabelsByCells(render::LabelLayer& labels, std::span<const std::int64_t> labelValues,
                        const render::OverlayColoring& coloring,
                        std::span<const std::uint8_t> hidden) {
  if (labelValues.empty()) return;
  const auto top = *std::max_element(labelValues.begin(), labelValues.end());
  if (top <= 1024 + kDenseValuesPerCell * static_cast<std::int64_t>(labelValues.size())) {
    labels.useLabelColors(labelColorTable(labelValues, coloring, hidden));
    return;
  }
  std::unordered_map<std::int64_t, std::uint32_t> map;
  for (std::size_t i = 0; i < labelValues.size(); ++i)
    if (i >= hidden.size() || !hidden[i])
      map[labelValues[i]] = (render::itemColor(coloring, i) << 8) | 0xFF;
  labels.useLabelColors(std::move(map));
}

CellsLabels::CellsLabels(widgets::ImageView* view, widgets::ChannelPanel* panel,
                         CellsSession& session, QObject* parent)
    : QObject(parent), view_(view), panel_(panel), session_(session) {
  connect(&session_, &CellsSession::loaded, this, &CellsLabels::apply);
  connect(&session_, &CellsSession::coloringChanged, this, &CellsLabels::apply);
  connect(&session_, &CellsSession::hiddenChanged, this, &CellsLabels::apply);
  connect(panel_, &widgets::ChannelPanel::overlayVisibleChanged, this, [this](int i, bool v) {
    if (i != row_ || !view_->labels()) return;
    view_->labels()->setVisible(v);
    view_->requestRender();
  });
  connect(panel_, &widgets::ChannelPanel::overlayOpacityChanged, this, [this](int i, double o) {
    if (i != row_ || !view_->labels()) return;
    view_->labels()->setOpacity(o);
    view_->requestRender();
  });
}

void CellsLabels::labelsChanged(const QString& name,
                                std::map<std::int64_t, std::uint32_t> imageColors) {
  panel_->removeOverlay(row_);
  row_ = -1;
  imageColors_ = std::move(imageColors);
  linked_ = false;
  if (auto* labels = view_->labels())
    row_ = panel_->addOverlay(tr("Labels: %1").arg(name), {}, false, labels->opacity());
  apply();
}

void CellsLabels::apply() {
  auto* labels = view_->labels();
  if (!labels) return;
  const auto d = session_.data();
  const auto table = d ? d->table : nullptr;
  if (table != valuesOf_) {
    values_ = table ? data::cellLabelValues(*table) : std::vector<std::int64_t>{};
    valuesOf_ = table;
  }
  const auto& coloring = session_.coloring().coloring;
  const bool link =
      !values_.empty() && render::checkColoring(coloring, values_.size(), "cells").has_value();
  if (link) {
    colorLabelsByCells(*labels, values_, coloring, session_.hiddenMask());
  } else if (linked_) {
    if (imageColors_.empty())
      labels->usePalette();
    else
      labels->useLabelColors(std::unordered_map<std::int64_t, std::uint32_t>(imageColors_.begin(),
                                                                             imageColors_.end()));
  }
  linked_ = link;
  view_->requestRender();
}

}  // namespace tessera::app
