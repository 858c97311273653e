#pragma once
/// A 10x Xenium output folder as one CellTable:
///  - `experiment.xenium` (JSON) for `pixel_size` (µm per pixel of the morphology image); the
///    affine to image pixels is scale(1 / pixel_size);
///  - `cells.csv.gz`: cell ids, centroids (µm) and the numeric/text per-cell columns;
///  - `cell_feature_matrix.h5` (Cell Ranger format): genes, read per gene on demand;
///  - `cell_boundaries.csv.gz`: polygon outlines (µm);
///  - `transcripts.csv.gz`: points with a gene per point (optional, see XeniumOptions);
///  - the morphology OME-TIFF (`morphology_focus.ome.tif`, `morphology_mip.ome.tif`,
///    `morphology.ome.tif` or `morphology_focus/morphology_focus_0000.ome.tif`) as the image.
/// Parquet-only parts give "parquet is not supported on this platform" (an error when the cells
/// themselves are parquet-only, a message otherwise). Blocking: call from a worker thread; the
/// gene source reads HDF5 and must be called on the HDF5 thread. Errors name file and field.
#include <filesystem>
#include <stop_token>

#include "data/cells/cell_table.h"
#include "data/executor.h"

namespace tessera::data {

struct XeniumOptions {
  bool loadTranscripts = true;
  Executor* executor = nullptr;  ///< parses transcript blocks in parallel when set
  std::stop_token stop;
};

/// True when `dir` looks like a Xenium output folder (experiment.xenium or cells.csv.gz +
/// cell_feature_matrix.h5).
bool isXeniumFolder(const std::filesystem::path& dir);

/// The morphology OME-TIFF of a Xenium folder (the first of the names above), or empty.
std::filesystem::path findXeniumMorphology(const std::filesystem::path& dir);

Expected<CellTable> openXenium(const std::filesystem::path& dir, const XeniumOptions& options = {});

}  // namespace tessera::data
