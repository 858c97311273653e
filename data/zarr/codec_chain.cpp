#include "data/zarr/codec_chain.h"

#include <bit>
#include <cstring>
#include <string>

#include "data/json_number.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

using nlohmann::json;

constexpr int kMaxShardNesting = 4;
// A shard index above this is refused rather than allocated (2^26 entries = 1 GiB).
constexpr std::size_t kMaxIndexEntries = std::size_t{1} << 26;

bool isBytesToBytes(const std::string& n) {
  return n == "blosc" || n == "gzip" || n == "zstd" || n == "crc32c" || n == "zlib";
}

Expected<BytesCodecPtr> makeV3BytesCodec(const std::string& name, const json& cfg,
                                         std::size_t typesize) {
  if (name == "crc32c") return makeCrc32cCodec();
  if (name == "gzip") return makeGzipCodec(jsonIntOr(cfg, "level", 1));
  if (name == "zlib") return makeZlibCodec(jsonIntOr(cfg, "level", 1));
  if (name == "zstd")
    return makeZstdCodec(jsonIntOr(cfg, "level", 0), cfg.value("checksum", false));
  BloscParams p;
  p.cname = cfg.value("cname", std::string("lz4"));
  p.clevel = jsonIntOr(cfg, "clevel", 5);
  const std::string shuffle = cfg.value("shuffle", std::string("noshuffle"));
  p.shuffle = shuffle == "bitshuffle" ? 2 : shuffle == "shuffle" ? 1 : 0;
  p.typesize = cfg.value("typesize", typesize);
  p.blocksize = cfg.value("blocksize", std::size_t{0});
  return makeBloscCodec(p);
}

Expected<std::vector<std::size_t>> parseTransposeOrder(const json& cfg, std::size_t rank) {
  const json& o = cfg.at("order");
  std::vector<std::size_t> order(rank);
  if (o.is_string()) {  // early v3 drafts: "C" (identity) or "F" (reversed)
    const std::string s = o;
    if (s != "C" && s != "F") return fail(Errc::Corrupt, "transpose: unknown order '" + s + "'");
    for (std::size_t i = 0; i < rank; ++i)
      order[i] = s == "C" ? i : rank - 1 - i;
    return order;
  }
  if (!o.is_array() || o.size() != rank)
    return fail(Errc::Corrupt, "transpose: order must list all " + std::to_string(rank) + " axes");
  std::vector<bool> seen(rank, false);
  for (std::size_t i = 0; i < rank; ++i) {
    if (!o[i].is_number_unsigned() || o[i].get<std::size_t>() >= rank ||
        seen[o[i].get<std::size_t>()])
      return fail(Errc::Corrupt, "transpose: order is not a permutation");
    order[i] = o[i].get<std::size_t>();
    seen[order[i]] = true;
  }
  return order;
}

Expected<std::vector<std::int64_t>> parsePositiveShape(const json& j, std::size_t rank,
                                                       const char* what) {
  if (!j.is_array() || j.size() != rank)
    return fail(Errc::Corrupt,
                std::string(what) + " must have " + std::to_string(rank) + " entries");
  std::vector<std::int64_t> v;
  for (const auto& e : j) {
    if (!e.is_number_integer() || e.get<std::int64_t>() <= 0)
      return fail(Errc::Corrupt, std::string(what) + " entries must be positive integers");
    v.push_back(e.get<std::int64_t>());
  }
  return v;
}

Expected<std::shared_ptr<const ShardingSpec>> parseSharding(const json& cfg,
                                                            std::span<const std::int64_t> shape,
                                                            DType dtype, int depth) {
  auto spec = std::make_shared<ShardingSpec>();
  auto inner = parsePositiveShape(cfg.at("chunk_shape"), shape.size(), "sharding chunk_shape");
  if (!inner) return std::unexpected(inner.error());
  spec->innerShape = *inner;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] % spec->innerShape[i] != 0)
      return fail(Errc::Corrupt, "sharding: inner chunk_shape does not divide the shard shape");
    spec->chunksPerShard.push_back(shape[i] / spec->innerShape[i]);
  }
  const auto entries = checkedElementCount(spec->chunksPerShard, 1);
  if (!entries || *entries > kMaxIndexEntries)
    return fail(Errc::Unsupported, "sharding: too many inner chunks per shard");
  spec->indexEntries = *entries;
  const std::string location = cfg.value("index_location", std::string("end"));
  if (location != "end" && location != "start")
    return fail(Errc::Corrupt, "sharding: index_location must be 'start' or 'end'");
  spec->indexAtEnd = location == "end";
  auto innerChain = parseV3Codecs(cfg.at("codecs"), spec->innerShape, dtype, depth + 1);
  if (!innerChain) return std::unexpected(innerChain.error());
  spec->inner = std::move(*innerChain);
  const json defaultIndexCodecs =
      json::parse(R"([{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}])");
  std::vector<std::int64_t> indexShape = spec->chunksPerShard;
  indexShape.push_back(2);
  auto indexChain =
      parseV3Codecs(cfg.contains("index_codecs") ? cfg["index_codecs"] : defaultIndexCodecs,
                    indexShape, DType::U64, depth + 1);
  if (!indexChain) return std::unexpected(indexChain.error());
  spec->index = std::move(*indexChain);
  // The index must have a size known before reading it: only fixed-size codecs qualify.
  spec->indexEncodedSize = 16 * spec->indexEntries;
  if (spec->index.sharding)
    return fail(Errc::Unsupported, "sharding: a sharded shard index is not supported");
  for (const auto& c : spec->index.bytesCodecs) {
    if (std::string(c->name()) != "crc32c")
      return fail(Errc::Unsupported,
                  std::string("sharding: index codec '") + c->name() +
                      "' has no fixed size; only bytes and crc32c are supported");
    spec->indexEncodedSize += 4;
  }
  return spec;
}

Expected<void> decodeBytesInto(const std::vector<BytesCodecPtr>& codecs,
                               std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (codecs.empty()) {
    if (in.size() != out.size())
      return fail(Errc::Corrupt, "chunk has " + std::to_string(in.size()) + " bytes, expected " +
                                     std::to_string(out.size()));
    std::memcpy(out.data(), in.data(), in.size());
    return {};
  }
  // Intermediate stages have no declared size; bound them generously above the final size.
  const std::size_t bound = out.size() + out.size() / 8 + (std::size_t{1} << 16);
  Bytes held;
  std::span<const std::uint8_t> cur = in;
  for (std::size_t i = codecs.size(); i-- > 1;) {
    if (std::string_view(codecs[i]->name()) == "crc32c") {
      auto payload = crc32cVerifiedPayload(cur);  // no copy: just drop the checksum
      if (!payload) return std::unexpected(payload.error());
      cur = *payload;
      continue;
    }
    auto next = codecs[i]->decode(cur, bound);
    if (!next) return std::unexpected(next.error());
    held = std::move(*next);
    cur = held;
  }
  return codecs[0]->decodeInto(cur, out);
}

Expected<void> decodeShard(const ShardingSpec& spec, std::span<const std::uint8_t> shard,
                           std::span<const std::int64_t> shardShape, DType dtype,
                           std::span<const std::uint8_t> fill, std::span<std::uint8_t> out) {
  if (shard.size() < spec.indexEncodedSize)
    return fail(Errc::Corrupt,
                "shard of " + std::to_string(shard.size()) + " bytes is shorter than its index");
  const auto encodedIndex =
      spec.indexAtEnd ? shard.last(spec.indexEncodedSize) : shard.first(spec.indexEncodedSize);
  auto index = decodeShardIndex(spec, encodedIndex);
  if (!index) return std::unexpected(index.error());
  const std::size_t es = dtypeSize(dtype);
  Bytes inner(*checkedElementCount(spec.innerShape, es));
  const std::size_t rank = shardShape.size();
  std::vector<std::int64_t> origin(rank, 0), zero(rank, 0);
  for (std::size_t k = 0; k < spec.indexEntries; ++k) {
    std::size_t rest = k;
    for (std::size_t d = rank; d-- > 0;) {
      const auto n = static_cast<std::size_t>(spec.chunksPerShard[d]);
      origin[d] = static_cast<std::int64_t>(rest % n) * spec.innerShape[d];
      rest /= n;
    }
    const std::uint64_t off = (*index)[2 * k], nb = (*index)[2 * k + 1];
    if (off == kShardEmpty && nb == kShardEmpty) {
      fillBox(out.data(), shardShape, origin, spec.innerShape, fill);
      continue;
    }
    if (off > shard.size() || nb > shard.size() - off)
      return fail(Errc::Corrupt, "shard index entry " + std::to_string(k) + " (" +
                                     std::to_string(off) + "+" + std::to_string(nb) +
                                     ") points past the end of the " +
                                     std::to_string(shard.size()) + "-byte shard");
    auto r = decodeChunk(spec.inner, shard.subspan(off, nb), spec.innerShape, dtype, fill, inner);
    if (!r)
      return fail(r.error().code, "inner chunk " + std::to_string(k) + ": " + r.error().message);
    copyBox(inner.data(), spec.innerShape, zero, out.data(), shardShape, origin, spec.innerShape,
            es);
  }
  return {};
}

}  // namespace

Expected<CodecChain> parseV3Codecs(const json& codecs, std::span<const std::int64_t> chunkShape,
                                   DType dtype, int depth) {
  if (depth > kMaxShardNesting) return fail(Errc::Unsupported, "sharding nested too deeply");
  if (!codecs.is_array() || codecs.empty())
    return fail(Errc::Corrupt, "codecs must be a non-empty list");
  CodecChain chain;
  std::vector<std::int64_t> shape(chunkShape.begin(), chunkShape.end());
  bool haveArrayToBytes = false;
  try {
    for (const auto& c : codecs) {
      std::string name;
      json cfg = json::object();
      if (c.is_string()) {
        name = c.get<std::string>();
      } else if (c.is_object() && c.contains("name") && c["name"].is_string()) {
        name = c["name"].get<std::string>();
        if (c.contains("configuration")) cfg = c["configuration"];
        if (!cfg.is_object()) return fail(Errc::Corrupt, "codec '" + name + "': bad configuration");
      } else {
        return fail(Errc::Corrupt, "each codec must be an object with a name");
      }
      if (haveArrayToBytes) {
        if (!isBytesToBytes(name)) {
          if (name == "transpose" || name == "bytes" || name == "sharding_indexed")
            return fail(Errc::Corrupt, "codec '" + name + "' after the array->bytes codec");
          return fail(Errc::Unsupported, "codec '" + name + "' is not supported");
        }
        auto codec = makeV3BytesCodec(name, cfg, dtypeSize(dtype));
        if (!codec) return std::unexpected(codec.error());
        chain.bytesCodecs.push_back(*codec);
      } else if (name == "transpose") {
        auto order = parseTransposeOrder(cfg, shape.size());
        if (!order) return std::unexpected(order.error());
        std::vector<std::size_t> composed(order->size());
        std::vector<std::int64_t> permuted(shape.size());
        for (std::size_t j = 0; j < order->size(); ++j) {
          composed[j] = chain.transpose.empty() ? (*order)[j] : chain.transpose[(*order)[j]];
          permuted[j] = shape[(*order)[j]];
        }
        chain.transpose = std::move(composed);
        shape = std::move(permuted);
      } else if (name == "bytes" || name == "endian") {
        const std::string endian = cfg.value("endian", std::string());
        if (endian.empty() && dtypeSize(dtype) > 1)
          return fail(Errc::Corrupt,
                      "bytes codec needs an endian for " + std::string(dtypeName(dtype)));
        if (!endian.empty() && endian != "little" && endian != "big")
          return fail(Errc::Corrupt, "bytes codec: unknown endian '" + endian + "'");
        chain.bigEndian = endian == "big";
        haveArrayToBytes = true;
      } else if (name == "sharding_indexed") {
        auto spec = parseSharding(cfg, shape, dtype, depth);
        if (!spec) return std::unexpected(spec.error());
        chain.sharding = *spec;
        haveArrayToBytes = true;
      } else if (isBytesToBytes(name)) {
        return fail(Errc::Corrupt, "codec '" + name + "' before the array->bytes codec");
      } else {
        return fail(Errc::Unsupported, "codec '" + name + "' is not supported");
      }
    }
  } catch (const json::exception& e) {
    return fail(Errc::Corrupt, std::string("invalid codec configuration: ") + e.what());
  }
  if (!haveArrayToBytes)
    return fail(Errc::Corrupt, "codecs lack an array->bytes codec (bytes or sharding_indexed)");
  bool identity = true;
  for (std::size_t i = 0; i < chain.transpose.size(); ++i)
    identity = identity && chain.transpose[i] == i;
  if (identity) chain.transpose.clear();
  return chain;
}

Expected<BytesCodecPtr> parseV2Compressor(const json& c) {
  if (c.is_null()) return makeNullCodec();
  try {
    if (!c.is_object() || !c.contains("id") || !c["id"].is_string())
      return fail(Errc::Corrupt, "compressor must be null or an object with an id");
    const std::string id = c["id"];
    if (id == "blosc") {
      BloscParams p;
      p.cname = c.value("cname", std::string("lz4"));
      p.clevel = jsonIntOr(c, "clevel", 5);
      p.shuffle = jsonIntOr(c, "shuffle", 1);
      p.blocksize = c.value("blocksize", std::size_t{0});
      return makeBloscCodec(p);
    }
    if (id == "zstd") return makeZstdCodec(jsonIntOr(c, "level", 1));
    if (id == "zlib") return makeZlibCodec(jsonIntOr(c, "level", 1));
    if (id == "gzip") return makeGzipCodec(jsonIntOr(c, "level", 1));
    if (id == "lz4") return makeLz4Codec(jsonIntOr(c, "acceleration", 1));
    if (id == "bz2") return makeBzip2Codec(jsonIntOr(c, "level", 9));
    if (id == "lzma") {
      // numcodecs' default FORMAT_XZ (1); the .lzma and raw forms carry no container to check.
      const auto format = c.contains("format") ? jsonInteger(c["format"], 0, 9) : 1;
      if (format != 1 && format != 0)
        return fail(Errc::Unsupported, "compressor 'lzma' with format " + c["format"].dump() +
                                           " is not supported (only the xz format, 1)");
      const json preset = c.value("preset", json());
      return makeXzCodec(
          static_cast<int>(jsonInteger(preset, 0, std::numeric_limits<int>::max()).value_or(6)));
    }
    return fail(Errc::Unsupported, "compressor '" + id + "' is not supported");
  } catch (const json::exception& e) {
    return fail(Errc::Corrupt, std::string("invalid compressor configuration: ") + e.what());
  }
}

Expected<void> decodeChunk(const CodecChain& chain, std::span<const std::uint8_t> encoded,
                           std::span<const std::int64_t> shape, DType dtype,
                           std::span<const std::uint8_t> fill, std::span<std::uint8_t> out) {
  const std::size_t es = dtypeSize(dtype);
  std::vector<std::int64_t> encShape(shape.begin(), shape.end());
  for (std::size_t i = 0; i < chain.transpose.size(); ++i)
    encShape[i] = shape[chain.transpose[i]];
  Bytes transposed;
  std::span<std::uint8_t> target = out;
  if (!chain.transpose.empty()) {
    transposed.resize(out.size());
    target = transposed;
  }
  if (chain.sharding) {
    Bytes shardBytes;
    std::span<const std::uint8_t> shard = encoded;
    if (!chain.bytesCodecs.empty()) {
      // Codecs after sharding wrap the whole shard; its size is only bounded.
      const std::size_t bound = 2 * out.size() + chain.sharding->indexEncodedSize + (1u << 20);
      shardBytes.resize(0);
      std::span<const std::uint8_t> cur = encoded;
      for (std::size_t i = chain.bytesCodecs.size(); i-- > 0;) {
        auto next = chain.bytesCodecs[i]->decode(cur, bound);
        if (!next) return std::unexpected(next.error());
        shardBytes = std::move(*next);
        cur = shardBytes;
      }
      shard = cur;
    }
    if (auto r = decodeShard(*chain.sharding, shard, encShape, dtype, fill, target); !r) return r;
  } else {
    if (auto r = decodeBytesInto(chain.bytesCodecs, encoded, target); !r) return r;
    if (es > 1 && chain.bigEndian != (std::endian::native == std::endian::big))
      byteSwapInPlace(target.data(), target.size() / es, es);
  }
  if (!chain.transpose.empty())
    untranspose(target.data(), encShape, chain.transpose, out.data(), es);
  return {};
}

Expected<std::vector<std::uint64_t>> decodeShardIndex(const ShardingSpec& spec,
                                                      std::span<const std::uint8_t> encoded) {
  std::vector<std::uint64_t> index(2 * spec.indexEntries);
  std::vector<std::int64_t> shape = spec.chunksPerShard;
  shape.push_back(2);
  const std::uint8_t zero[8] = {};
  auto r = decodeChunk(spec.index, encoded, shape, DType::U64, zero,
                       std::span(reinterpret_cast<std::uint8_t*>(index.data()), index.size() * 8));
  if (!r) return fail(r.error().code, "shard index: " + r.error().message);
  return index;
}

}  // namespace tessera::data
