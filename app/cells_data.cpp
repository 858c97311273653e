#include "app/cells_data.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/cells/matrix_cells.h"

namespace tessera::app {
namespace fs = std::filesystem;
using data::Errc;
using data::fail;

namespace {
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::optional<fs::path> visiumPositions(const fs::path& folder) {
  for (const char* name : {"spatial/tissue_positions_list.csv", "spatial/tissue_positions.csv"})
    if (fs::exists(folder / name)) return folder / name;
  return std::nullopt;
}

std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string f;
  while (std::getline(ss, f, ','))
    out.push_back(f);
  return out;
}
}  // namespace

bool isVisiumFolder(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && visiumPositions(path) &&
         (fs::exists(path / "filtered_feature_bc_matrix.h5") ||
          fs::exists(path / "raw_feature_bc_matrix.h5"));
}

data::Expected<data::CellTable> openVisiumCells(const fs::path& folder) {
  const fs::path matrix = fs::exists(folder / "filtered_feature_bc_matrix.h5")
                              ? folder / "filtered_feature_bc_matrix.h5"
                              : folder / "raw_feature_bc_matrix.h5";
  auto table = data::openTenxCells(matrix);
  if (!table) return table;
  table->genes.reset();  // genes come from the in-memory matrix; no HDF5 handle may escape
  table->location = folder.string();
  table->format = "visium";
  table->messages.clear();
  const auto posPath = visiumPositions(folder);
  if (!posPath)
    return fail(Errc::NotFound, folder.string() + ": no spatial/tissue_positions_list.csv");
  std::ifstream in(*posPath);
  if (!in) return fail(Errc::Io, posPath->string() + ": cannot read");
  struct Pos {
    double inTissue, row, col, y, x;
  };
  std::unordered_map<std::string, Pos> byBarcode;
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto f = splitCsv(line);
    if (f.size() < 6)
      return fail(Errc::Corrupt,
                  posPath->string() + ":" + std::to_string(lineNo) + ": expected 6 fields");
    if (f[0] == "barcode") continue;  // Space Ranger 2 header
    try {
      byBarcode[f[0]] = {std::stod(f[1]), std::stod(f[2]), std::stod(f[3]), std::stod(f[4]),
                         std::stod(f[5])};
    } catch (const std::exception&) {
      return fail(Errc::Corrupt,
                  posPath->string() + ":" + std::to_string(lineNo) + ": not a number");
    }
  }
  const auto n = static_cast<std::size_t>(table->size());
  table->x.assign(n, std::numeric_limits<double>::quiet_NaN());
  table->y.assign(n, std::numeric_limits<double>::quiet_NaN());
  data::CellColumn inTissue, arrayRow, arrayCol;
  inTissue.name = "in_tissue";
  inTissue.kind = data::CellColumnKind::Categorical;
  inTissue.categories = {"0", "1"};
  arrayRow.name = "array_row";
  arrayCol.name = "array_col";
  std::size_t missing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto it = byBarcode.find(table->cellIds[i]);
    if (it == byBarcode.end()) {
      ++missing;
      inTissue.codes.push_back(-1);
      arrayRow.numbers.push_back(std::nan(""));
      arrayCol.numbers.push_back(std::nan(""));
      continue;
    }
    table->x[i] = it->second.x;
    table->y[i] = it->second.y;
    inTissue.codes.push_back(it->second.inTissue > 0 ? 1 : 0);
    arrayRow.numbers.push_back(it->second.row);
    arrayCol.numbers.push_back(it->second.col);
  }
  if (missing)
    table->messages.push_back(posPath->string() + ": " + std::to_string(missing) +
                              " barcodes have no position");
  table->obs.push_back(std::move(inTissue));
  table->obs.push_back(std::move(arrayRow));
  table->obs.push_back(std::move(arrayCol));
  table->spatialUnit = "pixel";
  const fs::path sfPath = folder / "spatial/scalefactors_json.json";
  std::ifstream sfIn(sfPath);
  if (!sfIn) return fail(Errc::NotFound, sfPath.string() + ": missing (needed to place the spots)");
  const auto sf = nlohmann::json::parse(sfIn, nullptr, false);
  if (sf.is_discarded() || !sf.contains("tissue_hires_scalef") ||
      !sf["tissue_hires_scalef"].is_number())
    return fail(Errc::Corrupt, sfPath.string() + ": no number tissue_hires_scalef");
  const double s = sf["tissue_hires_scalef"].get<double>();
  table->toImage = data::Affine2D::scale(s, s);
  table->affineSource = "scalefactors tissue_hires_scalef";
  if (sf.contains("spot_diameter_fullres") && sf["spot_diameter_fullres"].is_number())
    table->spotRadius = sf["spot_diameter_fullres"].get<double>() / 2.0;
  if (fs::exists(folder / "spatial/tissue_hires_image.png"))
    table->imagePath = folder / "spatial/tissue_hires_image.png";
  return table;
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

data::Expected<std::shared_ptr<const CellsData>> loadCellsData(const fs::path& path,
                                                               const std::string& preferredBasis,
                                                               double imageWidth,
                                                               double imageHeight) {
  data::Expected<data::CellTable> table = fail(
      Errc::Unsupported, path.string() + ": not a cell table (.h5ad, 10x .h5 or Visium folder)");
  fs::path matrixPath = path;
  if (isVisiumFolder(path)) {
    table = openVisiumCells(path);
    matrixPath = fs::exists(path / "filtered_feature_bc_matrix.h5")
                     ? path / "filtered_feature_bc_matrix.h5"
                     : path / "raw_feature_bc_matrix.h5";
  } else if (path.extension() == ".h5ad") {
    table = data::openH5adCells(path);
  } else if (path.extension() == ".h5") {
    table = data::openTenxCells(path);
  }
  if (!table) return std::unexpected(table.error());
  table->genes.reset();  // its GeneSource reads through HDF5; the in-memory matrix replaces it
  auto out = std::make_shared<CellsData>();
  const auto n = static_cast<std::size_t>(table->size());
  if (auto expr = loadExpression(matrixPath)) {
    if ((*expr)->cells() != table->size())
      return fail(Errc::Corrupt, matrixPath.string() + ": matrix has " +
                                     std::to_string((*expr)->cells()) + " cells, table " +
                                     std::to_string(table->size()));
    out->expression = *expr;
    out->geneSummaries = (*expr)->summaries();
  } else if (table->geneNames.size() > 0) {
    table->messages.push_back(expr.error().message);
  }
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
  if (emb) {
    out->embeddingKey = emb->key;
    out->ex.resize(n);
    out->ey.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      out->ex[i] = emb->values[i * static_cast<std::size_t>(emb->cols)];
      out->ey[i] = -emb->values[i * static_cast<std::size_t>(emb->cols) + 1];
    }
    out->embeddingGrid.build(out->ex, out->ey);
  }
  out->table = std::make_shared<const data::CellTable>(std::move(*table));
  return std::shared_ptr<const CellsData>(std::move(out));
}

}  // namespace tessera::app
