#include "data/demo/demo_cells.h"

#include <cstdio>
#include <utility>

namespace tessera::data::demo {

AnnDataWrite demoAnnData(const TissueModel& model, ExpressionMatrix&& expression,
                         const std::string& imageName) {
  const auto& cells = model.cells();
  const auto n = static_cast<std::int64_t>(cells.size());
  const double um2PerPx = model.config().pixelSizeUm * model.config().pixelSizeUm;
  AnnDataWrite a;
  a.obsNames.reserve(cells.size());
  char name[32];
  for (std::int64_t i = 0; i < n; ++i) {
    std::snprintf(name, sizeof name, "cell_%05lld", static_cast<long long>(i + 1));
    a.obsNames.emplace_back(name);
  }
  a.varNames = expression.genes;
  a.X.rows = n;
  a.X.cols = static_cast<std::int64_t>(expression.genes.size());
  a.X.indptr = std::move(expression.indptr);
  a.X.indices = std::move(expression.indices);
  a.X.data = std::move(expression.data);

  CategoricalColumn cluster, region;
  for (int t = 0; t < kCellTypeCount; ++t) {
    cluster.categories.emplace_back(cellTypeName(static_cast<CellType>(t)));
    cluster.colors.emplace_back(cellTypeColor(static_cast<CellType>(t)));
  }
  for (int r = 0; r < kRegionCount; ++r)
    region.categories.emplace_back(regionName(static_cast<Region>(r)));
  std::vector<float> area;
  DenseMatrix spatial{n, 2, {}}, outline{n, 32, {}};
  spatial.values.reserve(2 * cells.size());
  outline.values.reserve(32 * cells.size());
  for (const Cell& c : cells) {
    cluster.codes.push_back(static_cast<std::int32_t>(c.type));
    region.codes.push_back(static_cast<std::int32_t>(c.region));
    area.push_back(static_cast<float>(c.area * um2PerPx));
    spatial.values.push_back(c.cx);
    spatial.values.push_back(c.cy);
    outline.values.insert(outline.values.end(), c.outline.begin(), c.outline.end());
  }
  a.obs.emplace_back("cluster", std::move(cluster));
  a.obs.emplace_back("region", std::move(region));
  a.obs.emplace_back("area_um2", std::move(area));
  a.obs.emplace_back("n_counts", std::move(expression.totalCounts));
  a.obs.emplace_back("n_genes", std::move(expression.genesDetected));
  a.obsm["spatial"] = std::move(spatial);
  a.obsm["outline"] = std::move(outline);
  a.obsm["X_umap"] = DenseMatrix{n, 2, demoEmbedding(model)};
  a.unsStrings["tessera_image"] = imageName;
  a.unsStrings["spatial_unit"] = "pixel";
  return a;
}

}  // namespace tessera::data::demo
