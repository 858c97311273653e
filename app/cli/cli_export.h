#pragma once
/// `tessera export INPUT --region x,y,w,h [--level N] [--t T] [--z Z] [--channels i,j,...]
/// [--compression deflate|none] --out FILE.ome.tif`: raw values of a region to an OME-TIFF
/// (data/export/region_export.h). The region is in pixels of the chosen level. Runs on the main
/// thread; tiles are read on AppContext::tilePool. Exit codes: 0 written, 2 bad input (bad
/// arguments, missing or unsupported input, region/channel/level outside the image,
/// unwritable output), 1 internal failure. Errors are one line on stderr.
#include <cstddef>
#include <string>
#include <vector>

namespace tessera::app {

int runExport(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
