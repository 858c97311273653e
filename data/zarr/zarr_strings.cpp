// String arrays beside ZarrArray: metadata is parsed here (only the parts strings need), the
// bytes->bytes codecs are the shared ones, and the vlen-utf8 framing is decoded here.
#include "data/zarr/zarr_strings.h"
#include "data/json_number.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "data/zarr/codec_chain.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

using nlohmann::json;

enum class StringKind { Vlen, Utf32, Bytes };

struct StringMeta {
  StringKind kind = StringKind::Vlen;
  std::int64_t length = 0;
  std::int64_t chunk = 0;
  std::size_t width = 0;              ///< fixed-width kinds: bytes per element
  std::vector<BytesCodecPtr> codecs;  ///< bytes->bytes, encode order
  std::string keyPrefix;              ///< "c/" for the v3 default key encoding
  std::string scalarKey;              ///< the one chunk's key of a 0-d array ("0" or v3 "c")
  std::string metaKey;
};

std::string joinKey(const std::string& path, std::string_view leaf) {
  return path.empty() ? std::string(leaf) : path + "/" + std::string(leaf);
}

Expected<json> readJson(const Store& s, const std::string& key) {
  auto b = s.read(key);
  if (!b) return std::unexpected(b.error());
  json j = json::parse(b->begin(), b->end(), nullptr, false);
  if (j.is_discarded()) return fail(Errc::Corrupt, storeKeyName(s, key) + ": malformed JSON");
  return j;
}

// The .zarray of `path`, from the file or from a consolidated .zmetadata at the root.
Expected<json> readZarray(const Store& s, const std::string& path) {
  auto z = readJson(s, joinKey(path, ".zarray"));
  if (z || z.error().code != Errc::NotFound) return z;
  auto cons = readJson(s, ".zmetadata");
  if (cons && cons->is_object() && cons->contains("metadata")) {
    const json& m = (*cons)["metadata"];
    if (m.is_object() && m.contains(joinKey(path, ".zarray"))) return m[joinKey(path, ".zarray")];
  }
  return z;
}

// A 0-d array (anndata's scalar strings in uns) reads as one item.
Expected<std::int64_t> oneDim(const json& shape, const std::string& what, const std::string& key) {
  if (shape.is_array() && shape.empty()) return 1;
  if (!shape.is_array() || shape.size() != 1 || !shape[0].is_number_integer() ||
      shape[0].get<std::int64_t>() < 0)
    return fail(Errc::Unsupported, key + ": " + what + " must be one non-negative integer");
  return shape[0].get<std::int64_t>();
}

Expected<StringMeta> parseV2(const json& z, const std::string& key) {
  StringMeta m;
  m.metaKey = key;
  if (!z.is_object()) return fail(Errc::Corrupt, key + ": not a JSON object");
  auto len = oneDim(z.value("shape", json()), "shape", key);
  if (!len) return std::unexpected(len.error());
  auto chunk = oneDim(z.value("chunks", json()), "chunks", key);
  if (!chunk) return std::unexpected(chunk.error());
  m.length = *len;
  m.chunk = std::max<std::int64_t>(1, *chunk);
  const std::string dt =
      z.value("dtype", json("")).is_string() ? z["dtype"].get<std::string>() : "";
  bool vlenFilter = false;
  if (z.contains("filters") && z["filters"].is_array()) {
    for (const auto& f : z["filters"]) {
      const std::string id = jsonStringOr(f, "id", "?");
      if (id == "vlen-utf8")
        vlenFilter = true;
      else
        return fail(Errc::Unsupported, key + ": filter '" + id + "' is not supported");
    }
  }
  if (dt == "|O") {
    if (!vlenFilter)
      return fail(Errc::Unsupported, key + ": object array without the vlen-utf8 filter");
    m.kind = StringKind::Vlen;
  } else if (dt.size() >= 3 && (dt[1] == 'U' || dt[1] == 'S')) {
    m.kind = dt[1] == 'U' ? StringKind::Utf32 : StringKind::Bytes;
    m.width = std::strtoul(dt.c_str() + 2, nullptr, 10) * (dt[1] == 'U' ? 4 : 1);
    if (m.width == 0 || (dt[1] == 'U' && dt[0] == '>'))
      return fail(Errc::Unsupported, key + ": string dtype " + dt + " is not supported");
  } else {
    return fail(Errc::Unsupported, key + ": dtype " + dt + " is not a string type");
  }
  auto comp = parseV2Compressor(z.value("compressor", json()));
  if (!comp) return fail(comp.error().code, key + ": " + comp.error().message);
  if (std::string((*comp)->name()) != "none") m.codecs.push_back(*comp);
  return m;
}

Expected<StringMeta> parseV3(const json& z, const std::string& key) {
  StringMeta m;
  m.metaKey = key;
  if (!z.is_object()) return fail(Errc::Corrupt, key + ": not a JSON object");
  if (z.value("data_type", json()) != "string")
    return fail(Errc::Unsupported, key + ": data_type is not \"string\"");
  auto len = oneDim(z.value("shape", json()), "shape", key);
  if (!len) return std::unexpected(len.error());
  // value() throws on a non-object: each level is checked before it is looked into.
  const json grid = z.value("chunk_grid", json::object());
  const json config = grid.is_object() ? grid.value("configuration", json::object()) : json();
  auto chunk = oneDim(config.is_object() ? config.value("chunk_shape", json()) : json(),
                      "chunk_grid.configuration.chunk_shape", key);
  if (!chunk) return std::unexpected(chunk.error());
  m.length = *len;
  m.chunk = std::max<std::int64_t>(1, *chunk);
  const json enc = z.value("chunk_key_encoding", json::object());
  m.keyPrefix = jsonStringOr(enc, "name", "default") == "default" ? "c/" : "";
  if (z.value("shape", json()).empty()) m.scalarKey = m.keyPrefix.empty() ? "0" : "c";
  const json codecs = z.value("codecs", json::array());
  if (!codecs.is_array() || codecs.empty())
    return fail(Errc::Corrupt, key + ": codecs must be a non-empty list");
  // The string codec is the array->bytes step; the rest are shared bytes->bytes codecs, parsed
  // by the common chain parser with "bytes" standing in for it.
  json rest = json::array();
  bool sawString = false;
  for (const auto& c : codecs) {
    const std::string name = jsonStringOr(c, "name", "?");
    if (name == "vlen-utf8" || name == "vlen-bytes") {
      sawString = true;
      rest.push_back(json{{"name", "bytes"}});
    } else if (!sawString) {
      return fail(Errc::Unsupported, key + ": codec '" + name + "' before vlen-utf8");
    } else {
      rest.push_back(c);
    }
  }
  if (!sawString) return fail(Errc::Unsupported, key + ": string array without vlen-utf8 codec");
  const std::int64_t shape[1] = {m.chunk};
  auto chain = parseV3Codecs(rest, shape, DType::U8);
  if (!chain) return fail(chain.error().code, key + ": " + chain.error().message);
  m.codecs = chain->bytesCodecs;
  return m;
}

Expected<StringMeta> readMeta(const Store& s, const std::string& path) {
  const std::string v3Key = joinKey(path, "zarr.json");
  auto z3 = readJson(s, v3Key);
  if (z3) return parseV3(*z3, storeKeyName(s, v3Key));
  if (z3.error().code != Errc::NotFound) return std::unexpected(z3.error());
  auto z2 = readZarray(s, path);
  if (!z2) {
    if (z2.error().code == Errc::NotFound)
      return fail(Errc::NotFound, storeKeyName(s, path) + ": no zarr array here");
    return std::unexpected(z2.error());
  }
  return parseV2(*z2, storeKeyName(s, joinKey(path, ".zarray")));
}

std::uint32_t readU32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
         std::uint32_t(p[3]) << 24;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Expected<std::vector<std::string>> decodeVlenUtf8(std::span<const std::uint8_t> b,
                                                  std::size_t expected, const std::string& name) {
  if (b.size() < 4) return fail(Errc::Corrupt, name + ": vlen-utf8 chunk shorter than its header");
  const std::uint32_t n = readU32(b.data());
  if (n != expected)
    return fail(Errc::Corrupt, name + ": vlen-utf8 chunk holds " + std::to_string(n) +
                                   " items, expected " + std::to_string(expected));
  std::vector<std::string> out;
  out.reserve(n);
  std::size_t pos = 4;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (b.size() - pos < 4)
      return fail(Errc::Corrupt, name + ": vlen-utf8 chunk truncated at item " + std::to_string(i));
    const std::uint32_t len = readU32(b.data() + pos);
    pos += 4;
    if (b.size() - pos < len)
      return fail(Errc::Corrupt, name + ": vlen-utf8 item " + std::to_string(i) +
                                     " runs past the end of the chunk");
    out.emplace_back(reinterpret_cast<const char*>(b.data() + pos), len);
    pos += len;
  }
  return out;
}

std::string fixedWidthString(std::span<const std::uint8_t> item, bool utf32) {
  std::string s;
  if (!utf32) {
    s.assign(reinterpret_cast<const char*>(item.data()), item.size());
  } else {
    for (std::size_t k = 0; k + 4 <= item.size(); k += 4) {
      const std::uint32_t cp = readU32(item.data() + k);
      if (cp == 0) break;
      appendUtf8(s, cp);
    }
  }
  if (const auto z = s.find('\0'); z != std::string::npos) s.resize(z);
  return s;
}

bool isZarrStringArray(const Store& store, const std::string& path) {
  return readMeta(store, path).has_value();
}

Expected<std::vector<std::string>> readZarrStrings(const Store& store, const std::string& path) {
  auto meta = readMeta(store, path);
  if (!meta) return std::unexpected(meta.error());
  const StringMeta& m = *meta;
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(m.length));
  const std::int64_t nChunks = ceilDiv(m.length, m.chunk);
  for (std::int64_t c = 0; c < nChunks; ++c) {
    const std::string key =
        joinKey(path, m.scalarKey.empty() ? m.keyPrefix + std::to_string(c) : m.scalarKey);
    const std::size_t want = static_cast<std::size_t>(std::min(m.chunk, m.length - c * m.chunk));
    auto raw = store.read(key);
    if (!raw) {
      if (raw.error().code != Errc::NotFound) return std::unexpected(raw.error());
      out.resize(out.size() + want);
      continue;
    }
    Bytes bytes = std::move(*raw);
    for (auto it = m.codecs.rbegin(); it != m.codecs.rend(); ++it) {
      auto dec = (*it)->decode(bytes, kMaxZarrBuffer);
      if (!dec)
        return fail(dec.error().code, storeKeyName(store, key) + ": " + dec.error().message);
      bytes = std::move(*dec);
    }
    if (m.kind == StringKind::Vlen) {
      // Edge chunks of object arrays are stored at full chunk size (zarr-python 2 pads them).
      const std::size_t stored = bytes.size() >= 4 ? readU32(bytes.data()) : 0;
      const std::size_t expect = stored == static_cast<std::size_t>(m.chunk) ? stored : want;
      auto items = decodeVlenUtf8(bytes, expect, storeKeyName(store, key));
      if (!items) return std::unexpected(items.error());
      for (std::size_t i = 0; i < want; ++i)
        out.push_back(std::move((*items)[i]));
      continue;
    }
    const std::size_t need = static_cast<std::size_t>(m.chunk) * m.width;
    if (bytes.size() != need)
      return fail(Errc::Corrupt, storeKeyName(store, key) + ": chunk has " +
                                     std::to_string(bytes.size()) + " bytes, expected " +
                                     std::to_string(need));
    for (std::size_t i = 0; i < want; ++i) {
      out.push_back(
          fixedWidthString({bytes.data() + i * m.width, m.width}, m.kind == StringKind::Utf32));
    }
  }
  return out;
}

}  // namespace tessera::data
