#include "data/ai/prediction_output.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>

#include "data/ai/prediction_pyramid.h"
#include "data/export/region_export.h"
#include "data/image_open.h"
#include "data/zarr/zarr_writer.h"

namespace fs = std::filesystem;

namespace tessera::data::ai {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

const std::uint32_t kPalette[] = {0xFFFFFF, 0xFF00FF, 0x00FFFF, 0xFFFF00,
                                  0xFF0000, 0x00FF00, 0x0000FF, 0xFF8000};

std::string hexColor(std::uint32_t c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06X", c & 0xFFFFFF);
  return buf;
}

}  // namespace

nlohmann::json predictionAttributes(const ImageInfo& info, int level, const PredictPlan& plan,
                                    const std::vector<std::string>& channelNames,
                                    const std::vector<std::array<double, 2>>& ranges,
                                    const std::string& name) {
  const auto& l = info.levels[static_cast<std::size_t>(level)];
  const double sy = l.scale[kY], sx = l.scale[kX];
  const double ty = l.translation[kY] + static_cast<double>(plan.y) * sy;
  const double tx = l.translation[kX] + static_cast<double>(plan.x) * sx;
  nlohmann::json space = {{"type", "space"}};
  nlohmann::json yAxis = {{"name", "y"}, {"type", "space"}};
  nlohmann::json xAxis = {{"name", "x"}, {"type", "space"}};
  if (!info.spaceUnit.empty()) {
    yAxis["unit"] = info.spaceUnit;
    xAxis["unit"] = info.spaceUnit;
  }
  nlohmann::json transforms =
      nlohmann::json::array({{{"type", "scale"}, {"scale", {1.0, sy, sx}}},
                             {{"type", "translation"}, {"translation", {0.0, ty, tx}}}});
  nlohmann::json channels = nlohmann::json::array();
  for (std::size_t c = 0; c < channelNames.size(); ++c) {
    auto lo = ranges[c][0], hi = ranges[c][1];
    if (!(lo <= hi)) lo = hi = 0;
    channels.push_back({{"label", channelNames[c]},
                        {"color", hexColor(kPalette[c % std::size(kPalette)])},
                        {"active", true},
                        {"coefficient", 1.0},
                        {"family", "linear"},
                        {"inverted", false},
                        {"window", {{"start", lo}, {"end", hi}, {"min", lo}, {"max", hi}}}});
  }
  return {
      {"multiscales",
       nlohmann::json::array(
           {{{"version", "0.4"},
             {"name", name},
             {"axes", nlohmann::json::array({{{"name", "c"}, {"type", "channel"}}, yAxis, xAxis})},
             {"datasets", nlohmann::json::array(
                              {{{"path", "0"}, {"coordinateTransformations", transforms}}})}}})},
      {"omero",
       {{"name", name},
        {"version", "0.4"},
        {"channels", channels},
        {"rdefs", {{"model", "color"}, {"defaultT", 0}, {"defaultZ", 0}}}}}};
}

namespace {

Expected<PredictionFileResult> predictToZarr(const TileSource& source, OnnxNetPool& nets,
                                             const PredictRequest& req, const fs::path& out,
                                             Executor* executor, const std::stop_token& stop,
                                             const std::function<void(double)>& progress,
                                             bool pyramid) {
  const ModelSpec& model = nets.spec();
  auto plan = planPrediction(source.info(), model, req);
  if (!plan) return std::unexpected(plan.error());
  PredictionFileResult result;
  result.channelNames = outputChannelNames(model);
  const std::size_t C = result.channelNames.size();
  result.ranges.assign(
      C, {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()});

  fs::path partial = out;
  partial += ".partial";
  std::error_code ec;
  fs::remove_all(partial, ec);
  struct Cleanup {
    fs::path p;
    bool keep = false;
    ~Cleanup() {
      std::error_code e;
      if (!keep) fs::remove_all(p, e);
    }
  } cleanup{partial};

  ZarrWriteOptions opts;
  opts.shape = {static_cast<std::int64_t>(C), plan->height, plan->width};
  opts.chunks = {1, plan->tile, plan->tile};
  opts.dtype = DType::F32;
  opts.compressor = ZarrCompressor::BloscLz4;
  auto writer = ZarrWriter::create(partial / "0", opts);
  if (!writer) return std::unexpected(writer.error());

  std::mutex rangeMutex;
  const auto tile = static_cast<int>(plan->tile);
  auto sink = [&](std::int64_t x, std::int64_t y, const Planes& planes) -> Expected<void> {
    std::vector<std::uint8_t> chunk(static_cast<std::size_t>(tile) * tile * sizeof(float));
    for (std::size_t c = 0; c < planes.size(); ++c) {
      cv::Mat full(tile, tile, CV_32F, chunk.data());
      full.setTo(0);
      planes[c].copyTo(full(cv::Rect(0, 0, planes[c].cols, planes[c].rows)));
      double lo = 0, hi = 0;
      cv::minMaxLoc(planes[c], &lo, &hi);
      {
        std::lock_guard lock(rangeMutex);
        result.ranges[c][0] = std::min(result.ranges[c][0], lo);
        result.ranges[c][1] = std::max(result.ranges[c][1], hi);
      }
      const std::int64_t idx[3] = {static_cast<std::int64_t>(c), (y - plan->y) / plan->tile,
                                   (x - plan->x) / plan->tile};
      if (auto w = writer->writeChunk(idx, chunk); !w) return w;
    }
    return {};
  };
  auto done = predictTiles(source, nets, req, sink, executor, stop, progress);
  if (!done) return std::unexpected(done.error());
  result.plan = *done;
  const auto attrs =
      predictionAttributes(source.info(), req.level, result.plan, result.channelNames,
                           result.ranges, model.name.empty() ? "prediction" : model.name);
  if (auto g = writeZarrGroup(partial, attrs); !g) return std::unexpected(g.error());
  if (pyramid && std::max(result.plan.width, result.plan.height) > kPredictionPyramidThreshold)
    if (auto p = writePredictionPyramid(partial, attrs, stop); !p)
      return std::unexpected(p.error());
  fs::rename(partial, out, ec);
  if (ec) return fail(Errc::Io, out.string() + ": cannot move the finished output into place");
  cleanup.keep = true;
  return result;
}

}  // namespace

std::vector<std::string> outputChannelNames(const ModelSpec& model) {
  std::vector<std::string> names;
  for (const auto& o : model.outputs) {
    const std::string base = o.label.empty() ? o.name : o.label;
    for (std::int64_t c = 0; c < o.channels; ++c) {
      if (static_cast<std::size_t>(c) < o.channelNames.size())
        names.push_back(o.channelNames[static_cast<std::size_t>(c)]);
      else
        names.push_back(o.channels == 1 ? base : base + ":" + std::to_string(c));
    }
  }
  return names;
}

Expected<PredictionFileResult> predictToFile(const TileSource& source, OnnxNetPool& nets,
                                             const PredictRequest& req, const fs::path& out,
                                             Executor* executor, const std::stop_token& stop,
                                             const std::function<void(double)>& progress) {
  std::error_code ec;
  if (fs::exists(out, ec))
    return fail(Errc::InvalidArgument,
                out.string() + ": already exists; remove it or choose another name");
  const std::string name = out.filename().string();
  const bool tiff = endsWith(name, ".ome.tif") || endsWith(name, ".ome.tiff");
  if (!tiff && !endsWith(name, ".ome.zarr") && !endsWith(name, ".zarr"))
    return fail(Errc::InvalidArgument,
                out.string() + ": the output must end in .ome.tif, .ome.tiff or .ome.zarr");
  if (!tiff) return predictToZarr(source, nets, req, out, executor, stop, progress, true);

  // The staging OME-Zarr's folder name becomes the OME-TIFF's image name, so it is the model's.
  fs::path tmpRoot = out;
  tmpRoot += ".tmp";
  fs::remove_all(tmpRoot, ec);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup{tmpRoot};
  std::string imageName = (nets.spec().name.empty() ? "model" : nets.spec().name) + " prediction";
  std::replace(imageName.begin(), imageName.end(), '/', '_');
  fs::create_directories(tmpRoot, ec);
  if (ec) return fail(Errc::InvalidArgument, out.string() + ": cannot create files beside it");
  const fs::path tmp = tmpRoot / imageName;
  auto staged = [&](double f) {
    if (progress) progress(0.9 * f);
  };
  // The OME-TIFF is written from level 0: the staging copy needs no pyramid.
  auto result = predictToZarr(source, nets, req, tmp, executor, stop, staged, false);
  if (!result) return result;
  auto zarr = openImage(tmp.string());
  if (!zarr) return std::unexpected(zarr.error());
  RegionExportRequest ex;
  ex.width = result->plan.width;
  ex.height = result->plan.height;
  auto exported = exportRegion(**zarr, ex, out, executor, stop, [&](double f) {
    if (progress) progress(0.9 + 0.1 * f);
  });
  if (!exported) return std::unexpected(exported.error());
  return result;
}

}  // namespace tessera::data::ai
