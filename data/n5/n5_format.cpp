#include "data/n5/n5_format.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "data/codecs/codec.h"
#include "data/json_number.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

using nlohmann::json;

constexpr std::uint16_t kModeDefault = 0;
constexpr std::uint16_t kModeVarlength = 1;
constexpr std::uint16_t kModeObject = 2;
// Dimensions beyond this (2^48 elements along one axis) are not real images.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 48;

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}
std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(std::uint16_t{p[0]} << 8 | p[1]);
}

std::string joinPath(const std::string& path, const std::string& leaf) {
  return path.empty() ? leaf : path + "/" + leaf;
}

std::string shapeText(std::span<const std::int64_t> s) {
  std::string out = "[";
  for (std::size_t i = 0; i < s.size(); ++i)
    out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

Expected<DType> n5DataType(const std::string& t, const std::string& name) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"uint8", DType::U8},   {"uint16", DType::U16}, {"uint32", DType::U32},
      {"uint64", DType::U64}, {"int8", DType::I8},    {"int16", DType::I16},
      {"int32", DType::I32},  {"int64", DType::I64},  {"float32", DType::F32},
      {"float64", DType::F64}};
  for (const auto& [n, d] : kTypes)
    if (t == n) return d;
  return fail(Errc::Unsupported, name + ": N5 dataType \"" + t + "\" is not supported");
}

struct N5Compression {
  BytesCodecPtr codec;
  std::string name;
};

Expected<N5Compression> n5Compression(const json& attrs, DType dtype, const std::string& name) {
  std::string type = "raw";
  json c = json::object();
  if (const auto it = attrs.find("compression"); it != attrs.end()) {
    if (!it->is_object() || !it->contains("type") || !(*it)["type"].is_string())
      return fail(Errc::Corrupt, name + ": \"compression\" has no \"type\"");
    c = *it;
    type = c["type"].get<std::string>();
  } else if (const auto old = attrs.find("compressionType"); old != attrs.end()) {
    if (!old->is_string()) return fail(Errc::Corrupt, name + ": \"compressionType\" is not text");
    type = old->get<std::string>();
  }
  const auto num = [&](const char* key, int def) {
    const auto v = c.find(key);
    const auto i = v == c.end() ? std::nullopt
                                : jsonInteger(*v, std::numeric_limits<int>::min(),
                                              std::numeric_limits<int>::max());
    return i ? static_cast<int>(*i) : def;
  };
  if (type == "raw") return N5Compression{makeNullCodec(), type};
  if (type == "gzip") {
    const auto z = c.find("useZlib");
    const bool zlib = z != c.end() && z->is_boolean() && z->get<bool>();
    return zlib ? N5Compression{makeZlibCodec(), "zlib"} : N5Compression{makeGzipCodec(), type};
  }
  if (type == "bzip2") return N5Compression{makeBzip2Codec(num("blockSize", 9)), type};
  if (type == "xz") return N5Compression{makeXzCodec(num("preset", 6)), type};
  if (type == "lz4") return N5Compression{makeLz4BlockStreamCodec(), type};
  if (type == "zstd") return N5Compression{makeZstdCodec(num("level", 3)), type};
  if (type == "blosc") {
    BloscParams p;
    if (const auto n = c.find("cname"); n != c.end() && n->is_string()) p.cname = *n;
    p.clevel = num("clevel", 5);
    p.shuffle = num("shuffle", 1);
    p.blocksize = static_cast<std::size_t>(std::max(0, num("blocksize", 0)));
    p.typesize = dtypeSize(dtype);
    return N5Compression{makeBloscCodec(p), "blosc/" + p.cname};
  }
  return fail(Errc::Unsupported, name + ": unknown N5 compression \"" + type + "\"");
}

// Shapes in C order: `chunk` is the stored block size clamped to the dataset, `declared` the
// blockSize attributes.json gives (also in C order), `shape` the dataset.
class N5BlockFormat final : public ChunkFormat {
 public:
  N5BlockFormat(std::vector<std::int64_t> shape, std::vector<std::int64_t> chunk,
                std::vector<std::int64_t> declared, DType dtype, N5Compression compression)
      : shape_(std::move(shape)),
        chunk_(std::move(chunk)),
        declared_(std::move(declared)),
        dtype_(dtype),
        compression_(std::move(compression)) {}

  std::string key(std::span<const std::int64_t> index) const override {
    std::string out;
    for (std::size_t i = index.size(); i-- > 0;)
      out += std::to_string(index[i]) + (i ? "/" : "");
    return out;
  }

  std::string codecName() const override { return compression_.name; }

  Expected<void> decode(std::span<const std::uint8_t> in, std::span<const std::int64_t> index,
                        std::span<std::uint8_t> out) const override {
    const std::size_t rank = shape_.size();
    const std::string block = "block " + key(index);
    if (in.size() < 4) return fail(Errc::Corrupt, block + ": truncated block header");
    const std::uint16_t mode = be16(in.data()), ndim = be16(in.data() + 2);
    if (mode == kModeObject)
      return fail(Errc::Unsupported, block + ": object-mode N5 blocks are not supported");
    if (mode != kModeDefault && mode != kModeVarlength)
      return fail(Errc::Corrupt, block + ": unknown block mode " + std::to_string(mode));
    if (ndim != rank)
      return fail(Errc::Corrupt, block + ": header has " + std::to_string(ndim) +
                                     " dimensions, attributes.json has " + std::to_string(rank));
    std::size_t pos = 4 + 4 * std::size_t{ndim};
    if (mode == kModeVarlength) pos += 4;
    if (in.size() < pos) return fail(Errc::Corrupt, block + ": truncated block header");
    // The header lists N5 order (fastest first); reversed, it is the C-order block shape.
    std::vector<std::int64_t> stored(rank), valid(rank);
    bool padded = true;
    for (std::size_t i = 0; i < rank; ++i)
      stored[rank - 1 - i] = be32(in.data() + 4 + 4 * i);
    for (std::size_t i = 0; i < rank; ++i)
      valid[i] = std::min(chunk_[i], shape_[i] - index[i] * chunk_[i]);
    for (std::size_t i = 0; i < rank; ++i) {
      // Writers store edge blocks cropped to the dataset (n5-java) or whole (zarr's N5Store).
      if (stored[i] != valid[i] && stored[i] != declared_[i] && stored[i] != chunk_[i])
        return fail(Errc::Corrupt, block + ": header block size " + shapeText(reversed(stored)) +
                                       " disagrees with attributes.json (expected " +
                                       shapeText(reversed(valid)) + ")");
      padded = padded && stored[i] == chunk_[i];
    }
    const std::size_t es = dtypeSize(dtype_);
    const auto bytes = checkedElementCount(stored, es);
    if (!bytes || *bytes > kMaxN5BlockBytes)
      return fail(Errc::Corrupt,
                  block + ": header block size " + shapeText(reversed(stored)) + " is too large");
    if (mode == kModeVarlength && be32(in.data() + pos - 4) != *bytes / es)
      return fail(Errc::Unsupported, block + ": varlength block of " +
                                         std::to_string(be32(in.data() + pos - 4)) +
                                         " elements for a block of " + std::to_string(*bytes / es) +
                                         " (variable-length N5 blocks are not supported)");
    const auto payload = in.subspan(pos);
    const bool direct = padded && out.size() == *bytes;
    Bytes scratch;
    std::span<std::uint8_t> target = out;
    if (!direct) {
      scratch.resize(*bytes);
      target = scratch;
    }
    if (auto r = compression_.codec->decodeInto(payload, target); !r)
      return fail(r.error().code, block + ": " + r.error().message);
    if (es > 1 && std::endian::native == std::endian::little) byteSwapElements(target, es);
    if (!direct) {
      std::fill(out.begin(), out.end(), std::uint8_t{0});
      std::vector<std::int64_t> count(rank), zero(rank, 0);
      for (std::size_t i = 0; i < rank; ++i)
        count[i] = std::min(stored[i], chunk_[i]);
      copyBox(scratch.data(), stored, zero, out.data(), chunk_, zero, count, es);
    }
    return {};
  }

 private:
  static std::vector<std::int64_t> reversed(std::vector<std::int64_t> v) {
    std::reverse(v.begin(), v.end());
    return v;
  }
  static void byteSwapElements(std::span<std::uint8_t> b, std::size_t es) {
    for (std::size_t i = 0; i + es <= b.size(); i += es)
      std::reverse(b.begin() + static_cast<std::ptrdiff_t>(i),
                   b.begin() + static_cast<std::ptrdiff_t>(i + es));
  }

  std::vector<std::int64_t> shape_, chunk_, declared_;
  DType dtype_;
  N5Compression compression_;
};

Expected<std::vector<std::int64_t>> positiveList(const json& attrs, const char* key,
                                                 const std::string& name) {
  const auto it = attrs.find(key);
  if (it == attrs.end() || !it->is_array() || it->empty() || it->size() > 32)
    return fail(Errc::Corrupt, name + ": \"" + key + "\" is not a list of sizes");
  std::vector<std::int64_t> out;
  for (const auto& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 ||
        v.get<std::int64_t>() > kMaxDimension)
      return fail(Errc::Corrupt,
                  name + ": \"" + key + "\" holds " + v.dump() + " (sizes are positive integers)");
    out.push_back(v.get<std::int64_t>());
  }
  std::reverse(out.begin(), out.end());  // N5 order (fastest first) to C order
  return out;
}

}  // namespace

bool isN5Dataset(const json& attrs) {
  return attrs.is_object() && attrs.contains("dimensions") && attrs.contains("blockSize") &&
         attrs.contains("dataType");
}

Expected<ZarrMetadata> parseN5Attributes(const json& attrs, const std::string& name) {
  if (!isN5Dataset(attrs))
    return fail(Errc::Corrupt,
                name + ": not an N5 dataset (needs dimensions, blockSize and dataType)");
  auto shape = positiveList(attrs, "dimensions", name);
  if (!shape) return std::unexpected(shape.error());
  auto declared = positiveList(attrs, "blockSize", name);
  if (!declared) return std::unexpected(declared.error());
  if (declared->size() != shape->size())
    return fail(Errc::Corrupt, name + ": blockSize has " + std::to_string(declared->size()) +
                                   " entries, dimensions " + std::to_string(shape->size()));
  if (!attrs["dataType"].is_string())
    return fail(Errc::Corrupt, name + ": \"dataType\" is not text");
  auto dtype = n5DataType(attrs["dataType"].get<std::string>(), name);
  if (!dtype) return std::unexpected(dtype.error());
  std::int64_t elements = 1;
  for (auto d : *shape)
    if (__builtin_mul_overflow(elements, d, &elements))
      return fail(Errc::Corrupt, name + ": dimensions " + attrs["dimensions"].dump() +
                                     " hold more elements than can be addressed");
  // One block per axis when blockSize exceeds the dataset: clamp so a hostile blockSize
  // cannot make every read allocate a huge padded chunk.
  std::vector<std::int64_t> chunk(shape->size());
  for (std::size_t i = 0; i < chunk.size(); ++i)
    chunk[i] = std::min((*declared)[i], (*shape)[i]);
  const auto blockBytes = checkedElementCount(chunk, dtypeSize(*dtype));
  if (!blockBytes || *blockBytes > kMaxN5BlockBytes)
    return fail(Errc::Unsupported, name + ": blockSize " + attrs["blockSize"].dump() +
                                       " makes blocks larger than the 1 GiB a read may use");
  auto compression = n5Compression(attrs, *dtype, name);
  if (!compression) return std::unexpected(compression.error());

  ZarrMetadata meta;
  meta.zarrFormat = 0;
  meta.shape = *shape;
  meta.chunkShape = chunk;
  meta.dtype = *dtype;
  meta.fillValue.assign(dtypeSize(*dtype), 0);
  meta.separator = '/';
  meta.attributes = attrs;
  meta.format =
      std::make_shared<N5BlockFormat>(*shape, chunk, *declared, *dtype, std::move(*compression));
  return meta;
}

Expected<json> readN5Attributes(const Store& store, const std::string& path) {
  const std::string key = joinPath(path, "attributes.json");
  auto bytes = store.read(key);
  if (!bytes) return std::unexpected(bytes.error());
  json j = json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Corrupt, storeKeyName(store, key) + ": malformed JSON");
  return j;
}

Expected<std::unique_ptr<ZarrArray>> openN5Array(std::shared_ptr<const Store> store,
                                                 const std::string& path) {
  auto attrs = readN5Attributes(*store, path);
  if (!attrs) return std::unexpected(attrs.error());
  auto meta = parseN5Attributes(*attrs, storeKeyName(*store, joinPath(path, "attributes.json")));
  if (!meta) return std::unexpected(meta.error());
  return ZarrArray::fromMetadata(std::move(store), path, std::move(*meta));
}

}  // namespace tessera::data
