#pragma once
/// The pages of a story handout, one per waypoint: the session as the waypoint shows it
/// (data/session/waypoint.h), drawn by the frame `tessera render --waypoint` draws, with its
/// title, narration and channel legend. Shared by `tessera story` and File ▸ Export Story
/// Handout. Two steps, for the threads they need: prepareStoryPage may block on the expression
/// engine (a gene colouring), so it runs on a worker or the CLI's thread, never the GUI thread;
/// renderStoryPage renders off-screen (VTK), on the thread that owns the display: the CLI's or
/// the GUI thread.
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cells/session_render.h"
#include "app/core/story_handout.h"
#include "data/annotation/annotation.h"

namespace tessera::app {

struct AppContext;

/// Loads a cell table to draw over an image of `imageW` x `imageH` px (the CLI's way: HDF5 on
/// ctx.hdf5Pool, waiting for it). `frame`: the SpatialData element the cells are placed on;
/// `affine`: the session's pairing of the table onto the image, when it has one.
data::Expected<std::shared_ptr<const CellsData>> loadCellsForRender(
    const std::filesystem::path& table, const std::string& frame, double imageW, double imageH,
    AppContext& ctx, const std::optional<data::Affine2D>& affine = std::nullopt);

struct PreparedPage {
  data::Session session;                      ///< as the waypoint shows it
  StoryPage page;                             ///< without its image yet
  std::optional<CellsLook> look;              ///< the cells to draw, when the waypoint shows them
  std::vector<std::string> notes;             ///< what the session could not honour (waypoint.h)
  std::vector<data::Annotation> annotations;  ///< the session's, as the waypoint shows them
};

/// Waypoint `index` of `session` with its reveal shown (a handout holds the answers), with
/// `cells` (may be null) resolved to what it draws.
/// Errc::NotFound names a gene or column of the waypoint the table lacks.
data::Expected<PreparedPage> prepareStoryPage(const data::Session& session, std::size_t index,
                                              std::shared_ptr<const CellsData> cells);

/// The page's view at `width` x `height` px (at most 4096 a side), with the scale bar and the
/// cells' legend, drawn as File ▸ Export View draws (render::renderFigure: the pixels of a
/// one-piece render). `progress` is called between tiles; returning false cancels
/// (Errc::Cancelled).
data::Expected<StoryPage> renderStoryPage(PreparedPage prepared,
                                          std::shared_ptr<const data::TileSource> image,
                                          std::shared_ptr<const data::TileSource> labels,
                                          AppContext& ctx, int width, int height,
                                          std::function<bool(double)> progress = {});

}  // namespace tessera::app
