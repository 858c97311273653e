#pragma once
/// The process-wide services, created once in main() (the only place that creates thread
/// pools) and passed by reference to whoever needs them.
#include <filesystem>
#include <functional>
#include <memory>

#include "data/error.h"
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
  /// When set, opening a dataset runs it on an HDF5-backed cell table before this process
  /// reads the file; an error refuses the dataset. The window sets it (CellsSession) to the
  /// helper process of app/cells/cells_helper.h, which may crash in HDF5 without taking the
  /// window down; the CLI leaves it empty. Set once before anything opens; never reset.
  std::function<data::Expected<void>(const std::filesystem::path&)> checkHdf5Table;
};

constexpr std::size_t kDefaultCacheMb = 1024;

}  // namespace tessera::app
