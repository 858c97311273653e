#include "app/cli/cli_predict.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include <opencv2/core/utils/logger.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "data/ai/model_open.h"
#include "data/ai/onnx_model.h"
#include "data/ai/prediction_output.h"
#include "data/ai/segment_region.h"
#include "data/image_open.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("predict", message);
}

int runCheck(const data::ai::OpenedModel& model) {
  if (!model.rdf)
    return usageError("--check needs a model zoo package (rdf.yaml), which has test tensors");
  auto check = data::ai::checkRdfModel(*model.rdf);
  if (!check) return reportError(check.error());
  std::printf("%s: max abs error %.3g (tolerance %.3g) over %zu output%s: %s\n",
              model.spec->source.c_str(), check->maxAbsError, check->tolerance,
              check->perOutput.size(), check->perOutput.size() == 1 ? "" : "s",
              check->passed() ? "passed" : "FAILED");
  return check->passed() ? kExitOk : kExitInternal;
}

}  // namespace

int runPredict(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out, modelPath, cellsOut;
  data::ai::SegmentRequest segment;
  data::ImageSelection select;
  data::ai::PredictRequest req;
  bool check = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::vector<long long> nums;
    std::string selectError;
    if (auto sel = parseSelectOption(args, i, select, selectError); sel != SelectOption::NotMine) {
      if (sel == SelectOption::Bad) return usageError(selectError);
    } else if (a == "--out" || a == "--model") {
      auto v = value();
      if (!v || v->empty()) return usageError(a + " needs a file name");
      (a == "--out" ? out : modelPath) = *v;
    } else if (a == "--cells") {
      auto v = value();
      if (!v || v->empty()) return usageError("--cells needs a file name (.h5ad)");
      cellsOut = *v;
    } else if (a == "--labels") {
      auto v = value();
      if (!v || v->empty()) return usageError("--labels needs a folder name (.ome.zarr)");
      segment.labelsOut = *v;
    } else if (a == "--instances") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.empty() || nums.size() > 2 || nums[0] < 0 ||
          (nums.size() == 2 && nums[1] < 0))
        return usageError("--instances expects FOREGROUND[,BOUNDARY] output channel indices");
      segment.foregroundChannel = static_cast<int>(nums[0]);
      if (nums.size() == 2) segment.boundaryChannel = static_cast<int>(nums[1]);
    } else if (a == "--check") {
      check = true;
    } else if (a == "--region") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 4 || nums[0] < 0 || nums[1] < 0 ||
          nums[2] < 1 || nums[3] < 1)
        return usageError("--region expects x,y,w,h in pixels of the level, x, y >= 0, w, h > 0");
      req.x = nums[0];
      req.y = nums[1];
      req.width = nums[2];
      req.height = nums[3];
    } else if (a == "--level" || a == "--t" || a == "--z" || a == "--halo" || a == "--tile") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 0 || nums[0] > 1'000'000)
        return usageError(a + " expects a non-negative whole number");
      if (a == "--level")
        req.level = static_cast<int>(nums[0]);
      else if (a == "--halo")
        req.halo = nums[0];
      else if (a == "--tile")
        req.tile = nums[0];
      else
        (a == "--t" ? req.t : req.z) = nums[0];
    } else if (a == "--channels") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.empty())
        return usageError("--channels expects channel indices i,j,... counted from 0");
      req.channels.clear();
      for (auto c : nums) {
        if (c < 0)
          return usageError("--channels: " + std::to_string(c) + " is not a channel index");
        req.channels.push_back(c);
      }
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one INPUT is accepted");
    }
  }
  if (modelPath.empty()) return usageError("--model MODEL.onnx|rdf.yaml is required");
  if (!check && input.empty()) return usageError("INPUT is required");
  if (!check && out.empty()) return usageError("--out OUT.ome.tif|OUT.ome.zarr is required");
  if (!segment.labelsOut.empty() && cellsOut.empty())
    return usageError("--labels needs --cells (the labels come from the instance segmentation)");

  // OpenCV logs importer failures itself; Tessera reports them as one line instead.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
  auto model = data::ai::openModel(modelPath);
  if (!model) return reportError(model.error());
  for (const auto& note : model->spec->notes)
    std::cerr << "tessera: note: " << note << "\n";
  if (check) return runCheck(*model);

  AppContext ctx(cacheMb);
  auto ds = openDataset(input, ctx, {}, select);
  if (!ds) return reportError(ds.error());
  if (!ds->image) return usageError(input + ": has no image to run the model on");
  if (auto plan = data::ai::planPrediction(ds->image->info(), *model->spec, req); !plan)
    return usageError(input + ": " + plan.error().message);

  const bool tty = ::isatty(STDERR_FILENO);
  int lastPct = -1;
  auto progress = [&](double f) {
    const int pct = static_cast<int>(f * 100);
    if (!tty || pct == lastPct) return;
    lastPct = pct;
    std::fprintf(stderr, "\rPredicting: %3d%%", pct);
    if (pct >= 100) std::fprintf(stderr, "\n");
  };
  data::ai::OnnxNetPool nets(model->spec);
  auto result = data::ai::predictToFile(*ds->image, nets, req, out, &ctx.tilePool, {}, progress);
  if (!result) return reportError(result.error());
  const auto& p = result->plan;
  std::cerr << "tessera: wrote " << out << " (" << p.width << "x" << p.height << ", "
            << result->channelNames.size() << " float32 channel"
            << (result->channelNames.size() == 1 ? "" : "s") << ", level " << req.level << ", "
            << p.rows * p.cols << " tiles of " << p.tile << " px, halo " << p.halo << ")\n";
  if (cellsOut.empty()) return kExitOk;
  auto prediction = data::openImage(out);
  if (!prediction) return reportError(prediction.error());
  auto cells = data::ai::segmentToH5ad(*ds->image, req, p, **prediction, segment, cellsOut);
  if (!cells) return reportError(cells.error());
  std::cerr << "tessera: wrote " << cellsOut << " (" << cells->cells
            << " cells: centroids, area, per-channel means)\n";
  if (!segment.labelsOut.empty())
    std::cerr << "tessera: wrote " << segment.labelsOut.string() << " (int32 labels)\n";
  return kExitOk;
}

}  // namespace tessera::app
