#pragma once
/// Adapters from the AnnData .h5ad and 10x HDF5 readers to the CellTable model.
/// Call on the HDF5 thread (HDF5 is not re-entrant); the returned table's GeneSource reads
/// through the same file and must also be called on that thread (threadSafe() is false).
/// Errors come from the readers (file + HDF5 path) or name the file and obs/obsm field.
#include <filesystem>
#include <memory>

#include "data/anndata/h5ad_reader.h"
#include "data/cells/cell_table.h"
#include "data/tenx/tenx_h5.h"

namespace tessera::data {

/// Cells = obs rows; genes = var names; obs columns of every readable kind (Unsupported ones
/// are listed in messages); dense obsm entries become embeddings; obsm `spatial` gives x/y, with
/// `uns/spatial/<library>/scalefactors/tissue_hires_scalef` as the affine when present; obsm
/// `outline` (x0,y0,x1,y1,... per cell) gives outlines; `uns/tessera_image` links an image
/// (relative to the file). No spatial coordinates: embedding-only with a message. The table
/// takes the file's obs names (moved, not copied) and keeps the file for its genes.
Expected<CellTable> cellTableFromH5ad(H5adFile file);

/// Cells = barcodes; genes = feature names; obs column `feature_type`-free (the matrix has no
/// obs): only cell ids. Embedding-only (10x h5 holds no coordinates).
Expected<CellTable> cellTableFromTenx(std::shared_ptr<const TenxH5File> file);

/// Opens `path` and adapts it.
Expected<CellTable> openH5adCells(const std::filesystem::path& path);
Expected<CellTable> openTenxCells(const std::filesystem::path& path);

/// Obsm `outline` rows (x0,y0,...,xk,yk per cell; NaN vertices dropped) as CellOutlines.
CellOutlines outlinesFromRows(std::int64_t rows, std::int64_t cols, const std::vector<double>& v);

}  // namespace tessera::data
