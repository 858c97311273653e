#pragma once
/// Plain CSV/TSV cell tables: the first columns are a cell id, x and y (in image pixels; the
/// affine is the identity), every further column is a gene. `.tsv`/`.txt` split on tabs, other
/// files on commas; `.gz` files are inflated. Blocking; any thread. Errors name file, line, field.
#include <filesystem>

#include "data/cells/cell_table.h"

namespace tessera::data {

Expected<CellTable> openCsvCells(const std::filesystem::path& path);

}  // namespace tessera::data
