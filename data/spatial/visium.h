#pragma once
/// A Space Ranger (Visium) output folder as one CellTable: `filtered_feature_bc_matrix.h5`
/// gives spots (barcodes) and genes; `spatial/tissue_positions.csv` (with header, Space Ranger
/// 2+) or `spatial/tissue_positions_list.csv` (no header) gives, per barcode, in_tissue,
/// array_row/col and pxl_row/col_in_fullres: x = pxl_col, y = pxl_row in full-resolution pixels.
/// `spatial/scalefactors_json.json` gives the affine to the hires image (scale
/// tissue_hires_scalef) and the spot radius (spot_diameter_fullres / 2); the linked image is
/// `spatial/tissue_hires_image.png` (lowres, with its own scale, when hires is missing or
/// blank; see visiumImage). Genes are shown by symbol: the h5's `name`, or when that repeats
/// the id, the symbol of `filtered_feature_bc_matrix/features.tsv(.gz)`.
/// Blocking: call on the HDF5 thread (the gene source reads the 10x HDF5 on demand).
/// Errors name the file and the field (missing barcode, bad number, missing scale factor).
#include <filesystem>
#include <optional>
#include <string>

#include "data/cells/cell_table.h"

namespace tessera::data {

bool isVisiumFolder(const std::filesystem::path& dir);

/// The tissue image a Visium folder is shown on and how spots map onto it.
struct VisiumImage {
  std::filesystem::path path;  ///< empty when spatial/ has no image
  Affine2D toImage;            ///< full-resolution pixels -> this image's pixels
  std::string affineSource;
  std::optional<double> spotRadius;  ///< full-resolution pixels
  std::string note;                  ///< why the lowres image is shown, or that none is
};

/// tissue_hires_image.png with tissue_hires_scalef; tissue_lowres_image.png with
/// tissue_lowres_scalef when the hires one is missing or blank (one colour), saying so in
/// `note`. Errc::Corrupt naming scalefactors_json.json when no usable scale factor is there.
Expected<VisiumImage> visiumImage(const std::filesystem::path& dir);

/// True when every pixel of the image has the same value (all channels); false when unreadable.
bool isBlankImage(const std::filesystem::path& image);

Expected<CellTable> openVisium(const std::filesystem::path& dir);

/// Width and height from a PNG's IHDR chunk; Errc::Corrupt when it is not a PNG.
Expected<std::pair<std::int64_t, std::int64_t>> pngSize(const std::filesystem::path& png);

}  // namespace tessera::data
