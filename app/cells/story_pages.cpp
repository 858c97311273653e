#include "app/cells/story_pages.h"

#include "app/core/app_context.h"
#include "data/annotation/geojson.h"
#include "data/session/waypoint.h"
#include "render/figure_export.h"

namespace tessera::app {

data::Expected<std::shared_ptr<const CellsData>> loadCellsForRender(
    const std::filesystem::path& table, const std::string& frame, double imageW, double imageH,
    AppContext& ctx, const std::optional<data::Affine2D>& affine) {
  data::Expected<std::shared_ptr<const CellsData>> loaded =
      data::fail(data::Errc::Cancelled, "not loaded");
  // The engine keeps references to the pools only, so the setup may go out of scope.
  const ExpressionSetup expression{ctx.hdf5Pool, ctx.tilePool, defaultExpressionOptions()};
  ctx.hdf5Pool.post(
      [&] { loaded = loadCellsData(table, {}, imageW, imageH, frame, &expression, affine); });
  ctx.hdf5Pool.waitIdle();
  return loaded;
}

data::Expected<PreparedPage> prepareStoryPage(const data::Session& session, std::size_t index,
                                              std::shared_ptr<const CellsData> cells) {
  // A handout is read after the class: it shows the reveal's answer.
  auto applied = data::applyWaypoint(session, index, /*revealed=*/true);
  PreparedPage out;
  out.session = std::move(applied.session);
  out.notes = std::move(applied.notes);
  const auto& w = session.waypoints[index];
  out.page.title = w.title;
  out.page.narration = w.narration;
  if (const auto* image = out.session.firstLayer(data::LayerKind::Image); image && image->visible)
    for (const auto& c : image->channels)
      if (c.visible) out.page.channels.emplace_back(c.name, c.lut == "solid" ? c.color : 0xFFFFFF);
  if (out.session.annotations.is_array() && !out.session.annotations.empty()) {
    auto drawn = data::geoJsonAnnotations(out.session.annotations, "the session's annotations");
    if (!drawn) return std::unexpected(drawn.error());
    out.annotations = std::move(drawn->annotations);
  }
  const auto* cellsLayer = out.session.firstLayer(data::LayerKind::Cells);
  if (cells && cells->hasSpatialCells() && cellsLayer && cellsLayer->visible) {
    auto look = resolveCellsLook(std::move(cells), out.session, *cellsLayer, w.selection);
    if (!look) return std::unexpected(look.error());
    out.look = std::move(*look);
  }
  return out;
}

data::Expected<StoryPage> renderStoryPage(PreparedPage prepared,
                                          std::shared_ptr<const data::TileSource> image,
                                          std::shared_ptr<const data::TileSource> labels,
                                          AppContext& ctx, int width, int height,
                                          std::function<bool(double)> progress) {
  render::FigureOptions figure;
  figure.view = sessionRenderRequest(prepared.session, image->info(), width, height);
  if (prepared.look) figure.view.decorate = cellsDecorate(std::move(*prepared.look), labels, ctx);
  figure.scaleBarBacking = false;  // as `tessera render` draws the view
  figure.annotations = std::move(prepared.annotations);
  figure.progress = std::move(progress);
  auto frame = render::renderFigure(image, ctx.cache, figure);
  if (!frame) return std::unexpected(frame.error());
  prepared.page.image = std::move(*frame);
  return std::move(prepared.page);
}

}  // namespace tessera::app
