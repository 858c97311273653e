#pragma once
/// Whole-level reads for the image tests: every tile of one pyramid level assembled into
/// t,c,z,y,x C order, to compare byte for byte with what an independent writer dumped.
/// Test-only; reads through TileSource::readTile on the calling thread.
#include <QtGlobal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "data/tile_source.h"

namespace tessera::test {

/// Level `level` in t,c,z,y,x C order; empty (with a warning) if a tile fails or has the wrong
/// size.
inline data::Bytes readLevel(const data::TileSource& src, int level) {
  using namespace tessera::data;
  const LevelInfo& L = src.info().levels[static_cast<std::size_t>(level)];
  const std::size_t es = dtypeSize(src.info().dtype);
  Bytes out(
      static_cast<std::size_t>(L.shape[0] * L.shape[1] * L.shape[2] * L.shape[3] * L.shape[4]) *
      es);
  for (std::int64_t t = 0; t < L.shape[kT]; ++t)
    for (std::int64_t c = 0; c < L.shape[kC]; ++c)
      for (std::int64_t z = 0; z < L.shape[kZ]; ++z)
        for (std::int64_t r = 0; r < tileRows(L); ++r)
          for (std::int64_t col = 0; col < tileCols(L); ++col) {
            auto tile = src.readTile({level, t, c, z, r, col}, {});
            if (!tile) {
              qWarning("%s", tile.error().message.c_str());
              return {};
            }
            if (tile->data.size() != static_cast<std::size_t>(tile->width * tile->height) * es) {
              qWarning("tile %lld,%lld of level %d has %zu bytes", static_cast<long long>(r),
                       static_cast<long long>(col), level, tile->data.size());
              return {};
            }
            const std::int64_t plane =
                ((t * L.shape[kC] + c) * L.shape[kZ] + z) * L.shape[kY] * L.shape[kX];
            for (int y = 0; y < tile->height; ++y) {
              const std::int64_t gy = r * L.chunk[kY] + y, gx = col * L.chunk[kX];
              std::memcpy(out.data() + static_cast<std::size_t>(plane + gy * L.shape[kX] + gx) * es,
                          tile->data.data() + static_cast<std::size_t>(y) * tile->width * es,
                          static_cast<std::size_t>(tile->width) * es);
            }
          }
  return out;
}

/// A whole file's bytes (empty when it cannot be read).
inline data::Bytes slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return data::Bytes(std::istreambuf_iterator<char>(f), {});
}

}  // namespace tessera::test
