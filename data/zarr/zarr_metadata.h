#pragma once
/// Parsed array metadata for zarr v2 (.zarray) and v3 (zarr.json), normalised to one shape:
/// a chunk grid, a native fill element, a chunk-key scheme and a decode CodecChain.
/// Pure functions; errors name `name` (the metadata key) and say what is wrong.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "data/dtype.h"
#include "data/error.h"
#include "data/store.h"
#include "data/zarr/codec_chain.h"

namespace tessera::data {

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
