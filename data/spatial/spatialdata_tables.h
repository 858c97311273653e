#pragma once
/// SpatialData (zarr v2, or zarr v3 since spatialdata 0.2) tables: `tables/<name>` is an
/// AnnData zarr whose group attributes carry `region` (element name or list), `region_key` (obs
/// column naming each row's element) and `instance_key` (obs column with the label value /
/// shape index); early stores nest them under `spatialdata_attrs` there, and older ones have
/// them only in `uns/spatialdata_attrs`.
/// The table is linked to the first region found under `labels/` or `images/`, and its affine
/// comes from that element's multiscales coordinateTransformations (identity, scale,
/// translation, affine, sequence; one per coordinate system, named by their "output"). Every
/// `points/<el>/points.parquet` and `shapes/<el>/shapes.parquet` gives a message "<part>: parquet
/// is not supported on this platform; <kind> element "<el>" is not shown". Any thread; blocking.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/cells/cell_table.h"

namespace tessera::data {

bool isSpatialData(const std::filesystem::path& dir);
/// Names under `tables/`.
std::vector<std::string> spatialDataTables(const std::filesystem::path& dir);
/// Opens table `name` ("" = the first). Records the annotated element (linkedElement) and the
/// instance_key column. A labels-linked table without obsm "spatial" gets no coordinates here
/// (see placeAtLabelCentroids) and a note saying its cells sit at their label centroids.
/// Errc::NotFound naming the store and `name` (and the tables it has) when there is no such
/// table.
Expected<CellTable> openSpatialDataTable(const std::filesystem::path& dir,
                                         const std::string& name = "");

/// One table of a store as the window's table picker lists it, read from metadata only (X's
/// shape, else the obs index's length; the table's attributes): no column is read.
struct SpatialDataTableInfo {
  std::string name;
  std::int64_t cells = -1, genes = -1;  ///< -1 when the metadata does not say
  /// The elements its `region` names, as "labels/cells", "shapes/spots", "points/tx" (a region
  /// naming no element of the store is listed bare).
  std::vector<std::string> regions;
  bool operator==(const SpatialDataTableInfo&) const = default;
};
/// Every table under `tables/`, by name.
std::vector<SpatialDataTableInfo> spatialDataTableInfos(const std::filesystem::path& dir);

/// A table's own location is `<store>/tables/<name>`: data::openCells opens it as that table of
/// the store (linked, placed), where the store itself opens as its first table.
struct SpatialDataTableRef {
  std::filesystem::path store;
  std::string name;  ///< "" = the first
};
/// The store and table a location names (the store, or one of its tables), or nullopt.
std::optional<SpatialDataTableRef> spatialDataTableRef(const std::filesystem::path& location);
/// `<store>/tables/<name>` ("" = the store itself, its first table).
std::filesystem::path spatialDataTableLocation(const std::filesystem::path& store,
                                               const std::string& name);
/// Errc::NotFound "<store>: no table "NAME" in this SpatialData (its tables: a, b)" unless
/// `name` is "" or one of the store's tables.
Expected<void> checkSpatialDataTable(const std::filesystem::path& store, const std::string& name);

/// The element table `name` ("" = the first) annotates, as openSpatialDataTable links it
/// ("labels/cells", "images/img"), from attributes only; "" when none.
std::string spatialDataTableElement(const std::filesystem::path& dir, const std::string& name = "");
/// Level-0 pixels of `element` ("images/img", "labels/cells") -> its coordinate system
/// ("global" when it is placed there, else the first it names).
Expected<Affine2D> spatialDataElementTransform(const std::filesystem::path& dir,
                                               const std::string& element);
/// The coordinate systems `element` is placed in, in the order its metadata lists them.
std::vector<std::string> spatialDataCoordinateSystems(const std::filesystem::path& dir,
                                                      const std::string& element);
/// Level-0 pixels of element `from` -> level-0 pixels of element `to` through a coordinate
/// system both are placed in ("global" when both are, else the first shared one).
/// Errc::Unsupported when they share none; Errc::Corrupt when `to`'s transform is singular.
Expected<Affine2D> spatialDataPixelsToPixels(const std::filesystem::path& dir,
                                             const std::string& from, const std::string& to);
/// Element names under `kind` ("images", "labels", "points", "shapes", "tables"), sorted.
std::vector<std::string> spatialDataElements(const std::filesystem::path& dir,
                                             const std::string& kind);
/// The image a SpatialData store opens as by default ("images/<first by name>"), or "".
std::string spatialDataFirstImage(const std::filesystem::path& dir);

}  // namespace tessera::data
