#pragma once
/// Cell positions from a label image: the centroid of each label value's region, and placing a
/// labels-linked cell table (SpatialData without obsm "spatial") at those centroids.
/// Blocking (reads a whole level of the label image): call from a worker, any thread.
/// Errors name the label image (and the level or tile that failed).
#include <cstdint>
#include <stop_token>
#include <unordered_map>
#include <vector>

#include "data/cells/cell_table.h"
#include "data/tile_source.h"

namespace tessera::data {

struct LabelCentroid {
  double x = 0, y = 0;      ///< level-0 pixel indices (the mean index of the region's pixels)
  std::int64_t pixels = 0;  ///< region size in pixels of the level read
};

/// Centroids of every non-zero value of channel 0, plane t = z = 0, read from the finest level
/// with at most `maxPixels` pixels (the coarsest level when none is that small).
/// Errc::Cancelled when `stop` is requested between tiles.
Expected<std::unordered_map<std::int64_t, LabelCentroid>> labelCentroids(
    const TileSource& labels, std::int64_t maxPixels = std::int64_t(4) << 20,
    const std::stop_token& stop = {});

/// The label value of each cell: its instance column (`instanceKey`, then obs `instance_id`,
/// `cell_id`, `label_id` or `label`; numeric with integer values), else its id when every cell
/// id is an integer; empty when the table names none.
std::vector<std::int64_t> cellLabelValues(const CellTable& t);

/// For a table linked to a labels element (linkedToLabels) without coordinates: x, y become the
/// centroids of the cells' label regions, in the table's dataset units (through the inverse of
/// toImage), so that toImage places them on the label pixels. Cells whose value has no region
/// get NaN and one note. Errc::InvalidArgument when the table names no label values; the
/// label image's errors otherwise.
Expected<void> placeAtLabelCentroids(CellTable& t, const std::stop_token& stop = {});

}  // namespace tessera::data
