// A zarr chunk through its codec chain: the first input byte picks one of the array
// definitions below (v2 compressors and byte orders; v3 codec chains with transpose, crc32c
// and sharding_indexed with the index at either end, nested); the rest is the encoded chunk
// (or shard), decoded into a buffer of the chunk's size. Sharded chains also decode the rest
// as a shard index on its own.
#include <nlohmann/json.hpp>

#include "data/zarr/zarr_metadata.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

namespace {

const char* const kV2[] = {
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"<u2","fill_value":0,"order":"C","filters":null,
        "compressor":{"id":"blosc","cname":"lz4","clevel":5,"shuffle":1,"blocksize":0}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"<f4","fill_value":"NaN","order":"C","filters":null,
        "compressor":{"id":"blosc","cname":"zstd","clevel":3,"shuffle":2,"blocksize":0}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"<f4","fill_value":0,"order":"C","filters":null,
        "compressor":{"id":"zstd","level":3}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"<i4","fill_value":0,"order":"C","filters":null,
        "compressor":{"id":"zlib","level":1}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":">u2","fill_value":0,"order":"F","filters":null,
        "compressor":{"id":"gzip","level":1}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"|u1","fill_value":0,"order":"C","filters":null,
        "compressor":{"id":"lz4","acceleration":1}})",
    R"({"zarr_format":2,"shape":[32,32],"chunks":[16,16],"dtype":"<f8","fill_value":0,"order":"C","filters":null,
        "compressor":null})",
};

const char* const kV3[] = {
    R"({"zarr_format":3,"node_type":"array","shape":[32,32],"data_type":"uint16","fill_value":0,
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},"chunk_key_encoding":{"name":"default"},
        "codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"gzip","configuration":{"level":1}}]})",
    R"({"zarr_format":3,"node_type":"array","shape":[32,32],"data_type":"float32","fill_value":0,
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},"chunk_key_encoding":{"name":"default"},
        "codecs":[{"name":"transpose","configuration":{"order":[1,0]}},{"name":"bytes","configuration":{"endian":"big"}},
                  {"name":"zstd","configuration":{"level":1,"checksum":false}},{"name":"crc32c"}]})",
    R"({"zarr_format":3,"node_type":"array","shape":[32,32],"data_type":"uint16","fill_value":0,
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},"chunk_key_encoding":{"name":"default"},
        "codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[8,8],
          "codecs":[{"name":"bytes","configuration":{"endian":"little"}},
                    {"name":"blosc","configuration":{"cname":"lz4","clevel":5,"shuffle":"shuffle","typesize":2,"blocksize":0}}],
          "index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],
          "index_location":"end"}}]})",
    R"({"zarr_format":3,"node_type":"array","shape":[32,32],"data_type":"int8","fill_value":0,
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},"chunk_key_encoding":{"name":"default"},
        "codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[4,8],
          "codecs":[{"name":"bytes"},{"name":"gzip","configuration":{"level":1}}],
          "index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}],
          "index_location":"start"}}]})",
    R"({"zarr_format":3,"node_type":"array","shape":[32,32],"data_type":"uint8","fill_value":0,
        "chunk_grid":{"name":"regular","configuration":{"chunk_shape":[16,16]}},"chunk_key_encoding":{"name":"default"},
        "codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[8,8],
          "codecs":[{"name":"sharding_indexed","configuration":{"chunk_shape":[4,4],"codecs":[{"name":"bytes"}],
                     "index_codecs":[{"name":"bytes","configuration":{"endian":"little"}}],"index_location":"end"}}],
          "index_codecs":[{"name":"bytes","configuration":{"endian":"little"}},{"name":"crc32c"}],
          "index_location":"end"}}]})",
};

std::vector<data::ZarrMetadata> parseAll() {
  std::vector<data::ZarrMetadata> out;
  for (const char* s : kV2)
    if (auto m = data::parseZarrayMetadata(nlohmann::json::parse(s), "fuzz/.zarray"))
      out.push_back(std::move(*m));
  for (const char* s : kV3)
    if (auto m = data::parseZarrJsonMetadata(nlohmann::json::parse(s), "fuzz/zarr.json"))
      out.push_back(std::move(*m));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<data::ZarrMetadata> kArrays = parseAll();
  if (size < 1 || kArrays.empty()) return 0;
  const auto& meta = kArrays[data[0] % kArrays.size()];
  const std::span<const std::uint8_t> encoded(data + 1, size - 1);
  std::size_t n = data::dtypeSize(meta.dtype);
  for (const auto c : meta.chunkShape)
    n *= static_cast<std::size_t>(c);
  std::vector<std::uint8_t> out(n);
  (void)data::decodeChunk(meta.codecs, encoded, meta.chunkShape, meta.dtype, meta.fillValue, out);
  if (meta.codecs.sharding) (void)data::decodeShardIndex(*meta.codecs.sharding, encoded);
  return 0;
}
