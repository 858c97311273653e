#pragma once
/// A session drawn off-screen as the window shows it: the render request for its camera (region,
/// output size, the first image layer's channels, plane, level) and the overlays of its cells
/// layer (colouring, style, opacity, a highlighted selection, labels coloured by the cells).
/// `tessera render` (also `--waypoint`), `tessera story` and File ▸ Export Story Handout build
/// their frames here, so that they agree. resolveCellsLook blocks on the expression engine for a
/// gene's values: call it on a worker or the CLI's thread, never the GUI thread; the rest is
/// cheap and runs anywhere. The Decorate returned runs on the rendering thread.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_overlay.h"
#include "data/session/session.h"
#include "render/offscreen_render.h"

namespace tessera::app {

struct AppContext;

/// What the cells layer of a session draws.
struct CellsLook {
  std::shared_ptr<const CellsData> data;
  ResolvedColoring coloring;
  std::optional<CellStyle> style;  ///< empty: the overlay's choice for the data
  double opacity = 1;
  double pointSize = 0;  ///< the session's minimum dot size in screen px (0: the overlay's)
  std::vector<std::uint8_t> hidden;      ///< per cell, 1 = hidden (hidden categories)
  std::vector<std::uint32_t> selection;  ///< cells shown highlighted
  bool legend = true;
  double depth = 0;        ///< the cells' place in the layer order (app/core/layer_order.h)
  double labelsDepth = 0;  ///< the labels'
};

/// The request that draws `session`'s camera at `width` x `height` (0 x 0: the camera's saved
/// viewport, else as renderOffscreen picks): region, displays of the first image layer, plane
/// and level, and the image's place in the layer order. No overlays.
render::RenderRequest sessionRenderRequest(const data::Session& session,
                                           const data::ImageInfo& image, int width = 0,
                                           int height = 0);

/// Puts the session's image layers into `req` in their places in the layer order: the first
/// image part's depth and channels and the upper parts (app/core/layer_order.h).
void setImageOrder(render::RenderRequest& req, const data::Session& session);

/// The look of `cellsLayer` over `data`: colour-by resolved (blocking for a gene), style,
/// opacity, hidden categories; `selection` names one of the session's selections to highlight
/// ("" = none, an unknown name is ignored). Errc::NotFound names a gene or column the table
/// lacks.
data::Expected<CellsLook> resolveCellsLook(std::shared_ptr<const CellsData> data,
                                           const data::Session& session,
                                           const data::SessionLayer& cellsLayer,
                                           const std::string& selection = {});

/// Draws `look` over the image, and `labels` (may be null) coloured by the same colouring when
/// its values name the table's cells. Problems are written to stderr as notes.
render::Decorate cellsDecorate(CellsLook look, std::shared_ptr<const data::TileSource> labels,
                               AppContext& ctx);

}  // namespace tessera::app
