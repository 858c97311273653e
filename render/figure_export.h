#pragma once
/// Figure export (File > Export View, `tessera render` with --title or large sizes): the view
/// drawn off-screen at any size up to 16,000 px a side, tile by tile into a fixed-size
/// off-screen window, and handed on a band of rows at a time, so memory is one band
/// (width x tile x 3 bytes) plus the tiles of two views (figureViewTileBytes) whatever the
/// output size: the figure reads through a cache of its own on the caller's cache's executor,
/// and leaves the caller's cache (the window's tiles) as it was.
/// Every tile uses the full frame's zoom and a centre shifted by its offset, and the 2D
/// decorations (legend, scale bar with its backing, title) are laid out once for the full frame
/// and shifted into each tile, so a tiled figure has the pixels of a one-piece render.
/// Blocks the calling thread (the CLI's, a test's, or the window's UI thread inside a modal
/// progress dialog: tile callbacks run through the function's own queue). Needs an X display,
/// as renderOffscreen does.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/annotation/annotation.h"
#include "render/offscreen_render.h"

namespace tessera::render {

constexpr int kMaxFigureSide = 16000;

struct FigureOptions {
  /// The view: region (level-0 pixels), output width/height (0 = as renderOffscreen picks),
  /// displays, plane, level, scaleBar and the overlays to decorate with.
  RenderRequest view;
  std::string title;                          ///< drawn at the top centre when not empty
  std::vector<data::Annotation> annotations;  ///< drawn over the image (AnnotationOverlay)
  double annotationsDepth = 0;    ///< their place in the layer order (AnnotationOverlay)
  double annotationsOpacity = 1;  ///< the annotations layer's opacity
  bool scaleBarBacking = true;    ///< a dark translucent box behind the scale bar
  double dpi = 0;                 ///< stored in the file when > 0
  int tileSize = 1024;            ///< side of the off-screen window
  /// After each tile with the fraction done; returning false cancels (Errc::Cancelled).
  std::function<bool(double)> progress;
  /// Called once the per-channel display settings are final (after auto-contrast).
  std::function<void(const std::vector<ChannelDisplay>&)> displaysUsed;
  /// Called at the end with the statistics of the figure's own tile cache (its reads and its
  /// peak bytes; see figureViewTileBytes).
  std::function<void(const data::TileCacheStats&)> tilesUsed;
};

/// Bytes of the tiles (of `channels` channels) that one `tileSize` px view of a figure meets at
/// `level` and `zoom` (device px per level-0 px), with those of the coarsest level. A figure
/// reads through a cache of twice this (a view and the next one it reads ahead), less when the
/// caller's budget is smaller, never below one view. It depends on the zoom and the tile size,
/// not on the figure's size: the figure is drawn one view at a time and never goes back.
std::size_t figureViewTileBytes(const data::ImageInfo& info, int level, double zoom, int tileSize,
                                std::size_t channels);

/// Receives `rows` rows (width * 3 bytes each, top first), in order.
using BandSink = std::function<data::Expected<void>(const std::uint8_t* rgb, int rows)>;

/// Renders the figure band by band into `sink`; returns the level drawn.
data::Expected<int> renderFigureBands(std::shared_ptr<const data::TileSource> source,
                                      data::TileCache& cache, const FigureOptions& options,
                                      int& width, int& height, const BandSink& sink);

/// Writes the figure to `path` (.png or .tif/.tiff, see FigureWriter); a file left by a
/// failed or cancelled export is removed.
data::Expected<RenderedImage> exportFigure(std::shared_ptr<const data::TileSource> source,
                                           data::TileCache& cache, const FigureOptions& options,
                                           const std::string& path);

/// The figure in memory (Copy View, tests): only for sizes whose pixels fit in memory.
data::Expected<RenderedImage> renderFigure(std::shared_ptr<const data::TileSource> source,
                                           data::TileCache& cache, const FigureOptions& options);

}  // namespace tessera::render
