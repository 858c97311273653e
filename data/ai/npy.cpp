#include "data/ai/npy.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <regex>

namespace tessera::data::ai {
namespace {

// A decimal count from the header; false when it does not fit T (std::stoi would throw).
template <class T>
bool parseCount(const std::string& digits, T& out) {
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && end == digits.data() + digits.size() && out >= 0;
}

template <class T>
T load(const std::uint8_t* p, bool swap) {
  std::uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

float halfToFloat(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  std::uint32_t f;
  if (exp == 0) {
    if (man == 0) {
      f = sign;
    } else {  // subnormal
      int e = -1;
      std::uint32_t m = man;
      do {
        ++e;
        m <<= 1;
      } while (!(m & 0x400));
      f = sign | static_cast<std::uint32_t>(127 - 15 - e) << 23 | (m & 0x3FF) << 13;
    }
  } else if (exp == 31) {
    f = sign | 0x7F800000u | man << 13;
  } else {
    f = sign | (exp + 127 - 15) << 23 | man << 13;
  }
  return std::bit_cast<float>(f);
}

}  // namespace

Expected<NpyArray> readNpy(std::span<const std::uint8_t> b, const std::string& what) {
  auto corrupt = [&](const std::string& why) {
    return fail(Errc::Corrupt, what + ": not a valid .npy file (" + why + ")");
  };
  if (b.size() < 10 || std::memcmp(b.data(), "\x93NUMPY", 6) != 0) return corrupt("bad magic");
  const int major = b[6];
  std::size_t headerLen = 0, offset = 0;
  if (major == 1) {
    headerLen = b[8] | (b[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) return corrupt("truncated header");
    headerLen = static_cast<std::size_t>(b[8]) | static_cast<std::size_t>(b[9]) << 8 |
                static_cast<std::size_t>(b[10]) << 16 | static_cast<std::size_t>(b[11]) << 24;
    offset = 12;
  } else {
    return corrupt("format version " + std::to_string(major));
  }
  if (b.size() < offset + headerLen) return corrupt("truncated header");
  const std::string header(reinterpret_cast<const char*>(b.data() + offset), headerLen);
  std::smatch m;
  static const std::regex descrRe(R"('descr'\s*:\s*'([<>|=])([a-zA-Z])(\d+)')");
  static const std::regex orderRe(R"('fortran_order'\s*:\s*(True|False))");
  static const std::regex shapeRe(R"('shape'\s*:\s*\(([^)]*)\))");
  if (!std::regex_search(header, m, descrRe)) return corrupt("no or unreadable descr");
  const char endian = m[1].str()[0], kind = m[2].str()[0];
  int size = 0;
  if (!parseCount(m[3].str(), size)) return corrupt("unreadable descr");
  const bool swap = (endian == '>' && std::endian::native == std::endian::little) ||
                    (endian == '<' && std::endian::native == std::endian::big);
  if (!std::regex_search(header, m, orderRe)) return corrupt("no fortran_order");
  const bool fortran = m[1] == "True";
  if (!std::regex_search(header, m, shapeRe)) return corrupt("no shape");
  NpyArray a;
  {
    const std::string dims = m[1];
    static const std::regex num(R"(\d+)");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), num);
         it != std::sregex_iterator(); ++it) {
      std::int64_t d = 0;
      if (!parseCount(it->str(), d)) return corrupt("unreadable shape");
      a.shape.push_back(d);
    }
  }
  // The element count is bounded by the bytes present, so the product cannot overflow and a
  // damaged shape is refused before anything is allocated.
  std::size_t n = 1;
  for (auto d : a.shape) {
    if (d != 0 && n > b.size() / static_cast<std::size_t>(d)) return corrupt("truncated data");
    n *= static_cast<std::size_t>(d);
  }
  const bool known =
      (kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
      ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
      (kind == 'b' && size == 1);
  if (!known)
    return fail(Errc::Unsupported, what + ": .npy dtype " + std::string(1, kind) +
                                       std::to_string(size) + " is not supported");
  const std::uint8_t* p = b.data() + offset + headerLen;
  if (b.size() - offset - headerLen < n * static_cast<std::size_t>(size))
    return corrupt("truncated data");
  std::vector<float> raw(n);
  for (std::size_t i = 0; i < n; ++i, p += size) {
    double v = 0;
    switch (kind) {
      case 'f':
        v = size == 2   ? halfToFloat(load<std::uint16_t>(p, swap))
            : size == 4 ? load<float>(p, swap)
                        : load<double>(p, swap);
        break;
      case 'i':
        v = size == 1   ? static_cast<double>(static_cast<std::int8_t>(*p))
            : size == 2 ? load<std::int16_t>(p, swap)
            : size == 4 ? load<std::int32_t>(p, swap)
                        : static_cast<double>(load<std::int64_t>(p, swap));
        break;
      case 'u':
        v = size == 1   ? *p
            : size == 2 ? load<std::uint16_t>(p, swap)
            : size == 4 ? load<std::uint32_t>(p, swap)
                        : static_cast<double>(load<std::uint64_t>(p, swap));
        break;
      default:
        v = *p ? 1 : 0;
    }
    raw[i] = static_cast<float>(v);
  }
  if (!fortran || a.shape.size() < 2) {
    a.values = std::move(raw);
    return a;
  }
  // Fortran order: the first index varies fastest; reorder into C order.
  a.values.resize(n);
  const std::size_t nd = a.shape.size();
  std::vector<std::int64_t> idx(nd, 0);
  for (std::size_t f = 0; f < n; ++f) {
    std::size_t c = 0;
    for (std::size_t d = 0; d < nd; ++d)
      c = c * static_cast<std::size_t>(a.shape[d]) + static_cast<std::size_t>(idx[d]);
    a.values[c] = raw[f];
    for (std::size_t d = 0; d < nd; ++d) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  return a;
}

}  // namespace tessera::data::ai
