#include "app/cells/cells_data.h"

#include <cmath>
#include <fstream>
#include <future>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/cells/cells_open.h"
#include "data/demo/demo_dataset.h"
#include "data/expression/x_reader.h"
#include "data/spatial/label_centroids.h"
#include "data/spatial/spatialdata_tables.h"
#include "data/spatial/visium.h"
#include "data/spatial/xenium.h"

namespace tessera::app {
namespace fs = std::filesystem;
using data::Errc;
using data::fail;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Non-HDF5 tables (AnnData zarr, Xenium, CSV) bring their genes through a GeneSource; gather
// them into a matrix in memory once (these tables are small next to HDF5 atlases).
data::Expected<data::CscMatrix> gatherGenes(const data::CellTable& t) {
  data::CscMatrix m;
  m.rows = t.size();
  m.cols = static_cast<std::int64_t>(t.geneNames.size());
  m.colptr.push_back(0);
  for (std::int64_t g = 0; g < m.cols; ++g) {
    auto col = t.genes->readGene(g);
    if (!col) return std::unexpected(col.error());
    if (static_cast<std::int64_t>(col->size()) != m.rows)
      return fail(Errc::Corrupt, t.location + ": gene " + t.geneNames[g] + " has " +
                                     std::to_string(col->size()) + " values for " +
                                     std::to_string(m.rows) + " cells");
    for (std::size_t c = 0; c < col->size(); ++c)
      if ((*col)[c] != 0) {
        m.rowIdx.push_back(static_cast<std::int32_t>(c));
        m.values.push_back((*col)[c]);
      }
    m.colptr.push_back(m.nnz());
  }
  return m;
}
// A SpatialData table's toImage maps into the element it annotates; the window and `render`
// show one image of the store (`shown`, else its first), so the cells (and the label
// centroids, computed here once when obsm has no "spatial") are mapped into that image's
// pixels through the common coordinate system.
void placeInShownImage(data::CellTable& t, const fs::path& store, std::string shown) {
  if (t.linkedToLabels() && !t.hasSpatial())
    if (auto placed = data::placeAtLabelCentroids(t); !placed) {
      t.messages.push_back(placed.error().message);
      data::noteEmbeddingOnly(t, "its label regions could not be read");
    }
  if (shown.empty()) shown = data::spatialDataFirstImage(store);
  if (shown.empty() || t.linkedElement.empty() || shown == t.linkedElement) return;
  auto m = data::spatialDataPixelsToPixels(store, t.linkedElement, shown);
  if (!m) {
    t.messages.push_back(m.error().message);
    return;
  }
  t.toImage = m->after(t.toImage);
  t.affineSource += ", then " + t.linkedElement + " -> " + shown + " pixels";
}
}  // namespace

data::ExpressionEngine::Options defaultExpressionOptions() {
  data::ExpressionEngine::Options o;
  o.cacheDir = data::defaultCacheDir() / "expression";
  return o;
}

data::Expected<std::vector<float>> geneValuesNow(const CellsData& d, std::int64_t gene) {
  if (!d.expression) return fail(Errc::NotFound, d.table->location + ": no expression values");
  auto p = std::make_shared<std::promise<data::Expected<std::vector<float>>>>();
  auto f = p->get_future();
  d.expression->gene(gene, {},
                     [p](data::Expected<std::vector<float>> v) { p->set_value(std::move(v)); });
  return f.get();
}

bool isVisiumFolder(const fs::path& path) {
  return data::isVisiumFolder(path);
}

const data::CellColumn* CellsData::defaultGroups() const {
  if (!table) return nullptr;
  for (const char* name : {"cluster", "leiden", "louvain", "cell_type", "celltype"})
    if (const auto* c = table->column(name); c && c->kind == data::CellColumnKind::Categorical)
      return c;
  const data::CellColumn* first = nullptr;
  for (const auto& c : table->obs)
    if (c.kind == data::CellColumnKind::Categorical) {
      if (c.categories.size() > 1) return &c;
      if (!first) first = &c;
    }
  return first;
}

data::Expected<std::shared_ptr<const CellsData>> loadCellsData(
    const fs::path& path, const std::string& preferredBasis, double imageWidth, double imageHeight,
    const std::string& shownElement, const ExpressionSetup* expression,
    const std::optional<data::Affine2D>& placement) {
  // Xenium transcripts are left to TranscriptsLayer, which loads them in the background.
  data::XeniumOptions xenium;
  xenium.loadTranscripts = false;
  auto table =
      data::isXeniumFolder(path) ? data::openXenium(path, xenium) : data::openCells(path.string());
  if (!table) return std::unexpected(table.error());
  // `path` is the store (its first table) or one of its tables (`<store>/tables/<name>`).
  if (table->format == "spatialdata")
    if (const auto ref = data::spatialDataTableRef(path))
      placeInShownImage(*table, ref->store, shownElement);
  if (placement) {
    // A session's pairing places the table, whatever its own metadata says.
    table->toImage = *placement;
    table->affineSource = "the session's pairing";
  }
  auto out = std::make_shared<CellsData>();
  const auto n = static_cast<std::size_t>(table->size());
  // HDF5-backed matrices stay on disk behind the engine; others are gathered gene by gene.
  std::optional<fs::path> matrixPath;
  if (table->format == "h5ad" || table->format == "10x-h5")
    matrixPath = path;
  else if (table->format == "visium")
    matrixPath = fs::exists(path / "filtered_feature_bc_matrix.h5")
                     ? path / "filtered_feature_bc_matrix.h5"
                     : path / "raw_feature_bc_matrix.h5";
  if (expression) {
    std::string why;
    if (matrixPath) {
      auto x = data::probeXMatrix(*matrixPath);
      if (x && x->rows != table->size())
        return fail(Errc::Corrupt, path.string() + ": matrix has " + std::to_string(x->rows) +
                                       " cells, table " + std::to_string(table->size()));
      if (x)
        out->expression = std::make_shared<data::ExpressionEngine>(
            *x, expression->hdf5, expression->workers, expression->options);
      else
        why = x.error().message;
    } else if (table->genes) {
      auto m = gatherGenes(*table);
      if (m)
        out->expression = std::make_shared<data::ExpressionEngine>(
            std::move(*m), table->location, expression->workers, expression->options);
      else
        why = m.error().message;
    }
    if (!why.empty() && !table->geneNames.empty()) table->messages.push_back(why);
  }
  table->genes.reset();
  if (table->hasSpatial()) {
    out->px.resize(n);
    out->py.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = table->x[i], y = table->y[i];
      out->px[i] = std::isfinite(x) ? static_cast<float>(table->toImage.mapX(x, y)) : kNaN;
      out->py[i] = std::isfinite(y) ? static_cast<float>(table->toImage.mapY(x, y)) : kNaN;
    }
    if (imageWidth > 0 && imageHeight > 0)
      out->outsideImage = data::checkCellsInImage(*table, imageWidth, imageHeight);
    if (table->spotRadius) {
      const double scale = std::sqrt(std::abs(table->toImage.determinant()));
      out->spotDiameterPx = 2 * *table->spotRadius * scale;
    }
    if (table->outlines && table->outlines->offsets.size() == n + 1) {
      const auto& o = *table->outlines;
      bool complete = true;
      for (std::size_t i = 0; i < n && complete; ++i)
        complete = o.offsets[i + 1] - o.offsets[i] >= 3;
      if (complete) {
        out->outlineXY.resize(o.x.size() * 2);
        for (std::size_t k = 0; k < o.x.size(); ++k) {
          out->outlineXY[2 * k] = static_cast<float>(table->toImage.mapX(o.x[k], o.y[k]));
          out->outlineXY[2 * k + 1] = static_cast<float>(table->toImage.mapY(o.x[k], o.y[k]));
        }
        out->outlineOffsets.assign(o.offsets.begin(), o.offsets.end());
      }
    }
    out->spatialGrid.build(out->px, out->py);
  }
  const data::Embedding* emb = nullptr;
  std::vector<std::string> order{preferredBasis, "X_umap", "X_tsne", "X_pca", "X_spatial_umap"};
  for (const auto& key : order) {
    if (key.empty() || emb) continue;
    for (const auto& e : table->embeddings)
      if (e.key == key && e.cols >= 2) emb = &e;
  }
  if (!emb && preferredBasis.empty())
    for (const auto& e : table->embeddings)
      if (e.cols >= 2 && e.key != "spatial" && e.key != "outline") {
        emb = &e;
        break;
      }
  if (!preferredBasis.empty() && (!emb || emb->key != preferredBasis))
    return fail(Errc::NotFound,
                path.string() + ": obsm has no 2-column embedding '" + preferredBasis + "'");
  if (emb) useEmbedding(*out, *emb);
  // The window picks cells only after it shows them: the grids are built meanwhile.
  if (expression && expression->pickGridsInBackground)
    PickGrid::buildInBackground(expression->workers, {&out->spatialGrid, &out->embeddingGrid});
  out->table = std::make_shared<const data::CellTable>(std::move(*table));
  return std::shared_ptr<const CellsData>(std::move(out));
}

void useEmbedding(CellsData& d, const data::Embedding& emb) {
  const auto n = emb.cols > 0 ? emb.values.size() / static_cast<std::size_t>(emb.cols) : 0;
  d.embeddingKey = emb.key;
  d.ex.resize(n);
  d.ey.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    d.ex[i] = emb.values[i * static_cast<std::size_t>(emb.cols)];
    d.ey[i] = -emb.values[i * static_cast<std::size_t>(emb.cols) + 1];
  }
  d.embeddingGrid.build(d.ex, d.ey);
}

std::vector<std::string> embeddingBases(const data::CellTable& table) {
  std::vector<std::string> out;
  for (const auto& e : table.embeddings)
    if (e.cols >= 2 && e.key != "outline") out.push_back(e.key);
  return out;
}

std::shared_ptr<const CellsData> withBasis(const CellsData& d, const std::string& key) {
  if (!d.table) return nullptr;
  for (const auto& e : d.table->embeddings)
    if (e.key == key && e.cols >= 2 &&
        e.values.size() / e.cols == static_cast<std::size_t>(d.size())) {
      auto out = std::make_shared<CellsData>(d);
      useEmbedding(*out, e);
      return out;
    }
  return nullptr;
}

}  // namespace tessera::app
