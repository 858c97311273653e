#include "app/cells_expression.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "data/anndata/h5ad_reader.h"
#include "data/anndata/hdf5_read.h"
#include "data/tenx/tenx_h5.h"

namespace tessera::app {
namespace {

using data::Errc;
using data::fail;

struct RawSparse {
  std::vector<std::int64_t> indptr;
  std::vector<std::int32_t> indices;
  std::vector<float> values;
};

data::Expected<RawSparse> readSparse(hid_t file, const std::string& group,
                                     const std::string& name) {
  auto where = [&](const std::string& k) { return name + ":/" + group + "/" + k; };
  RawSparse out;
  for (const char* key : {"indptr", "indices", "data"}) {
    auto ds = data::h5::open(file, group + "/" + key, where(key));
    if (!ds) return std::unexpected(ds.error());
    const std::string k = key;
    if (k == "indptr") {
      auto v = data::h5::readNumbers<std::int64_t>(ds->get(), where(k));
      if (!v) return std::unexpected(v.error());
      out.indptr = std::move(*v);
    } else if (k == "indices") {
      auto v = data::h5::readNumbers<std::int32_t>(ds->get(), where(k));
      if (!v) return std::unexpected(v.error());
      out.indices = std::move(*v);
    } else {
      auto v = data::h5::readNumbers<float>(ds->get(), where(k));
      if (!v) return std::unexpected(v.error());
      out.values = std::move(*v);
    }
  }
  return out;
}

data::Expected<std::shared_ptr<const ExpressionMatrix>> share(data::Expected<ExpressionMatrix> m) {
  if (!m) return std::unexpected(m.error());
  return std::make_shared<const ExpressionMatrix>(std::move(*m));
}

struct FileHandle {
  data::h5::Handle h;
};

data::Expected<FileHandle> openRaw(const std::filesystem::path& path) {
  data::h5::silenceErrors();
  data::h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f) return data::h5::failH5(Errc::Io, path.string() + ": cannot open");
  return FileHandle{std::move(f)};
}

}  // namespace

data::Expected<ExpressionMatrix> ExpressionMatrix::fromCellMajor(
    std::int64_t nCells, std::int64_t nGenes, std::span<const std::int64_t> indptr,
    std::span<const std::int32_t> indices, std::span<const float> values,
    const std::string& where) {
  if (static_cast<std::int64_t>(indptr.size()) != nCells + 1 || indptr.front() != 0 ||
      indptr.back() != static_cast<std::int64_t>(indices.size()) || indices.size() != values.size())
    return fail(Errc::Corrupt, where + ": indptr/indices/data do not match the shape " +
                                   std::to_string(nCells) + " x " + std::to_string(nGenes));
  ExpressionMatrix m;
  m.nCells_ = nCells;
  m.nGenes_ = nGenes;
  m.indptr_.assign(static_cast<std::size_t>(nGenes) + 1, 0);
  for (auto g : indices) {
    if (g < 0 || g >= nGenes)
      return fail(Errc::Corrupt, where + ": gene index " + std::to_string(g) + " out of range");
    ++m.indptr_[static_cast<std::size_t>(g) + 1];
  }
  std::partial_sum(m.indptr_.begin(), m.indptr_.end(), m.indptr_.begin());
  m.indices_.resize(indices.size());
  m.values_.resize(indices.size());
  std::vector<std::int64_t> fill(m.indptr_.begin(), m.indptr_.end() - 1);
  for (std::int64_t c = 0; c < nCells; ++c) {
    const auto b = indptr[static_cast<std::size_t>(c)], e = indptr[static_cast<std::size_t>(c) + 1];
    if (e < b)
      return fail(Errc::Corrupt, where + ": indptr decreases at cell " + std::to_string(c));
    for (auto k = b; k < e; ++k) {
      const auto g = static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]);
      const auto at = static_cast<std::size_t>(fill[g]++);
      m.indices_[at] = static_cast<std::int32_t>(c);
      m.values_[at] = values[static_cast<std::size_t>(k)];
    }
  }
  m.computeRanks();
  return m;
}

data::Expected<ExpressionMatrix> ExpressionMatrix::fromGeneMajor(
    std::int64_t nCells, std::int64_t nGenes, std::vector<std::int64_t> indptr,
    std::vector<std::int32_t> indices, std::vector<float> values, const std::string& where) {
  if (static_cast<std::int64_t>(indptr.size()) != nGenes + 1 || indptr.front() != 0 ||
      indptr.back() != static_cast<std::int64_t>(indices.size()) || indices.size() != values.size())
    return fail(Errc::Corrupt, where + ": indptr/indices/data do not match the shape " +
                                   std::to_string(nCells) + " x " + std::to_string(nGenes));
  for (auto c : indices)
    if (c < 0 || c >= nCells)
      return fail(Errc::Corrupt, where + ": cell index " + std::to_string(c) + " out of range");
  ExpressionMatrix m;
  m.nCells_ = nCells;
  m.nGenes_ = nGenes;
  m.indptr_ = std::move(indptr);
  m.indices_ = std::move(indices);
  m.values_ = std::move(values);
  // Rows within a column must rise for the binary searches of topGenes.
  for (std::int64_t g = 0; g < nGenes; ++g) {
    const auto b = static_cast<std::size_t>(m.indptr_[g]),
               e = static_cast<std::size_t>(m.indptr_[g + 1]);
    if (std::is_sorted(m.indices_.begin() + b, m.indices_.begin() + e)) continue;
    std::vector<std::size_t> order(e - b);
    std::iota(order.begin(), order.end(), b);
    std::sort(order.begin(), order.end(),
              [&](auto x, auto y) { return m.indices_[x] < m.indices_[y]; });
    std::vector<std::int32_t> ci;
    std::vector<float> cv;
    for (auto k : order)
      ci.push_back(m.indices_[k]), cv.push_back(m.values_[k]);
    std::copy(ci.begin(), ci.end(), m.indices_.begin() + b);
    std::copy(cv.begin(), cv.end(), m.values_.begin() + b);
  }
  m.computeRanks();
  return m;
}

void ExpressionMatrix::computeRanks() {
  // Ranks over all cells of a gene, zeros (implicit entries) first: a stored value v > 0 gets
  // zeros + its average rank among the stored ones. Negative values are ranked among stored
  // ones too (rare in expression data; the ordering then is approximate).
  ranks_.assign(values_.size(), 0);
  ties_.assign(static_cast<std::size_t>(nGenes_), 0.0);
  std::vector<std::size_t> order;
  for (std::int64_t g = 0; g < nGenes_; ++g) {
    const auto b = static_cast<std::size_t>(indptr_[g]),
               e = static_cast<std::size_t>(indptr_[g + 1]);
    const double zeros = static_cast<double>(nCells_) - static_cast<double>(e - b);
    double ties = zeros * zeros * zeros - zeros;
    order.resize(e - b);
    std::iota(order.begin(), order.end(), b);
    std::sort(order.begin(), order.end(), [&](auto x, auto y) { return values_[x] < values_[y]; });
    for (std::size_t i = 0; i < order.size();) {
      std::size_t j = i;
      while (j < order.size() && values_[order[j]] == values_[order[i]])
        ++j;
      const double r = zeros + (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
      for (auto k = i; k < j; ++k)
        ranks_[order[k]] = static_cast<float>(r);
      const double t = static_cast<double>(j - i);
      ties += t * t * t - t;
      i = j;
    }
    ties_[static_cast<std::size_t>(g)] = ties;
  }
}

std::vector<float> ExpressionMatrix::column(std::int64_t gene) const {
  std::vector<float> out(static_cast<std::size_t>(nCells_), 0.0f);
  if (gene < 0 || gene >= nGenes_) return out;
  for (auto k = indptr_[gene]; k < indptr_[gene + 1]; ++k)
    out[static_cast<std::size_t>(indices_[static_cast<std::size_t>(k)])] =
        values_[static_cast<std::size_t>(k)];
  return out;
}

std::vector<GeneSummary> ExpressionMatrix::summaries() const {
  std::vector<GeneSummary> out(static_cast<std::size_t>(nGenes_));
  const double n = std::max<double>(1, static_cast<double>(nCells_));
  for (std::int64_t g = 0; g < nGenes_; ++g) {
    double sum = 0;
    std::int64_t pos = 0;
    for (auto k = indptr_[g]; k < indptr_[g + 1]; ++k) {
      sum += values_[static_cast<std::size_t>(k)];
      pos += values_[static_cast<std::size_t>(k)] > 0;
    }
    out[static_cast<std::size_t>(g)] = {sum / n, static_cast<double>(pos) / n};
  }
  return out;
}

std::vector<double> ExpressionMatrix::groupMeans(std::int64_t gene,
                                                 std::span<const std::int32_t> codes,
                                                 int groups) const {
  std::vector<double> sum(static_cast<std::size_t>(std::max(0, groups)), 0.0),
      count(sum.size(), 0.0);
  for (auto c : codes)
    if (c >= 0 && c < groups) count[static_cast<std::size_t>(c)] += 1;
  if (gene >= 0 && gene < nGenes_)
    for (auto k = indptr_[gene]; k < indptr_[gene + 1]; ++k) {
      const auto cell = static_cast<std::size_t>(indices_[static_cast<std::size_t>(k)]);
      if (cell >= codes.size()) continue;
      const auto c = codes[cell];
      if (c >= 0 && c < groups)
        sum[static_cast<std::size_t>(c)] += values_[static_cast<std::size_t>(k)];
    }
  for (std::size_t i = 0; i < sum.size(); ++i)
    sum[i] = count[i] > 0 ? sum[i] / count[i] : 0.0;
  return sum;
}

std::pair<double, double> ExpressionMatrix::selectionMeans(
    std::int64_t gene, std::span<const std::uint8_t> mask) const {
  double in = 0, out = 0;
  std::int64_t nIn = 0;
  for (auto m : mask)
    nIn += m != 0;
  const std::int64_t nOut = nCells_ - nIn;
  if (gene >= 0 && gene < nGenes_)
    for (auto k = indptr_[gene]; k < indptr_[gene + 1]; ++k) {
      const auto cell = static_cast<std::size_t>(indices_[static_cast<std::size_t>(k)]);
      (cell < mask.size() && mask[cell] ? in : out) += values_[static_cast<std::size_t>(k)];
    }
  return {nIn > 0 ? in / static_cast<double>(nIn) : 0.0,
          nOut > 0 ? out / static_cast<double>(nOut) : 0.0};
}

std::vector<std::pair<std::int64_t, float>> ExpressionMatrix::topGenes(std::int64_t cell,
                                                                       std::size_t n) const {
  std::vector<std::pair<std::int64_t, float>> found;
  for (std::int64_t g = 0; g < nGenes_; ++g) {
    const auto b = indices_.begin() + indptr_[g], e = indices_.begin() + indptr_[g + 1];
    const auto it = std::lower_bound(b, e, static_cast<std::int32_t>(cell));
    if (it != e && *it == cell) {
      const float v = values_[static_cast<std::size_t>(it - indices_.begin())];
      if (v > 0) found.emplace_back(g, v);
    }
  }
  const auto k = std::min(n, found.size());
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(k), found.end(),
                    [](const auto& a, const auto& b) { return a.second > b.second; });
  found.resize(k);
  return found;
}

std::vector<MarkerRow> ExpressionMatrix::markers(
    std::span<const std::uint8_t> mask, const std::atomic<bool>* cancel,
    const std::function<void(double)>& progress) const {
  if (static_cast<std::int64_t>(mask.size()) != nCells_) return {};
  double n1 = 0;
  for (auto m : mask)
    n1 += m != 0;
  const double n = static_cast<double>(nCells_), n2 = n - n1;
  if (n1 == 0 || n2 == 0) return {};
  std::vector<MarkerRow> rows(static_cast<std::size_t>(nGenes_));
  for (std::int64_t g = 0; g < nGenes_; ++g) {
    if (cancel && (g & 255) == 0 && cancel->load()) return {};
    if (progress && (g & 1023) == 0)
      progress(static_cast<double>(g) / static_cast<double>(nGenes_));
    const auto b = indptr_[g], e = indptr_[g + 1];
    const double zeros = n - static_cast<double>(e - b);
    double r1 = 0, storedIn = 0, sumIn = 0, sumOut = 0;
    for (auto k = b; k < e; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      if (mask[static_cast<std::size_t>(indices_[kk])]) {
        r1 += ranks_[kk];
        storedIn += 1;
        sumIn += values_[kk];
      } else {
        sumOut += values_[kk];
      }
    }
    r1 += (n1 - storedIn) * (zeros + 1) / 2.0;
    const double u = r1 - n1 * (n1 + 1) / 2.0;
    const double sigma =
        std::sqrt(n1 * n2 / 12.0 * ((n + 1) - ties_[static_cast<std::size_t>(g)] / (n * (n - 1))));
    auto& row = rows[static_cast<std::size_t>(g)];
    row.gene = g;
    row.score = sigma > 0 ? (u - n1 * n2 / 2.0) / sigma : 0.0;
    row.p = std::erfc(std::abs(row.score) / std::sqrt(2.0));
    row.meanIn = sumIn / n1;
    row.meanOut = sumOut / n2;
    row.log2fc = std::log2((row.meanIn + 1e-9) / (row.meanOut + 1e-9));
  }
  // Benjamini-Hochberg over all genes.
  std::vector<std::size_t> byP(rows.size());
  std::iota(byP.begin(), byP.end(), 0);
  std::sort(byP.begin(), byP.end(), [&](auto a, auto b) { return rows[a].p < rows[b].p; });
  double running = 1.0;
  const double m = static_cast<double>(rows.size());
  for (std::size_t i = byP.size(); i-- > 0;) {
    running = std::min(running, rows[byP[i]].p * m / static_cast<double>(i + 1));
    rows[byP[i]].padj = std::min(1.0, running);
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.score > b.score; });
  if (progress) progress(1.0);
  return rows;
}

data::Expected<std::shared_ptr<const ExpressionMatrix>> loadExpression(
    const std::filesystem::path& path) {
  const std::string name = path.string();
  if (path.extension() == ".h5ad") {
    auto table = data::H5adFile::open(path);
    if (!table) return std::unexpected(table.error());
    if (!table->X()) return fail(Errc::NotFound, name + ":/X: the file has no expression matrix");
    const auto x = *table->X();
    if (x.encoding == data::MatrixEncoding::Dense) {
      // Dense: gather the stored (non-zero) values column by column.
      std::vector<std::int64_t> indptr{0};
      std::vector<std::int32_t> indices;
      std::vector<float> values;
      for (std::int64_t g = 0; g < x.cols; ++g) {
        auto col = table->readGene(g);
        if (!col) return std::unexpected(col.error());
        for (std::size_t c = 0; c < col->size(); ++c)
          if ((*col)[c] != 0)
            indices.push_back(static_cast<std::int32_t>(c)), values.push_back((*col)[c]);
        indptr.push_back(static_cast<std::int64_t>(indices.size()));
      }
      return share(ExpressionMatrix::fromGeneMajor(
          x.rows, x.cols, std::move(indptr), std::move(indices), std::move(values), name + ":/X"));
    }
    auto file = openRaw(path);
    if (!file) return std::unexpected(file.error());
    auto raw = readSparse(file->h.get(), "X", name);
    if (!raw) return std::unexpected(raw.error());
    if (x.encoding == data::MatrixEncoding::Csr)
      return share(ExpressionMatrix::fromCellMajor(x.rows, x.cols, raw->indptr, raw->indices,
                                                   raw->values, name + ":/X"));
    return share(ExpressionMatrix::fromGeneMajor(x.rows, x.cols, std::move(raw->indptr),
                                                 std::move(raw->indices), std::move(raw->values),
                                                 name + ":/X"));
  }
  auto tenx = data::TenxH5File::open(path);
  if (!tenx) return std::unexpected(tenx.error());
  const std::string group = tenx->version() == "v3" ? "matrix" : tenx->genomes().front();
  auto file = openRaw(path);
  if (!file) return std::unexpected(file.error());
  auto raw = readSparse(file->h.get(), group, name);
  if (!raw) return std::unexpected(raw.error());
  return share(ExpressionMatrix::fromCellMajor(tenx->nBarcodes(), tenx->nFeatures(), raw->indptr,
                                               raw->indices, raw->values, name + ":/" + group));
}

}  // namespace tessera::app
