#pragma once
/// Writes an AnnData .h5ad file (anndata 0.8+ encodings) through the HDF5 C API, so that
/// anndata.read_h5ad and Tessera's own reader both open it. For the demo and for tests; it
/// writes only to a new path it is given. Not thread-safe (HDF5); call from one thread.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "data/error.h"

namespace tessera::data {

struct CategoricalColumn {
  std::vector<std::int32_t> codes;      ///< -1 means missing
  std::vector<std::string> categories;  ///< written as a string-array
  bool ordered = false;
  std::vector<std::string> colors;  ///< "#rrggbb" per category -> uns/<name>_colors if set
};

using ObsColumn =
    std::variant<CategoricalColumn, std::vector<double>, std::vector<float>,
                 std::vector<std::int32_t>, std::vector<std::string>, std::vector<bool>>;

/// A row-major dense matrix of doubles (obsm entries such as "spatial" or "X_umap").
struct DenseMatrix {
  std::int64_t rows = 0, cols = 0;
  std::vector<double> values;
};

/// CSR matrix with float32 data and int32 indices, shape n_obs x n_vars.
struct CsrMatrix {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> indptr;
  std::vector<std::int32_t> indices;
  std::vector<float> data;
};

struct AnnDataWrite {
  std::vector<std::string> obsNames;
  std::vector<std::string> varNames;
  CsrMatrix X;
  std::vector<std::pair<std::string, ObsColumn>> obs;  ///< column order is kept
  std::vector<std::pair<std::string, ObsColumn>> var;
  std::map<std::string, DenseMatrix> obsm;
  std::map<std::string, std::string> unsStrings;  ///< e.g. "tessera_image" -> relative path
};

/// Refuses to overwrite an existing file (Errc::InvalidArgument); writes to `path`.
/// Checks the input first (Errc::InvalidArgument naming the offending part): name counts match
/// X's shape, indptr rises from 0 to nnz with n_obs + 1 entries, indices lie in [0, n_vars),
/// columns have one value per row and unique names, codes lie in [-1, n_categories), colours
/// are absent or one per category, obsm rows equal n_obs. Writes `<path>.partial` and renames
/// it on success (removing it on failure); a leftover `.partial` is refused, not overwritten.
/// Datasets of 4096+ elements are chunked with shuffle + gzip level 3.
Expected<void> writeH5ad(const std::filesystem::path& path, const AnnDataWrite& adata);

}  // namespace tessera::data
