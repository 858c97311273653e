#pragma once
/// Typed reading over the HDF5 C API for the .h5ad and 10x readers: paths, attributes written
/// by h5py (variable- or fixed-length strings, bool enums, empty lists), whole or partial 1-d
/// datasets converted to a native type, and single fields of legacy compound datasets.
/// HDF5 is not re-entrant: call from one thread only. `where` strings name the file and HDF5
/// path for error messages ("/data/a.h5ad:/obs/leiden").
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/anndata/hdf5_util.h"
#include "data/dtype.h"

namespace tessera::data::h5 {

/// Opens `path` read-only for the .h5ad and 10x readers, after checking that it can be one:
/// Errc::NotFound when there is no such file, Errc::Corrupt (bad input, CLI exit 2) when it is
/// not HDF5 or HDF5 refuses it (truncated, damaged superblock), both naming the file.
Expected<Handle> openReadOnly(const std::filesystem::path& path);

/// Validation before a read allocates: refuses (Errc::Corrupt, naming `where`) to read
/// `elements` values of `elementBytes` each from `dataset` when the file cannot hold them: more
/// than half of this machine's memory, more bytes than an unfiltered dataset stores, or more
/// than even the best compression could have packed into the file, or when a chunk it
/// indexes lies past the end of the file (hdf5_chunk_index.h). Sizes come from the file, so a
/// damaged header would otherwise turn into a huge allocation (std::bad_alloc, abort).
Expected<void> checkReadSize(hid_t dataset, std::uint64_t elements, std::uint64_t elementBytes,
                             const std::string& where);

/// True if every component of the '/'-separated `path` exists below `loc` (no HDF5 errors), each
/// reached by a hard link to an object header that lies inside the file; a damaged header
/// answers false and is noted for takeDamage().
bool exists(hid_t loc, const std::string& path);
/// H5O_TYPE_GROUP / H5O_TYPE_DATASET, or H5O_TYPE_UNKNOWN when missing.
H5O_type_t objectType(hid_t loc, const std::string& path);
/// Opens a group or dataset; Errc::NotFound naming `where` when missing.
Expected<Handle> open(hid_t loc, const std::string& path, const std::string& where);
/// Child names of a group, in name order.
std::vector<std::string> children(hid_t group);

std::optional<std::string> stringAttr(hid_t obj, const char* name);

/// Whether `obj` has attribute `name`. The header's attribute messages are checked first
/// (HDF5 decodes them all to answer, trusting them); a damaged one answers false and is noted
/// for takeDamage().
bool hasAttribute(hid_t obj, const char* name);

/// The first attribute or object refused as damaged (references or lengths that lead nowhere
/// HDF5 can safely go) since the last call, "" if none. Readers answer "absent" for it, which an
/// opener would otherwise report as a missing attribute or group rather than a damaged file.
std::string takeDamage();

/// Runs `open` (returning an Expected); when it fails after a damaged attribute or object was
/// refused, the failure is reported as that damage (Errc::Corrupt, `name`: what) rather than as
/// whatever then went missing.
template <class Open>
auto reportingDamage(const std::string& name, Open&& open) -> decltype(open()) {
  takeDamage();
  auto opened = open();
  if (const std::string damage = takeDamage(); !opened && !damage.empty())
    return fail(Errc::Corrupt, name + ": " + damage);
  return opened;
}
/// A string array attribute; an empty numeric array (h5py's empty list) gives {}.
std::optional<std::vector<std::string>> stringArrayAttr(hid_t obj, const char* name);
std::optional<std::vector<std::int64_t>> intArrayAttr(hid_t obj, const char* name);
std::optional<bool> boolAttr(hid_t obj, const char* name);
/// The encoding-type attribute, or "" when absent (pre-0.8 files).
std::string encodingType(hid_t obj);

/// Dimensions of a dataset (empty for scalar).
std::vector<hsize_t> shape(hid_t dataset);
/// Element type of a numeric or bool-enum dataset/type; nullopt for strings, compounds, ...
std::optional<DType> dtypeOf(hid_t type);
bool isStringType(hid_t type);

/// Every element of a numeric or bool-enum dataset, converted to T (double, float, int64,
/// int32). `start`/`count` select a 1-d range; count = -1 means to the end.
template <class T>
Expected<std::vector<T>> readNumbers(hid_t dataset, const std::string& where,
                                     std::int64_t start = 0, std::int64_t count = -1);
/// A 1-d (or scalar) string dataset, variable- or fixed-length, ASCII or UTF-8.
Expected<std::vector<std::string>> readStrings(hid_t dataset, const std::string& where);

/// Field `field` of a 1-d compound dataset (legacy pre-0.7 layouts).
Expected<std::vector<std::string>> readCompoundStrings(hid_t dataset, const std::string& field,
                                                       const std::string& where);
/// Numeric field; an array-valued field of width w gives n*w values, row-major.
Expected<std::vector<double>> readCompoundNumbers(hid_t dataset, const std::string& field,
                                                  const std::string& where);
/// Member names of a compound dataset's type, with each member's element type and width.
struct CompoundField {
  std::string name;
  std::optional<DType> dtype;  ///< nullopt for strings and other non-numeric members
  bool isString = false;
  std::int64_t width = 1;  ///< >1 for array members such as X_pca (50,)
};
std::vector<CompoundField> compoundFields(hid_t dataset);

}  // namespace tessera::data::h5
