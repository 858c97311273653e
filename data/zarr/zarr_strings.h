#pragma once
/// Reading zarr string arrays, which ZarrArray (numeric dtypes only) does not cover:
///  - v2 object arrays (`dtype "|O"`) with the `vlen-utf8` filter, as zarr-python and AnnData
///    write them;
///  - v2 fixed-width `"<U n"` (UTF-32) and `"|S n"` (bytes) arrays;
///  - v3 `data_type "string"` with the `vlen-utf8` array->bytes codec (zarr-python 3).
/// vlen-utf8 chunk bytes: a u32le item count, then per item a u32le length and UTF-8 bytes.
/// Pure functions over a Store; thread-safe. Errors name the store key and what is wrong.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data {

/// True when `path` holds a zarr array of one of the string kinds above (metadata peek only).
bool isZarrStringArray(const Store& store, const std::string& path);

/// The whole of a 1-d string array at `path`, in order (missing chunks give "").
Expected<std::vector<std::string>> readZarrStrings(const Store& store, const std::string& path);

/// Decodes one vlen-utf8 chunk holding `expected` items; `name` is used in errors.
Expected<std::vector<std::string>> decodeVlenUtf8(std::span<const std::uint8_t> bytes,
                                                  std::size_t expected, const std::string& name);

/// One numpy fixed-width string item: `|S n` bytes, or `<U n` little-endian UTF-32 when
/// `utf32`, cut at the first NUL (numpy pads with NULs).
std::string fixedWidthString(std::span<const std::uint8_t> item, bool utf32);

}  // namespace tessera::data
