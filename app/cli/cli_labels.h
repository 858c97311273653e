#pragma once
/// A label image coloured by the cells holding each label value, drawn into an off-screen
/// renderer: what `tessera render` shows for a SpatialData store (or an image with labels and a
/// linked table), as the window does through CellsLabels.
/// Blocks the calling thread (the CLI's, which owns the renderer) until the label tiles in view
/// have loaded or failed; tile callbacks run on that thread. Errc::Io on timeout.
#include <cstdint>
#include <memory>
#include <span>

#include "data/tile_cache.h"
#include "data/tile_source.h"
#include "render/overlay_colors.h"
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::app {

/// Returns what keeps the layer alive (release it after the frame is captured).
data::Expected<std::shared_ptr<void>> drawCellLabelsOffscreen(
    vtkRenderer* renderer, const render::ViewCamera& camera, data::TileCache& cache,
    std::shared_ptr<const data::TileSource> labels, std::span<const std::int64_t> labelValues,
    const render::OverlayColoring& coloring, double depth = 0, double timeoutSeconds = 120);

}  // namespace tessera::app
