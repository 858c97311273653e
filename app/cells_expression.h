#pragma once
/// The expression matrix of a cell table held in memory column by column (CSC: one gene's
/// cells together), with what the linked views ask of it: a gene column, per-gene mean and
/// fraction expressing, per-group means, the top genes of one cell and Wilcoxon markers of a
/// selection against the rest.
/// Loading reads the file through HDF5 and must run on AppContext::hdf5Pool; the loaded
/// matrix is immutable and every query is a const pure function, safe from any thread.
/// Stands in until data/expression (the engine with a background index) lands in the app.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::app {

struct GeneSummary {
  double mean = 0;
  double fraction = 0;  ///< of cells with a value > 0
};

struct MarkerRow {
  std::int64_t gene = 0;
  double score = 0;   ///< Wilcoxon z (positive: higher in the selection)
  double log2fc = 0;  ///< log2 of the ratio of means (selection / rest), 1e-9 added to both
  double p = 1, padj = 1;
  double meanIn = 0, meanOut = 0;
};

class ExpressionMatrix {
 public:
  /// Cell-major arrays (CSR over cells, e.g. AnnData csr X or 10x's barcode-major CSC):
  /// entries [indptr[c], indptr[c+1]) belong to cell c, `indices` are gene numbers.
  static data::Expected<ExpressionMatrix> fromCellMajor(std::int64_t nCells, std::int64_t nGenes,
                                                        std::span<const std::int64_t> indptr,
                                                        std::span<const std::int32_t> indices,
                                                        std::span<const float> values,
                                                        const std::string& where);
  /// Gene-major arrays (CSC over cells): entries [indptr[g], indptr[g+1]) belong to gene g.
  static data::Expected<ExpressionMatrix> fromGeneMajor(std::int64_t nCells, std::int64_t nGenes,
                                                        std::vector<std::int64_t> indptr,
                                                        std::vector<std::int32_t> indices,
                                                        std::vector<float> values,
                                                        const std::string& where);

  std::int64_t cells() const { return nCells_; }
  std::int64_t genes() const { return nGenes_; }
  std::size_t nnz() const { return values_.size(); }

  std::vector<float> column(std::int64_t gene) const;
  std::vector<GeneSummary> summaries() const;
  /// Mean of `gene` in each group (codes in [0, groups); negative codes are skipped).
  std::vector<double> groupMeans(std::int64_t gene, std::span<const std::int32_t> codes,
                                 int groups) const;
  /// Mean of `gene` over the cells with mask[c] != 0 and over the rest.
  std::pair<double, double> selectionMeans(std::int64_t gene,
                                           std::span<const std::uint8_t> mask) const;
  /// The `n` genes with the highest value in `cell`, highest first (gene, value).
  std::vector<std::pair<std::int64_t, float>> topGenes(std::int64_t cell, std::size_t n) const;
  /// Wilcoxon rank-sum of the cells with mask[c] != 0 against the rest for every gene, sorted
  /// by score (highest first): normal approximation with tie correction, no continuity
  /// correction (as scipy's mannwhitneyu, asymptotic), score = z; BH-adjusted p. Empty when either
  /// side is empty or `cancel` is set while it runs.
  std::vector<MarkerRow> markers(std::span<const std::uint8_t> mask,
                                 const std::atomic<bool>* cancel = nullptr,
                                 const std::function<void(double)>& progress = {}) const;

 private:
  void computeRanks();
  std::int64_t nCells_ = 0, nGenes_ = 0;
  std::vector<std::int64_t> indptr_;
  std::vector<std::int32_t> indices_;  ///< cell of each entry, rising within a gene
  std::vector<float> values_;
  std::vector<float> ranks_;  ///< 1-based rank of each entry among all cells of its gene
  std::vector<double> ties_;  ///< per gene: sum of t^3 - t over tie groups (zeros included)
};

/// Reads X of an AnnData .h5ad (csr, csc or dense) or the matrix of a 10x HDF5 file. HDF5
/// thread only. Errors name the file and the HDF5 path.
data::Expected<std::shared_ptr<const ExpressionMatrix>> loadExpression(
    const std::filesystem::path& path);

}  // namespace tessera::app
