#include "app/core/app_context.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace tessera::app {

AppContext::AppContext(std::size_t cacheMb)
    : tilePool(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())),
               std::getenv("TESSERA_TILE_NICE") ? std::atoi(std::getenv("TESSERA_TILE_NICE")) : 0),
      jobPool(2),
      cache(cacheMb * 1024 * 1024, tilePool) {}

AppContext::~AppContext() {
  jobPool.waitIdle();
  hdf5Pool.waitIdle();
  tilePool.waitIdle();
}

}  // namespace tessera::app
