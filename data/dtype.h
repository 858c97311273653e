#pragma once
/// Run-time element types shared by every reader. Pure functions, thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tessera::data {

enum class DType { Bool, U8, I8, U16, I16, U32, I32, U64, I64, F16, F32, F64 };

std::size_t dtypeSize(DType t);
/// Canonical lower-case name as used by zarr v3 and `tessera info`: "uint16", "float32", ...
const char* dtypeName(DType t);
std::optional<DType> dtypeFromName(std::string_view name);
bool dtypeIsFloat(DType t);
bool dtypeIsSigned(DType t);

/// A NumPy typestr ("<u2", ">f4", "|b1") parsed into type and byte order.
struct NumpyType {
  DType type;
  bool bigEndian;
};
std::optional<NumpyType> parseNumpyTypestr(std::string_view typestr);
std::string numpyTypestr(DType t, bool bigEndian = false);

/// Swaps each element of `data` in place (count elements of `elementSize` bytes).
void byteSwapInPlace(void* data, std::size_t count, std::size_t elementSize);

}  // namespace tessera::data
