#pragma once
/// One gene of a cell-major (CSR) X read beneath HDF5, in parallel. Until the gene-major index
/// exists, the first gene a user asks for is a scan of every stored index of X (50M for a
/// 1M-cell table). HDF5 is not re-entrant, so through HDF5 that scan runs on one thread; but
/// h5py and anndata write `indices` and `data` contiguous and unfiltered by default, and such
/// a dataset is a plain range of the file's bytes, which any thread can pread.
/// What it holds: a descriptor of the file and where the two arrays lie in it.
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <hdf5.h>

#include "data/error.h"

namespace tessera::data {

class Executor;

/// A 1-d dataset stored as one range of the file: entries [0, count) at byte `offset`.
struct RawArray {
  std::uint64_t offset = 0;
  std::int64_t count = 0;
};

class RawCsrScan {
 public:
  /// The raw layout of X's `indices` (little-endian int32) and `data` (little-endian float32)
  /// of `nnz` entries each, when both are contiguous, allocated, unfiltered and inside `file`;
  /// nullopt otherwise (chunked, compressed, other types: the caller reads through HDF5). The
  /// first entries are read both ways and must agree, so a layout HDF5 reports differently from
  /// what the bytes hold is never used. Call on the HDF5 thread.
  static std::optional<RawCsrScan> probe(const std::string& file, hid_t indices, hid_t data,
                                         std::int64_t nnz);

  /// Gene `gene` as one float per cell (rows = indptr.size() - 1), split over `workers` and
  /// the calling thread. Stored entries repeated for one cell: the last wins, as in
  /// CscMatrix::denseColumn. Errc::Corrupt naming `where` for an index outside [0, cols) or
  /// a short read (the file shrank); Errc::Cancelled when `stop` is requested.
  Expected<std::vector<float>> gene(const std::vector<std::int64_t>& indptr, std::int64_t cols,
                                    std::int64_t gene, std::stop_token stop, Executor* workers,
                                    const std::string& where) const;

 private:
  struct Fd;
  RawCsrScan(std::shared_ptr<Fd> fd, RawArray indices, RawArray data)
      : fd_(std::move(fd)), indices_(indices), data_(data) {}
  std::shared_ptr<Fd> fd_;
  RawArray indices_, data_;
};

}  // namespace tessera::data
