#pragma once
/// An in-memory column-major (CSC) copy of an expression matrix X (cells x genes), so that one
/// gene column costs O(nnz of that gene). Memory: nnz x (4 + 4) bytes (int32 row, float32
/// value) plus (n_genes + 1) x 8 bytes; byteSize() states it.
/// Within a column the entries may be ordered by row or, after sortColumnsByValue(), by value
/// (ascending, ties keep their row order): the value order lets rank tests run in one linear
/// pass. Stored entries equal to 0 are kept; consumers treat them like absent ones.
/// A built CscMatrix is immutable and may be read from any number of threads at once.
#include <cstdint>
#include <span>
#include <stop_token>
#include <vector>

#include "data/error.h"

namespace tessera::data {

class Executor;

struct CscMatrix {
  std::int64_t rows = 0;             ///< cells
  std::int64_t cols = 0;             ///< genes
  std::vector<std::int64_t> colptr;  ///< cols + 1 entries
  std::vector<std::int32_t> rowIdx;
  std::vector<float> values;
  bool sortedByValue = false;

  std::int64_t nnz() const { return static_cast<std::int64_t>(values.size()); }
  std::size_t byteSize() const {
    return colptr.size() * sizeof(std::int64_t) + rowIdx.size() * sizeof(std::int32_t) +
           values.size() * sizeof(float);
  }
  std::span<const std::int32_t> columnRows(std::int64_t col) const {
    return {rowIdx.data() + colptr[col], static_cast<std::size_t>(colptr[col + 1] - colptr[col])};
  }
  std::span<const float> columnValues(std::int64_t col) const {
    return {values.data() + colptr[col], static_cast<std::size_t>(colptr[col + 1] - colptr[col])};
  }
  /// The column as `rows` floats (zeros where nothing is stored). O(rows) to fill, O(nnz) to
  /// scatter.
  std::vector<float> denseColumn(std::int64_t col) const;
};

/// Bytes a CscMatrix of `nnz` entries and `cols` columns takes (the bound to check before
/// building one).
constexpr std::size_t cscBytes(std::int64_t nnz, std::int64_t cols) {
  return static_cast<std::size_t>(nnz) * 8 + static_cast<std::size_t>(cols + 1) * 8;
}

/// Sorts one column's entries by ascending value (stable radix sort; NaN sorts last).
void sortEntriesByValue(std::span<std::int32_t> rows, std::span<float> values);

/// Reorders every column's entries by ascending value (ties by row) with a stable radix sort,
/// columns spread over `workers` (null: the calling thread alone). Errc::Cancelled when
/// `stop` is requested; the matrix is then left valid but unsorted.
Expected<void> sortColumnsByValue(CscMatrix& m, Executor* workers, std::stop_token stop);

}  // namespace tessera::data
