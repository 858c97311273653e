#include "data/anndata/hdf5_util.h"

#include <algorithm>

namespace tessera::data::h5 {
namespace {

// Datasets with fewer elements than this stay contiguous: chunk and filter overhead would
// outweigh the saving, and anndata writes its small metadata arrays the same way.
constexpr hsize_t kChunkThreshold = 4096;
// Target elements per chunk: ~256 KiB of float32/int32, a good gzip unit for HDF5's cache.
constexpr hsize_t kChunkElements = 65536;
constexpr unsigned kGzipLevel = 3;

struct WalkState {
  std::string innermost;
  std::string outermost;
};

herr_t collect(unsigned n, const H5E_error2_t* err, void* data) {
  auto* st = static_cast<WalkState*>(data);
  const std::string desc = err->desc ? err->desc : "";
  if (n == 0) st->innermost = desc;
  st->outermost = desc;
  return 0;
}

Handle scalarSpace() {
  return Handle(H5Screate(H5S_SCALAR));
}

// An empty `dims` means a scalar (0-d) dataspace.
Handle simpleSpace(std::span<const hsize_t> dims) {
  if (dims.empty()) return scalarSpace();
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
}

// Replaces an existing attribute so that callers can set attributes idempotently.
Expected<Handle> createAttr(hid_t obj, const char* name, hid_t type, hid_t space,
                            const std::string& where) {
  if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
  Handle a(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!a) return failH5(Errc::Io, where + ": cannot create attribute '" + name + "'");
  return a;
}

}  // namespace

bool Handle::reset() {
  if (id_ < 0) return true;
  herr_t rc = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      rc = H5Fclose(id_);
      break;
    case H5I_GROUP:
      rc = H5Gclose(id_);
      break;
    case H5I_DATASET:
      rc = H5Dclose(id_);
      break;
    case H5I_ATTR:
      rc = H5Aclose(id_);
      break;
    case H5I_DATATYPE:
      rc = H5Tclose(id_);
      break;
    case H5I_DATASPACE:
      rc = H5Sclose(id_);
      break;
    case H5I_GENPROP_LST:
      rc = H5Pclose(id_);
      break;
    default:
      rc = H5Idec_ref(id_) < 0 ? -1 : 0;
      break;
  }
  id_ = H5I_INVALID_HID;
  return rc >= 0;
}

void silenceErrors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::string takeErrorMessage() {
  WalkState st;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect, &st);
  H5Eclear2(H5E_DEFAULT);
  if (st.innermost.empty() || st.innermost == st.outermost) return st.outermost;
  if (st.outermost.empty()) return st.innermost;
  return st.outermost + " (" + st.innermost + ")";
}

std::unexpected<Error> failH5(Errc code, const std::string& what) {
  const std::string detail = takeErrorMessage();
  return fail(code, detail.empty() ? what : what + ": " + detail);
}

Handle vlenUtf8Type() {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

Handle boolEnumType() {
  Handle t(H5Tenum_create(H5T_NATIVE_INT8));
  std::int8_t v = 0;
  H5Tenum_insert(t.get(), "FALSE", &v);
  v = 1;
  H5Tenum_insert(t.get(), "TRUE", &v);
  return t;
}

Expected<Handle> createGroup(const Loc& parent, const std::string& name) {
  Handle g(H5Gcreate2(parent.id, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!g) return failH5(Errc::Io, parent.name + "/" + name + ": cannot create group");
  return g;
}

Expected<void> writeStringAttr(hid_t obj, const char* name, std::string_view value,
                               const std::string& where) {
  Handle type = vlenUtf8Type();
  Handle space = scalarSpace();
  auto a = createAttr(obj, name, type.get(), space.get(), where);
  if (!a) return std::unexpected(a.error());
  const std::string s(value);
  const char* p = s.c_str();
  if (H5Awrite(a->get(), type.get(), &p) < 0)
    return failH5(Errc::Io, where + ": cannot write attribute '" + name + "'");
  return {};
}

Expected<void> writeStringArrayAttr(hid_t obj, const char* name,
                                    const std::vector<std::string>& values,
                                    const std::string& where) {
  // anndata (via h5py) stores an empty list as an empty float64 array; a string-typed empty
  // attribute or a null dataspace would come back as h5py.Empty, which anndata cannot iterate.
  if (values.empty()) {
    const hsize_t dims[1] = {0};
    Handle space = simpleSpace(dims);
    auto a = createAttr(obj, name, H5T_IEEE_F64LE, space.get(), where);
    if (!a) return std::unexpected(a.error());
    return {};
  }
  Handle type = vlenUtf8Type();
  const hsize_t dims[1] = {values.size()};
  Handle space = simpleSpace(dims);
  auto a = createAttr(obj, name, type.get(), space.get(), where);
  if (!a) return std::unexpected(a.error());
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values)
    ptrs.push_back(v.c_str());
  if (H5Awrite(a->get(), type.get(), ptrs.data()) < 0)
    return failH5(Errc::Io, where + ": cannot write attribute '" + name + "'");
  return {};
}

Expected<void> writeInt64ArrayAttr(hid_t obj, const char* name,
                                   std::span<const std::int64_t> values, const std::string& where) {
  const hsize_t dims[1] = {values.size()};
  Handle space = simpleSpace(dims);
  auto a = createAttr(obj, name, H5T_STD_I64LE, space.get(), where);
  if (!a) return std::unexpected(a.error());
  if (!values.empty() && H5Awrite(a->get(), H5T_NATIVE_INT64, values.data()) < 0)
    return failH5(Errc::Io, where + ": cannot write attribute '" + name + "'");
  return {};
}

Expected<void> writeBoolAttr(hid_t obj, const char* name, bool value, const std::string& where) {
  Handle type = boolEnumType();
  Handle space = scalarSpace();
  auto a = createAttr(obj, name, type.get(), space.get(), where);
  if (!a) return std::unexpected(a.error());
  const std::int8_t v = value ? 1 : 0;
  if (H5Awrite(a->get(), type.get(), &v) < 0)
    return failH5(Errc::Io, where + ": cannot write attribute '" + name + "'");
  return {};
}

Expected<void> writeEncoding(hid_t obj, const char* type, const char* version,
                             const std::string& where) {
  if (auto r = writeStringAttr(obj, "encoding-type", type, where); !r) return r;
  return writeStringAttr(obj, "encoding-version", version, where);
}

Expected<Handle> createEncodedGroup(const Loc& parent, const std::string& name, const char* type,
                                    const char* version) {
  auto g = createGroup(parent, name);
  if (!g) return g;
  if (auto r = writeEncoding(g->get(), type, version, parent.name + "/" + name); !r)
    return std::unexpected(r.error());
  return g;
}

Expected<Handle> writeDataset(const Loc& parent, const std::string& name, hid_t fileType,
                              hid_t memType, std::span<const hsize_t> dims, const void* data) {
  const std::string where = parent.name + "/" + name;
  Handle space = simpleSpace(dims);
  if (!space) return failH5(Errc::Io, where + ": cannot create dataspace");
  hsize_t total = 1;
  for (hsize_t d : dims)
    total *= d;

  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  if (!dims.empty() && total >= kChunkThreshold) {
    // Chunk along the first axis and keep the remaining axes whole, so that reading a row
    // range (cells) touches as few chunks as possible.
    std::vector<hsize_t> chunk(dims.begin(), dims.end());
    hsize_t inner = 1;
    for (std::size_t i = 1; i < dims.size(); ++i)
      inner *= dims[i];
    chunk[0] = std::clamp<hsize_t>(kChunkElements / std::max<hsize_t>(inner, 1), 1, dims[0]);
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), kGzipLevel);
  }
  Handle ds(H5Dcreate2(parent.id, name.c_str(), fileType, space.get(), H5P_DEFAULT, dcpl.get(),
                       H5P_DEFAULT));
  if (!ds) return failH5(Errc::Io, where + ": cannot create dataset");
  if (total > 0 && H5Dwrite(ds.get(), memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    return failH5(Errc::Io, where + ": cannot write dataset");
  return ds;
}

Expected<Handle> writeStringArray(const Loc& parent, const std::string& name,
                                  const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values)
    ptrs.push_back(v.c_str());
  Handle type = vlenUtf8Type();
  const hsize_t dims[1] = {values.size()};
  auto ds = writeDataset(parent, name, type.get(), type.get(), dims, ptrs.data());
  if (!ds) return ds;
  if (auto r = writeEncoding(ds->get(), "string-array", "0.2.0", parent.name + "/" + name); !r)
    return std::unexpected(r.error());
  return ds;
}

}  // namespace tessera::data::h5
