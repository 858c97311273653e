#include <algorithm>

#include "data/anndata/h5ad_reader_impl.h"
#include "data/anndata/hdf5_chunk_index.h"

namespace tessera::data::h5ad {
namespace {

using h5::Handle;

// CSR gene reads walk indices/data in blocks of this many entries (~4 MiB each).
constexpr std::int64_t kScanBlock = 1 << 20;

Expected<std::vector<std::int64_t>> loadIndptr(const H5adFile::Impl& f) {
  const MatrixInfo& x = *f.x;
  const std::string p = f.xPath + "/indptr";
  auto ds = h5::open(f.file.get(), p, f.where(p));
  if (!ds) return std::unexpected(ds.error());
  auto v = h5::readNumbers<std::int64_t>(ds->get(), f.where(p));
  if (!v) return v;
  const std::int64_t major = x.encoding == MatrixEncoding::Csr ? x.rows : x.cols;
  if (static_cast<std::int64_t>(v->size()) != major + 1)
    return fail(Errc::Corrupt, f.where(p) + ": has " + std::to_string(v->size()) +
                                   " entries, expected " + std::to_string(major + 1));
  if (v->front() != 0 || v->back() != x.nnz || !std::is_sorted(v->begin(), v->end()))
    return fail(Errc::Corrupt, f.where(p) + ": must rise monotonically from 0 to nnz (" +
                                   std::to_string(x.nnz) + ")");
  return v;
}

Expected<std::vector<float>> readDenseColumn(const H5adFile::Impl& f, std::int64_t var) {
  const std::string where = f.where(f.xPath);
  auto ds = h5::open(f.file.get(), f.xPath, where);
  if (!ds) return std::unexpected(ds.error());
  const auto dims = h5::shape(ds->get());
  if (dims.size() != 2) return fail(Errc::Corrupt, where + ": dense X must be 2-d");
  Handle space(H5Dget_space(ds->get()));
  const hsize_t off[2] = {0, static_cast<hsize_t>(var)}, cnt[2] = {dims[0], 1};
  std::vector<float> out(dims[0]);
  if (out.empty()) return out;
  if (auto ok = h5::checkChunkIndex(ds->get(), where); !ok) return std::unexpected(ok.error());
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr);
  Handle mem(H5Screate_simple(2, cnt, nullptr));
  if (H5Dread(ds->get(), H5T_NATIVE_FLOAT, mem.get(), space.get(), H5P_DEFAULT, out.data()) < 0)
    return h5::failH5(Errc::Corrupt, where + ": cannot read column " + std::to_string(var));
  return out;
}

}  // namespace

Expected<std::optional<MatrixInfo>> readMatrixInfo(const H5adFile::Impl& f,
                                                   const std::string& path) {
  const std::string where = f.where(path);
  const H5O_type_t t = h5::objectType(f.file.get(), path);
  if (t == H5O_TYPE_UNKNOWN) return std::optional<MatrixInfo>();
  auto obj = h5::open(f.file.get(), path, where);
  if (!obj) return std::unexpected(obj.error());
  MatrixInfo m;
  if (t == H5O_TYPE_DATASET) {
    const auto dims = h5::shape(obj->get());
    Handle type(H5Dget_type(obj->get()));
    const auto dt = h5::dtypeOf(type.get());
    if (dims.size() != 2 || !dt)
      return fail(Errc::Unsupported, where + ": X must be a 2-d numeric array");
    m.encoding = MatrixEncoding::Dense;
    m.dtype = *dt;
    m.rows = static_cast<std::int64_t>(dims[0]);
    m.cols = static_cast<std::int64_t>(dims[1]);
    m.nnz = m.rows * m.cols;
    return m;
  }
  // 0.7+ tags sparse groups with encoding-type; pre-0.7 (h5sparse) with h5sparse_format.
  std::string enc = h5::encodingType(obj->get());
  std::optional<std::vector<std::int64_t>> shape = h5::intArrayAttr(obj->get(), "shape");
  if (enc.empty()) {
    const std::string legacy = h5::stringAttr(obj->get(), "h5sparse_format").value_or("");
    if (!legacy.empty()) enc = legacy + "_matrix";
    shape = h5::intArrayAttr(obj->get(), "h5sparse_shape");
  }
  if (enc != "csr_matrix" && enc != "csc_matrix")
    return fail(Errc::Unsupported,
                where + ": unknown matrix encoding '" + enc + "' (expected csr/csc or dense)");
  if (!shape || shape->size() != 2 || (*shape)[0] < 0 || (*shape)[1] < 0)
    return fail(Errc::Corrupt, where + ": missing or invalid 'shape' attribute");
  m.encoding = enc == "csr_matrix" ? MatrixEncoding::Csr : MatrixEncoding::Csc;
  m.rows = (*shape)[0];
  m.cols = (*shape)[1];
  auto data = h5::open(obj->get(), "data", where + "/data");
  if (!data) return std::unexpected(data.error());
  auto indices = h5::open(obj->get(), "indices", where + "/indices");
  if (!indices) return std::unexpected(indices.error());
  auto indptr = h5::open(obj->get(), "indptr", where + "/indptr");
  if (!indptr) return std::unexpected(indptr.error());
  Handle type(H5Dget_type(data->get()));
  const auto dt = h5::dtypeOf(type.get());
  if (!dt) return fail(Errc::Unsupported, where + "/data: not numeric");
  m.dtype = *dt;
  const auto nd = h5::shape(data->get()), ni = h5::shape(indices->get()),
             np = h5::shape(indptr->get());
  if (nd.size() != 1 || ni.size() != 1 || np.size() != 1 || nd[0] != ni[0])
    return fail(Errc::Corrupt, where + ": data and indices must be 1-d and of equal length");
  const std::int64_t major = m.encoding == MatrixEncoding::Csr ? m.rows : m.cols;
  if (static_cast<std::int64_t>(np[0]) != major + 1)
    return fail(Errc::Corrupt, where + "/indptr: has " + std::to_string(np[0]) +
                                   " entries, expected " + std::to_string(major + 1));
  m.nnz = static_cast<std::int64_t>(nd[0]);
  return m;
}

Expected<void> readObsmInfo(H5adFile::Impl& f) {
  const H5O_type_t t = h5::objectType(f.file.get(), "obsm");
  if (t == H5O_TYPE_UNKNOWN) return {};
  auto obj = h5::open(f.file.get(), "obsm", f.where("obsm"));
  if (!obj) return std::unexpected(obj.error());
  if (t == H5O_TYPE_DATASET) {
    const auto dims = h5::shape(obj->get());
    const std::int64_t rows = dims.empty() ? 0 : static_cast<std::int64_t>(dims[0]);
    for (const auto& fld : h5::compoundFields(obj->get())) {
      ObsmInfo info{fld.name, rows, fld.width, "legacy compound field",
                    fld.dtype.has_value() && !fld.isString};
      f.obsm.push_back(info);
      f.obsmSources.push_back({"obsm", fld.name});
    }
    return {};
  }
  for (const auto& key : h5::children(obj->get())) {
    const std::string p = "obsm/" + key;
    ObsmInfo info;
    info.key = key;
    if (h5::objectType(f.file.get(), p) == H5O_TYPE_DATASET) {
      auto ds = h5::open(f.file.get(), p, f.where(p));
      if (!ds) return std::unexpected(ds.error());
      const auto dims = h5::shape(ds->get());
      Handle type(H5Dget_type(ds->get()));
      info.encoding = "array";
      if (!dims.empty()) info.rows = static_cast<std::int64_t>(dims[0]);
      info.cols = dims.size() >= 2 ? static_cast<std::int64_t>(dims[1]) : 1;
      info.readable = dims.size() >= 1 && dims.size() <= 2 && h5::dtypeOf(type.get()).has_value();
    } else {
      auto sub = readMatrixInfo(f, p);
      if (sub && *sub) {
        info.rows = (*sub)->rows;
        info.cols = (*sub)->cols;
        info.encoding = matrixEncodingName((*sub)->encoding);
      } else {
        auto g = h5::open(f.file.get(), p, f.where(p));
        if (!g) return std::unexpected(g.error());
        info.encoding = h5::encodingType(g->get());
        // Dataframes (tagged since 0.7 by `_index`) have as many rows as their index.
        const auto index = h5::stringAttr(g->get(), "_index");
        if (index) {
          info.encoding = "dataframe";
          info.cols = static_cast<std::int64_t>(h5::stringArrayAttr(g->get(), "column-order")
                                                    .value_or(std::vector<std::string>{})
                                                    .size());
          auto idx = h5::open(g->get(), *index, f.where(p + "/" + *index));
          if (!idx) return std::unexpected(idx.error());
          const auto dims = h5::shape(idx->get());
          info.rows = dims.empty() ? 0 : static_cast<std::int64_t>(dims[0]);
        } else {
          if (info.encoding.empty()) info.encoding = "group";
          info.rows = f.nObs;
        }
      }
    }
    f.obsm.push_back(info);
    f.obsmSources.push_back({p, ""});
  }
  return {};
}

Expected<DenseMatrix> readObsmMatrix(const H5adFile::Impl& f, const std::string& key) {
  for (std::size_t i = 0; i < f.obsm.size(); ++i) {
    if (f.obsm[i].key != key) continue;
    const ObsmInfo& info = f.obsm[i];
    const ObsmSource& src = f.obsmSources[i];
    const std::string where = f.where(src.path);
    if (!info.readable)
      return fail(Errc::Unsupported,
                  where + ": obsm '" + key + "' is " + info.encoding + ", not a dense array");
    auto ds = h5::open(f.file.get(), src.path, where);
    if (!ds) return std::unexpected(ds.error());
    auto v = src.field.empty() ? h5::readNumbers<double>(ds->get(), where)
                               : h5::readCompoundNumbers(ds->get(), src.field, where);
    if (!v) return std::unexpected(v.error());
    if (static_cast<std::int64_t>(v->size()) != info.rows * info.cols)
      return fail(Errc::Corrupt, where + ": size does not match its shape");
    return DenseMatrix{info.rows, info.cols, std::move(*v)};
  }
  return fail(Errc::NotFound, f.where("obsm/" + key) + ": no such obsm entry");
}

Expected<std::vector<float>> readGeneColumn(const H5adFile::Impl& f, std::int64_t var) {
  if (!f.x) return fail(Errc::NotFound, f.where("X") + ": the file has no X");
  const MatrixInfo& x = *f.x;
  if (var < 0 || var >= x.cols)
    return fail(Errc::InvalidArgument, f.where(f.xPath) + ": gene index " + std::to_string(var) +
                                           " outside [0, " + std::to_string(x.cols) + ")");
  if (x.encoding == MatrixEncoding::Dense) return readDenseColumn(f, var);
  if (!f.indptr) {
    auto ip = loadIndptr(f);
    if (!ip) return std::unexpected(ip.error());
    f.indptr = std::move(*ip);
  }
  const auto& indptr = *f.indptr;
  const std::string dp = f.xPath + "/data", ip = f.xPath + "/indices";
  auto data = h5::open(f.file.get(), dp, f.where(dp));
  if (!data) return std::unexpected(data.error());
  auto indices = h5::open(f.file.get(), ip, f.where(ip));
  if (!indices) return std::unexpected(indices.error());
  std::vector<float> out(static_cast<std::size_t>(x.rows), 0.0f);

  if (x.encoding == MatrixEncoding::Csc) {
    const std::int64_t b = indptr[var], n = indptr[var + 1] - b;
    auto rows = h5::readNumbers<std::int64_t>(indices->get(), f.where(ip), b, n);
    if (!rows) return std::unexpected(rows.error());
    auto vals = h5::readNumbers<float>(data->get(), f.where(dp), b, n);
    if (!vals) return std::unexpected(vals.error());
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t r = (*rows)[k];
      if (r < 0 || r >= x.rows)
        return fail(Errc::Corrupt, f.where(ip) + ": row index " + std::to_string(r) +
                                       " outside [0, " + std::to_string(x.rows) + ")");
      out[r] = (*vals)[k];
    }
    return out;
  }

  // CSR has no column index: scan all entries blockwise, tracking the row via indptr.
  std::int64_t row = 0;
  for (std::int64_t b = 0; b < x.nnz; b += kScanBlock) {
    const std::int64_t n = std::min(kScanBlock, x.nnz - b);
    auto cols = h5::readNumbers<std::int64_t>(indices->get(), f.where(ip), b, n);
    if (!cols) return std::unexpected(cols.error());
    std::vector<float> vals;
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t c = (*cols)[k];
      if (c < 0 || c >= x.cols)
        return fail(Errc::Corrupt, f.where(ip) + ": column index " + std::to_string(c) +
                                       " outside [0, " + std::to_string(x.cols) + ")");
      if (c != var) continue;
      if (vals.empty()) {
        auto v = h5::readNumbers<float>(data->get(), f.where(dp), b, n);
        if (!v) return std::unexpected(v.error());
        vals = std::move(*v);
      }
      while (indptr[row + 1] <= b + k)
        ++row;
      out[row] = vals[k];
    }
  }
  return out;
}

}  // namespace tessera::data::h5ad
