#pragma once
/// Writes zarr v2 arrays and groups to a local directory. Used by the demo generator and by
/// tests; never pointed at a user's source dataset. writeChunk may be called concurrently for
/// different chunks of the same writer.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "data/dtype.h"
#include "data/error.h"

namespace tessera::data {

enum class ZarrCompressor { None, BloscLz4, Zstd, Zlib };

struct ZarrWriteOptions {
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> chunks;
  DType dtype = DType::U16;
  ZarrCompressor compressor = ZarrCompressor::BloscLz4;  ///< blosc: byte shuffle, clevel 5
  char dimensionSeparator = '/';
  double fillValue = 0;
};

class ZarrWriter {
 public:
  /// Creates `arrayDir` and writes `.zarray` (and `.zattrs` when attributes are non-empty).
  static Expected<ZarrWriter> create(const std::filesystem::path& arrayDir, ZarrWriteOptions opts,
                                     const nlohmann::json& attributes = nlohmann::json::object());
  /// `data` is one full chunk, C order, native-endian (edge chunks padded to full size).
  Expected<void> writeChunk(std::span<const std::int64_t> chunkIndex,
                            std::span<const std::uint8_t> data) const;
  const ZarrWriteOptions& options() const { return opts_; }

 private:
  ZarrWriter(std::filesystem::path dir, ZarrWriteOptions opts)
      : dir_(std::move(dir)), opts_(std::move(opts)) {}
  std::filesystem::path dir_;
  ZarrWriteOptions opts_;
};

/// Creates `groupDir` with `.zgroup` and `.zattrs` (zarr v2).
Expected<void> writeZarrGroup(const std::filesystem::path& groupDir,
                              const nlohmann::json& attributes = nlohmann::json::object());

}  // namespace tessera::data
