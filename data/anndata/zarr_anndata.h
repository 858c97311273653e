#pragma once
/// AnnData stored as zarr (v2 as written by anndata 0.8+ `write_zarr`, v3 as written by
/// anndata 0.11+ with zarr-python 3), read into a CellTable through ZarrArray and the zarr
/// string reader. Encodings: dataframe (0.2.0) with categorical, string-array, numeric, bool,
/// nullable-integer/-boolean/-string-array columns, any of which may also be the obs/var index
/// (masked names read as ""); anndata 0.7 categoricals (codes naming `__categories/<col>`);
/// X as array, csr_matrix or csc_matrix (int32 or int64 indices, any numeric data); obsm
/// arrays; uns `<col>_colors`, `spatial` scale factors and `tessera_image`. The layout before
/// anndata 0.7 (obs, var and obsm as arrays of records, categories in uns/<col>_categories, X
/// as an h5sparse group) is read as anndata.read_zarr reads it, with a note saying so.
/// The table's `matrix` describes X (storage, dtype, nnz, shape).
/// open reads obs/var/obsm fully and X's indptr; gene columns are read on demand. The gene
/// source is thread-safe (zarr reads are). Any thread may call these functions.
/// Bad input gives Errc::Corrupt / Unsupported naming the store key and the field: X's shape
/// against obs/var lengths, indices out of range, non-monotonic indptr, unknown encoding-type.
#include <filesystem>
#include <memory>
#include <string>

#include "data/cells/cell_table.h"
#include "data/store.h"

namespace tessera::data {

/// Opens the AnnData group at `path` of `store` ("" for the root).
Expected<CellTable> openAnnDataZarr(std::shared_ptr<const Store> store, const std::string& path);
/// A local `.zarr` directory.
Expected<CellTable> openAnnDataZarr(const std::filesystem::path& dir);

/// True when `path` of `store` carries encoding-type "anndata" (or has obs and var groups).
bool isAnnDataZarr(const Store& store, const std::string& path);

}  // namespace tessera::data
