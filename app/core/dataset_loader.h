#pragma once
/// Turns what the user typed (a path, a URL, or the word `demo`) into an opened dataset.
/// Blocking; call it on AppContext::jobPool or from the CLI, never on the GUI thread.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include <string>

#include <nlohmann/json.hpp>

#include "data/cells/affine.h"
#include "data/demo/demo_dataset.h"
#include "data/spatial/spatialdata_tables.h"
#include "data/tile_source.h"

namespace tessera::app {

struct AppContext;

struct OpenedDataset {
  std::string input;                              ///< as the user gave it
  std::shared_ptr<const data::TileSource> image;  ///< may be null for a cells-only dataset
  std::optional<std::filesystem::path> cells;     ///< linked AnnData, if any
  /// SpatialData: the table asked for ("" = the first; then `cells` is the store, else
  /// `<store>/tables/<table>`) and every table of the store, for the table picker.
  std::string table;
  std::vector<data::SpatialDataTableInfo> tables;
  /// The name of the table `cells` shows ("" when not a SpatialData store).
  std::string shownTable() const {
    return !table.empty() ? table : tables.empty() ? std::string() : tables.front().name;
  }
  /// SpatialData: the element `image` is ("images/x"), where the cells are placed.
  std::string cellsFrame;
  /// The session's pairing of the table with the image: table coordinates → image pixels,
  /// replacing the placement the table's own metadata gives (none: the table's own).
  std::optional<data::Affine2D> cellsAffine;
  /// The image's first OME-NGFF label image, if it has one that opens, and its colours; for a
  /// SpatialData store, the labels element its table annotates, in the image's pixel grid.
  std::shared_ptr<const data::TileSource> labels;
  std::map<std::int64_t, std::uint32_t> labelColors;
  std::string labelsName;  ///< shown name of `labels` when not the image's own label image
  /// A session's: the labels layer `labels` draws (its topmost), and the label images of its
  /// other labels layers by layer id, in the image's pixel grid.
  std::string labelsLayer;
  std::vector<std::pair<std::string, std::shared_ptr<const data::TileSource>>> moreLabels;
};

/// `progress` reports demo generation; returning false from it cancels. `select` picks the
/// image of a container with several (series, plate well and field); see data::openImage.
/// `table` picks the table of a SpatialData store ("" = the first); Errc::NotFound naming the
/// store and the table when it has none by that name, Errc::InvalidArgument for another input.
data::Expected<OpenedDataset> openDataset(const std::string& input, AppContext& ctx,
                                          const data::DemoProgress& progress = {},
                                          const data::ImageSelection& select = {},
                                          const std::string& table = {});

/// The `tessera info` description of a dataset (image fields at the top level, as the image
/// JSON contract says, plus "cells" when a table is linked, or "tables" for a SpatialData
/// store). HDF5 work runs on ctx.hdf5Pool; blocks the caller (the CLI's thread).
nlohmann::json describeDataset(const OpenedDataset& dataset, AppContext& ctx);

}  // namespace tessera::app
