#pragma once
/// `tessera fetch URL --out DIR`: downloads a file or an OME-Zarr tree for offline use, with a
/// terminal progress bar, resume from earlier partial runs (also after kill -9), size and
/// sha256 checks. Exit code 0 only when every object arrived and verified (chunks the server
/// does not have are zarr fill values, not failures); 2 for bad input; 1 otherwise.
/// Runs on the calling thread (the CLI's main thread).
#include <string>
#include <vector>

namespace tessera::app {

int runFetch(const std::vector<std::string>& args);

}  // namespace tessera::app
