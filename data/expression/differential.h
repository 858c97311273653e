#pragma once
/// Statistics of a cell selection against the rest, gene by gene, over a CscMatrix:
///  - selectionStats(): mean and fraction expressing (value != 0) inside and outside;
///  - rankGenes(): a two-sided Wilcoxon rank-sum (Mann-Whitney U) test per gene with the
///    normal approximation, tie correction and no continuity correction, i.e.
///    scipy.stats.mannwhitneyu(in, out, method="asymptotic", use_continuity=False); score = z
///    of the selection (positive when it ranks higher), log2 fold change
///    log2((mean_in + 1e-9) / (mean_out + 1e-9)) on the values as stored, and
///    Benjamini-Hochberg adjusted p over all genes.
/// Zeros are never ranked one by one: all of a gene's zeros form one tied block whose rank and
/// size follow from counts, so a gene costs O(its nnz) when the matrix is sortedByValue (and
/// O(nnz log nnz) otherwise, sorting a copy). A gene whose values are all tied gets score 0
/// and p = 1 (scipy returns NaN there).
/// Threads: pure functions over immutable inputs; genes are spread over `workers` (may be
/// null) with the calling thread taking part. Errc::Cancelled when `stop` is requested;
/// Errc::InvalidArgument when the mask length differs from the cell count or one side is empty.
#include <cstdint>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/expression/csc_matrix.h"

namespace tessera::data {

class Executor;

struct GeneContrast {
  double meanIn = 0, meanOut = 0;
  double fracIn = 0, fracOut = 0;
};

struct MarkerGene {
  std::int64_t gene = 0;  ///< column of X
  double score = 0;       ///< z
  double logFoldChange = 0;
  double pval = 1, pvalAdj = 1;
  GeneContrast stats;
};

/// A selection as one byte per cell (non-zero = inside). Errc::InvalidArgument naming the
/// first id outside [0, nCells).
Expected<std::vector<std::uint8_t>> selectionMask(std::int64_t nCells,
                                                  std::span<const std::int64_t> cells);

Expected<std::vector<GeneContrast>> selectionStats(const CscMatrix& x,
                                                   std::span<const std::uint8_t> mask,
                                                   Executor* workers, std::stop_token stop = {});

/// Every gene, in gene order, with pvalAdj filled in.
Expected<std::vector<MarkerGene>> rankGenes(const CscMatrix& x, std::span<const std::uint8_t> mask,
                                            Executor* workers, std::stop_token stop = {});

/// The same test for a chunk of genes: column c of `x` is gene firstGene + c. pvalAdj is left
/// at 1 (adjust over every gene with adjustPValues once all chunks are in).
Expected<std::vector<MarkerGene>> rankGeneRange(const CscMatrix& x, std::int64_t firstGene,
                                                std::span<const std::uint8_t> mask,
                                                Executor* workers, std::stop_token stop = {});

/// The same test for callers that hand genes over one at a time (streaming them from a file):
/// the selection's sides and bit mask are made once. Thread-safe (const).
class SelectionRanker {
 public:
  /// Errc::InvalidArgument when `mask` does not hold one entry per cell or one side is empty.
  static Expected<SelectionRanker> make(std::int64_t cells, std::span<const std::uint8_t> mask);
  /// One gene's entries sorted by value (pvalAdj left at 1).
  MarkerGene rank(std::int64_t gene, std::span<const std::int32_t> rows,
                  std::span<const float> values) const;

 private:
  SelectionRanker() = default;
  std::vector<std::uint64_t> bits_;  // one bit per cell
  std::int64_t nIn_ = 0, nOut_ = 0;
};

/// Fills pvalAdj of `genes` (every gene tested) with Benjamini-Hochberg.
void adjustPValues(std::vector<MarkerGene>& genes);

/// The `n` highest scores, best first (ties: lower gene index first).
std::vector<MarkerGene> topByScore(std::vector<MarkerGene> genes, std::size_t n);

/// Benjamini-Hochberg adjusted p-values, in input order (monotone, clipped to 1).
std::vector<double> benjaminiHochberg(std::span<const double> p);

}  // namespace tessera::data
