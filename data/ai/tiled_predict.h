#pragma once
/// Runs a model over a region of one level, t and z of a TileSource, tile by tile, so that the
/// result equals one run of the network over the whole region:
///
/// - Each output tile ("core") is predicted from a window that adds the model's halo on every
///   side. Where the window reaches past the *image* edge it is cut there, so the network pads
///   as it would for the whole image; past a *region* edge it reads the real neighbouring
///   pixels. A model with a fixed input size gets windows of exactly that size, slid inwards at
///   the image edge (zero-filled only when the image is smaller than the input). Models that
///   downsample get windows that start on multiples of their step, padded with zeros at the
///   image's far edge up to a size they accept.
/// - Statistics of per-sample preprocessing come from the whole region first (sampled to at
///   most kStatisticsSamples pixels per channel, exact below that).
/// - Tiles run in parallel on `executor` (each with its own network), at most concurrency()+1
///   windows in memory at once; each finished core goes to the sink and is dropped, so memory
///   does not grow with the region.
///
/// Threads: blocking; call from a job thread or the CLI, never the GUI thread. The sink is
/// called from worker threads, concurrently for different tiles; `progress` one call at a time.
/// Errors: InvalidArgument for a request outside the image or channels that do not match the model
/// (saying what it expects), the reader's or OpenCV's error for a failed tile, Cancelled when
/// `stop` is set.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <vector>

#include "data/ai/model_spec.h"
#include "data/ai/onnx_model.h"
#include "data/executor.h"
#include "data/tile_source.h"

namespace tessera::data::ai {

constexpr std::int64_t kStatisticsSamples = 1 << 22;

struct PredictRequest {
  int level = 0;
  /// Region in pixels of `level`; width or height 0 means the whole level.
  std::int64_t x = 0, y = 0, width = 0, height = 0;
  std::int64_t t = 0, z = 0;
  /// Source channels fed to the model, in the model's input order; empty: all of the image's
  /// channels when their count matches the model's.
  std::vector<std::int64_t> channels;
  std::optional<std::int64_t> halo;  ///< overrides the model's halo
  std::int64_t tile = 512;           ///< core tile edge for models that accept any size
};

/// The tiling chosen for a request (exposed for tests and progress messages).
struct PredictPlan {
  std::int64_t x = 0, y = 0, width = 0, height = 0;  ///< the region, level pixels
  std::vector<std::int64_t> channels;                ///< resolved source channels
  std::int64_t halo = 0;
  std::int64_t tile = 0;  ///< core edge; cores start at region origin + k * tile
  std::int64_t rows = 0, cols = 0;
};

/// One finished output tile: `planes` (one per output channel) cover [x, x+w) × [y, y+h) in
/// level pixels.
using PredictSink =
    std::function<Expected<void>(std::int64_t x, std::int64_t y, const Planes& planes)>;

Expected<PredictPlan> planPrediction(const ImageInfo& info, const ModelSpec& model,
                                     const PredictRequest& request);

Expected<PredictPlan> predictTiles(const TileSource& source, OnnxNetPool& nets,
                                   const PredictRequest& request, const PredictSink& sink,
                                   Executor* executor = nullptr, const std::stop_token& stop = {},
                                   const std::function<void(double)>& progress = {});

/// Float planes of `channels` over [x, x+w) × [y, y+h) of a level (zeros outside the image).
Expected<Planes> readWindow(const TileSource& source, int level, std::int64_t t, std::int64_t z,
                            const std::vector<std::int64_t>& channels, std::int64_t x,
                            std::int64_t y, std::int64_t w, std::int64_t h,
                            const std::stop_token& stop = {});

}  // namespace tessera::data::ai
