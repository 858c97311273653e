#pragma once
/// Writes a tiled prediction to disk: an OME-Zarr 0.4 image (zarr v2, axes c, y, x, float32,
/// one chunk per predicted tile, written as tiles finish) or, for ".ome.tif"/".ome.tiff", that
/// OME-Zarr in a temporary folder beside the output re-encoded by the region exporter (which
/// needs channels plane by plane) and then removed. Either way memory stays bounded.
///
/// The output keeps the region's geometry: its pixel size is the level's, its translation puts
/// it where the region lies, channel names are the model's output channels. Channel display
/// windows are the value range seen. A prediction over 4096 px on a side gets coarser levels
/// (prediction_pyramid.h). The OME-Zarr is written into "<out>.partial" and renamed
/// at the end, so a failed or cancelled run leaves nothing; an existing `out` is never
/// replaced (Errc::InvalidArgument naming it). Threads and errors as predictTiles.
#include <array>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/ai/tiled_predict.h"

namespace tessera::data::ai {

struct PredictionFileResult {
  PredictPlan plan;
  std::vector<std::string> channelNames;
  std::vector<std::array<double, 2>> ranges;  ///< min, max of each output channel
};

/// Output channel names: the rdf's names, else "<output>" (one channel) or "<output>:<i>".
std::vector<std::string> outputChannelNames(const ModelSpec& model);

/// The OME-Zarr 0.4 attributes (multiscales with one level, axes c, y, x; omero channels) of an
/// image covering `plan`'s region of `level` of `info`: pixel size of the level, translated to
/// where the region lies. Shared by predictions and the label images made from them.
nlohmann::json predictionAttributes(const ImageInfo& info, int level, const PredictPlan& plan,
                                    const std::vector<std::string>& channelNames,
                                    const std::vector<std::array<double, 2>>& ranges,
                                    const std::string& name);

Expected<PredictionFileResult> predictToFile(const TileSource& source, OnnxNetPool& nets,
                                             const PredictRequest& request,
                                             const std::filesystem::path& out,
                                             Executor* executor = nullptr,
                                             const std::stop_token& stop = {},
                                             const std::function<void(double)>& progress = {});

}  // namespace tessera::data::ai
