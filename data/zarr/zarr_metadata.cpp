#include "data/zarr/zarr_metadata.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "data/json_number.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

using nlohmann::json;

std::uint16_t floatToHalf(float f) {
  const auto x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xFF);
  std::uint32_t mant = x & 0x7FFFFFu;
  if (exp == 0xFF) return static_cast<std::uint16_t>(sign | 0x7C00u | (mant ? 0x200u : 0u));
  const int e = exp - 127 + 15;
  if (e >= 0x1F) return static_cast<std::uint16_t>(sign | 0x7C00u);
  if (e <= 0) {
    if (e < -10) return static_cast<std::uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    std::uint32_t h = mant >> shift;
    if ((mant >> (shift - 1)) & 1u) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  std::uint32_t h = sign | static_cast<std::uint32_t>(e) << 10 | mant >> 13;
  if (mant & 0x1000u) ++h;  // round half up; exact ties do not occur in fill values in practice
  return static_cast<std::uint16_t>(h);
}

template <class T>
Bytes elementBytes(T v) {
  Bytes b(sizeof(T));
  std::memcpy(b.data(), &v, sizeof(T));
  return b;
}

Expected<Bytes> fromDouble(double v, DType t) {
  switch (t) {
    case DType::F16:
      return elementBytes(floatToHalf(static_cast<float>(v)));
    case DType::F32:
      return elementBytes(static_cast<float>(v));
    case DType::F64:
      return elementBytes(v);
    default:
      break;
  }
  if (!std::isfinite(v) || v != std::trunc(v))
    return fail(Errc::Corrupt, "fill_value " + std::to_string(v) + " does not fit " + dtypeName(t));
  if (t == DType::Bool) return elementBytes<std::uint8_t>(v != 0);
  if (dtypeIsSigned(t)) {
    if (v < -9.3e18 || v > 9.3e18) return fail(Errc::Corrupt, "fill_value out of range");
    const auto i = static_cast<std::int64_t>(v);
    switch (t) {
      case DType::I8:
        return elementBytes(static_cast<std::int8_t>(i));
      case DType::I16:
        return elementBytes(static_cast<std::int16_t>(i));
      case DType::I32:
        return elementBytes(static_cast<std::int32_t>(i));
      default:
        return elementBytes(i);
    }
  }
  if (v < 0 || v > 1.8e19) return fail(Errc::Corrupt, "fill_value out of range");
  const auto u = static_cast<std::uint64_t>(v);
  switch (t) {
    case DType::U8:
      return elementBytes(static_cast<std::uint8_t>(u));
    case DType::U16:
      return elementBytes(static_cast<std::uint16_t>(u));
    case DType::U32:
      return elementBytes(static_cast<std::uint32_t>(u));
    default:
      return elementBytes(u);
  }
}

// Integers go through 64-bit integers so that large uint64/int64 fill values stay exact.
Expected<Bytes> fromInteger(const json& v, DType t) {
  if (dtypeIsFloat(t)) return fromDouble(v.get<double>(), t);
  Bytes b(dtypeSize(t));
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    std::memcpy(b.data(), &u, b.size());  // little-endian host: low bytes first
  } else {
    const std::int64_t i = v.get<std::int64_t>();
    std::memcpy(b.data(), &i, b.size());
  }
  if (t == DType::Bool) b[0] = b[0] != 0;
  return b;
}

Expected<Bytes> fromString(const std::string& s, DType t) {
  const double inf = std::numeric_limits<double>::infinity();
  if (s == "NaN" || s == "Infinity" || s == "-Infinity") {
    if (!dtypeIsFloat(t))
      return fail(Errc::Corrupt, "fill_value \"" + s + "\" for integer type " + dtypeName(t));
    return fromDouble(s == "NaN"    ? std::numeric_limits<double>::quiet_NaN()
                      : s[0] == '-' ? -inf
                                    : inf,
                      t);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    std::uint64_t bits = 0;
    const auto r = std::from_chars(s.data() + 2, s.data() + s.size(), bits, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.size() - 2 != 2 * dtypeSize(t))
      return fail(Errc::Corrupt, "fill_value \"" + s + "\" is not a " +
                                     std::to_string(dtypeSize(t)) + "-byte hex pattern");
    Bytes b(dtypeSize(t));
    std::memcpy(b.data(), &bits, b.size());
    return b;
  }
  // Numbers written as strings (old bioformats2raw writes "0").
  const json parsed = json::parse(s, nullptr, false);
  if (parsed.is_number()) {
    if (parsed.is_number_integer()) return fromInteger(parsed, t);
    return fromDouble(parsed.get<double>(), t);
  }
  return fail(Errc::Corrupt, "fill_value \"" + s + "\" is not a number");
}

Expected<std::vector<std::int64_t>> parseShape(const json& j, const char* what) {
  if (!j.is_array()) return fail(Errc::Corrupt, std::string(what) + " must be a list");
  std::vector<std::int64_t> v;
  for (const auto& e : j) {
    if (!e.is_number_integer() || e.get<std::int64_t>() < 0)
      return fail(Errc::Corrupt, std::string(what) + " entries must be non-negative integers");
    v.push_back(e.get<std::int64_t>());
  }
  return v;
}

Expected<void> checkChunkShape(const ZarrMetadata& m) {
  if (m.chunkShape.size() != m.shape.size())
    return fail(Errc::Corrupt, "chunk shape rank differs from the array rank");
  for (std::int64_t c : m.chunkShape)
    if (c <= 0) return fail(Errc::Corrupt, "chunk sizes must be positive");
  if (!checkedElementCount(m.chunkShape, dtypeSize(m.dtype)))
    return fail(Errc::Unsupported, "chunk shape is too large to read");
  return {};
}

Expected<ZarrMetadata> parseV2(const json& z) {
  ZarrMetadata m;
  m.zarrFormat = 2;
  if (!z.is_object()) return fail(Errc::Corrupt, "not a JSON object");
  if (jsonIntOr(z, "zarr_format", 0) != 2) return fail(Errc::Corrupt, "zarr_format is not 2");
  auto shape = parseShape(z.at("shape"), "shape");
  if (!shape) return std::unexpected(shape.error());
  m.shape = *shape;
  auto chunks = parseShape(z.at("chunks"), "chunks");
  if (!chunks) return std::unexpected(chunks.error());
  m.chunkShape = *chunks;
  const json& dt = z.at("dtype");
  const auto np = dt.is_string() ? parseNumpyTypestr(dt.get<std::string>()) : std::nullopt;
  if (!np) return fail(Errc::Unsupported, "dtype " + dt.dump() + " is not supported");
  m.dtype = np->type;
  if (auto r = checkChunkShape(m); !r) return std::unexpected(r.error());
  const std::string order = z.value("order", std::string("C"));
  if (order != "C" && order != "F") return fail(Errc::Corrupt, "order must be \"C\" or \"F\"");
  if (order == "F")
    for (std::size_t i = 0; i < m.shape.size(); ++i)
      m.codecs.transpose.push_back(m.shape.size() - 1 - i);
  if (m.codecs.transpose.size() < 2) m.codecs.transpose.clear();
  m.codecs.bigEndian = np->bigEndian;
  if (z.contains("filters") && !z["filters"].is_null()) {
    if (!z["filters"].is_array()) return fail(Errc::Corrupt, "filters must be null or a list");
    for (const auto& f : z["filters"]) {
      const std::string id = f.is_object() ? f.value("id", std::string("?")) : std::string("?");
      return fail(Errc::Unsupported, "filter '" + id + "' is not supported");
    }
  }
  auto compressor = parseV2Compressor(z.value("compressor", json()));
  if (!compressor) return std::unexpected(compressor.error());
  if (std::string((*compressor)->name()) != "none") m.codecs.bytesCodecs.push_back(*compressor);
  auto fill = parseFillValue(z.value("fill_value", json()), m.dtype);
  if (!fill) return std::unexpected(fill.error());
  m.fillValue = *fill;
  const std::string sep = z.value("dimension_separator", std::string("."));
  if (sep != "." && sep != "/")
    return fail(Errc::Corrupt, "dimension_separator must be '.' or '/'");
  m.separator = sep[0];
  return m;
}

Expected<ZarrMetadata> parseV3(const json& z) {
  ZarrMetadata m;
  m.zarrFormat = 3;
  if (!z.is_object()) return fail(Errc::Corrupt, "not a JSON object");
  if (jsonIntOr(z, "zarr_format", 0) != 3) return fail(Errc::Corrupt, "zarr_format is not 3");
  if (z.value("node_type", std::string()) != "array")
    return fail(Errc::NotFound, "node is not an array");
  auto shape = parseShape(z.at("shape"), "shape");
  if (!shape) return std::unexpected(shape.error());
  m.shape = *shape;
  const json& dt = z.at("data_type");
  const auto type = dt.is_string() ? dtypeFromName(dt.get<std::string>()) : std::nullopt;
  if (!type) return fail(Errc::Unsupported, "data_type " + dt.dump() + " is not supported");
  m.dtype = *type;
  const json& grid = z.at("chunk_grid");
  if (grid.value("name", std::string()) != "regular")
    return fail(Errc::Unsupported, "chunk_grid " + grid.value("name", std::string("?")) +
                                       " is not supported (only regular)");
  auto chunks = parseShape(grid.at("configuration").at("chunk_shape"), "chunk_shape");
  if (!chunks) return std::unexpected(chunks.error());
  m.chunkShape = *chunks;
  if (auto r = checkChunkShape(m); !r) return std::unexpected(r.error());
  const json enc = z.value("chunk_key_encoding", json{{"name", "default"}});
  const std::string encName = enc.value("name", std::string());
  if (encName != "default" && encName != "v2")
    return fail(Errc::Unsupported, "chunk_key_encoding '" + encName + "' is not supported");
  const json encCfg = enc.value("configuration", json::object());
  const std::string sep = encCfg.value("separator", std::string(encName == "v2" ? "." : "/"));
  if (sep != "." && sep != "/")
    return fail(Errc::Corrupt, "chunk key separator must be '.' or '/'");
  m.separator = sep[0];
  m.keyPrefix = encName == "default" ? "c" : "";
  if (z.contains("storage_transformers") && !z["storage_transformers"].empty())
    return fail(Errc::Unsupported, "storage_transformers are not supported");
  auto chain = parseV3Codecs(z.at("codecs"), m.chunkShape, m.dtype);
  if (!chain) return std::unexpected(chain.error());
  m.codecs = std::move(*chain);
  auto fill = parseFillValue(z.value("fill_value", json()), m.dtype);
  if (!fill) return std::unexpected(fill.error());
  m.fillValue = *fill;
  if (z.contains("dimension_names") && z["dimension_names"].is_array())
    for (const auto& n : z["dimension_names"])
      m.dimensionNames.push_back(n.is_string() ? n.get<std::string>() : "");
  if (z.contains("attributes") && z["attributes"].is_object()) m.attributes = z["attributes"];
  return m;
}

template <class F>
Expected<ZarrMetadata> guarded(F&& parse, const json& j, const std::string& name) {
  try {
    auto m = parse(j);
    if (!m) return fail(m.error().code, name + ": " + m.error().message);
    return m;
  } catch (const json::exception& e) {
    return fail(Errc::Corrupt, name + ": invalid metadata: " + e.what());
  }
}

}  // namespace

Expected<Bytes> parseFillValue(const json& v, DType t) {
  try {
    if (v.is_null()) return Bytes(dtypeSize(t), 0);
    if (v.is_boolean()) return fromDouble(v.get<bool>() ? 1 : 0, t);
    if (v.is_number_integer()) return fromInteger(v, t);
    if (v.is_number()) return fromDouble(v.get<double>(), t);
    if (v.is_string()) return fromString(v.get<std::string>(), t);
  } catch (const json::exception& e) {
    return fail(Errc::Corrupt, std::string("invalid fill_value: ") + e.what());
  }
  return fail(Errc::Unsupported, "fill_value " + v.dump() + " is not supported");
}

Expected<ZarrMetadata> parseZarrayMetadata(const json& zarray, const std::string& name) {
  return guarded(parseV2, zarray, name);
}

Expected<ZarrMetadata> parseZarrJsonMetadata(const json& zarrJson, const std::string& name) {
  return guarded(parseV3, zarrJson, name);
}

std::string chunkKey(const ZarrMetadata& meta, std::span<const std::int64_t> index) {
  if (meta.keyPrefix.empty()) return chunkKeyJoin(index, meta.separator);
  if (index.empty()) return meta.keyPrefix;
  return meta.keyPrefix + meta.separator + chunkKeyJoin(index, meta.separator);
}

}  // namespace tessera::data
