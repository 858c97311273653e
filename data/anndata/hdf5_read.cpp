#include "data/anndata/hdf5_read.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include "data/anndata/hdf5_chunk_index.h"
#include "data/anndata/hdf5_object_header.h"
#include "data/anndata/hdf5_raw.h"
#include "data/anndata/hdf5_superblock.h"
#include "data/memory_budget.h"

namespace tessera::data::h5 {
namespace {

herr_t collectName(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

// An attribute lives in its object header: it cannot have more elements than the file bytes.
bool attrCountPlausible(hid_t obj, std::size_t n) {
  const std::uint64_t size = fileSizeOf(obj);
  return size == 0 || n <= size;
}

// Fixed-length strings are padded with NULs or spaces; h5py and anndata strip both.
std::string trimFixed(const char* p, std::size_t size, H5T_str_t pad) {
  std::size_t n = strnlen(p, size);
  if (pad == H5T_STR_SPACEPAD)
    while (n > 0 && p[n - 1] == ' ')
      --n;
  return std::string(p, n);
}

// Reads `n` strings from a dataset or attribute of string type `fileType`.
template <class ReadFn>
bool readStringElements(hid_t fileType, std::size_t n, hid_t space, ReadFn read,
                        std::vector<std::string>& out) {
  out.clear();
  if (H5Tis_variable_str(fileType) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(fileType));
    std::vector<char*> ptrs(n, nullptr);
    if (n > 0 && read(mem.get(), ptrs.data()) < 0) return false;
    out.reserve(n);
    for (char* p : ptrs)
      out.emplace_back(p ? p : "");
    if (n > 0) H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
    return true;
  }
  const std::size_t size = H5Tget_size(fileType);
  Handle mem(H5Tcopy(fileType));
  std::vector<char> buf(n * size + 1, '\0');
  if (n > 0 && read(mem.get(), buf.data()) < 0) return false;
  const H5T_str_t pad = H5Tget_strpad(fileType);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(trimFixed(buf.data() + i * size, size, pad));
  return true;
}

std::size_t elementCount(hid_t space) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  return n < 0 ? 0 : static_cast<std::size_t>(n);
}

// The first attribute or object refused as damaged since takeDamage() last ran (HDF5 runs on
// one thread at a time, but the app's HDF5 thread and a test's may differ).
thread_local std::string damage;

void noteDamage(const std::string& what) {
  if (damage.empty()) damage = what;
}

// Link `path` below `loc` leads, by a hard link, to an object header that lies inside the file
// (hdf5_object_header.h): HDF5 allocates the length a header declares before reading it. Soft
// and external links are not followed: no AnnData or 10x writer makes them, and an external
// link would have HDF5 open another file named by a downloaded one.
bool linkTargetSound(hid_t loc, const std::string& path) {
  H5L_info_t link{};
  if (H5Lget_info(loc, path.c_str(), &link, H5P_DEFAULT) < 0 || link.type != H5L_TYPE_HARD) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const auto geometry = fileGeometry(loc);
  if (!geometry) return true;  // HDF5 cannot say where it is; nothing to check against
  if (auto ok = checkHeaderAt(readerOf(loc), *geometry, link.u.address); !ok) {
    noteDamage(path + ": " + ok.error().message);
    return false;
  }
  return true;
}

// Whether `obj` has attribute `name`, after checking its attribute messages, which HDF5 decodes
// trusting them (hdf5_raw.h); a damaged header answers no and is noted.
bool attrExists(hid_t obj, const char* name) {
  if (auto ok = checkAttributeMessages(obj, name); !ok) {
    noteDamage(ok.error().message);
    return false;
  }
  return H5Aexists(obj, name) > 0;
}

std::optional<std::vector<std::string>> attrStrings(hid_t obj, const char* name) {
  if (!attrExists(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT));
  if (!a) return std::nullopt;
  Handle type(H5Aget_type(a.get()));
  Handle space(H5Aget_space(a.get()));
  const std::size_t n = elementCount(space.get());
  if (!attrCountPlausible(obj, n)) return std::nullopt;
  if (H5Tget_class(type.get()) != H5T_STRING) {
    // h5py writes an empty Python list as an empty float64 array.
    if (n == 0) return std::vector<std::string>{};
    return std::nullopt;
  }
  // HDF5 follows variable-length references without checking where they lead.
  if (H5Tis_variable_str(type.get()) > 0) {
    if (auto ok = checkAttributeReferences(obj, name, n, name); !ok) {
      noteDamage(ok.error().message);
      return std::nullopt;
    }
  }
  std::vector<std::string> out;
  const hid_t aid = a.get();
  if (!readStringElements(
          type.get(), n, space.get(),
          [aid](hid_t mem, void* buf) { return H5Aread(aid, mem, buf); }, out))
    return std::nullopt;
  return out;
}

template <class T>
T fromSignedBytes(const unsigned char* p, std::size_t size) {
  switch (size) {
    case 1:
      return static_cast<T>(static_cast<std::int8_t>(*p));
    case 2: {
      std::int16_t v;
      std::memcpy(&v, p, 2);
      return static_cast<T>(v);
    }
    case 4: {
      std::int32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<T>(v);
    }
    default: {
      std::int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<T>(v);
    }
  }
}

}  // namespace

Expected<Handle> openReadOnly(const std::filesystem::path& path) {
  silenceErrors();
  const std::string name = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fail(Errc::Unsupported, name + ": is a folder, not an HDF5 file");
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(Errc::NotFound, name + ": no such file");
  if (H5Fis_hdf5(name.c_str()) <= 0) {
    takeErrorMessage();
    return fail(Errc::Corrupt, name + ": not an HDF5 file");
  }
  if (auto ok = checkSuperblock(name); !ok) return std::unexpected(ok.error());
  Handle file(H5Fopen(name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  // The signature is there, so a refusal means a damaged or truncated file, which the user
  // can fix (exit 2), not an internal fault.
  if (!file) return failH5(Errc::Corrupt, name + ": damaged HDF5 file");
  return file;
}

Expected<void> checkReadSize(hid_t dataset, std::uint64_t elements, std::uint64_t elementBytes,
                             const std::string& where) {
  const auto tooMany = [&](const std::string& why) {
    return fail(Errc::Corrupt, where + ": declares " + std::to_string(elements) + " elements, " +
                                   why + " (damaged file?)");
  };
  if (elements == 0) return {};
  if (elementBytes > 0 && elements > readBudgetBytes() / elementBytes)
    return tooMany("more than half of this machine's memory");
  if (auto ok = checkChunkIndex(dataset, where); !ok) return ok;
  Handle type(H5Dget_type(dataset));
  const std::uint64_t stored = H5Tget_size(type.get());
  const std::uint64_t fileBytes = fileSizeOf(dataset);
  if (stored == 0 || fileBytes == 0) return {};
  if (elements > std::numeric_limits<std::uint64_t>::max() / stored)
    return tooMany("more than any file holds");
  const std::uint64_t need = elements * stored;
  Handle dcpl(H5Dget_create_plist(dataset));
  const bool filtered = dcpl && H5Pget_nfilters(dcpl.get()) > 0;
  const H5D_layout_t layout = dcpl ? H5Pget_layout(dcpl.get()) : H5D_LAYOUT_ERROR;
  H5Eclear2(H5E_DEFAULT);
  // deflate packs at most ~1032:1; 4096 leaves room for fill-value chunks and headers.
  constexpr std::uint64_t kMaxRatio = 4096;
  if (need / kMaxRatio > fileBytes)
    return tooMany("far more than the " + std::to_string(fileBytes) + "-byte file can hold");
  if (!filtered && layout != H5D_CHUNKED && need > fileBytes)
    return tooMany("more than the " + std::to_string(fileBytes) + "-byte file holds");
  return {};
}

bool exists(hid_t loc, const std::string& path) {
  std::string prefix;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t next = path.find('/', pos);
    const std::string part = path.substr(pos, next == std::string::npos ? next : next - pos);
    if (!part.empty()) {
      prefix += (prefix.empty() ? "" : "/") + part;
      if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0 || !linkTargetSound(loc, prefix))
        return false;
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return true;
}

H5O_type_t objectType(hid_t loc, const std::string& path) {
  if (!exists(loc, path)) return H5O_TYPE_UNKNOWN;
  H5O_info_t info;
  if (H5Oget_info_by_name(loc, path.c_str(), &info, H5P_DEFAULT) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return H5O_TYPE_UNKNOWN;
  }
  return info.type;
}

Expected<Handle> open(hid_t loc, const std::string& path, const std::string& where) {
  if (!exists(loc, path)) return fail(Errc::NotFound, where + ": missing");
  Handle h(H5Oopen(loc, path.c_str(), H5P_DEFAULT));
  if (!h) return failH5(Errc::Corrupt, where + ": cannot open");
  return h;
}

std::vector<std::string> children(hid_t group) {
  std::vector<std::string> names;
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collectName, &names);
  H5Eclear2(H5E_DEFAULT);
  return names;
}

bool hasAttribute(hid_t obj, const char* name) {
  return attrExists(obj, name);
}

std::string takeDamage() {
  return std::exchange(damage, {});
}

std::optional<std::string> stringAttr(hid_t obj, const char* name) {
  auto v = attrStrings(obj, name);
  if (!v || v->size() != 1) return std::nullopt;
  return std::move(v->front());
}

std::optional<std::vector<std::string>> stringArrayAttr(hid_t obj, const char* name) {
  return attrStrings(obj, name);
}

std::optional<std::vector<std::int64_t>> intArrayAttr(hid_t obj, const char* name) {
  if (!attrExists(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT));
  Handle type(H5Aget_type(a.get()));
  if (H5Tget_class(type.get()) != H5T_INTEGER) return std::nullopt;
  Handle space(H5Aget_space(a.get()));
  if (!attrCountPlausible(obj, elementCount(space.get()))) return std::nullopt;
  std::vector<std::int64_t> v(elementCount(space.get()));
  if (!v.empty() && H5Aread(a.get(), H5T_NATIVE_INT64, v.data()) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> boolAttr(hid_t obj, const char* name) {
  if (!attrExists(obj, name)) return std::nullopt;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT));
  Handle type(H5Aget_type(a.get()));
  Handle space(H5Aget_space(a.get()));
  if (elementCount(space.get()) != 1) return std::nullopt;
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_ENUM && cls != H5T_INTEGER) return std::nullopt;
  Handle mem(H5Tget_native_type(type.get(), H5T_DIR_DEFAULT));
  unsigned char raw[16] = {};
  if (H5Tget_size(mem.get()) > sizeof raw || H5Aread(a.get(), mem.get(), raw) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  for (std::size_t i = 0; i < H5Tget_size(mem.get()); ++i)
    if (raw[i]) return true;
  return false;
}

std::string encodingType(hid_t obj) {
  return stringAttr(obj, "encoding-type").value_or("");
}

std::vector<hsize_t> shape(hid_t dataset) {
  Handle space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

bool isStringType(hid_t type) {
  return H5Tget_class(type) == H5T_STRING;
}

std::optional<DType> dtypeOf(hid_t type) {
  const std::size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
      const bool sgn = H5Tget_sign(type) == H5T_SGN_2;
      switch (size) {
        case 1:
          return sgn ? DType::I8 : DType::U8;
        case 2:
          return sgn ? DType::I16 : DType::U16;
        case 4:
          return sgn ? DType::I32 : DType::U32;
        case 8:
          return sgn ? DType::I64 : DType::U64;
        default:
          return std::nullopt;
      }
    }
    case H5T_FLOAT:
      if (size == 2) return DType::F16;
      if (size == 4) return DType::F32;
      if (size == 8) return DType::F64;
      return std::nullopt;
    case H5T_ENUM:
      return size == 1 ? std::optional(DType::Bool) : std::nullopt;
    default:
      return std::nullopt;
  }
}

template <class T>
Expected<std::vector<T>> readNumbers(hid_t dataset, const std::string& where, std::int64_t start,
                                     std::int64_t count) {
  Handle fileType(H5Dget_type(dataset));
  const H5T_class_t cls = H5Tget_class(fileType.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT && cls != H5T_ENUM)
    return fail(Errc::Unsupported, where + ": expected a numeric dataset");
  Handle fileSpace(H5Dget_space(dataset));
  const auto dims = shape(dataset);
  Handle memSpace;
  std::size_t n = elementCount(fileSpace.get());
  if (start != 0 || count >= 0) {
    if (dims.size() != 1) return fail(Errc::Corrupt, where + ": expected a 1-d dataset");
    const auto total = static_cast<std::int64_t>(dims[0]);
    if (count < 0) count = total - start;
    if (start < 0 || count < 0 || start + count > total)
      return fail(Errc::Corrupt, where + ": range [" + std::to_string(start) + ", " +
                                     std::to_string(start + count) + ") outside length " +
                                     std::to_string(total));
    const hsize_t off[1] = {static_cast<hsize_t>(start)}, cnt[1] = {static_cast<hsize_t>(count)};
    if (count > 0) H5Sselect_hyperslab(fileSpace.get(), H5S_SELECT_SET, off, nullptr, cnt, nullptr);
    memSpace = Handle(H5Screate_simple(1, cnt, nullptr));
    n = static_cast<std::size_t>(count);
  }
  if (auto ok = checkReadSize(dataset, n, sizeof(T), where); !ok)
    return std::unexpected(ok.error());
  std::vector<T> out(n);
  if (n == 0) return out;
  const hid_t ms = memSpace ? memSpace.get() : H5S_ALL;
  const hid_t fs = memSpace ? fileSpace.get() : H5S_ALL;
  if (cls == H5T_ENUM) {
    // HDF5 converts enums only to enums; read the raw base integers (h5py bools are int8).
    Handle mem(H5Tget_native_type(fileType.get(), H5T_DIR_DEFAULT));
    const std::size_t size = H5Tget_size(mem.get());
    if (size != 1 && size != 2 && size != 4 && size != 8)
      return fail(Errc::Unsupported, where + ": unsupported enum size");
    std::vector<unsigned char> raw(n * size);
    if (H5Dread(dataset, mem.get(), ms, fs, H5P_DEFAULT, raw.data()) < 0)
      return failH5(Errc::Corrupt, where + ": cannot read");
    for (std::size_t i = 0; i < n; ++i)
      out[i] = fromSignedBytes<T>(raw.data() + i * size, size);
    return out;
  }
  if (H5Dread(dataset, nativeType<T>(), ms, fs, H5P_DEFAULT, out.data()) < 0)
    return failH5(Errc::Corrupt, where + ": cannot read");
  return out;
}

template Expected<std::vector<double>> readNumbers<double>(hid_t, const std::string&, std::int64_t,
                                                           std::int64_t);
template Expected<std::vector<float>> readNumbers<float>(hid_t, const std::string&, std::int64_t,
                                                         std::int64_t);
template Expected<std::vector<std::int64_t>> readNumbers<std::int64_t>(hid_t, const std::string&,
                                                                       std::int64_t, std::int64_t);
template Expected<std::vector<std::int32_t>> readNumbers<std::int32_t>(hid_t, const std::string&,
                                                                       std::int64_t, std::int64_t);

Expected<std::vector<std::string>> readStrings(hid_t dataset, const std::string& where) {
  Handle type(H5Dget_type(dataset));
  if (!isStringType(type.get())) return fail(Errc::Unsupported, where + ": expected strings");
  Handle space(H5Dget_space(dataset));
  if (auto ok =
          checkReadSize(dataset, elementCount(space.get()),
                        std::max<std::size_t>(H5Tget_size(type.get()), sizeof(std::string)), where);
      !ok)
    return std::unexpected(ok.error());
  if (H5Tis_variable_str(type.get()) > 0) {
    auto checked = readCheckedVlenStrings(dataset, elementCount(space.get()), where);
    if (!checked) return std::unexpected(checked.error());
    if (*checked) return std::move(**checked);
  }
  std::vector<std::string> out;
  if (!readStringElements(
          type.get(), elementCount(space.get()), space.get(),
          [dataset](hid_t mem, void* buf) {
            return H5Dread(dataset, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
          },
          out))
    return failH5(Errc::Corrupt, where + ": cannot read strings");
  return out;
}

std::vector<CompoundField> compoundFields(hid_t dataset) {
  std::vector<CompoundField> out;
  Handle type(H5Dget_type(dataset));
  if (H5Tget_class(type.get()) != H5T_COMPOUND) return out;
  const int n = H5Tget_nmembers(type.get());
  for (int i = 0; i < n; ++i) {
    CompoundField f;
    char* name = H5Tget_member_name(type.get(), static_cast<unsigned>(i));
    f.name = name ? name : "";
    H5free_memory(name);
    Handle mt(H5Tget_member_type(type.get(), static_cast<unsigned>(i)));
    if (H5Tget_class(mt.get()) == H5T_ARRAY) {
      const int rank = H5Tget_array_ndims(mt.get());
      std::vector<hsize_t> dims(rank > 0 ? rank : 0);
      if (rank > 0) H5Tget_array_dims2(mt.get(), dims.data());
      for (hsize_t d : dims)
        f.width *= static_cast<std::int64_t>(d);
      Handle base(H5Tget_super(mt.get()));
      f.dtype = dtypeOf(base.get());
    } else {
      f.isString = isStringType(mt.get());
      f.dtype = dtypeOf(mt.get());
    }
    out.push_back(std::move(f));
  }
  return out;
}

Expected<std::vector<std::string>> readCompoundStrings(hid_t dataset, const std::string& field,
                                                       const std::string& where) {
  Handle type(H5Dget_type(dataset));
  const int idx = H5Tget_member_index(type.get(), field.c_str());
  if (idx < 0) return fail(Errc::NotFound, where + ": no field '" + field + "'");
  Handle mt(H5Tget_member_type(type.get(), static_cast<unsigned>(idx)));
  if (!isStringType(mt.get()))
    return fail(Errc::Unsupported, where + ": field '" + field + "' is not a string");
  Handle space(H5Dget_space(dataset));
  if (auto ok = checkReadSize(dataset, elementCount(space.get()), sizeof(std::string), where); !ok)
    return std::unexpected(ok.error());
  std::vector<std::string> out;
  const bool ok = readStringElements(
      mt.get(), elementCount(space.get()), space.get(),
      [&](hid_t mem, void* buf) {
        Handle comp(H5Tcreate(H5T_COMPOUND, H5Tget_size(mem)));
        H5Tinsert(comp.get(), field.c_str(), 0, mem);
        return H5Dread(dataset, comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
      },
      out);
  if (!ok) return failH5(Errc::Corrupt, where + ": cannot read field '" + field + "'");
  return out;
}

Expected<std::vector<double>> readCompoundNumbers(hid_t dataset, const std::string& field,
                                                  const std::string& where) {
  CompoundField info;
  bool found = false;
  for (auto& f : compoundFields(dataset))
    if (f.name == field) info = f, found = true;
  if (!found) return fail(Errc::NotFound, where + ": no field '" + field + "'");
  if (!info.dtype) return fail(Errc::Unsupported, where + ": field '" + field + "' is not numeric");
  Handle space(H5Dget_space(dataset));
  const std::size_t n = elementCount(space.get());
  if (info.width < 1 || info.width > (std::int64_t{1} << 20))
    return fail(Errc::Corrupt, where + ": field '" + field + "' has an implausible width");
  if (auto ok =
          checkReadSize(dataset, n, sizeof(double) * static_cast<std::size_t>(info.width), where);
      !ok)
    return std::unexpected(ok.error());
  std::vector<double> out(n * static_cast<std::size_t>(info.width));
  if (out.empty()) return out;
  Handle type(H5Dget_type(dataset));
  Handle mt(H5Tget_member_type(
      type.get(), static_cast<unsigned>(H5Tget_member_index(type.get(), field.c_str()))));
  if (*info.dtype == DType::Bool) {
    // Enums do not convert to double; read the int8 payload and widen.
    Handle mem(H5Tget_native_type(mt.get(), H5T_DIR_DEFAULT));
    Handle comp(H5Tcreate(H5T_COMPOUND, H5Tget_size(mem.get())));
    H5Tinsert(comp.get(), field.c_str(), 0, mem.get());
    std::vector<std::int8_t> raw(n);
    if (H5Dread(dataset, comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
      return failH5(Errc::Corrupt, where + ": cannot read field '" + field + "'");
    for (std::size_t i = 0; i < n; ++i)
      out[i] = raw[i];
    return out;
  }
  Handle mem;
  if (info.width > 1) {
    const hsize_t dims[1] = {static_cast<hsize_t>(info.width)};
    mem = Handle(H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, dims));
  } else {
    mem = Handle(H5Tcopy(H5T_NATIVE_DOUBLE));
  }
  Handle comp(H5Tcreate(H5T_COMPOUND, H5Tget_size(mem.get())));
  H5Tinsert(comp.get(), field.c_str(), 0, mem.get());
  if (H5Dread(dataset, comp.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
    return failH5(Errc::Corrupt, where + ": cannot read field '" + field + "'");
  return out;
}

}  // namespace tessera::data::h5
