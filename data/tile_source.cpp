#include "data/tile_source.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace tessera::data {
namespace {

template <class T>
double load(const std::uint8_t* p, std::size_t i) {
  T v;
  std::memcpy(&v, p + i * sizeof(T), sizeof(T));
  return static_cast<double>(v);
}

template <class T>
std::int64_t integerAt(const Tile& t, std::size_t i) {
  T v;
  std::memcpy(&v, t.data.data() + i * sizeof(T), sizeof(T));
  return static_cast<std::int64_t>(v);
}

}  // namespace

double tileValue(const Tile& tile, std::size_t i) {
  const auto* p = tile.data.data();
  switch (tile.dtype) {
    case DType::Bool:
    case DType::U8:
      return load<std::uint8_t>(p, i);
    case DType::I8:
      return load<std::int8_t>(p, i);
    case DType::U16:
      return load<std::uint16_t>(p, i);
    case DType::I16:
      return load<std::int16_t>(p, i);
    case DType::U32:
      return load<std::uint32_t>(p, i);
    case DType::I32:
      return load<std::int32_t>(p, i);
    case DType::U64:
      return load<std::uint64_t>(p, i);
    case DType::I64:
      return load<std::int64_t>(p, i);
    case DType::F32:
      return load<float>(p, i);
    case DType::F64:
      return load<double>(p, i);
    case DType::F16: {
      std::uint16_t h;
      std::memcpy(&h, p + i * 2, 2);
      const int e = (h >> 10) & 0x1F, m = h & 0x3FF;
      const double s = (h & 0x8000) ? -1.0 : 1.0;
      if (e == 0) return s * std::ldexp(m, -24);
      if (e == 31) return m ? std::numeric_limits<double>::quiet_NaN() : s * INFINITY;
      return s * std::ldexp(m + 1024, e - 25);
    }
  }
  return 0;
}

std::int64_t tileInteger(const Tile& t, std::size_t i) {
  switch (t.dtype) {
    case DType::Bool:
    case DType::U8:
      return integerAt<std::uint8_t>(t, i);
    case DType::I8:
      return integerAt<std::int8_t>(t, i);
    case DType::U16:
      return integerAt<std::uint16_t>(t, i);
    case DType::I16:
      return integerAt<std::int16_t>(t, i);
    case DType::U32:
      return integerAt<std::uint32_t>(t, i);
    case DType::I32:
      return integerAt<std::int32_t>(t, i);
    case DType::U64:
      return integerAt<std::uint64_t>(t, i);
    case DType::I64:
      return integerAt<std::int64_t>(t, i);
    case DType::F16:
    case DType::F32:
    case DType::F64: {
      const double v = tileValue(t, i);
      return std::isfinite(v) ? static_cast<std::int64_t>(v) : 0;
    }
  }
  return 0;
}

}  // namespace tessera::data
