#pragma once
/// Reading one y/x tile of one (t, c, z) plane out of a zarr-core array (zarr v2/v3, N5), for
/// the tile sources built on them (OME-Zarr, bare arrays, N5). Thread-safe (no state).
#include <span>
#include <stop_token>
#include <string>

#include "data/tile_source.h"
#include "data/zarr/zarr_array.h"

namespace tessera::data {

/// The tile `key` (its level already resolved to `array` and `level`) of an array whose stored
/// axis i is canonical slot `slots[i]`. `wholeChunk`: each tile is exactly one stored chunk
/// (read with readChunk, cropped at the edges), else the tile's box is read with readRegion.
/// Errors: InvalidArgument for a key outside the level, the array's errors otherwise;
/// `where` names the level in messages.
Expected<Tile> readArrayTile(const ZarrArray& array, const LevelInfo& level,
                             std::span<const int> slots, bool wholeChunk, DType dtype,
                             const TileKey& key, const std::stop_token& stop,
                             const std::string& where);

}  // namespace tessera::data
