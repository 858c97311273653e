#pragma once
/// Everything the linked views need about one cell table, loaded once and then read-only:
/// the CellTable (obs columns, ids, embeddings), the expression engine (data/expression: genes,
/// means, markers; X stays on disk for HDF5 tables), cell positions in image pixels (after the
/// table's affine), outlines in image pixels, the embedding shown, and the pick grids for both
/// views.
/// loadCellsData() reads files through HDF5: run it on AppContext::hdf5Pool only. The result
/// holds no HDF5 handles (the engine opens its own on its hdf5 executor), so it may be shared
/// with and destroyed on any thread.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cells/pick_grid.h"
#include "data/cells/cell_table.h"
#include "data/executor.h"
#include "data/expression/expression_engine.h"

namespace tessera::app {

struct CellsData {
  std::shared_ptr<const data::CellTable> table;
  /// Null without expression values. Thread-safe; see its header.
  std::shared_ptr<data::ExpressionEngine> expression;
  std::vector<float> px, py;  ///< image (level-0) pixels; NaN where unknown
  /// Polygons in image pixels when every cell has an outline (PolygonOverlay's layout).
  std::vector<float> outlineXY;
  std::vector<std::uint32_t> outlineOffsets;
  /// Spot diameter in image pixels (Visium) or 0 (cells drawn at a screen size).
  double spotDiameterPx = 0;
  std::string embeddingKey;   ///< e.g. "X_umap"; empty when the table has none
  std::vector<float> ex, ey;  ///< embedding coordinates, y flipped so that up is up
  /// Pick grids of both views, built in the background after loading (see PickGrid).
  PickGrid spatialGrid, embeddingGrid;
  std::int64_t outsideImage = 0;  ///< cells outside the image bounds (reported, still drawn)

  std::int64_t size() const { return table ? table->size() : 0; }
  bool hasSpatialCells() const { return !px.empty(); }
  /// The categorical column the Clusters panel shows by default: "cluster", "leiden",
  /// "louvain", "cell_type", else the first categorical one with more than one category, else
  /// the first categorical one; nullptr when there is none.
  const data::CellColumn* defaultGroups() const;
};

/// Where the expression engine of a loaded table runs, and its options (cache folder, budget,
/// status callback). The executors must outlive the CellsData.
struct ExpressionSetup {
  data::Executor& hdf5;
  data::Executor& workers;
  data::ExpressionEngine::Options options;
  /// The window builds both pick grids on `workers` right after loading, so the first click
  /// finds them ready; a one-off command that never picks leaves them to be built on demand.
  bool pickGridsInBackground = true;
};

/// The engine options the app uses: the index cache under $XDG_CACHE_HOME/tessera/expression.
data::ExpressionEngine::Options defaultExpressionOptions();

/// Opens any table data::openCells reads (h5ad, 10x .h5, AnnData zarr, Visium, Xenium,
/// SpatialData, CSV). `preferredBasis` picks the embedding (X_umap, X_tsne, X_pca... when empty).
/// `imageWidth/Height` (level-0 pixels; 0 = unknown) count cells outside the image.
/// For a SpatialData store, `shownElement` is the image the cells are placed on ("images/x";
/// empty = the store's first image), and a labels-linked table without obsm "spatial" is placed
/// at its label centroids. `placement` (a session's pairing) maps the table's coordinates to
/// image pixels instead of the table's own metadata.
/// Expression: HDF5 matrices (h5ad, 10x, Visium) get an engine over X on disk (indexing is
/// left to the caller: the window starts it, one-off CLI commands do not); other tables' genes
/// are gathered into an engine in memory. Without `expression` the table has none.
data::Expected<std::shared_ptr<const CellsData>> loadCellsData(
    const std::filesystem::path& path, const std::string& preferredBasis = {},
    double imageWidth = 0, double imageHeight = 0, const std::string& shownElement = {},
    const ExpressionSetup* expression = nullptr,
    const std::optional<data::Affine2D>& placement = std::nullopt);

/// The embedding shown becomes `emb` (x, and y negated so that up is up) with its pick grid
/// (built at the first pick unless handed to PickGrid::buildInBackground).
void useEmbedding(CellsData& d, const data::Embedding& emb);
/// The obsm keys that can be shown as an embedding: every one with 2 or more columns.
std::vector<std::string> embeddingBases(const data::CellTable& table);
/// A copy of `d` showing basis `key` (null when the table has no such 2+ column obsm).
std::shared_ptr<const CellsData> withBasis(const CellsData& d, const std::string& key);

/// Gene `gene`'s values, waiting for the engine: for the CLI and tests, never the GUI thread.
data::Expected<std::vector<float>> geneValuesNow(const CellsData& d, std::int64_t gene);

/// True when `path` is a Visium Space Ranger output folder.
bool isVisiumFolder(const std::filesystem::path& path);

}  // namespace tessera::app
