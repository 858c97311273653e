#include "data/anndata/zarr_elements.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <sstream>

#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_strings.h"

namespace tessera::data::azarr {
namespace {

float halfToFloat(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  if (exp == 0) return std::ldexp(float(man), -24) * (sign ? -1.0f : 1.0f);
  if (exp == 31) return std::bit_cast<float>(sign | 0x7F800000u | (man << 13));
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (man << 13));
}

template <class T, class S>
void convert(const Bytes& b, std::vector<T>& out) {
  const std::size_t n = b.size() / sizeof(S);
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, b.data() + i * sizeof(S), sizeof(S));
    out[i] = static_cast<T>(v);
  }
}

template <class T>
Expected<std::vector<T>> fromBytes(const Bytes& b, DType t, const std::string& name) {
  std::vector<T> out;
  switch (t) {
    case DType::Bool:
    case DType::U8:
      convert<T, std::uint8_t>(b, out);
      break;
    case DType::I8:
      convert<T, std::int8_t>(b, out);
      break;
    case DType::U16:
      convert<T, std::uint16_t>(b, out);
      break;
    case DType::I16:
      convert<T, std::int16_t>(b, out);
      break;
    case DType::U32:
      convert<T, std::uint32_t>(b, out);
      break;
    case DType::I32:
      convert<T, std::int32_t>(b, out);
      break;
    case DType::U64:
      convert<T, std::uint64_t>(b, out);
      break;
    case DType::I64:
      convert<T, std::int64_t>(b, out);
      break;
    case DType::F32:
      convert<T, float>(b, out);
      break;
    case DType::F64:
      convert<T, double>(b, out);
      break;
    case DType::F16: {
      out.resize(b.size() / 2);
      for (std::size_t i = 0; i < out.size(); ++i) {
        std::uint16_t h;
        std::memcpy(&h, b.data() + 2 * i, 2);
        out[i] = static_cast<T>(halfToFloat(h));
      }
      break;
    }
    default:
      return fail(Errc::Unsupported, name + ": dtype not supported");
  }
  return out;
}

}  // namespace

std::string join(const std::string& a, const std::string& b) {
  return a.empty() ? b : a + "/" + b;
}

Expected<nlohmann::json> attrs(const Store& s, const std::string& path) {
  return readZarrAttributes(s, path);
}

std::string encodingType(const nlohmann::json& a) {
  if (a.is_object() && a.contains("encoding-type") && a["encoding-type"].is_string())
    return a["encoding-type"].get<std::string>();
  return "";
}

std::vector<std::string> children(const Store& s, const std::string& path) {
  std::vector<std::string> out;
  auto names = s.list(path);
  if (!names) return out;
  for (auto& n : *names)
    if (!n.empty() && n.front() != '.' && n != "zarr.json" && nodeExists(s, join(path, n)))
      out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

bool nodeExists(const Store& s, const std::string& path) {
  return s.exists(join(path, "zarr.json")) || s.exists(join(path, ".zarray")) ||
         s.exists(join(path, ".zgroup"));
}

template <class T>
Expected<std::vector<T>> readNumbers(std::shared_ptr<const Store> s, const std::string& path,
                                     std::vector<std::int64_t>* shape) {
  auto a = ZarrArray::open(s, path);
  if (!a) return std::unexpected(a.error());
  const auto& shp = (*a)->shape();
  if (shape) *shape = shp;
  std::vector<std::int64_t> start(shp.size(), 0);
  auto b = (*a)->readRegion(start, shp);
  if (!b) return std::unexpected(b.error());
  return fromBytes<T>(*b, (*a)->dtype(), storeKeyName(*s, path));
}

template <class T>
Expected<std::vector<T>> readRange(std::shared_ptr<const Store> s, const std::string& path,
                                   std::int64_t start, std::int64_t count) {
  auto a = ZarrArray::open(s, path);
  if (!a) return std::unexpected(a.error());
  if ((*a)->shape().size() != 1 || start < 0 || count < 0 || start + count > (*a)->shape()[0])
    return fail(Errc::Corrupt, storeKeyName(*s, path) + ": range " + std::to_string(start) + "+" +
                                   std::to_string(count) + " outside the array");
  if (count == 0) return std::vector<T>{};
  const std::int64_t st[1] = {start}, ct[1] = {count};
  auto b = (*a)->readRegion(st, ct);
  if (!b) return std::unexpected(b.error());
  return fromBytes<T>(*b, (*a)->dtype(), storeKeyName(*s, path));
}

Expected<std::vector<std::string>> readStringsOrNumbers(std::shared_ptr<const Store> s,
                                                        const std::string& path) {
  if (isZarrStringArray(*s, path)) return readZarrStrings(*s, path);
  auto v = readNumbers<double>(s, path);
  if (!v) return std::unexpected(v.error());
  std::vector<std::string> out;
  out.reserve(v->size());
  for (double x : *v) {
    std::ostringstream os;
    os << x;
    out.push_back(os.str());
  }
  return out;
}

template Expected<std::vector<double>> readNumbers<double>(std::shared_ptr<const Store>,
                                                           const std::string&,
                                                           std::vector<std::int64_t>*);
template Expected<std::vector<float>> readNumbers<float>(std::shared_ptr<const Store>,
                                                         const std::string&,
                                                         std::vector<std::int64_t>*);
template Expected<std::vector<std::int64_t>> readNumbers<std::int64_t>(std::shared_ptr<const Store>,
                                                                       const std::string&,
                                                                       std::vector<std::int64_t>*);
template Expected<std::vector<std::int32_t>> readNumbers<std::int32_t>(std::shared_ptr<const Store>,
                                                                       const std::string&,
                                                                       std::vector<std::int64_t>*);
template Expected<std::vector<float>> readRange<float>(std::shared_ptr<const Store>,
                                                       const std::string&, std::int64_t,
                                                       std::int64_t);
template Expected<std::vector<std::int64_t>> readRange<std::int64_t>(std::shared_ptr<const Store>,
                                                                     const std::string&,
                                                                     std::int64_t, std::int64_t);

}  // namespace tessera::data::azarr
