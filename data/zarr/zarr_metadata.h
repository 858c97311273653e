#pragma once
/// Parsed array metadata for zarr v2 (.zarray) and v3 (zarr.json), normalised to one shape:
/// a chunk grid, a native fill element, a chunk-key scheme and a decode CodecChain.
/// Pure functions; errors name `name` (the metadata key) and say what is wrong.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/dtype.h"
#include "data/error.h"
#include "data/store.h"
#include "data/zarr/codec_chain.h"

namespace tessera::data {

/// A chunk format other than zarr's, riding on the same chunk core (N5 blocks): how a chunk's
/// key is named and how its stored bytes become one padded C-order chunk. Immutable, shared
/// between threads. Errors carry no store key (the caller prefixes it).
class ChunkFormat {
 public:
  virtual ~ChunkFormat() = default;
  /// Store key of the chunk at C-order grid `index`, relative to the array.
  virtual std::string key(std::span<const std::int64_t> index) const = 0;
  /// Decodes the stored chunk at `index` into `out`: the full chunk, C order, native endian.
  virtual Expected<void> decode(std::span<const std::uint8_t> encoded,
                                std::span<const std::int64_t> index,
                                std::span<std::uint8_t> out) const = 0;
  /// The compression as the format names it ("gzip", "xz", ...), for `tessera info`.
  virtual std::string codecName() const = 0;
};

struct ZarrMetadata {
  int zarrFormat = 2;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> chunkShape;  ///< the stored chunk grid (whole shards when sharded)
  DType dtype = DType::U8;
  Bytes fillValue;        ///< one element, native endian
  std::string keyPrefix;  ///< "c" for the v3 default key encoding, else empty
  char separator = '.';
  CodecChain codecs;
  std::vector<std::string> dimensionNames;
  nlohmann::json attributes = nlohmann::json::object();
  /// Set for non-zarr chunk formats; then `codecs` is unused by the array and the format
  /// names keys and decodes chunks.
  std::shared_ptr<const ChunkFormat> format;
};

Expected<ZarrMetadata> parseZarrayMetadata(const nlohmann::json& zarray, const std::string& name);
Expected<ZarrMetadata> parseZarrJsonMetadata(const nlohmann::json& zarrJson,
                                             const std::string& name);

/// A fill_value as one native element of `dtype`: numbers, numbers written as strings, null
/// (zero), "NaN", "Infinity", "-Infinity", booleans and (v3) "0x…" raw bit patterns.
Expected<Bytes> parseFillValue(const nlohmann::json& value, DType dtype);

/// Chunk key relative to the array, e.g. "1.2", "1/2", "c/1/2", "0" or "c" for 0-d arrays.
std::string chunkKey(const ZarrMetadata& meta, std::span<const std::int64_t> index);

}  // namespace tessera::data
