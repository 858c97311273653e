#pragma once
/// One image shown with the channels of others appended: a model's prediction (its probability
/// channels) over the image it was computed from, or any image placed on it.
///
/// - Placement (`imagePixelsTo`): an image whose pixel size equals one of the shown image's
///   levels (a prediction of level L) is placed by its translation in whole pixels of that
///   level, exactly as the level's own pixels are drawn; others by their physical scale and
///   translation (pixel centres).
/// - `joinChannels` resamples every other image into the shown image's pixel grid (nearest
///   neighbour, data::ResampledSource, on the shown image's own tiles; outside it 0) and
///   appends its channels; the shown image's tiles pass through as they are read. When the
///   dtypes differ, every channel is delivered as float32 (values kept).
/// Thread-safety: as the wrapped sources; info() is cheap. Errors: those of the sources' tiles.
#include <memory>
#include <vector>

#include "data/cells/affine.h"
#include "data/tile_source.h"

namespace tessera::data {

/// Maps `shown` level-0 pixel indices to `other` level-0 pixel indices.
Affine2D imagePixelsTo(const ImageInfo& shown, const ImageInfo& other);

/// `shown` with the channels of `others` appended; `shown` itself when `others` is empty.
std::shared_ptr<const TileSource> joinChannels(
    std::shared_ptr<const TileSource> shown,
    const std::vector<std::shared_ptr<const TileSource>>& others);

}  // namespace tessera::data
