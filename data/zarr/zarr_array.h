#pragma once
/// A zarr array (v2 `.zarray` or v3 `zarr.json`) read through any Store.
/// open() parses metadata only. Reads are thread-safe and return native-endian, C-order bytes.
/// Errors name the store and key (e.g. "/data/img.zarr/0/1/0/0: blosc: bad header").
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "data/dtype.h"
#include "data/error.h"
#include "data/store.h"

namespace tessera::data {

struct ZarrMetadata;

class ZarrArray {
 public:
  virtual ~ZarrArray() = default;
  /// Opens the array at `path` ("" for the store root); detects v2 or v3.
  static Expected<std::unique_ptr<ZarrArray>> open(std::shared_ptr<const Store> store,
                                                   std::string path);

  /// An array over already parsed metadata (another chunk format such as N5 sets
  /// meta.format). The chunk shape must be valid (positive, its byte size within
  /// kMaxZarrBuffer): the parser checks it.
  static std::unique_ptr<ZarrArray> fromMetadata(std::shared_ptr<const Store> store,
                                                 std::string path, ZarrMetadata meta);

  virtual int zarrFormat() const = 0;
  virtual const std::vector<std::int64_t>& shape() const = 0;
  /// The read granularity: the inner chunk shape for sharded v3 arrays.
  virtual const std::vector<std::int64_t>& chunks() const = 0;
  virtual DType dtype() const = 0;
  /// v3 dimension_names, if present.
  virtual const std::vector<std::string>& dimensionNames() const = 0;
  /// .zattrs (v2) or zarr.json "attributes" (v3).
  virtual const nlohmann::json& attributes() const = 0;
  /// The compression of its chunks as `tessera info` shows it ("blosc", "zstd", "none",
  /// "sharding_indexed(gzip)"; for N5 the N5 compression type).
  virtual std::string codecName() const = 0;

  /// One chunk at full chunk size (edge chunks padded as stored), fill value if missing.
  virtual Expected<Bytes> readChunk(std::span<const std::int64_t> chunkIndex,
                                    const std::stop_token& stop = {}) const = 0;
  /// The box [start, start + count) in C order, assembled from chunks.
  virtual Expected<Bytes> readRegion(std::span<const std::int64_t> start,
                                     std::span<const std::int64_t> count,
                                     const std::stop_token& stop = {}) const = 0;
};

/// Group/array attributes at `path`: v2 `.zattrs` (or consolidated `.zmetadata`), v3
/// `zarr.json` "attributes". Empty object when the node has none. NotFound if no node.
Expected<nlohmann::json> readZarrAttributes(const Store& store, const std::string& path);

}  // namespace tessera::data
