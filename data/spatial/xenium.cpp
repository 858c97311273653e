#include "data/spatial/xenium.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "data/image_open.h"
#include "data/spatial/gzip_lines.h"
#include "data/spatial/transcripts.h"
#include "data/tenx/tenx_h5.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

const char* const kParquet = "parquet is not supported on this platform";

// Gene columns of the matrix, reordered from barcode order to cells.csv order.
class XeniumGenes final : public GeneSource {
 public:
  XeniumGenes(std::shared_ptr<const TenxH5File> f, std::vector<std::int64_t> cellOfBarcode,
              std::int64_t nCells)
      : f_(std::move(f)), map_(std::move(cellOfBarcode)), n_(nCells) {}
  Expected<std::vector<float>> readGene(std::int64_t var) const override {
    auto v = f_->readFeature(var);
    if (!v || map_.empty()) return v;
    std::vector<float> out(static_cast<std::size_t>(n_), 0.0f);
    for (std::size_t b = 0; b < v->size(); ++b)
      if (map_[b] >= 0) out[map_[b]] = (*v)[b];
    return out;
  }

 private:
  std::shared_ptr<const TenxH5File> f_;
  std::vector<std::int64_t> map_;  ///< empty = identity
  std::int64_t n_;
};

Expected<double> readPixelSize(const fs::path& dir, std::vector<std::string>& messages) {
  const fs::path p = dir / "experiment.xenium";
  std::ifstream in(p);
  if (!in) {
    messages.push_back(p.string() + ": missing; assuming pixel_size 0.2125 µm (Xenium default)");
    return 0.2125;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Corrupt, p.string() + ": not a JSON object");
  if (!j.contains("pixel_size") || !j["pixel_size"].is_number() ||
      j["pixel_size"].get<double>() <= 0)
    return fail(Errc::Corrupt, p.string() + ": \"pixel_size\" is missing or not a positive number");
  return j["pixel_size"].get<double>();
}

Expected<void> readCells(const fs::path& dir, CellTable& t) {
  const fs::path p = dir / "cells.csv.gz";
  if (!fs::exists(p)) {
    if (fs::exists(dir / "cells.parquet"))
      return fail(Errc::Unsupported, (dir / "cells.parquet").string() + ": " + kParquet);
    return fail(Errc::NotFound, p.string() + ": no such file");
  }
  auto lines = readGzipLines(p);
  if (!lines) return std::unexpected(lines.error());
  if (lines->empty()) return fail(Errc::Corrupt, p.string() + ": empty (no header)");
  const auto header = splitCsvLine((*lines)[0]);
  int idCol = -1, xCol = -1, yCol = -1;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    if (header[i] == "cell_id") idCol = i;
    if (header[i] == "x_centroid") xCol = i;
    if (header[i] == "y_centroid") yCol = i;
  }
  if (idCol < 0) return fail(Errc::Corrupt, p.string() + ": header has no \"cell_id\" column");
  const std::size_t n = lines->size() - 1;
  std::vector<std::vector<std::string>> text(header.size());
  for (auto& col : text)
    col.reserve(n);
  for (std::size_t r = 1; r < lines->size(); ++r) {
    auto f = splitCsvLine((*lines)[r]);
    if (f.size() != header.size())
      return fail(Errc::Corrupt, p.string() + ": line " + std::to_string(r + 1) + " has " +
                                     std::to_string(f.size()) + " fields, header has " +
                                     std::to_string(header.size()));
    for (std::size_t c = 0; c < f.size(); ++c)
      text[c].push_back(std::move(f[c]));
  }
  t.cellIds = std::move(text[idCol]);
  for (int c = 0; c < static_cast<int>(header.size()); ++c) {
    if (c == idCol) continue;
    std::vector<double> v(n);
    bool numeric = true;
    for (std::size_t r = 0; r < n && numeric; ++r)
      numeric = text[c][r].empty() ? (v[r] = std::nan(""), true) : parseFloat(text[c][r], v[r]);
    if (c == xCol || c == yCol) {
      if (!numeric)
        return fail(Errc::Corrupt, p.string() + ": column \"" + header[c] + "\" is not numeric");
      (c == xCol ? t.x : t.y) = std::move(v);
      continue;
    }
    CellColumn col;
    col.name = header[c];
    if (numeric) {
      col.kind = CellColumnKind::Numeric;
      col.numbers = std::move(v);
    } else {
      col.kind = CellColumnKind::String;
      col.strings = std::move(text[c]);
    }
    t.obs.push_back(std::move(col));
  }
  if (xCol < 0 || yCol < 0) {
    t.x.clear();
    t.y.clear();
    noteEmbeddingOnly(t, p.string() + " has no x_centroid/y_centroid");
  }
  return {};
}

Expected<void> readBoundaries(const fs::path& dir, CellTable& t,
                              const std::unordered_map<std::string, std::int64_t>& index) {
  const fs::path p = dir / "cell_boundaries.csv.gz";
  if (!fs::exists(p)) {
    if (fs::exists(dir / "cell_boundaries.parquet"))
      t.messages.push_back((dir / "cell_boundaries.parquet").string() + ": " + kParquet +
                           "; cell outlines not shown");
    return {};
  }
  auto lines = readGzipLines(p);
  if (!lines) return std::unexpected(lines.error());
  if (lines->empty()) return fail(Errc::Corrupt, p.string() + ": empty (no header)");
  const auto header = splitCsvLine((*lines)[0]);
  int idCol = -1, xCol = -1, yCol = -1;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    if (header[i] == "cell_id") idCol = i;
    if (header[i] == "vertex_x") xCol = i;
    if (header[i] == "vertex_y") yCol = i;
  }
  if (idCol < 0 || xCol < 0 || yCol < 0)
    return fail(Errc::Corrupt, p.string() + ": header lacks cell_id, vertex_x or vertex_y");
  const std::size_t n = t.cellIds.size();
  std::vector<std::int64_t> cellOf;
  std::vector<float> vx, vy;
  cellOf.reserve(lines->size());
  std::vector<std::int64_t> counts(n + 1, 0);
  std::int64_t unknown = 0;
  for (std::size_t r = 1; r < lines->size(); ++r) {
    const auto f = splitCsvLine((*lines)[r]);
    const int need = std::max({idCol, xCol, yCol});
    double x, y;
    if (static_cast<int>(f.size()) <= need || !parseFloat(f[xCol], x) || !parseFloat(f[yCol], y))
      return fail(Errc::Corrupt, p.string() + ": line " + std::to_string(r + 1) +
                                     ": vertex_x/vertex_y missing or not numbers");
    auto it = index.find(f[idCol]);
    if (it == index.end()) {
      ++unknown;
      continue;
    }
    cellOf.push_back(it->second);
    vx.push_back(static_cast<float>(x));
    vy.push_back(static_cast<float>(y));
    ++counts[it->second + 1];
  }
  CellOutlines o;
  o.offsets.resize(n + 1, 0);
  for (std::size_t i = 0; i < n; ++i)
    o.offsets[i + 1] = o.offsets[i] + counts[i + 1];
  o.x.resize(vx.size());
  o.y.resize(vy.size());
  std::vector<std::int64_t> pos(o.offsets.begin(), o.offsets.end() - 1);
  for (std::size_t k = 0; k < vx.size(); ++k) {
    const auto at = pos[cellOf[k]]++;
    o.x[at] = vx[k];
    o.y[at] = vy[k];
  }
  if (unknown)
    t.messages.push_back(p.string() + ": " + std::to_string(unknown) +
                         " vertices belong to cells not in cells.csv.gz; skipped");
  t.outlines = std::move(o);
  return {};
}

}  // namespace

fs::path findXeniumMorphology(const fs::path& dir) {
  for (const char* name : {"morphology_focus.ome.tif", "morphology_mip.ome.tif",
                           "morphology.ome.tif", "morphology_focus/morphology_focus_0000.ome.tif"})
    if (fs::exists(dir / name)) return dir / name;
  return {};
}

bool isXeniumFolder(const fs::path& dir) {
  return fs::is_directory(dir) &&
         (fs::exists(dir / "experiment.xenium") ||
          (fs::exists(dir / "cells.csv.gz") && fs::exists(dir / "cell_feature_matrix.h5")));
}

Expected<CellTable> openXenium(const fs::path& dir, const XeniumOptions& opt) {
  if (!fs::is_directory(dir)) return fail(Errc::NotFound, dir.string() + ": no such directory");
  CellTable t;
  t.location = dir.string();
  t.format = "xenium";
  auto px = readPixelSize(dir, t.messages);
  if (!px) return std::unexpected(px.error());
  if (auto r = readCells(dir, t); !r) return std::unexpected(r.error());
  std::unordered_map<std::string, std::int64_t> index;
  index.reserve(t.cellIds.size());
  for (std::size_t i = 0; i < t.cellIds.size(); ++i)
    index.emplace(t.cellIds[i], static_cast<std::int64_t>(i));
  if (index.size() != t.cellIds.size())
    return fail(Errc::Corrupt, (dir / "cells.csv.gz").string() + ": cell_id values are not unique");
  t.spatialUnit = "micrometer";
  t.toImage = Affine2D::scale(1.0 / *px, 1.0 / *px);
  t.affineSource = "experiment.xenium pixel_size " + std::to_string(*px) + " µm";

  const fs::path matrix = dir / "cell_feature_matrix.h5";
  if (fs::exists(matrix)) {
    auto f = TenxH5File::open(matrix);
    if (!f) return std::unexpected(f.error());
    auto file = std::make_shared<const TenxH5File>(std::move(*f));
    std::vector<std::string> symbols;
    for (const auto& ft : file->features()) {
      symbols.push_back(ft.name.empty() ? ft.id : ft.name);
      t.geneIds.push_back(ft.id);
    }
    t.geneNames = makeUniqueNames(symbols);
    std::vector<std::int64_t> map;
    if (file->barcodes() != t.cellIds) {
      map.assign(file->barcodes().size(), -1);
      std::int64_t missing = 0;
      for (std::size_t b = 0; b < map.size(); ++b) {
        auto it = index.find(file->barcodes()[b]);
        if (it == index.end())
          ++missing;
        else
          map[b] = it->second;
      }
      if (missing)
        t.messages.push_back(matrix.string() + ": " + std::to_string(missing) +
                             " barcodes are not in cells.csv.gz; their counts are ignored");
    }
    t.genes = std::make_shared<XeniumGenes>(file, std::move(map), t.size());
    // The 10x matrix is column-compressed per barcode: CSR of cells x genes.
    t.matrix =
        MatrixSummary{"csr", dtypeName(file->dataType()), t.size(), file->nFeatures(), file->nnz()};
  } else {
    t.messages.push_back(matrix.string() + ": missing; no gene expression per cell");
  }
  if (auto r = readBoundaries(dir, t, index); !r) return std::unexpected(r.error());

  if (opt.loadTranscripts) {
    const fs::path tp = dir / "transcripts.csv.gz";
    if (fs::exists(tp)) {
      auto tr = loadTranscriptsCsvGz(tp, opt.executor, opt.stop);
      if (!tr) return std::unexpected(tr.error());
      t.transcripts = std::move(*tr);
    } else if (fs::exists(dir / "transcripts.parquet")) {
      t.messages.push_back((dir / "transcripts.parquet").string() + ": " + kParquet +
                           "; transcripts not shown");
    }
  }

  t.imagePath = findXeniumMorphology(dir);
  if (t.imagePath.empty()) {
    t.messages.push_back(dir.string() + ": no morphology OME-TIFF found");
  } else if (t.hasSpatial()) {
    auto img = openImage(t.imagePath.string());
    if (img)
      checkCellsInImage(t, double((*img)->info().width()), double((*img)->info().height()));
    else
      t.messages.push_back(img.error().message);
  }
  if (auto ok = validateCellTable(t); !ok) return std::unexpected(ok.error());
  return t;
}

}  // namespace tessera::data
