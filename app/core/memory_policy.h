#pragma once
/// Process-wide allocator policy of the tessera executable (and of benchmarks that must measure
/// what the app does). Decoded tiles and tile textures are 0.25-2 MB blocks allocated and freed
/// by the thousand on several threads; with glibc's defaults the mmap threshold rises after the
/// first such block is freed, later blocks land in per-thread arenas and fragment them, and peak
/// RSS ends far above the tile cache budget. Fixing the threshold keeps every large block in its
/// own mapping (returned to the system on free), and capping the arenas bounds the small-block
/// heaps. Call once, first thing in main(), before any thread starts. Not thread-safe.
namespace tessera::app {

void applyMemoryPolicy();

}  // namespace tessera::app
