#pragma once
/// From a prediction to a cell table on disk: reads the foreground (and optional boundary)
/// channel of a prediction image over its whole extent, labels it (watershedLabels), measures
/// every cell on the source image's channels over the same region (cellTableFromLabels) and
/// writes the table as an .h5ad (obs `label`, `area`; X = per-channel means, var = channel
/// names; obsm `spatial` = centroids in level-0 pixels of the source), which every cell view
/// of Tessera opens like any other table.
///
/// Works in memory on one region: at most kMaxSegmentPixels pixels (Errc::InvalidArgument
/// beyond, suggesting a coarser level or a smaller region). Blocking; call from a worker or the
/// CLI. Errors: the readers' and writer's, with the file named.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "data/ai/instance_cells.h"
#include "data/ai/tiled_predict.h"

namespace tessera::data::ai {

constexpr std::int64_t kMaxSegmentPixels = std::int64_t{1} << 28;

struct SegmentRequest {
  int foregroundChannel = 0;
  std::optional<int> boundaryChannel;
  InstanceOptions options;
  /// When set, the label image is written there too: an OME-Zarr (int32, one channel
  /// "labels", the prediction's geometry), so a viewer draws it where the region lies.
  std::filesystem::path labelsOut;
};

struct SegmentResult {
  std::int64_t cells = 0;
};

/// `prediction` covers `plan`'s region of `source` level `request.level` pixel for pixel.
Expected<SegmentResult> segmentToH5ad(const TileSource& source, const PredictRequest& request,
                                      const PredictPlan& plan, const TileSource& prediction,
                                      const SegmentRequest& segment,
                                      const std::filesystem::path& out);

}  // namespace tessera::data::ai
