#pragma once
/// Small helpers over the HDF5 C API shared by the .h5ad and 10x readers and writers: RAII
/// handles, error-stack-to-message conversion, and typed attribute/dataset writers.
/// HDF5 is not re-entrant: every function here must be called from one thread at a time (the
/// app gives HDF5 its own thread). Nothing here throws; failures come back as Expected.
#include <hdf5.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/error.h"

namespace tessera::data::h5 {

/// Owns one HDF5 identifier of any kind (file, group, dataset, attribute, type, space, plist)
/// and closes it with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  explicit operator bool() const { return valid(); }
  /// Closes now; returns false when HDF5 reported an error (e.g. a failed final flush).
  bool reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Turns off HDF5's automatic printing of error stacks to stderr for this process.
/// Called by every entry point of the adapters; cheap and idempotent.
void silenceErrors();

/// The most specific message on the current HDF5 error stack ("" if none), then clears it.
std::string takeErrorMessage();

/// `fail(code, what + ": " + <HDF5 message>)` in one call.
std::unexpected<Error> failH5(Errc code, const std::string& what);

/// A variable-length UTF-8 string type (what h5py writes for `str`).
Handle vlenUtf8Type();
/// h5py's boolean: an int8 enum {FALSE = 0, TRUE = 1}.
Handle boolEnumType();

/// Where a dataset goes and how it is named in error messages ("<file>:/obs/cell_type").
struct Loc {
  hid_t id;
  std::string name;  ///< full description for messages
};

Expected<Handle> createGroup(const Loc& parent, const std::string& name);

Expected<void> writeStringAttr(hid_t obj, const char* name, std::string_view value,
                               const std::string& where);
Expected<void> writeStringArrayAttr(hid_t obj, const char* name,
                                    const std::vector<std::string>& values,
                                    const std::string& where);
Expected<void> writeInt64ArrayAttr(hid_t obj, const char* name,
                                   std::span<const std::int64_t> values, const std::string& where);
Expected<void> writeBoolAttr(hid_t obj, const char* name, bool value, const std::string& where);
/// Sets encoding-type and encoding-version.
Expected<void> writeEncoding(hid_t obj, const char* type, const char* version,
                             const std::string& where);

/// A group that carries encoding-type/-version attributes.
Expected<Handle> createEncodedGroup(const Loc& parent, const std::string& name, const char* type,
                                    const char* version);

/// Writes an n-d dataset of `memType` (native) elements with shape `dims`. Datasets above a
/// small size are chunked and gzip-compressed; small ones are contiguous. Returns the dataset.
Expected<Handle> writeDataset(const Loc& parent, const std::string& name, hid_t fileType,
                              hid_t memType, std::span<const hsize_t> dims, const void* data);

template <class T>
hid_t nativeType();
template <>
inline hid_t nativeType<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
inline hid_t nativeType<std::int16_t>() {
  return H5T_NATIVE_INT16;
}
template <>
inline hid_t nativeType<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
inline hid_t nativeType<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
inline hid_t nativeType<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
inline hid_t nativeType<double>() {
  return H5T_NATIVE_DOUBLE;
}

/// Little-endian file type matching T (what numpy writes on x86).
template <class T>
hid_t fileType();
template <>
inline hid_t fileType<std::int8_t>() {
  return H5T_STD_I8LE;
}
template <>
inline hid_t fileType<std::int16_t>() {
  return H5T_STD_I16LE;
}
template <>
inline hid_t fileType<std::int32_t>() {
  return H5T_STD_I32LE;
}
template <>
inline hid_t fileType<std::int64_t>() {
  return H5T_STD_I64LE;
}
template <>
inline hid_t fileType<float>() {
  return H5T_IEEE_F32LE;
}
template <>
inline hid_t fileType<double>() {
  return H5T_IEEE_F64LE;
}

/// A 1-d numeric dataset tagged as anndata `array` 0.2.0.
template <class T>
Expected<Handle> writeArray(const Loc& parent, const std::string& name, std::span<const T> v) {
  const hsize_t dims[1] = {v.size()};
  auto ds = writeDataset(parent, name, fileType<T>(), nativeType<T>(), dims, v.data());
  if (!ds) return ds;
  if (auto r = writeEncoding(ds->get(), "array", "0.2.0", parent.name + "/" + name); !r)
    return std::unexpected(r.error());
  return ds;
}

/// A 1-d variable-length UTF-8 string dataset tagged as anndata `string-array` 0.2.0.
Expected<Handle> writeStringArray(const Loc& parent, const std::string& name,
                                  const std::vector<std::string>& values);

}  // namespace tessera::data::h5
