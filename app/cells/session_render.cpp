#include "app/cells/session_render.h"

#include <iostream>
#include <set>

#include "app/cli/cli_labels.h"
#include "app/core/app_context.h"
#include "app/core/layer_order.h"
#include "app/core/session_display.h"
#include "data/spatial/label_centroids.h"

namespace tessera::app {

render::RenderRequest sessionRenderRequest(const data::Session& session,
                                           const data::ImageInfo& info, int width, int height) {
  data::SessionCamera cam = session.camera;
  if (width > 0 && height > 0) cam.viewport = std::pair{width, height};
  render::RenderRequest req;
  if (!cam.isFit() || cam.viewport)
    req.region =
        cameraRegion(cam, static_cast<double>(info.width()), static_cast<double>(info.height()));
  if (cam.viewport) std::tie(req.width, req.height) = *cam.viewport;
  // The first image's channels with those of image layers joined to it (predictions).
  req.displays = toChannelDisplays(shownChannelStates(session));
  req.t = cam.t;
  req.z = cam.z;
  req.level = cam.level;
  setImageOrder(req, session);
  return req;
}

void setImageOrder(render::RenderRequest& req, const data::Session& session) {
  const auto depths = layerDepths(session);
  auto drawing = imageDrawing(depths);
  req.imageDepth = depths.image;
  req.imageChannels = std::move(drawing.first);
  req.upperImages = std::move(drawing.upper);
}

data::Expected<CellsLook> resolveCellsLook(std::shared_ptr<const CellsData> data,
                                           const data::Session& session,
                                           const data::SessionLayer& cellsLayer,
                                           const std::string& selection) {
  const auto& display = cellsLayer.cells;
  auto coloring = resolveCliColoring(*data, toColorBy(display));
  if (!coloring) return std::unexpected(coloring.error());
  CellsLook look;
  look.coloring = std::move(*coloring);
  if (display.style == "points") look.style = CellStyle::Points;
  if (display.style == "outlines") look.style = CellStyle::Outlines;
  if (display.style == "filled") look.style = CellStyle::Filled;
  look.opacity = cellsLayer.opacity;
  look.pointSize = display.pointSize;
  const LayerDepths depths = layerDepths(session);
  look.depth = depths.cells;
  look.labelsDepth = depths.labels;
  if (!display.hiddenCategories.empty()) {
    const auto* groups =
        display.groups.empty() ? data->defaultGroups() : data->table->column(display.groups);
    look.hidden = hiddenMask(
        groups, std::set<int>(display.hiddenCategories.begin(), display.hiddenCategories.end()));
  }
  if (auto it = session.selections.find(selection);
      !selection.empty() && it != session.selections.end()) {
    const auto n = static_cast<std::uint32_t>(data->size());
    for (auto c : it->second)
      if (c < n) look.selection.push_back(c);
  }
  look.data = std::move(data);
  return look;
}

render::Decorate cellsDecorate(CellsLook look, std::shared_ptr<const data::TileSource> labels,
                               AppContext& ctx) {
  // Labels whose values name the table's cells take the cells' colours (SpatialData).
  auto labelValues = std::make_shared<const std::vector<std::int64_t>>(
      labels ? data::cellLabelValues(*look.data->table) : std::vector<std::int64_t>{});
  return [look = std::move(look), &ctx, labels, labelValues](vtkRenderer* r,
                                                             const render::ViewCamera& cam) {
    std::shared_ptr<void> labelLayer;
    const auto& coloring = look.coloring.coloring;
    if (labels && !labelValues->empty() &&
        render::checkColoring(coloring, labelValues->size(), "cells")) {
      auto drawn = drawCellLabelsOffscreen(r, cam, ctx.cache, labels, *labelValues, coloring,
                                           look.labelsDepth);
      if (drawn)
        labelLayer = *drawn;
      else
        std::cerr << "tessera: " << drawn.error().message << "\n";
    }
    auto overlay = std::make_shared<CellsOverlay>(r);
    if (auto e = overlay->setData(look.data); !e)
      std::cerr << "tessera: " << e.error().message << "\n";
    if (look.style) overlay->setStyle(*look.style);
    overlay->setDepthOffset(look.depth);
    if (look.pointSize > 0) overlay->setPointSize(look.pointSize);  // as the window draws it
    if (look.opacity < 1) overlay->setOpacity(look.opacity);
    if (auto e = overlay->setColoring(coloring); !e)
      std::cerr << "tessera: " << e.error().message << "\n";
    if (!look.hidden.empty()) (void)overlay->setHidden(look.hidden);
    if (!look.selection.empty()) (void)overlay->setSelection(look.selection);
    overlay->setLegend(look.coloring.legend);
    overlay->setLegendVisible(look.legend);
    overlay->update(cam);
    return std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<CellsOverlay>>>(
        std::move(labelLayer), std::move(overlay));
  };
}

}  // namespace tessera::app
