#include "data/expression/column_index_builder.h"

#include <algorithm>
#include <limits>

#include "data/anndata/hdf5_read.h"

namespace tessera::data {
namespace {

using h5::Handle;

// Entries per block of indices/data: 1 MiB of each at 4 bytes stays in cache between the HDF5
// copy and the scan (4x larger blocks measured twice as slow).
constexpr std::int64_t kBlock = std::int64_t{1} << 18;

struct Source {
  Handle file;
  std::string name;
  std::string where(const std::string& p) const { return name + ":/" + p; }
};

Expected<void> checkStop(const std::stop_token& stop, const Source& s) {
  if (stop.stop_requested())
    return fail(Errc::Cancelled, s.name + ": building the gene column index was cancelled");
  return {};
}

void report(const BuildProgress& progress, double f) {
  if (progress) progress(std::clamp(f, 0.0, 1.0));
}

Expected<std::vector<std::int64_t>> readIndptr(const Source& s, std::int64_t major,
                                               std::int64_t nnz) {
  const std::string p = "X/indptr";
  auto ds = h5::open(s.file.get(), p, s.where(p));
  if (!ds) return std::unexpected(ds.error());
  auto v = h5::readNumbers<std::int64_t>(ds->get(), s.where(p));
  if (!v) return v;
  if (static_cast<std::int64_t>(v->size()) != major + 1)
    return fail(Errc::Corrupt, s.where(p) + ": has " + std::to_string(v->size()) +
                                   " entries, expected " + std::to_string(major + 1));
  if (v->front() != 0 || v->back() != nnz || !std::is_sorted(v->begin(), v->end()))
    return fail(Errc::Corrupt,
                s.where(p) + ": is not monotonic from 0 to nnz (" + std::to_string(nnz) + ")");
  return v;
}

// Reads indices[b, b+n) and checks each lies in [0, limit).
Expected<std::vector<std::int32_t>> readIndexBlock(const Source& s, hid_t ds, std::int64_t b,
                                                   std::int64_t n, std::int64_t limit,
                                                   const char* what) {
  auto idx = h5::readNumbers<std::int32_t>(ds, s.where("X/indices"), b, n);
  if (!idx) return idx;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int32_t i = (*idx)[k];
    if (i < 0 || i >= limit)
      return fail(Errc::Corrupt, s.where("X/indices") + ": " + what + " index " +
                                     std::to_string(i) + " at entry " + std::to_string(b + k) +
                                     " outside [0, " + std::to_string(limit) + ")");
  }
  return idx;
}

Expected<CscMatrix> fromCsr(const Source& s, const MatrixInfo& x, const std::stop_token& stop,
                            const BuildProgress& progress) {
  auto indptr = readIndptr(s, x.rows, x.nnz);
  if (!indptr) return std::unexpected(indptr.error());
  auto indices = h5::open(s.file.get(), "X/indices", s.where("X/indices"));
  if (!indices) return std::unexpected(indices.error());
  auto data = h5::open(s.file.get(), "X/data", s.where("X/data"));
  if (!data) return std::unexpected(data.error());
  CscMatrix m;
  m.rows = x.rows;
  m.cols = x.cols;
  m.colptr.assign(static_cast<std::size_t>(x.cols + 1), 0);
  // Pass 1: entries per gene (about a third of the work: indices only).
  for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
    if (auto r = checkStop(stop, s); !r) return std::unexpected(r.error());
    const std::int64_t n = std::min(kBlock, x.nnz - b);
    auto idx = readIndexBlock(s, indices->get(), b, n, x.cols, "column");
    if (!idx) return std::unexpected(idx.error());
    for (const std::int32_t c : *idx)
      ++m.colptr[static_cast<std::size_t>(c) + 1];
    report(progress, 0.3 * static_cast<double>(b + n) / static_cast<double>(x.nnz));
  }
  for (std::int64_t c = 0; c < x.cols; ++c)
    m.colptr[c + 1] += m.colptr[c];
  m.rowIdx.resize(static_cast<std::size_t>(x.nnz));
  m.values.resize(static_cast<std::size_t>(x.nnz));
  std::vector<std::int64_t> cursor(m.colptr.begin(), m.colptr.end() - 1);
  // Pass 2: scatter each entry to its gene, tracking the row through indptr.
  std::int64_t row = 0;
  for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
    if (auto r = checkStop(stop, s); !r) return std::unexpected(r.error());
    const std::int64_t n = std::min(kBlock, x.nnz - b);
    auto idx = h5::readNumbers<std::int32_t>(indices->get(), s.where("X/indices"), b, n);
    if (!idx) return std::unexpected(idx.error());
    auto val = h5::readNumbers<float>(data->get(), s.where("X/data"), b, n);
    if (!val) return std::unexpected(val.error());
    for (std::int64_t k = 0; k < n; ++k) {
      while ((*indptr)[row + 1] <= b + k)
        ++row;
      const std::int64_t at = cursor[(*idx)[k]]++;
      m.rowIdx[at] = static_cast<std::int32_t>(row);
      m.values[at] = (*val)[k];
    }
    report(progress, 0.3 + 0.7 * static_cast<double>(b + n) / static_cast<double>(x.nnz));
  }
  return m;
}

Expected<CscMatrix> fromCsc(const Source& s, const MatrixInfo& x, const std::stop_token& stop,
                            const BuildProgress& progress) {
  auto indptr = readIndptr(s, x.cols, x.nnz);
  if (!indptr) return std::unexpected(indptr.error());
  auto indices = h5::open(s.file.get(), "X/indices", s.where("X/indices"));
  if (!indices) return std::unexpected(indices.error());
  auto data = h5::open(s.file.get(), "X/data", s.where("X/data"));
  if (!data) return std::unexpected(data.error());
  CscMatrix m;
  m.rows = x.rows;
  m.cols = x.cols;
  m.colptr = std::move(*indptr);
  m.rowIdx.reserve(static_cast<std::size_t>(x.nnz));
  m.values.reserve(static_cast<std::size_t>(x.nnz));
  for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
    if (auto r = checkStop(stop, s); !r) return std::unexpected(r.error());
    const std::int64_t n = std::min(kBlock, x.nnz - b);
    auto idx = readIndexBlock(s, indices->get(), b, n, x.rows, "row");
    if (!idx) return std::unexpected(idx.error());
    auto val = h5::readNumbers<float>(data->get(), s.where("X/data"), b, n);
    if (!val) return std::unexpected(val.error());
    m.rowIdx.insert(m.rowIdx.end(), idx->begin(), idx->end());
    m.values.insert(m.values.end(), val->begin(), val->end());
    report(progress, static_cast<double>(b + n) / static_cast<double>(x.nnz));
  }
  return m;
}

// Reads rows [r0, r0 + n) of a dense 2-d X as floats.
Expected<std::vector<float>> readDenseRows(const Source& s, hid_t ds, std::int64_t r0,
                                           std::int64_t n, std::int64_t cols) {
  std::vector<float> out(static_cast<std::size_t>(n * cols));
  if (out.empty()) return out;
  Handle space(H5Dget_space(ds));
  const hsize_t off[2] = {static_cast<hsize_t>(r0), 0},
                cnt[2] = {static_cast<hsize_t>(n), static_cast<hsize_t>(cols)};
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr);
  Handle mem(H5Screate_simple(2, cnt, nullptr));
  if (H5Dread(ds, H5T_NATIVE_FLOAT, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    return h5::failH5(Errc::Corrupt, s.where("X") + ": cannot read rows " + std::to_string(r0) +
                                         ".." + std::to_string(r0 + n));
  return out;
}

Expected<CscMatrix> fromDense(const Source& s, const MatrixInfo& x, const std::stop_token& stop,
                              const BuildProgress& progress) {
  auto ds = h5::open(s.file.get(), "X", s.where("X"));
  if (!ds) return std::unexpected(ds.error());
  const std::int64_t rowsPerBlock =
      std::max<std::int64_t>(1, kBlock / std::max<std::int64_t>(1, x.cols));
  CscMatrix m;
  m.rows = x.rows;
  m.cols = x.cols;
  m.colptr.assign(static_cast<std::size_t>(x.cols + 1), 0);
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::int64_t> cursor;
    if (pass == 1) {
      for (std::int64_t c = 0; c < x.cols; ++c)
        m.colptr[c + 1] += m.colptr[c];
      m.rowIdx.resize(static_cast<std::size_t>(m.colptr.back()));
      m.values.resize(static_cast<std::size_t>(m.colptr.back()));
      cursor.assign(m.colptr.begin(), m.colptr.end() - 1);
    }
    for (std::int64_t r0 = 0; r0 < x.rows; r0 += rowsPerBlock) {
      if (auto r = checkStop(stop, s); !r) return std::unexpected(r.error());
      const std::int64_t n = std::min(rowsPerBlock, x.rows - r0);
      auto block = readDenseRows(s, ds->get(), r0, n, x.cols);
      if (!block) return std::unexpected(block.error());
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t c = 0; c < x.cols; ++c) {
          const float v = (*block)[i * x.cols + c];
          if (v == 0.0f) continue;
          if (pass == 0) {
            ++m.colptr[c + 1];
          } else {
            const std::int64_t at = cursor[c]++;
            m.rowIdx[at] = static_cast<std::int32_t>(r0 + i);
            m.values[at] = v;
          }
        }
      report(progress,
             0.5 * pass + 0.5 * static_cast<double>(r0 + n) / static_cast<double>(x.rows));
    }
  }
  return m;
}

}  // namespace

Expected<CscMatrix> buildColumnIndex(const H5adFile& file, std::stop_token stop,
                                     const BuildProgress& progress, std::size_t maxBytes) {
  Source s;
  s.name = file.path().string();
  const auto& x = file.X();
  if (!x) return fail(Errc::NotFound, s.where("X") + ": the file has no X");
  if (x->rows > std::numeric_limits<std::int32_t>::max())
    return fail(Errc::Unsupported, s.where("X") + ": more than 2^31 - 1 cells");
  // Dense X keeps only its non-zeros, unknown until read: bound it by the full size.
  const std::size_t need = cscBytes(x->nnz, x->cols);
  if (need > maxBytes)
    return fail(Errc::Unsupported, s.where("X") + ": a gene column index would need " +
                                       std::to_string(need >> 20) + " MiB, over the " +
                                       std::to_string(maxBytes >> 20) + " MiB limit");
  h5::silenceErrors();
  s.file = Handle(H5Fopen(s.name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!s.file) return h5::failH5(Errc::Io, s.name + ": cannot open");
  report(progress, 0.0);
  Expected<CscMatrix> m;
  switch (x->encoding) {
    case MatrixEncoding::Csr:
      m = fromCsr(s, *x, stop, progress);
      break;
    case MatrixEncoding::Csc:
      m = fromCsc(s, *x, stop, progress);
      break;
    case MatrixEncoding::Dense:
      m = fromDense(s, *x, stop, progress);
      break;
  }
  if (m) report(progress, 1.0);
  return m;
}

}  // namespace tessera::data
