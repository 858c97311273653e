#pragma once
/// Everything the linked views need about one cell table, loaded once and then read-only:
/// the CellTable (obs columns, ids, embeddings), the expression matrix in memory, per-gene
/// summaries, cell positions in image pixels (after the table's affine), outlines in image
/// pixels, the embedding shown, and the pick grids for both views.
/// loadCellsData() reads files through HDF5: run it on AppContext::hdf5Pool only. The result
/// holds no HDF5 handles, so it may be shared with and destroyed on any thread.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/cells_expression.h"
#include "data/cells/cell_table.h"
#include "widgets/selection_index.h"

namespace tessera::app {

struct CellsData {
  std::shared_ptr<const data::CellTable> table;
  std::shared_ptr<const ExpressionMatrix> expression;  ///< null without X
  std::vector<GeneSummary> geneSummaries;
  std::vector<float> px, py;  ///< image (level-0) pixels; NaN where unknown
  /// Polygons in image pixels when every cell has an outline (PolygonOverlay's layout).
  std::vector<float> outlineXY;
  std::vector<std::uint32_t> outlineOffsets;
  /// Spot diameter in image pixels (Visium) or 0 (cells drawn at a screen size).
  double spotDiameterPx = 0;
  std::string embeddingKey;   ///< e.g. "X_umap"; empty when the table has none
  std::vector<float> ex, ey;  ///< embedding coordinates, y flipped so that up is up
  widgets::PointGrid spatialGrid, embeddingGrid;
  std::int64_t outsideImage = 0;  ///< cells outside the image bounds (reported, still drawn)

  std::int64_t size() const { return table ? table->size() : 0; }
  bool hasSpatialCells() const { return !px.empty(); }
  /// The categorical column the Clusters panel shows by default: "cluster", "leiden",
  /// "louvain", "cell_type", else the first categorical one with more than one category, else
  /// the first categorical one; nullptr when there is none.
  const data::CellColumn* defaultGroups() const;
};

/// Opens any table data::openCells reads (h5ad, 10x .h5, AnnData zarr, Visium, Xenium,
/// SpatialData, CSV). `preferredBasis` picks the embedding (X_umap, X_tsne, X_pca... when empty).
/// `imageWidth/Height` (level-0 pixels; 0 = unknown) count cells outside the image.
/// For a SpatialData store, `shownElement` is the image the cells are placed on ("images/x";
/// empty = the store's first image), and a labels-linked table without obsm "spatial" is placed
/// at its label centroids.
data::Expected<std::shared_ptr<const CellsData>> loadCellsData(
    const std::filesystem::path& path, const std::string& preferredBasis = {},
    double imageWidth = 0, double imageHeight = 0, const std::string& shownElement = {});

/// True when `path` is a Visium Space Ranger output folder.
bool isVisiumFolder(const std::filesystem::path& path);

}  // namespace tessera::app
