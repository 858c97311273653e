#pragma once
/// The process-wide services, created once in main() (the only place that creates thread
/// pools) and passed by reference to whoever needs them.
#include <memory>

#include "data/thread_pool.h"
#include "data/tile_cache.h"

namespace tessera::app {

struct AppContext {
  /// `cacheMb` is the tile cache budget; pools are sized to the machine.
  explicit AppContext(std::size_t cacheMb);
  ~AppContext();
  /// Tile reads and decoding: one worker per core.
  data::ThreadPool tilePool;
  /// Long jobs that block while they fan work out to tilePool (demo generation, opening).
  data::ThreadPool jobPool;
  /// HDF5 is not re-entrant: every H5adFile / TenxH5File call runs here, one task at a time.
  data::ThreadPool hdf5Pool{1};
  data::TileCache cache;
};

constexpr std::size_t kDefaultCacheMb = 1024;

}  // namespace tessera::app
