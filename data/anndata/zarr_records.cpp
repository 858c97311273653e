// Record arrays are decoded here rather than by ZarrArray: their element is a whole record of
// mixed fields, which the numeric reader has no dtype for. Only the v2 compressor applies
// (anndata 0.6 wrote no filters), and records are sliced field by field after decoding.
#include "data/anndata/zarr_records.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "data/json_number.h"
#include "data/memory_budget.h"
#include "data/zarr/codec_chain.h"
#include "data/zarr/zarr_strings.h"

namespace tessera::data::azarr {
namespace {

using nlohmann::json;

std::string keyOf(const std::string& path, const std::string& leaf) {
  return path.empty() ? leaf : path + "/" + leaf;
}

Expected<json> zarray(const Store& s, const std::string& path) {
  auto b = s.read(keyOf(path, ".zarray"));
  if (!b) return std::unexpected(b.error());
  json j = json::parse(b->begin(), b->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Corrupt, storeKeyName(s, keyOf(path, ".zarray")) + ": malformed JSON");
  return j;
}

// One [name, typestr(, shape)] entry of a numpy structured dtype.
Expected<RecordField> parseField(const json& e, const std::string& key) {
  if (!e.is_array() || e.size() < 2 || !e[0].is_string() || !e[1].is_string())
    return fail(Errc::Unsupported, key + ": dtype field " + e.dump() + " is not [name, type]");
  RecordField f;
  f.name = e[0].get<std::string>();
  const std::string t = e[1].get<std::string>();
  if (t.size() < 3 || std::string("<>|=").find(t[0]) == std::string::npos)
    return fail(Errc::Unsupported, key + ": field \"" + f.name + "\" has dtype \"" + t + "\"");
  f.bigEndian = t[0] == '>';
  f.kind = t[1];
  std::size_t n = 0;
  for (std::size_t i = 2; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9')
      return fail(Errc::Unsupported, key + ": field \"" + f.name + "\" has dtype \"" + t + "\"");
    n = n * 10 + static_cast<std::size_t>(t[i] - '0');
  }
  f.size = f.kind == 'U' ? 4 * n : n;
  const bool numeric = (f.kind == 'i' || f.kind == 'u') && (n == 1 || n == 2 || n == 4 || n == 8);
  const bool real = f.kind == 'f' && (n == 4 || n == 8);
  if (!numeric && !real && !(f.kind == 'b' && n == 1) && f.kind != 'U' && f.kind != 'S' &&
      f.kind != 'V')
    return fail(Errc::Unsupported,
                key + ": field \"" + f.name + "\" has dtype \"" + t + "\", which is not supported");
  if (e.size() > 2) {
    if (!e[2].is_array())
      return fail(Errc::Unsupported, key + ": field \"" + f.name + "\" has a malformed shape");
    for (const auto& d : e[2]) {
      // Bounded so that the product (and the record width below) cannot overflow.
      const auto n = jsonInteger(d, 0, 1 << 20);
      if (!n || (*n > 0 && f.count > (std::int64_t{1} << 24) / *n))
        return fail(Errc::Unsupported, key + ": field \"" + f.name + "\" has a malformed shape");
      f.count *= *n;
    }
  }
  f.width = f.size * static_cast<std::size_t>(f.count);
  return f;
}

template <class T>
T load(const std::uint8_t* p, bool bigEndian) {
  std::uint8_t b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (bigEndian) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

}  // namespace

const RecordField* Records::field(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

bool isZarrRecordArray(const Store& s, const std::string& path) {
  auto z = zarray(s, path);
  return z && z->contains("dtype") && (*z)["dtype"].is_array();
}

Expected<Records> readZarrRecords(const Store& s, const std::string& path) {
  const std::string key = storeKeyName(s, path);
  auto z = zarray(s, path);
  if (!z) return std::unexpected(z.error());
  const json dtype = z->value("dtype", json());
  if (!dtype.is_array()) return fail(Errc::Unsupported, key + ": not an array of records");
  Records r;
  for (const auto& e : dtype) {
    auto f = parseField(e, key);
    if (!f) return std::unexpected(f.error());
    f->offset = r.itemSize;
    r.itemSize += f->width;
    if (f->kind != 'V') r.fields.push_back(std::move(*f));  // 'V' with no name is padding
  }
  const json shape = z->value("shape", json()), chunks = z->value("chunks", json());
  if (!shape.is_array() || shape.size() != 1 || !shape[0].is_number_integer() ||
      !chunks.is_array() || chunks.size() != 1 || !chunks[0].is_number_integer() ||
      chunks[0].get<std::int64_t>() <= 0)
    return fail(Errc::Unsupported, key + ": an array of records must be 1-d");
  if (z->contains("filters") && !(*z)["filters"].is_null())
    return fail(Errc::Unsupported, key + ": filters on an array of records are not supported");
  auto codec = parseV2Compressor(z->value("compressor", json()));
  if (!codec) return fail(codec.error().code, key + ": " + codec.error().message);
  r.rows = std::max<std::int64_t>(0, shape[0].get<std::int64_t>());
  const std::int64_t chunk = chunks[0].get<std::int64_t>();
  // Both the records and one decoded chunk are allocated whole: their declared sizes must fit
  // the read budget (a damaged shape or chunk size would otherwise end in std::bad_alloc).
  const auto budget = static_cast<std::int64_t>(readBudgetBytes());
  const auto item = static_cast<std::int64_t>(r.itemSize);
  if (r.itemSize == 0 || r.rows > budget / item || chunk > budget / item)
    return fail(Errc::Corrupt, key + ": implausible record size or count");
  r.data.assign(static_cast<std::size_t>(r.rows) * r.itemSize, 0);
  const std::size_t chunkBytes = static_cast<std::size_t>(chunk) * r.itemSize;
  Bytes decoded(chunkBytes);
  for (std::int64_t c = 0; c * chunk < r.rows; ++c) {
    const std::string ck = keyOf(path, std::to_string(c));
    auto raw = s.read(ck);
    if (!raw) {
      if (raw.error().code == Errc::NotFound) continue;  // missing chunk: fill (zeros)
      return std::unexpected(raw.error());
    }
    if (auto ok = (*codec)->decodeInto(*raw, decoded); !ok)
      return fail(ok.error().code, storeKeyName(s, ck) + ": " + ok.error().message);
    const std::size_t rows = static_cast<std::size_t>(std::min(chunk, r.rows - c * chunk));
    std::memcpy(r.data.data() + static_cast<std::size_t>(c * chunk) * r.itemSize, decoded.data(),
                rows * r.itemSize);
  }
  return r;
}

std::vector<std::string> recordStrings(const Records& r, const RecordField& f) {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(r.rows));
  for (std::int64_t i = 0; i < r.rows; ++i)
    out.push_back(fixedWidthString(
        {r.data.data() + static_cast<std::size_t>(i) * r.itemSize + f.offset, f.size},
        f.kind == 'U'));
  return out;
}

std::vector<double> recordNumbers(const Records& r, const RecordField& f, std::int64_t component) {
  std::vector<double> out(static_cast<std::size_t>(r.rows));
  for (std::int64_t i = 0; i < r.rows; ++i) {
    const std::uint8_t* p = r.data.data() + static_cast<std::size_t>(i) * r.itemSize + f.offset +
                            static_cast<std::size_t>(component) * f.size;
    double v = 0;
    switch (f.kind) {
      case 'b':
        v = *p != 0;
        break;
      case 'f':
        v = f.size == 4 ? load<float>(p, f.bigEndian) : load<double>(p, f.bigEndian);
        break;
      case 'i':
        v = f.size == 1   ? double(std::int8_t(*p))
            : f.size == 2 ? double(load<std::int16_t>(p, f.bigEndian))
            : f.size == 4 ? double(load<std::int32_t>(p, f.bigEndian))
                          : double(load<std::int64_t>(p, f.bigEndian));
        break;
      case 'u':
        v = f.size == 1   ? double(*p)
            : f.size == 2 ? double(load<std::uint16_t>(p, f.bigEndian))
            : f.size == 4 ? double(load<std::uint32_t>(p, f.bigEndian))
                          : double(load<std::uint64_t>(p, f.bigEndian));
        break;
      default:
        v = 0;
    }
    out[static_cast<std::size_t>(i)] = v;
  }
  return out;
}

}  // namespace tessera::data::azarr
