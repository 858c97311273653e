#include "data/zarr/array_tile.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tessera::data {

Expected<Tile> readArrayTile(const ZarrArray& arr, const LevelInfo& L, std::span<const int> slots,
                             bool wholeChunk, DType dtype, const TileKey& key,
                             const std::stop_token& stop, const std::string& where) {
  const std::int64_t coord[3] = {key.t, key.c, key.z};
  for (int s = kT; s <= kZ; ++s)
    if (coord[s] < 0 || coord[s] >= L.shape[s])
      return fail(Errc::InvalidArgument, where + ": tile t/c/z out of range");
  if (key.row < 0 || key.row >= tileRows(L) || key.col < 0 || key.col >= tileCols(L))
    return fail(Errc::InvalidArgument, where + ": tile row/col out of range");

  const std::int64_t y0 = key.row * L.chunk[kY], x0 = key.col * L.chunk[kX];
  const std::int64_t h = std::min(L.chunk[kY], L.shape[kY] - y0);
  const std::int64_t w = std::min(L.chunk[kX], L.shape[kX] - x0);
  const std::size_t es = dtypeSize(dtype);
  const std::size_t ndim = slots.size();

  Tile tile;
  tile.dtype = dtype;
  tile.width = static_cast<int>(w);
  tile.height = static_cast<int>(h);
  const std::size_t rowBytes = static_cast<std::size_t>(w) * es;

  if (wholeChunk) {
    std::vector<std::int64_t> index(ndim);
    for (std::size_t i = 0; i < ndim; ++i) {
      const int s = slots[i];
      index[i] = s == kY ? key.row : s == kX ? key.col : coord[s];
    }
    auto chunk = arr.readChunk(index, stop);
    if (!chunk) return std::unexpected(chunk.error());
    const std::int64_t cy = L.chunk[kY], cx = L.chunk[kX];
    if (chunk->size() != static_cast<std::size_t>(cy * cx) * es)
      return fail(Errc::Corrupt, where + ": chunk has " + std::to_string(chunk->size()) +
                                     " bytes, expected " +
                                     std::to_string(cy * cx * static_cast<std::int64_t>(es)));
    if (w == cx && h == cy) {
      tile.data = std::move(*chunk);
      return tile;
    }
    tile.data.resize(static_cast<std::size_t>(h) * rowBytes);
    for (std::int64_t r = 0; r < h; ++r)
      std::memcpy(tile.data.data() + static_cast<std::size_t>(r) * rowBytes,
                  chunk->data() + static_cast<std::size_t>(r * cx) * es, rowBytes);
    return tile;
  }

  std::vector<std::int64_t> start(ndim), count(ndim);
  for (std::size_t i = 0; i < ndim; ++i) {
    const int s = slots[i];
    start[i] = s == kY ? y0 : s == kX ? x0 : coord[s];
    count[i] = s == kY ? h : s == kX ? w : 1;
  }
  auto region = arr.readRegion(start, count, stop);
  if (!region) return std::unexpected(region.error());
  if (region->size() != static_cast<std::size_t>(h) * rowBytes)
    return fail(Errc::Corrupt, where + ": region has the wrong size");
  tile.data = std::move(*region);
  return tile;
}

}  // namespace tessera::data
