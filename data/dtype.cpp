#include "data/dtype.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace tessera::data {
namespace {
struct Row {
  DType type;
  const char* name;
  char kind;
  std::size_t size;
};
constexpr std::array<Row, 12> kRows{{{DType::Bool, "bool", 'b', 1},
                                     {DType::U8, "uint8", 'u', 1},
                                     {DType::I8, "int8", 'i', 1},
                                     {DType::U16, "uint16", 'u', 2},
                                     {DType::I16, "int16", 'i', 2},
                                     {DType::U32, "uint32", 'u', 4},
                                     {DType::I32, "int32", 'i', 4},
                                     {DType::U64, "uint64", 'u', 8},
                                     {DType::I64, "int64", 'i', 8},
                                     {DType::F16, "float16", 'f', 2},
                                     {DType::F32, "float32", 'f', 4},
                                     {DType::F64, "float64", 'f', 8}}};

const Row& row(DType t) {
  return kRows[static_cast<std::size_t>(t)];
}
}  // namespace

std::size_t dtypeSize(DType t) {
  return row(t).size;
}
const char* dtypeName(DType t) {
  return row(t).name;
}
bool dtypeIsFloat(DType t) {
  return row(t).kind == 'f';
}
bool dtypeIsSigned(DType t) {
  return row(t).kind == 'i' || row(t).kind == 'f';
}

std::optional<DType> dtypeFromName(std::string_view name) {
  for (const auto& r : kRows)
    if (name == r.name) return r.type;
  return std::nullopt;
}

std::optional<NumpyType> parseNumpyTypestr(std::string_view s) {
  if (s.size() < 3) return std::nullopt;
  const char order = s[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') return std::nullopt;
  const char kind = s[1];
  std::size_t size = 0;
  for (char ch : s.substr(2)) {
    if (ch < '0' || ch > '9') return std::nullopt;
    size = size * 10 + static_cast<std::size_t>(ch - '0');
    if (size > 64) return std::nullopt;
  }
  for (const auto& r : kRows) {
    if (r.kind == kind && r.size == size) return NumpyType{r.type, order == '>' && size > 1};
  }
  return std::nullopt;
}

std::string numpyTypestr(DType t, bool bigEndian) {
  const Row& r = row(t);
  std::string s;
  s += r.size == 1 ? '|' : (bigEndian ? '>' : '<');
  s += r.kind;
  s += std::to_string(r.size);
  return s;
}

void byteSwapInPlace(void* data, std::size_t count, std::size_t elementSize) {
  auto* p = static_cast<std::uint8_t*>(data);
  if (elementSize <= 1) return;
  for (std::size_t i = 0; i < count; ++i, p += elementSize)
    std::reverse(p, p + elementSize);
}

}  // namespace tessera::data
