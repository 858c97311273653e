#include "app/core/app_context.h"

#include <algorithm>
#include <thread>

namespace tessera::app {

AppContext::AppContext(std::size_t cacheMb)
    : tilePool(static_cast<int>(std::max(2u, std::thread::hardware_concurrency()))),
      jobPool(2),
      cache(cacheMb * 1024 * 1024, tilePool) {}

AppContext::~AppContext() {
  jobPool.waitIdle();
  hdf5Pool.waitIdle();
  tilePool.waitIdle();
}

}  // namespace tessera::app
