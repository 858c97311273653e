#pragma once
/// SpatialData (zarr) tables: `tables/<name>` is an AnnData zarr whose attributes
/// `spatialdata_attrs` carry `region` (element name or list), `region_key` (obs column naming
/// each row's element) and `instance_key` (obs column with the label value / shape index).
/// The table is linked to the first region found under `labels/` or `images/`, and its affine
/// comes from that element's multiscales coordinateTransformations (identity, scale,
/// translation, affine, sequence). Every `points/<el>/points.parquet` and
/// `shapes/<el>/shapes.parquet` gives a message "<part>: parquet is not supported on this
/// platform; <kind> element "<el>" is not shown". Any thread; blocking.
#include <filesystem>
#include <string>
#include <vector>

#include "data/cells/cell_table.h"

namespace tessera::data {

bool isSpatialData(const std::filesystem::path& dir);
/// Names under `tables/`.
std::vector<std::string> spatialDataTables(const std::filesystem::path& dir);
/// Opens table `name` ("" = the first).
Expected<CellTable> openSpatialDataTable(const std::filesystem::path& dir,
                                         const std::string& name = "");

}  // namespace tessera::data
