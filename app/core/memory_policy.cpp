#include "app/core/memory_policy.h"

#include <malloc.h>

namespace tessera::app {

void applyMemoryPolicy() {
  // Blocks from 128 KiB up (every tile, texture and decode buffer) get their own mapping; setting
  // the threshold explicitly also turns off glibc's dynamic raising of it.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  // A few arenas are enough for two to eight workers; each extra arena keeps its own free lists.
  mallopt(M_ARENA_MAX, 4);
}

}  // namespace tessera::app
