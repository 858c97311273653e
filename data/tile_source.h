#pragma once
/// A read-only multiscale image cut into tiles (QuPath's ImageServer shape).
/// info() is cheap and never does I/O. readTile blocks and is for worker threads only;
/// implementations must be safe to call from several workers at once.
#include <compare>
#include <cstdint>
#include <memory>
#include <stop_token>

#include "data/error.h"
#include "data/image_info.h"
#include "data/store.h"

namespace tessera::data {

struct TileKey {
  int level = 0;
  std::int64_t t = 0, c = 0, z = 0, row = 0, col = 0;
  auto operator<=>(const TileKey&) const = default;
};

/// One channel of one y/x tile, native-endian, row-major. Edge tiles are cropped to the image.
struct Tile {
  DType dtype = DType::U16;
  int width = 0;
  int height = 0;
  Bytes data;  ///< width * height * dtypeSize(dtype) bytes
  std::size_t byteSize() const { return data.size() + sizeof(Tile); }
};

/// Pixel `i` of a tile as a double (every dtype, half floats included; NaN stays NaN).
double tileValue(const Tile& tile, std::size_t i);
/// Pixel `i` as an integer, as label images are read: integer dtypes exactly, floats truncated,
/// NaN and infinities 0 (background).
std::int64_t tileInteger(const Tile& tile, std::size_t i);

class TileSource {
 public:
  virtual ~TileSource() = default;
  virtual const ImageInfo& info() const = 0;
  /// Errc::Cancelled if `stop` was requested before decoding.
  virtual Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const = 0;
};

/// Number of tile rows/cols of a level.
inline std::int64_t tileRows(const LevelInfo& l) {
  return (l.shape[kY] + l.chunk[kY] - 1) / l.chunk[kY];
}
inline std::int64_t tileCols(const LevelInfo& l) {
  return (l.shape[kX] + l.chunk[kX] - 1) / l.chunk[kX];
}

}  // namespace tessera::data
