#include "data/anndata/h5ad_writer.h"

#include <algorithm>
#include <array>
#include <set>
#include <system_error>

#include "data/anndata/hdf5_util.h"

namespace tessera::data {
namespace {

using h5::Handle;
using h5::Loc;

template <class T>
std::size_t columnLength(const T& col) {
  if constexpr (std::is_same_v<T, CategoricalColumn>)
    return col.codes.size();
  else
    return col.size();
}

Expected<void> validateColumns(const std::vector<std::pair<std::string, ObsColumn>>& cols,
                               std::size_t n, const std::string& frame, const std::string& file) {
  std::set<std::string> seen;
  for (const auto& [name, col] : cols) {
    const std::string where = file + ": " + frame + " column '" + name + "'";
    if (name.empty() || name == "_index" || name.find('/') != std::string::npos)
      return fail(Errc::InvalidArgument, where + ": invalid column name");
    if (!seen.insert(name).second) return fail(Errc::InvalidArgument, where + ": duplicate name");
    const std::size_t len = std::visit([](const auto& c) { return columnLength(c); }, col);
    if (len != n)
      return fail(Errc::InvalidArgument, where + ": has " + std::to_string(len) +
                                             " values, expected " + std::to_string(n));
    if (const auto* cat = std::get_if<CategoricalColumn>(&col)) {
      const auto ncat = static_cast<std::int64_t>(cat->categories.size());
      for (auto c : cat->codes)
        if (c < -1 || c >= ncat)
          return fail(Errc::InvalidArgument, where + ": code " + std::to_string(c) +
                                                 " outside [-1, " + std::to_string(ncat) + ")");
      if (!cat->colors.empty() && cat->colors.size() != cat->categories.size())
        return fail(Errc::InvalidArgument, where + ": " + std::to_string(cat->colors.size()) +
                                               " colours for " + std::to_string(ncat) +
                                               " categories");
      if (std::set<std::string>(cat->categories.begin(), cat->categories.end()).size() !=
          cat->categories.size())
        return fail(Errc::InvalidArgument, where + ": duplicate categories");
    }
  }
  return {};
}

Expected<void> validate(const AnnDataWrite& a, const std::string& file) {
  const CsrMatrix& x = a.X;
  const auto nObs = a.obsNames.size(), nVars = a.varNames.size();
  if (x.rows != static_cast<std::int64_t>(nObs) || x.cols != static_cast<std::int64_t>(nVars))
    return fail(Errc::InvalidArgument, file + ": X is " + std::to_string(x.rows) + "x" +
                                           std::to_string(x.cols) + " but there are " +
                                           std::to_string(nObs) + " obs names and " +
                                           std::to_string(nVars) + " var names");
  if (x.indptr.size() != nObs + 1)
    return fail(Errc::InvalidArgument, file + ": X.indptr has " + std::to_string(x.indptr.size()) +
                                           " entries, expected " + std::to_string(nObs + 1));
  if (x.indices.size() != x.data.size())
    return fail(Errc::InvalidArgument, file + ": X.indices and X.data differ in length");
  if (x.indptr.front() != 0 || x.indptr.back() != static_cast<std::int64_t>(x.indices.size()) ||
      !std::is_sorted(x.indptr.begin(), x.indptr.end()))
    return fail(Errc::InvalidArgument, file + ": X.indptr must rise from 0 to nnz (" +
                                           std::to_string(x.data.size()) + ")");
  for (auto i : x.indices)
    if (i < 0 || i >= x.cols)
      return fail(Errc::InvalidArgument,
                  file + ": X.indices holds " + std::to_string(i) + ", outside [0, n_vars)");
  if (auto r = validateColumns(a.obs, nObs, "obs", file); !r) return r;
  if (auto r = validateColumns(a.var, nVars, "var", file); !r) return r;
  for (const auto& [key, m] : a.obsm) {
    if (key.empty() || key.find('/') != std::string::npos)
      return fail(Errc::InvalidArgument, file + ": invalid obsm key '" + key + "'");
    if (m.rows != static_cast<std::int64_t>(nObs) || m.cols < 0 ||
        m.values.size() != static_cast<std::size_t>(m.rows * m.cols))
      return fail(Errc::InvalidArgument, file + ": obsm '" + key + "' is " +
                                             std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                                             " with " + std::to_string(m.values.size()) +
                                             " values; rows must equal n_obs");
  }
  for (const auto& [key, v] : a.unsStrings) {
    (void)v;
    if (key.empty() || key.find('/') != std::string::npos)
      return fail(Errc::InvalidArgument, file + ": invalid uns key '" + key + "'");
  }
  return {};
}

template <class T>
Expected<void> writeCodes(const Loc& g, const std::vector<std::int32_t>& codes) {
  std::vector<T> narrow(codes.begin(), codes.end());
  auto ds = h5::writeDataset(g, "codes", h5::fileType<T>(), h5::nativeType<T>(),
                             std::array<hsize_t, 1>{narrow.size()}, narrow.data());
  if (!ds) return std::unexpected(ds.error());
  return {};
}

Expected<void> writeCategorical(const Loc& parent, const std::string& name,
                                const CategoricalColumn& c) {
  auto g = h5::createEncodedGroup(parent, name, "categorical", "0.2.0");
  if (!g) return std::unexpected(g.error());
  const Loc loc{g->get(), parent.name + "/" + name};
  if (auto r = h5::writeBoolAttr(loc.id, "ordered", c.ordered, loc.name); !r) return r;
  if (auto r = h5::writeStringArray(loc, "categories", c.categories); !r)
    return std::unexpected(r.error());
  // pandas picks the narrowest signed code type that holds every category plus -1.
  const auto n = c.categories.size();
  if (n < 128) return writeCodes<std::int8_t>(loc, c.codes);
  if (n < 32768) return writeCodes<std::int16_t>(loc, c.codes);
  return writeCodes<std::int32_t>(loc, c.codes);
}

// One ObsColumn alternative -> one anndata element (local classes cannot hold templates).
struct ColumnWriter {
  const Loc& parent;
  const std::string& name;
  Expected<void> operator()(const CategoricalColumn& c) const {
    return writeCategorical(parent, name, c);
  }
  Expected<void> operator()(const std::vector<std::string>& v) const {
    auto r = h5::writeStringArray(parent, name, v);
    if (!r) return std::unexpected(r.error());
    return {};
  }
  Expected<void> operator()(const std::vector<bool>& v) const {
    std::vector<std::int8_t> bytes(v.begin(), v.end());
    Handle type = h5::boolEnumType();
    auto ds = h5::writeDataset(parent, name, type.get(), type.get(),
                               std::array<hsize_t, 1>{bytes.size()}, bytes.data());
    if (!ds) return std::unexpected(ds.error());
    return h5::writeEncoding(ds->get(), "array", "0.2.0", parent.name + "/" + name);
  }
  template <class T>
  Expected<void> operator()(const std::vector<T>& v) const {
    auto r = h5::writeArray<T>(parent, name, std::span<const T>(v));
    if (!r) return std::unexpected(r.error());
    return {};
  }
};

Expected<void> writeColumn(const Loc& parent, const std::string& name, const ObsColumn& col) {
  return std::visit(ColumnWriter{parent, name}, col);
}

Expected<void> writeDataFrame(const Loc& parent, const std::string& name,
                              const std::vector<std::string>& index,
                              const std::vector<std::pair<std::string, ObsColumn>>& cols) {
  auto g = h5::createEncodedGroup(parent, name, "dataframe", "0.2.0");
  if (!g) return std::unexpected(g.error());
  const Loc loc{g->get(), parent.name + "/" + name};
  if (auto r = h5::writeStringAttr(loc.id, "_index", "_index", loc.name); !r) return r;
  std::vector<std::string> order;
  for (const auto& c : cols)
    order.push_back(c.first);
  if (auto r = h5::writeStringArrayAttr(loc.id, "column-order", order, loc.name); !r) return r;
  if (auto r = h5::writeStringArray(loc, "_index", index); !r) return std::unexpected(r.error());
  for (const auto& [colName, col] : cols)
    if (auto r = writeColumn(loc, colName, col); !r) return r;
  return {};
}

Expected<void> writeX(const Loc& root, const CsrMatrix& x) {
  auto g = h5::createEncodedGroup(root, "X", "csr_matrix", "0.1.0");
  if (!g) return std::unexpected(g.error());
  const Loc loc{g->get(), root.name + "/X"};
  const std::int64_t shape[2] = {x.rows, x.cols};
  if (auto r = h5::writeInt64ArrayAttr(loc.id, "shape", shape, loc.name); !r) return r;
  const hsize_t nnz[1] = {x.data.size()};
  const hsize_t np1[1] = {x.indptr.size()};
  if (auto r = h5::writeDataset(loc, "data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, nnz, x.data.data());
      !r)
    return std::unexpected(r.error());
  if (auto r =
          h5::writeDataset(loc, "indices", H5T_STD_I32LE, H5T_NATIVE_INT32, nnz, x.indices.data());
      !r)
    return std::unexpected(r.error());
  if (auto r =
          h5::writeDataset(loc, "indptr", H5T_STD_I64LE, H5T_NATIVE_INT64, np1, x.indptr.data());
      !r)
    return std::unexpected(r.error());
  return {};
}

Expected<void> writeUns(const Loc& root, const AnnDataWrite& a) {
  auto g = h5::createEncodedGroup(root, "uns", "dict", "0.1.0");
  if (!g) return std::unexpected(g.error());
  const Loc loc{g->get(), root.name + "/uns"};
  std::set<std::string> written;
  for (const auto& [key, value] : a.unsStrings) {
    Handle type = h5::vlenUtf8Type();
    const char* p = value.c_str();
    auto ds = h5::writeDataset(loc, key, type.get(), type.get(), {}, &p);
    if (!ds) return std::unexpected(ds.error());
    if (auto r = h5::writeEncoding(ds->get(), "string", "0.2.0", loc.name + "/" + key); !r)
      return r;
    written.insert(key);
  }
  for (const auto& [name, col] : a.obs) {
    const auto* cat = std::get_if<CategoricalColumn>(&col);
    if (!cat || cat->colors.empty()) continue;
    const std::string key = name + "_colors";
    if (written.contains(key))
      return fail(Errc::InvalidArgument, loc.name + "/" + key + ": set both as a uns string and " +
                                             "as colours of obs column '" + name + "'");
    if (auto r = h5::writeStringArray(loc, key, cat->colors); !r) return std::unexpected(r.error());
  }
  return {};
}

Expected<void> writeObsm(const Loc& root, const std::map<std::string, DenseMatrix>& obsm) {
  auto g = h5::createEncodedGroup(root, "obsm", "dict", "0.1.0");
  if (!g) return std::unexpected(g.error());
  const Loc loc{g->get(), root.name + "/obsm"};
  for (const auto& [key, m] : obsm) {
    const hsize_t dims[2] = {static_cast<hsize_t>(m.rows), static_cast<hsize_t>(m.cols)};
    auto ds = h5::writeDataset(loc, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, m.values.data());
    if (!ds) return std::unexpected(ds.error());
    if (auto r = h5::writeEncoding(ds->get(), "array", "0.2.0", loc.name + "/" + key); !r) return r;
  }
  return {};
}

Expected<void> writeAll(hid_t file, const std::string& name, const AnnDataWrite& a) {
  const Loc root{file, name + ":"};
  if (auto r = h5::writeEncoding(file, "anndata", "0.1.0", name); !r) return r;
  if (auto r = writeX(root, a.X); !r) return r;
  if (auto r = writeDataFrame(root, "obs", a.obsNames, a.obs); !r) return r;
  if (auto r = writeDataFrame(root, "var", a.varNames, a.var); !r) return r;
  if (auto r = writeObsm(root, a.obsm); !r) return r;
  if (auto r = writeUns(root, a); !r) return r;
  for (const char* empty : {"layers", "obsp", "varm", "varp"})
    if (auto r = h5::createEncodedGroup(root, empty, "dict", "0.1.0"); !r)
      return std::unexpected(r.error());
  return {};
}

}  // namespace

Expected<void> writeH5ad(const std::filesystem::path& path, const AnnDataWrite& adata) {
  h5::silenceErrors();
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::exists(path, ec))
    return fail(Errc::InvalidArgument, name + ": already exists; refusing to overwrite");
  if (auto r = validate(adata, name); !r) return r;

  const std::filesystem::path partial = name + ".partial";
  if (std::filesystem::exists(partial, ec))
    return fail(Errc::InvalidArgument,
                partial.string() + ": exists (another write in progress, or left by a crash)");
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  // anndata files are read by h5py builds of any age; the 1.8 format keeps them readable.
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
  Handle file(H5Fcreate(partial.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, fapl.get()));
  if (!file) return h5::failH5(Errc::Io, partial.string() + ": cannot create");

  auto written = writeAll(file.get(), name, adata);
  const bool closed = file.reset();
  if (written && !closed) written = h5::failH5(Errc::Io, partial.string() + ": cannot close");
  if (!written) {
    std::filesystem::remove(partial, ec);
    return written;
  }
  if (std::filesystem::exists(path, ec)) {
    std::filesystem::remove(partial, ec);
    return fail(Errc::InvalidArgument, name + ": appeared while writing; refusing to overwrite");
  }
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(partial, ec);
    return fail(Errc::Io, name + ": cannot rename from .partial: " + why);
  }
  return {};
}

}  // namespace tessera::data
