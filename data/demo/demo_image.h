#pragma once
/// Writes the demo's OME-Zarr 0.4 image (c, y, x; uint16; 6 levels; blosc-lz4 chunks of
/// 1 x 512 x 512) from a TissueModel through ZarrWriter. Level 0 is painted chunk by chunk on
/// the executor and immediately reduced into level 1, so level 0 is never held in memory;
/// coarser levels are 2x2 means of the level above. Blocks the calling thread, which helps.
#include <array>
#include <filesystem>
#include <functional>
#include <string>

#include "data/demo/tissue_model.h"
#include "data/demo/tissue_painter.h"
#include "data/error.h"
#include "data/executor.h"

namespace tessera::data::demo {

inline constexpr int kDemoLevels = 6;
inline constexpr int kDemoChunk = 512;

struct DemoImageStats {
  /// Display window per channel: ~1st and ~99.5th percentile of in-tissue pixels of level 3.
  std::array<std::array<double, 2>, kDemoChannels> window{};
};

/// `progress(fraction, stage)` runs on the calling thread; returning false cancels
/// (Errc::Cancelled; the caller removes the partial output).
Expected<DemoImageStats> writeDemoImage(
    const TissueModel& model, const std::filesystem::path& zarrDir, Executor& executor,
    const std::function<bool(double, const std::string&)>& progress);

}  // namespace tessera::data::demo
