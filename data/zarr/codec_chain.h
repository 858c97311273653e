#pragma once
/// The decode side of a zarr codec pipeline, shared by v2 (order/endianness/compressor mapped
/// onto it) and v3 ("codecs", including nested sharding_indexed). Chains are immutable once
/// parsed and safe to use from any thread. Error messages carry no store key; callers prefix
/// them with storeKeyName().
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "data/codecs/codec.h"
#include "data/dtype.h"
#include "data/error.h"

namespace tessera::data {

struct ShardingSpec;

struct CodecChain {
  /// Composite transpose: encoded axis i is decoded axis transpose[i]. Empty = identity.
  std::vector<std::size_t> transpose;
  bool bigEndian = false;
  /// Set when the array->bytes codec is sharding_indexed; otherwise it is "bytes".
  std::shared_ptr<const ShardingSpec> sharding;
  /// bytes->bytes codecs in encode order (decode runs them backwards).
  std::vector<BytesCodecPtr> bytesCodecs;
};

struct ShardingSpec {
  std::vector<std::int64_t> innerShape;
  std::vector<std::int64_t> chunksPerShard;
  CodecChain inner;
  CodecChain index;
  bool indexAtEnd = true;
  std::size_t indexEntries = 0;      ///< prod(chunksPerShard)
  std::size_t indexEncodedSize = 0;  ///< 16 * indexEntries plus any checksums
};

/// Marks an absent inner chunk in a shard index (both offset and nbytes).
inline constexpr std::uint64_t kShardEmpty = ~std::uint64_t{0};

/// Parses a v3 "codecs" list for chunks of `chunkShape` elements of `dtype`.
Expected<CodecChain> parseV3Codecs(const nlohmann::json& codecs,
                                   std::span<const std::int64_t> chunkShape, DType dtype,
                                   int depth = 0);
/// Parses a v2 "compressor" (a numcodecs config object, or null).
Expected<BytesCodecPtr> parseV2Compressor(const nlohmann::json& compressor);

/// Decodes one encoded chunk of `shape` into `out`: C order, native endian, exactly
/// prod(shape) * dtypeSize(dtype) bytes. `fill` (one element) fills absent inner chunks.
Expected<void> decodeChunk(const CodecChain& chain, std::span<const std::uint8_t> encoded,
                           std::span<const std::int64_t> shape, DType dtype,
                           std::span<const std::uint8_t> fill, std::span<std::uint8_t> out);

/// Decodes an encoded shard index into 2 * indexEntries native (offset, nbytes) values.
Expected<std::vector<std::uint64_t>> decodeShardIndex(const ShardingSpec& spec,
                                                      std::span<const std::uint8_t> encoded);

}  // namespace tessera::data
