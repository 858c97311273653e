#pragma once
/// Reads one gene column straight from an .h5ad file while no column index exists yet.
/// CSR X has no column index, so a gene costs a scan of every stored column index: this reads
/// the indices in their stored 32-bit width (no widening), and reads data only over the span
/// of each block that holds the gene. CSC and dense X are delegated to H5adFile::readGene
/// (already O(nnz of the gene) or one strided read).
/// Threads: HDF5 is not re-entrant; create and use a GeneReader only on the HDF5 thread. It
/// keeps its own read-only handle to the file and X's validated indptr (8 bytes per cell).
/// Errors name the file and HDF5 path; Errc::Cancelled when `stop` is requested mid-scan.
#include <memory>
#include <stop_token>
#include <vector>

#include "data/anndata/h5ad_reader.h"

namespace tessera::data {

class GeneReader {
 public:
  static Expected<GeneReader> open(const H5adFile& file);
  GeneReader(GeneReader&&) noexcept;
  GeneReader& operator=(GeneReader&&) noexcept;
  ~GeneReader();

  Expected<std::vector<float>> read(const H5adFile& file, std::int64_t gene,
                                    std::stop_token stop = {});

  struct Impl;

 private:
  explicit GeneReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::data
