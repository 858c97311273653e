#pragma once
/// A Space Ranger (Visium) output folder as one CellTable: `filtered_feature_bc_matrix.h5`
/// gives spots (barcodes) and genes; `spatial/tissue_positions.csv` (with header, Space Ranger
/// 2+) or `spatial/tissue_positions_list.csv` (no header) gives, per barcode, in_tissue,
/// array_row/col and pxl_row/col_in_fullres: x = pxl_col, y = pxl_row in full-resolution pixels.
/// `spatial/scalefactors_json.json` gives the affine to the hires image (scale
/// tissue_hires_scalef) and the spot radius (spot_diameter_fullres / 2); the linked image is
/// `spatial/tissue_hires_image.png` (lowres as a fallback, with its own scale).
/// Blocking: call on the HDF5 thread (the gene source reads the 10x HDF5 on demand).
/// Errors name the file and the field (missing barcode, bad number, missing scale factor).
#include <filesystem>

#include "data/cells/cell_table.h"

namespace tessera::data {

bool isVisiumFolder(const std::filesystem::path& dir);

Expected<CellTable> openVisium(const std::filesystem::path& dir);

/// Width and height from a PNG's IHDR chunk; Errc::Corrupt when it is not a PNG.
Expected<std::pair<std::int64_t, std::int64_t>> pngSize(const std::filesystem::path& png);

}  // namespace tessera::data
