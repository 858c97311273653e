#pragma once
/// Builds the in-memory CSC copy (CscMatrix) of an .h5ad file's X, whatever X's storage:
///  - CSR: two blockwise passes over indices/data (count per gene, then scatter), so peak
///    memory is the CscMatrix plus one block (~2 MiB);
///  - CSC: read as is (validated);
///  - dense: two passes over row blocks, keeping the non-zeros.
/// Threads: HDF5 is not re-entrant, so call this on the thread that owns HDF5 (the engine's
/// HDF5 executor); it opens its own read-only handle to file.path(). Errors name the file and
/// HDF5 path (bad indptr, indices out of range, shape mismatch); Errc::Cancelled when `stop`
/// is requested (checked between blocks); Errc::Unsupported when the copy would need more
/// than `maxBytes` or there are more than 2^31 - 1 cells.
#include <cstddef>
#include <functional>
#include <stop_token>

#include "data/anndata/h5ad_reader.h"
#include "data/expression/csc_matrix.h"

namespace tessera::data {

/// Fraction done in [0, 1]; called from the building thread.
using BuildProgress = std::function<void(double)>;

Expected<CscMatrix> buildColumnIndex(const H5adFile& file, std::stop_token stop,
                                     const BuildProgress& progress = {},
                                     std::size_t maxBytes = std::size_t{16} << 30);

}  // namespace tessera::data
