#pragma once
/// Simulated single-cell expression for the demo cells: a ~250-gene panel of real human gene
/// symbols, negative-binomial counts around per-cluster means, with marker genes driven by the
/// same per-cell latents that drive the painted channels (PTPRC ~ CD45, KRT8/KRT18/EPCAM ~
/// PanCK, ATP1A1 ~ Na-K-ATPase). Also the UMAP-like embedding. Deterministic: each cell draws
/// from its own stream, so results do not depend on how the work is split across threads.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/demo/tissue_model.h"
#include "data/executor.h"

namespace tessera::data::demo {

struct ExpressionMatrix {
  std::vector<std::string> genes;
  std::int64_t rows = 0;
  std::vector<std::int64_t> indptr;  ///< CSR, rows + 1 entries
  std::vector<std::int32_t> indices;
  std::vector<float> data;  ///< counts
  std::vector<float> totalCounts;
  std::vector<std::int32_t> genesDetected;
  int geneIndex(const std::string& symbol) const;  ///< -1 if absent
};

/// The gene panel, in column order.
const std::vector<std::string>& demoGenes();

/// Counts for every cell of `model`. Runs on `executor` when given (the calling thread helps),
/// serially otherwise. `poll(fraction)` runs on the calling thread; returning false cancels,
/// and the result is then an empty matrix (rows == 0).
ExpressionMatrix simulateExpression(const TissueModel& model, Executor* executor = nullptr,
                                    const std::function<bool(double)>& poll = {});

/// UMAP-like 2D embedding, row-major n x 2: clusters as curved, irregular blobs, with
/// continua (basal -> luminal epithelium, fibroblast -> smooth muscle, cycling cells).
std::vector<double> demoEmbedding(const TissueModel& model);

}  // namespace tessera::data::demo
