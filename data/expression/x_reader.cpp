#include "data/expression/x_reader.h"

#include <algorithm>
#include <cstring>

#include "data/anndata/hdf5_chunk_index.h"
#include "data/anndata/hdf5_read.h"
#include "data/expression/raw_csr_scan.h"

namespace tessera::data {
namespace {

using h5::Handle;

// Entries per block of indices/data: 1 MiB of each at 4 bytes stays in cache between the HDF5
// copy and the scan (4x larger blocks measured twice as slow).
constexpr std::int64_t kBlock = std::int64_t{1} << 18;

std::uint64_t fnv(std::uint64_t h, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  return h;
}

void report(const ReadProgress& progress, double f) {
  if (progress) progress(std::clamp(f, 0.0, 1.0));
}

// The shape of a 10x matrix group: its `shape` dataset is [features, barcodes].
Expected<XMatrix> probeTenx(hid_t file, const std::string& group, const std::string& name) {
  XMatrix x;
  x.group = group;
  const std::string where = name + ":/" + group;
  auto shape = h5::open(file, group + "/shape", where + "/shape");
  if (!shape) return std::unexpected(shape.error());
  auto s = h5::readNumbers<std::int64_t>(shape->get(), where + "/shape");
  if (!s) return std::unexpected(s.error());
  if (s->size() != 2) return fail(Errc::Corrupt, where + "/shape: expected 2 entries");
  auto data = h5::open(file, group + "/data", where + "/data");
  if (!data) return std::unexpected(data.error());
  const auto nd = h5::shape(data->get());
  if (nd.size() != 1) return fail(Errc::Corrupt, where + "/data: must be 1-d");
  x.encoding = MatrixEncoding::Csr;  // indptr runs over barcodes: cell-major
  x.rows = (*s)[1];
  x.cols = (*s)[0];
  x.nnz = static_cast<std::int64_t>(nd[0]);
  return x;
}

}  // namespace

Expected<XMatrix> probeXMatrix(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto file = h5::openReadOnly(path);
  if (!file) return std::unexpected(file.error());
  Expected<XMatrix> out;
  const H5O_type_t t = h5::objectType(file->get(), "X");
  if (t == H5O_TYPE_DATASET) {
    auto ds = h5::open(file->get(), "X", name + ":/X");
    if (!ds) return std::unexpected(ds.error());
    const auto dims = h5::shape(ds->get());
    if (dims.size() != 2) return fail(Errc::Unsupported, name + ":/X: must be a 2-d array");
    XMatrix x;
    x.encoding = MatrixEncoding::Dense;
    x.rows = static_cast<std::int64_t>(dims[0]);
    x.cols = static_cast<std::int64_t>(dims[1]);
    x.nnz = x.rows * x.cols;
    out = x;
  } else if (t == H5O_TYPE_GROUP) {
    auto g = h5::open(file->get(), "X", name + ":/X");
    if (!g) return std::unexpected(g.error());
    // 0.7+ tags sparse groups with encoding-type; pre-0.7 (h5sparse) with h5sparse_format.
    std::string enc = h5::encodingType(g->get());
    auto shape = h5::intArrayAttr(g->get(), "shape");
    if (enc.empty()) {
      const std::string legacy = h5::stringAttr(g->get(), "h5sparse_format").value_or("");
      if (!legacy.empty()) enc = legacy + "_matrix";
      shape = h5::intArrayAttr(g->get(), "h5sparse_shape");
    }
    if (enc != "csr_matrix" && enc != "csc_matrix")
      return fail(Errc::Unsupported, name + ":/X: unknown matrix encoding '" + enc + "'");
    if (!shape || shape->size() != 2 || (*shape)[0] < 0 || (*shape)[1] < 0)
      return fail(Errc::Corrupt, name + ":/X: missing or invalid 'shape' attribute");
    auto data = h5::open(g->get(), "data", name + ":/X/data");
    if (!data) return std::unexpected(data.error());
    const auto nd = h5::shape(data->get());
    if (nd.size() != 1) return fail(Errc::Corrupt, name + ":/X/data: must be 1-d");
    XMatrix x;
    x.encoding = enc == "csr_matrix" ? MatrixEncoding::Csr : MatrixEncoding::Csc;
    x.rows = (*shape)[0];
    x.cols = (*shape)[1];
    x.nnz = static_cast<std::int64_t>(nd[0]);
    out = x;
  } else if (h5::objectType(file->get(), "matrix") == H5O_TYPE_GROUP) {
    out = probeTenx(file->get(), "matrix", name);
  } else {
    // Legacy 10x: one group per genome; the first with a matrix.
    out = fail(Errc::NotFound, name + ": no expression matrix (X or matrix)");
    for (const auto& child : h5::children(file->get()))
      if (h5::exists(file->get(), child + "/indptr") && h5::exists(file->get(), child + "/shape")) {
        out = probeTenx(file->get(), child, name);
        break;
      }
  }
  if (out) out->file = path;
  return out;
}

struct XReader::Impl {
  XMatrix x;
  std::string name;
  Handle file, indices, data, dense;
  std::vector<std::int64_t> indptr;  // sparse only: over cells (CSR) or genes (CSC)
  std::optional<RawCsrScan> raw;     // CSR whose indices and data are plain ranges of the file
  std::string where(const std::string& p) const { return name + ":/" + x.group + p; }

  Expected<std::vector<std::int32_t>> indexBlock(std::int64_t b, std::int64_t n,
                                                 std::int64_t limit) const {
    auto idx = h5::readNumbers<std::int32_t>(indices.get(), where("/indices"), b, n);
    if (!idx) return idx;
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int32_t i = (*idx)[k];
      if (i < 0 || i >= limit)
        return fail(Errc::Corrupt, where("/indices") + ": index " + std::to_string(i) +
                                       " at entry " + std::to_string(b + k) + " outside [0, " +
                                       std::to_string(limit) + ")");
    }
    return idx;
  }

  // Rows [r0, r0 + n) x genes [g0, g1) of a dense X as floats, row-major.
  Expected<std::vector<float>> denseBlock(std::int64_t r0, std::int64_t n, std::int64_t g0,
                                          std::int64_t g1) const {
    std::vector<float> out(static_cast<std::size_t>(n * (g1 - g0)));
    if (out.empty()) return out;
    if (auto ok = h5::checkChunkIndex(dense.get(), where("")); !ok)
      return std::unexpected(ok.error());
    Handle space(H5Dget_space(dense.get()));
    const hsize_t off[2] = {static_cast<hsize_t>(r0), static_cast<hsize_t>(g0)},
                  cnt[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(g1 - g0)};
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr);
    Handle mem(H5Screate_simple(2, cnt, nullptr));
    if (H5Dread(dense.get(), H5T_NATIVE_FLOAT, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
      return h5::failH5(Errc::Corrupt, where("") + ": cannot read rows " + std::to_string(r0) +
                                           ".." + std::to_string(r0 + n));
    return out;
  }

  Expected<void> stopped(const std::stop_token& stop) const {
    if (stop.stop_requested()) return fail(Errc::Cancelled, name + ": reading X was cancelled");
    return {};
  }
};

XReader::XReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XReader::XReader(XReader&&) noexcept = default;
XReader& XReader::operator=(XReader&&) noexcept = default;
XReader::~XReader() = default;

const XMatrix& XReader::matrix() const {
  return impl_->x;
}

bool XReader::scansRaw() const {
  return impl_->raw.has_value();
}

Expected<XReader> XReader::open(const XMatrix& x) {
  auto impl = std::make_unique<Impl>();
  Impl& r = *impl;
  r.x = x;
  r.name = x.file.string();
  if (x.rows > std::numeric_limits<std::int32_t>::max())
    return fail(Errc::Unsupported, r.where("") + ": more than 2^31 - 1 cells");
  auto file = h5::openReadOnly(x.file);
  if (!file) return std::unexpected(file.error());
  r.file = std::move(*file);
  if (x.encoding == MatrixEncoding::Dense) {
    auto ds = h5::open(r.file.get(), x.group, r.where(""));
    if (!ds) return std::unexpected(ds.error());
    r.dense = std::move(*ds);
    return XReader(std::move(impl));
  }
  const std::int64_t major = x.encoding == MatrixEncoding::Csr ? x.rows : x.cols;
  auto ip = h5::open(r.file.get(), x.group + "/indptr", r.where("/indptr"));
  if (!ip) return std::unexpected(ip.error());
  auto v = h5::readNumbers<std::int64_t>(ip->get(), r.where("/indptr"));
  if (!v) return std::unexpected(v.error());
  if (static_cast<std::int64_t>(v->size()) != major + 1)
    return fail(Errc::Corrupt, r.where("/indptr") + ": has " + std::to_string(v->size()) +
                                   " entries, expected " + std::to_string(major + 1));
  if (v->front() != 0 || v->back() != x.nnz || !std::is_sorted(v->begin(), v->end()))
    return fail(Errc::Corrupt, r.where("/indptr") + ": is not monotonic from 0 to nnz (" +
                                   std::to_string(x.nnz) + ")");
  r.indptr = std::move(*v);
  auto idx = h5::open(r.file.get(), x.group + "/indices", r.where("/indices"));
  if (!idx) return std::unexpected(idx.error());
  auto dat = h5::open(r.file.get(), x.group + "/data", r.where("/data"));
  if (!dat) return std::unexpected(dat.error());
  r.indices = std::move(*idx);
  r.data = std::move(*dat);
  if (x.encoding == MatrixEncoding::Csr)
    r.raw = RawCsrScan::probe(r.name, r.indices.get(), r.data.get(), x.nnz);
  return XReader(std::move(impl));
}

Expected<std::vector<std::int64_t>> XReader::geneCounts(std::stop_token stop,
                                                        const ReadProgress& progress) {
  Impl& r = *impl_;
  const XMatrix& x = r.x;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(x.cols), 0);
  switch (x.encoding) {
    case MatrixEncoding::Csc:
      for (std::int64_t g = 0; g < x.cols; ++g)
        counts[g] = r.indptr[g + 1] - r.indptr[g];
      break;
    case MatrixEncoding::Csr:
      for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
        if (auto s = r.stopped(stop); !s) return std::unexpected(s.error());
        const std::int64_t n = std::min(kBlock, x.nnz - b);
        auto idx = r.indexBlock(b, n, x.cols);
        if (!idx) return std::unexpected(idx.error());
        for (const std::int32_t c : *idx)
          ++counts[static_cast<std::size_t>(c)];
        report(progress, static_cast<double>(b + n) / static_cast<double>(x.nnz));
      }
      break;
    case MatrixEncoding::Dense: {
      const std::int64_t step =
          std::max<std::int64_t>(1, kBlock / std::max<std::int64_t>(1, x.cols));
      for (std::int64_t r0 = 0; r0 < x.rows; r0 += step) {
        if (auto s = r.stopped(stop); !s) return std::unexpected(s.error());
        const std::int64_t n = std::min(step, x.rows - r0);
        auto block = r.denseBlock(r0, n, 0, x.cols);
        if (!block) return std::unexpected(block.error());
        for (std::int64_t i = 0; i < n; ++i)
          for (std::int64_t c = 0; c < x.cols; ++c)
            counts[c] += (*block)[i * x.cols + c] != 0.0f;
        report(progress, static_cast<double>(r0 + n) / static_cast<double>(x.rows));
      }
      break;
    }
  }
  return counts;
}

Expected<CscMatrix> XReader::readGenes(std::int64_t g0, std::int64_t g1, std::stop_token stop,
                                       const ReadProgress& progress,
                                       const std::vector<std::int64_t>* counts) {
  Impl& r = *impl_;
  const XMatrix& x = r.x;
  if (g0 < 0 || g1 > x.cols || g0 > g1)
    return fail(Errc::InvalidArgument, r.where("") + ": genes [" + std::to_string(g0) + ", " +
                                           std::to_string(g1) + ") outside [0, " +
                                           std::to_string(x.cols) + ")");
  CscMatrix m;
  m.rows = x.rows;
  m.cols = g1 - g0;
  const std::int64_t width = g1 - g0;
  if (x.encoding == MatrixEncoding::Csc) {
    const std::int64_t b0 = r.indptr[g0], b1 = r.indptr[g1];
    m.colptr.resize(static_cast<std::size_t>(width + 1));
    for (std::int64_t g = 0; g <= width; ++g)
      m.colptr[g] = r.indptr[g0 + g] - b0;
    m.rowIdx.reserve(static_cast<std::size_t>(b1 - b0));
    m.values.reserve(static_cast<std::size_t>(b1 - b0));
    for (std::int64_t b = b0; b < b1; b += kBlock) {
      if (auto s = r.stopped(stop); !s) return std::unexpected(s.error());
      const std::int64_t n = std::min(kBlock, b1 - b);
      auto idx = r.indexBlock(b, n, x.rows);
      if (!idx) return std::unexpected(idx.error());
      auto val = h5::readNumbers<float>(r.data.get(), r.where("/data"), b, n);
      if (!val) return std::unexpected(val.error());
      m.rowIdx.insert(m.rowIdx.end(), idx->begin(), idx->end());
      m.values.insert(m.values.end(), val->begin(), val->end());
      report(progress, static_cast<double>(b + n - b0) / static_cast<double>(b1 - b0));
    }
    return m;
  }
  if (x.encoding == MatrixEncoding::Dense) {
    std::vector<std::vector<std::int32_t>> rows(static_cast<std::size_t>(width));
    std::vector<std::vector<float>> vals(static_cast<std::size_t>(width));
    const std::int64_t step = std::max<std::int64_t>(1, kBlock / std::max<std::int64_t>(1, width));
    for (std::int64_t r0 = 0; r0 < x.rows; r0 += step) {
      if (auto s = r.stopped(stop); !s) return std::unexpected(s.error());
      const std::int64_t n = std::min(step, x.rows - r0);
      auto block = r.denseBlock(r0, n, g0, g1);
      if (!block) return std::unexpected(block.error());
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t c = 0; c < width; ++c)
          if (const float v = (*block)[i * width + c]; v != 0.0f) {
            rows[c].push_back(static_cast<std::int32_t>(r0 + i));
            vals[c].push_back(v);
          }
      report(progress, static_cast<double>(r0 + n) / static_cast<double>(x.rows));
    }
    m.colptr.assign(1, 0);
    for (std::int64_t c = 0; c < width; ++c) {
      m.rowIdx.insert(m.rowIdx.end(), rows[c].begin(), rows[c].end());
      m.values.insert(m.values.end(), vals[c].begin(), vals[c].end());
      m.colptr.push_back(static_cast<std::int64_t>(m.values.size()));
      std::vector<std::int32_t>().swap(rows[c]);
      std::vector<float>().swap(vals[c]);
    }
    return m;
  }
  // CSR: one scan of every stored gene index; values are read only over the span of each
  // block that holds genes of the range.
  const bool placed = counts != nullptr;
  std::vector<std::int64_t> cursor;
  std::vector<std::int32_t> hitGene, hitRow;  // gathered when counts are unknown
  std::vector<float> hitVal;
  if (placed) {
    m.colptr.assign(static_cast<std::size_t>(width + 1), 0);
    for (std::int64_t g = 0; g < width; ++g)
      m.colptr[g + 1] = m.colptr[g] + (*counts)[g0 + g];
    m.rowIdx.resize(static_cast<std::size_t>(m.colptr.back()));
    m.values.resize(static_cast<std::size_t>(m.colptr.back()));
    cursor.assign(m.colptr.begin(), m.colptr.end() - 1);
  }
  std::vector<std::int64_t> hits;
  std::int64_t row = 0;
  for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
    if (auto s = r.stopped(stop); !s) return std::unexpected(s.error());
    const std::int64_t n = std::min(kBlock, x.nnz - b);
    auto idx = r.indexBlock(b, n, x.cols);
    if (!idx) return std::unexpected(idx.error());
    hits.clear();
    for (std::int64_t k = 0; k < n; ++k)
      if (const std::int32_t c = (*idx)[k]; c >= g0 && c < g1) hits.push_back(k);
    report(progress, static_cast<double>(b + n) / static_cast<double>(x.nnz));
    if (hits.empty()) continue;
    const std::int64_t lo = hits.front(), span = hits.back() - lo + 1;
    auto vals = h5::readNumbers<float>(r.data.get(), r.where("/data"), b + lo, span);
    if (!vals) return std::unexpected(vals.error());
    for (const std::int64_t k : hits) {
      while (r.indptr[row + 1] <= b + k)
        ++row;
      const std::int32_t c = (*idx)[k] - static_cast<std::int32_t>(g0);
      const float v = (*vals)[k - lo];
      if (placed) {
        const std::int64_t at = cursor[c]++;
        if (at >= m.colptr[c + 1])
          return fail(Errc::Corrupt, r.where("/indices") + ": gene counts changed while reading");
        m.rowIdx[at] = static_cast<std::int32_t>(row);
        m.values[at] = v;
      } else {
        hitGene.push_back(c);
        hitRow.push_back(static_cast<std::int32_t>(row));
        hitVal.push_back(v);
      }
    }
  }
  if (!placed) {
    // Counting sort of the gathered entries by gene (stable: rows stay ascending).
    m.colptr.assign(static_cast<std::size_t>(width + 1), 0);
    for (const std::int32_t c : hitGene)
      ++m.colptr[static_cast<std::size_t>(c) + 1];
    for (std::int64_t g = 0; g < width; ++g)
      m.colptr[g + 1] += m.colptr[g];
    cursor.assign(m.colptr.begin(), m.colptr.end() - 1);
    m.rowIdx.resize(hitGene.size());
    m.values.resize(hitGene.size());
    for (std::size_t k = 0; k < hitGene.size(); ++k) {
      const std::int64_t at = cursor[hitGene[k]]++;
      m.rowIdx[at] = hitRow[k];
      m.values[at] = hitVal[k];
    }
  }
  return m;
}

Expected<std::vector<float>> XReader::readGene(std::int64_t g, std::stop_token stop,
                                               Executor* workers) {
  Impl& r = *impl_;
  if (r.raw && g >= 0 && g < r.x.cols)
    return r.raw->gene(r.indptr, r.x.cols, g, std::move(stop), workers, r.where(""));
  auto m = readGenes(g, g + 1, stop);
  if (!m) return std::unexpected(m.error());
  return m->denseColumn(0);
}

Expected<std::vector<std::pair<std::int64_t, float>>> XReader::readCell(std::int64_t cell) {
  Impl& r = *impl_;
  const XMatrix& x = r.x;
  if (cell < 0 || cell >= x.rows)
    return fail(Errc::InvalidArgument, r.where("") + ": cell " + std::to_string(cell) +
                                           " outside [0, " + std::to_string(x.rows) + ")");
  std::vector<std::pair<std::int64_t, float>> out;
  if (x.encoding == MatrixEncoding::Csc)
    return fail(Errc::Unsupported, r.where("") + ": is stored gene by gene (CSC)");
  if (x.encoding == MatrixEncoding::Dense) {
    auto row = r.denseBlock(cell, 1, 0, x.cols);
    if (!row) return std::unexpected(row.error());
    for (std::int64_t g = 0; g < x.cols; ++g)
      if ((*row)[g] != 0) out.emplace_back(g, (*row)[g]);
    return out;
  }
  const std::int64_t b = r.indptr[cell], n = r.indptr[cell + 1] - b;
  if (n == 0) return out;
  auto idx = r.indexBlock(b, n, x.cols);
  if (!idx) return std::unexpected(idx.error());
  auto val = h5::readNumbers<float>(r.data.get(), r.where("/data"), b, n);
  if (!val) return std::unexpected(val.error());
  for (std::int64_t k = 0; k < n; ++k)
    out.emplace_back((*idx)[k], (*val)[k]);
  return out;
}

Expected<std::uint64_t> XReader::checksum() {
  Impl& r = *impl_;
  const XMatrix& x = r.x;
  std::uint64_t h = 1469598103934665603ull;
  const std::int64_t head[4] = {static_cast<std::int64_t>(x.encoding), x.rows, x.cols, x.nnz};
  h = fnv(h, head, sizeof head);
  h = fnv(h, r.indptr.data(), r.indptr.size() * sizeof(std::int64_t));
  if (x.encoding == MatrixEncoding::Dense) {
    for (const std::int64_t r0 : {std::int64_t{0}, std::max<std::int64_t>(0, x.rows - 16)}) {
      auto block = r.denseBlock(r0, std::min<std::int64_t>(16, x.rows - r0), 0, x.cols);
      if (!block) return std::unexpected(block.error());
      h = fnv(h, block->data(), block->size() * sizeof(float));
    }
    return h;
  }
  const std::int64_t n = std::min<std::int64_t>(x.nnz, 1 << 16);
  for (const std::int64_t b : {std::int64_t{0}, x.nnz - n}) {
    auto idx = h5::readNumbers<std::int32_t>(r.indices.get(), r.where("/indices"), b, n);
    if (!idx) return std::unexpected(idx.error());
    auto val = h5::readNumbers<float>(r.data.get(), r.where("/data"), b, n);
    if (!val) return std::unexpected(val.error());
    h = fnv(h, idx->data(), idx->size() * sizeof(std::int32_t));
    h = fnv(h, val->data(), val->size() * sizeof(float));
  }
  return h;
}

std::vector<std::pair<std::int64_t, std::int64_t>> planGeneChunks(
    const std::vector<std::int64_t>& counts, std::size_t bytes) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  const auto cap = static_cast<std::int64_t>(std::max<std::size_t>(bytes / 8, 1));
  const auto n = static_cast<std::int64_t>(counts.size());
  std::int64_t g0 = 0, sum = 0;
  for (std::int64_t g = 0; g < n; ++g) {
    if (g > g0 && sum + counts[g] > cap) {
      out.emplace_back(g0, g);
      g0 = g;
      sum = 0;
    }
    sum += counts[g];
  }
  if (g0 < n) out.emplace_back(g0, n);
  return out;
}

}  // namespace tessera::data
