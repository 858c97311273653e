#include "data/cells/matrix_cells.h"

#include <cmath>

namespace tessera::data {
namespace {

class H5adGenes final : public GeneSource {
 public:
  explicit H5adGenes(std::shared_ptr<const H5adFile> f) : file_(std::move(f)) {}
  Expected<std::vector<float>> readGene(std::int64_t var) const override {
    return file_->readGene(var);
  }

 private:
  std::shared_ptr<const H5adFile> file_;
};

class TenxGenes final : public GeneSource {
 public:
  explicit TenxGenes(std::shared_ptr<const TenxH5File> f) : file_(std::move(f)) {}
  Expected<std::vector<float>> readGene(std::int64_t var) const override {
    return file_->readFeature(var);
  }

 private:
  std::shared_ptr<const TenxH5File> file_;
};

}  // namespace

CellOutlines outlinesFromRows(std::int64_t rows, std::int64_t cols, const std::vector<double>& v) {
  CellOutlines o;
  o.offsets.reserve(static_cast<std::size_t>(rows) + 1);
  o.offsets.push_back(0);
  o.x.reserve(static_cast<std::size_t>(rows * cols / 2));
  o.y.reserve(static_cast<std::size_t>(rows * cols / 2));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t k = 0; k + 1 < cols; k += 2) {
      const double x = v[r * cols + k], y = v[r * cols + k + 1];
      if (std::isnan(x) || std::isnan(y)) continue;
      o.x.push_back(static_cast<float>(x));
      o.y.push_back(static_cast<float>(y));
    }
    o.offsets.push_back(static_cast<std::int64_t>(o.x.size()));
  }
  return o;
}

Expected<CellTable> cellTableFromH5ad(H5adFile opened) {
  CellTable t;
  t.cellIds = opened.takeObsNames();
  const auto file = std::make_shared<const H5adFile>(std::move(opened));
  const H5adFile& f = *file;
  t.location = f.path().string();
  t.format = "h5ad";
  t.geneNames = f.varNames();
  // scanpy's read_10x_h5/read_visium keep the Ensembl ids in var["gene_ids"].
  for (const char* key : {"gene_ids", "gene_id"}) {
    auto ids = f.readVarStrings(key);
    if (ids && ids->size() == t.geneNames.size()) {
      t.geneIds = std::move(*ids);
      break;
    }
  }
  for (const auto& info : f.obsColumns()) {
    CellColumn c;
    c.name = info.name;
    switch (info.kind) {
      case ColumnKind::Categorical: {
        c.kind = CellColumnKind::Categorical;
        auto codes = f.readObsCodes(info.name);
        if (!codes) return std::unexpected(codes.error());
        c.codes = std::move(*codes);
        c.categories = info.categories;
        c.colors = info.colors;
        c.ordered = info.ordered;
        break;
      }
      case ColumnKind::String:
      case ColumnKind::NullableString: {
        c.kind = CellColumnKind::String;
        auto s = f.readObsStrings(info.name);
        if (!s) return std::unexpected(s.error());
        c.strings = std::move(*s);
        break;
      }
      case ColumnKind::Numeric:
      case ColumnKind::NullableInteger:
      case ColumnKind::Bool:
      case ColumnKind::NullableBool: {
        c.kind = info.kind == ColumnKind::Bool || info.kind == ColumnKind::NullableBool
                     ? CellColumnKind::Bool
                     : CellColumnKind::Numeric;
        auto v = f.readObsNumbers(info.name);
        if (!v) return std::unexpected(v.error());
        c.numbers = std::move(*v);
        break;
      }
      case ColumnKind::Unsupported:
        t.messages.push_back(t.location + ": obs column \"" + info.name + "\" (" + info.encoding +
                             ") is not supported; skipped");
        continue;
    }
    t.obs.push_back(std::move(c));
  }
  for (const auto& m : f.obsm()) {
    if (!m.readable) {
      t.messages.push_back(t.location + ": obsm \"" + m.key + "\" (" + m.encoding +
                           ") is not a dense array; skipped");
      continue;
    }
    auto d = f.readObsm(m.key);
    if (!d) return std::unexpected(d.error());
    if (m.key == "outline") {
      t.outlines = outlinesFromRows(d->rows, d->cols, d->values);
      continue;
    }
    if (m.key == "spatial" && d->cols >= 2) {
      t.x.resize(static_cast<std::size_t>(d->rows));
      t.y.resize(static_cast<std::size_t>(d->rows));
      for (std::int64_t r = 0; r < d->rows; ++r) {
        t.x[r] = d->values[r * d->cols];
        t.y[r] = d->values[r * d->cols + 1];
      }
    }
    Embedding e{m.key, d->cols, {}};
    e.values.assign(d->values.begin(), d->values.end());
    t.embeddings.push_back(std::move(e));
  }
  if (f.X()) {
    t.genes = std::make_shared<H5adGenes>(file);
    const MatrixInfo& x = *f.X();
    t.matrix =
        MatrixSummary{matrixEncodingName(x.encoding), dtypeName(x.dtype), x.rows, x.cols, x.nnz};
  }
  const H5adUnsSpatial u = f.unsSpatial();
  if (t.hasSpatial()) {
    if (u.hiresScale) {
      t.toImage = Affine2D::scale(*u.hiresScale, *u.hiresScale);
      t.affineSource = "uns/spatial/" + *u.library + "/scalefactors/tissue_hires_scalef";
    } else {
      t.affineSource = "obsm/spatial (identity)";
    }
    t.spatialUnit = "pixel";
    if (u.spotDiameter) t.spotRadius = *u.spotDiameter / 2;
  } else {
    noteEmbeddingOnly(t, "no obsm \"spatial\"");
  }
  if (u.image) t.imagePath = f.path().parent_path() / *u.image;
  if (auto ok = validateCellTable(t); !ok) return std::unexpected(ok.error());
  return t;
}

Expected<CellTable> cellTableFromTenx(std::shared_ptr<const TenxH5File> file) {
  CellTable t;
  t.location = file->path().string();
  t.format = "10x-h5";
  t.cellIds = file->barcodes();
  std::vector<std::string> symbols;
  for (const auto& ft : file->features()) {
    symbols.push_back(ft.name.empty() ? ft.id : ft.name);
    t.geneIds.push_back(ft.id);
  }
  t.geneNames = makeUniqueNames(symbols);
  t.genes = std::make_shared<TenxGenes>(file);
  // 10x stores features x barcodes column-compressed: per cell, i.e. CSR of cells x genes.
  t.matrix = MatrixSummary{"csr", dtypeName(file->dataType()), file->nBarcodes(), file->nFeatures(),
                           file->nnz()};
  noteEmbeddingOnly(t, "a 10x matrix holds none");
  return t;
}

Expected<CellTable> openH5adCells(const std::filesystem::path& path) {
  auto f = H5adFile::open(path);
  if (!f) return std::unexpected(f.error());
  return cellTableFromH5ad(std::move(*f));
}

Expected<CellTable> openTenxCells(const std::filesystem::path& path) {
  auto f = TenxH5File::open(path);
  if (!f) return std::unexpected(f.error());
  return cellTableFromTenx(std::make_shared<const TenxH5File>(std::move(*f)));
}

}  // namespace tessera::data
