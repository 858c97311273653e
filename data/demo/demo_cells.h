#pragma once
/// Assembles the demo's AnnData (cells.h5ad content) from the tissue model: obs (cluster with
/// colours, region, area_um2, n_counts, n_genes), X (CSR counts), obsm spatial / X_umap /
/// outline in level-0 pixels, and uns links to the image. Pure function of its inputs.
#include <string>

#include "data/anndata/h5ad_writer.h"
#include "data/demo/demo_expression.h"
#include "data/demo/tissue_model.h"

namespace tessera::data::demo {

/// Consumes `expression` (its buffers move into the result).
AnnDataWrite demoAnnData(const TissueModel& model, ExpressionMatrix&& expression,
                         const std::string& imageName);

}  // namespace tessera::data::demo
