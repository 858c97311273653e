#pragma once
/// Coarser levels for a large prediction, written into its OME-Zarr: each level half the
/// previous by a 2×2 mean (an odd edge row or column averages the pixels there are), 512²
/// chunks, down to 512 px or less on the longer side; the multiscales gain one dataset per
/// level (pixel size doubled, translation kept). A viewer then draws the prediction zoomed out
/// without reading it whole. Memory: one 1024² window per channel at a time.
/// Blocking; call from a job thread or the CLI. Errors: the reader's and writer's, naming the
/// folder; Errc::Cancelled when `stop` is set.
#include <cstdint>
#include <filesystem>
#include <stop_token>

#include <nlohmann/json.hpp>

#include "data/error.h"

namespace tessera::data::ai {

/// Predictions with a longer side than this get a pyramid.
constexpr std::int64_t kPredictionPyramidThreshold = 4096;

/// `group` holds the finished level "0" and `attributes` (its OME-Zarr attributes, one dataset).
Expected<void> writePredictionPyramid(const std::filesystem::path& group, nlohmann::json attributes,
                                      const std::stop_token& stop = {});

}  // namespace tessera::data::ai
