#pragma once
/// `tessera measure INPUT --annotations FILE.geojson`: per-annotation measurements (area,
/// perimeter, per-channel statistics of the raw values, cells inside and their gene means)
/// streamed tile by tile; see data/annotation/measure.h. Main thread of the CLI only.
#include <string>
#include <vector>

namespace tessera::app {

int runMeasure(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
