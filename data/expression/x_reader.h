#pragma once
/// Reads an expression matrix X (cells x genes) stored in HDF5 by ranges, never whole:
///  - AnnData .h5ad X: CSR (cell-major), CSC (gene-major) or dense, in any anndata encoding;
///  - 10x Cell Ranger HDF5 `matrix` (v3) or `<genome>` (legacy) groups, which are cell-major.
/// What it holds: X's validated indptr (8 bytes per cell for CSR, per gene for CSC) and open
/// dataset handles; everything else is read in blocks of 256 Ki entries.
/// The gene-major column index (column_index_file.h) is built from readGenes() in chunks whose
/// entries fit a byte budget; until then a single gene is a readGenes(g, g + 1): one streaming
/// scan of the indices (CSR), one range (CSC) or one strided read (dense).
/// Threads: HDF5 is not re-entrant: open and use an XReader only on the HDF5 thread (the
/// engine's `hdf5` executor). Errors name the file and HDF5 path (bad indptr, an index out of
/// range, a shape mismatch); Errc::Cancelled when `stop` is requested between blocks.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "data/anndata/h5ad_reader.h"
#include "data/error.h"
#include "data/expression/csc_matrix.h"

namespace tessera::data {

class Executor;

/// Where X lives: a file, the HDF5 group or dataset holding it, and its layout.
struct XMatrix {
  std::filesystem::path file;
  std::string group = "X";  ///< "X" (AnnData), "matrix" or a genome name (10x)
  MatrixEncoding encoding = MatrixEncoding::Csr;  ///< Csr = cell-major
  std::int64_t rows = 0, cols = 0, nnz = 0;
};

/// Finds X in an .h5ad or 10x .h5 file from its attributes and dataset sizes only (no obs or
/// var reads). Errc::NotFound when the file has no matrix; Errc::Corrupt on a bad shape.
Expected<XMatrix> probeXMatrix(const std::filesystem::path& file);

/// Fraction done in [0, 1]; called on the reading thread between blocks.
using ReadProgress = std::function<void(double)>;

class XReader {
 public:
  static Expected<XReader> open(const XMatrix& x);
  XReader(XReader&&) noexcept;
  XReader& operator=(XReader&&) noexcept;
  ~XReader();

  const XMatrix& matrix() const;
  /// True when readGene scans a CSR X beneath HDF5, in parallel (raw_csr_scan.h).
  bool scansRaw() const;
  /// Stored entries per gene: one pass over the indices (CSR) or values (dense); CSC reads it
  /// from indptr.
  Expected<std::vector<std::int64_t>> geneCounts(std::stop_token stop = {},
                                                 const ReadProgress& progress = {});
  /// Genes [g0, g1) as a CSC chunk (cols = g1 - g0, rows ascending within each column;
  /// dense X keeps only non-zeros). `counts` (from geneCounts) lets a CSR scan place entries
  /// directly (8 bytes per entry) instead of gathering them first (20 bytes per entry).
  Expected<CscMatrix> readGenes(std::int64_t g0, std::int64_t g1, std::stop_token stop = {},
                                const ReadProgress& progress = {},
                                const std::vector<std::int64_t>* counts = nullptr);
  /// One gene as one float per cell: for CSR a streaming scan of every stored index, split
  /// over `workers` when X's indices and data are contiguous and unfiltered (raw_csr_scan.h),
  /// else on the calling thread through HDF5.
  Expected<std::vector<float>> readGene(std::int64_t g, std::stop_token stop = {},
                                        Executor* workers = nullptr);
  /// One cell's stored entries (gene, value): a range (CSR) or a row (dense). CSC X has no cell
  /// order: Errc::Unsupported.
  Expected<std::vector<std::pair<std::int64_t, float>>> readCell(std::int64_t cell);
  /// A 64-bit checksum of X's shape, indptr and first and last blocks of indices and values:
  /// the inner part of the source's identity (a rewritten file with the same size and mtime
  /// still changes it).
  Expected<std::uint64_t> checksum();

  struct Impl;

 private:
  explicit XReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Splits genes [0, counts.size()) into consecutive ranges whose entries take at most
/// `bytes` (8 per entry) each; a gene larger than that gets a range of its own.
std::vector<std::pair<std::int64_t, std::int64_t>> planGeneChunks(
    const std::vector<std::int64_t>& counts, std::size_t bytes);

}  // namespace tessera::data
