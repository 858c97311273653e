#pragma once
/// N5 datasets on the zarr chunk core: attributes.json parsed into ZarrMetadata (dimensions and
/// block size reversed into C order, as N5 lists the fastest axis first) with an N5 ChunkFormat
/// that names block keys ("x/y/z" grid positions, N5 order) and reads N5 blocks: a big-endian
/// header (mode, number of dimensions, block size; a varlength block adds its element count)
/// and the compressed big-endian payload; edge blocks may be stored cropped to the dataset.
/// Compressions: raw, gzip (and zlib), bzip2, xz, lz4 (lz4-java blocks), blosc, zstd; both the
/// "compression" object and the older "compressionType" string. Pure functions, thread-safe.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "data/error.h"
#include "data/store.h"
#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_metadata.h"

namespace tessera::data {

/// A decoded N5 block may hold at most this many bytes (the memory budget of one chunk read).
inline constexpr std::size_t kMaxN5BlockBytes = std::size_t{1} << 30;

/// True when `attrs` (an attributes.json) describes a dataset: dimensions, blockSize, dataType.
bool isN5Dataset(const nlohmann::json& attrs);

/// The dataset's metadata; `name` (the attributes file) prefixes errors. Unknown data types and
/// compressions are Errc::Unsupported naming them; malformed or implausible fields (a block
/// bigger than kMaxN5BlockBytes, dimensions whose element count overflows) Errc::Corrupt.
Expected<ZarrMetadata> parseN5Attributes(const nlohmann::json& attrs, const std::string& name);

/// Reads `path`/attributes.json of `store` ("" for the root) and opens the dataset.
Expected<std::unique_ptr<ZarrArray>> openN5Array(std::shared_ptr<const Store> store,
                                                 const std::string& path);

/// The attributes.json at `path`: an empty object when the directory has none but exists as
/// an N5 group; NotFound when absent. Errc::Corrupt for malformed JSON.
Expected<nlohmann::json> readN5Attributes(const Store& store, const std::string& path);

}  // namespace tessera::data
