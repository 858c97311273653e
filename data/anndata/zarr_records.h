#pragma once
/// Zarr v2 arrays of records (a numpy structured dtype, `.zarray` "dtype" as a list of
/// [name, typestr(, shape)]), the layout anndata before 0.7 wrote obs, var and obsm in: one
/// record per cell, fixed-width strings (`<U n`, `|S n`), numbers and bools, sub-arrays for
/// obsm entries. Read whole (these frames are as long as the table, a few fields wide).
/// Pure functions over a thread-safe Store. Errors name the store key and the field.
#include <cstdint>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data::azarr {

struct RecordField {
  std::string name;
  char kind = 'f';       ///< numpy kind: 'U', 'S', 'i', 'u', 'f', 'b'
  std::size_t size = 0;  ///< bytes of one element (one character for 'U' is 4)
  bool bigEndian = false;
  std::size_t offset = 0;  ///< within a record
  std::int64_t count = 1;  ///< elements of a sub-array field (obsm "X_umap" (2,)), else 1
  std::size_t width = 0;   ///< bytes of the whole field
};

struct Records {
  std::int64_t rows = 0;
  std::size_t itemSize = 0;
  std::vector<RecordField> fields;
  Bytes data;  ///< rows * itemSize bytes
  const RecordField* field(const std::string& name) const;
};

/// True when `path` is a zarr v2 array whose dtype is a list of fields (metadata peek only).
bool isZarrRecordArray(const Store& s, const std::string& path);

/// The whole 1-d record array at `path`.
Expected<Records> readZarrRecords(const Store& s, const std::string& path);

/// A string field per record.
std::vector<std::string> recordStrings(const Records& r, const RecordField& f);
/// Element `component` of a numeric/bool field per record, as double.
std::vector<double> recordNumbers(const Records& r, const RecordField& f,
                                  std::int64_t component = 0);

}  // namespace tessera::data::azarr
