#include "data/ai/tiled_predict.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>

#include "data/ai/processing.h"
#include "data/expression/parallel_for.h"

namespace tessera::data::ai {
namespace {

struct Span1 {
  std::int64_t start = 0, length = 0;
};

// The window along one axis for the core [c0, c1) of an image of extent n (see the header).
Span1 windowAxis(std::int64_t c0, std::int64_t c1, std::int64_t halo, std::int64_t n,
                 const TensorSpec& in, int axis) {
  std::int64_t a = std::max<std::int64_t>(0, c0 - halo);
  const std::int64_t b = std::min(n, c1 + halo);
  const std::int64_t step = in.step[axis], mn = in.minSize[axis];
  if (step <= 0) return {std::max<std::int64_t>(0, std::min(a, n - mn)), mn};
  if (step > 1) a = a / step * step;
  return {a, validSize(in, axis, b - a)};
}

std::string regionText(std::int64_t x, std::int64_t y, std::int64_t w, std::int64_t h) {
  return std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(w) + "," +
         std::to_string(h);
}

// Every `stride`-th pixel of the region in both directions, per channel, as 1×N planes.
Expected<Planes> sampleRegion(const TileSource& source, const PredictRequest& req,
                              const PredictPlan& plan, const std::stop_token& stop) {
  const double area = static_cast<double>(plan.width) * static_cast<double>(plan.height);
  const auto stride = static_cast<std::int64_t>(
      std::max(1.0, std::ceil(std::sqrt(area / static_cast<double>(kStatisticsSamples)))));
  std::vector<std::vector<float>> values(plan.channels.size());
  const std::int64_t band = 512;
  for (std::int64_t y0 = plan.y; y0 < plan.y + plan.height; y0 += band) {
    const std::int64_t h = std::min(band, plan.y + plan.height - y0);
    auto win =
        readWindow(source, req.level, req.t, req.z, plan.channels, plan.x, y0, plan.width, h, stop);
    if (!win) return std::unexpected(win.error());
    for (std::size_t c = 0; c < win->size(); ++c)
      for (int y = 0; y < h; ++y) {
        if ((y0 + y - plan.y) % stride) continue;
        const float* row = (*win)[c].ptr<float>(y);
        for (std::int64_t x = 0; x < plan.width; x += stride)
          values[c].push_back(row[x]);
      }
  }
  Planes out;
  for (auto& v : values)
    out.push_back(cv::Mat(1, static_cast<int>(v.size()), CV_32F, v.data()).clone());
  return out;
}

}  // namespace

Expected<Planes> readWindow(const TileSource& source, int level, std::int64_t t, std::int64_t z,
                            const std::vector<std::int64_t>& channels, std::int64_t x,
                            std::int64_t y, std::int64_t w, std::int64_t h,
                            const std::stop_token& stop) {
  const auto& l = source.info().levels.at(static_cast<std::size_t>(level));
  const std::int64_t W = l.shape[kX], H = l.shape[kY];
  const std::int64_t tw = l.chunk[kX], th = l.chunk[kY];
  Planes out;
  const std::int64_t x0 = std::max<std::int64_t>(0, x), x1 = std::min(W, x + w);
  const std::int64_t y0 = std::max<std::int64_t>(0, y), y1 = std::min(H, y + h);
  for (auto c : channels) {
    cv::Mat plane = cv::Mat::zeros(static_cast<int>(h), static_cast<int>(w), CV_32F);
    for (std::int64_t row = y0 / th; y1 > y0 && row <= (y1 - 1) / th; ++row)
      for (std::int64_t col = x0 / tw; x1 > x0 && col <= (x1 - 1) / tw; ++col) {
        if (stop.stop_requested()) return fail(Errc::Cancelled, "prediction cancelled");
        auto tile = source.readTile({level, t, c, z, row, col}, stop);
        if (!tile) return std::unexpected(tile.error());
        const std::int64_t tx = col * tw, ty = row * th;
        const std::int64_t ax = std::max(x0, tx), bx = std::min(x1, tx + tile->width);
        const std::int64_t ay = std::max(y0, ty), by = std::min(y1, ty + tile->height);
        for (std::int64_t yy = ay; yy < by; ++yy) {
          float* dst = plane.ptr<float>(static_cast<int>(yy - y));
          const std::size_t base = static_cast<std::size_t>(yy - ty) * tile->width;
          for (std::int64_t xx = ax; xx < bx; ++xx)
            dst[xx - x] = static_cast<float>(tileValue(*tile, base + (xx - tx)));
        }
      }
    out.push_back(std::move(plane));
  }
  return out;
}

Expected<PredictPlan> planPrediction(const ImageInfo& info, const ModelSpec& model,
                                     const PredictRequest& req) {
  if (req.level < 0 || req.level >= static_cast<int>(info.levels.size()))
    return fail(Errc::InvalidArgument, "level " + std::to_string(req.level) +
                                           " does not exist (the image has levels 0.." +
                                           std::to_string(info.levels.size() - 1) + ")");
  const auto& l = info.levels[static_cast<std::size_t>(req.level)];
  PredictPlan p;
  p.x = req.x;
  p.y = req.y;
  p.width = req.width > 0 ? req.width : l.shape[kX] - req.x;
  p.height = req.height > 0 ? req.height : l.shape[kY] - req.y;
  if (p.x < 0 || p.y < 0 || p.width <= 0 || p.height <= 0 || p.x + p.width > l.shape[kX] ||
      p.y + p.height > l.shape[kY])
    return fail(Errc::InvalidArgument, "region " + regionText(p.x, p.y, p.width, p.height) +
                                           " is outside level " + std::to_string(req.level) + " (" +
                                           std::to_string(l.shape[kX]) + "x" +
                                           std::to_string(l.shape[kY]) + " pixels)");
  if (req.t < 0 || req.t >= l.shape[kT] || req.z < 0 || req.z >= l.shape[kZ])
    return fail(Errc::InvalidArgument, "t " + std::to_string(req.t) + ", z " +
                                           std::to_string(req.z) + " outside the image (t < " +
                                           std::to_string(l.shape[kT]) + ", z < " +
                                           std::to_string(l.shape[kZ]) + ")");
  const std::int64_t want = model.input.channels, have = l.shape[kC];
  if (req.channels.empty()) {
    if (have != want)
      return fail(Errc::InvalidArgument,
                  "the model expects " + std::to_string(want) + " input channel" +
                      (want == 1 ? "" : "s") + " and the image has " + std::to_string(have) +
                      "; choose " + (want == 1 ? "one" : std::to_string(want)) +
                      " with --channels");
    for (std::int64_t c = 0; c < have; ++c)
      p.channels.push_back(c);
  } else {
    if (static_cast<std::int64_t>(req.channels.size()) != want)
      return fail(Errc::InvalidArgument, "the model expects " + std::to_string(want) +
                                             " input channel" + (want == 1 ? "" : "s") + ", " +
                                             std::to_string(req.channels.size()) + " given");
    for (auto c : req.channels)
      if (c < 0 || c >= have)
        return fail(Errc::InvalidArgument, "channel " + std::to_string(c) +
                                               " does not exist (the image has channels 0.." +
                                               std::to_string(have - 1) + ")");
    p.channels = req.channels;
  }
  p.halo = req.halo ? *req.halo : model.halo;
  if (p.halo < 0) return fail(Errc::InvalidArgument, "the halo must be 0 or more");
  const auto& in = model.input;
  const bool fixed = in.step[0] <= 0 || in.step[1] <= 0;
  if (fixed) {
    const std::int64_t s = std::min(in.minSize[0], in.minSize[1]);
    p.tile = s - 2 * p.halo;
    if (p.tile <= 0)
      return fail(Errc::InvalidArgument, model.source + ": the model's fixed input of " +
                                             std::to_string(s) +
                                             " pixels leaves no room inside a halo of " +
                                             std::to_string(p.halo) + " (give a smaller halo)");
  } else {
    p.tile = std::max<std::int64_t>(16, req.tile);
  }
  p.rows = (p.height + p.tile - 1) / p.tile;
  p.cols = (p.width + p.tile - 1) / p.tile;
  return p;
}

Expected<PredictPlan> predictTiles(const TileSource& source, OnnxNetPool& nets,
                                   const PredictRequest& req, const PredictSink& sink,
                                   Executor* executor, const std::stop_token& stop,
                                   const std::function<void(double)>& progress) {
  const ModelSpec& model = nets.spec();
  auto plan = planPrediction(source.info(), model, req);
  if (!plan) return plan;
  const auto& lvl = source.info().levels[static_cast<std::size_t>(req.level)];
  const std::int64_t W = lvl.shape[kX], H = lvl.shape[kY];

  // Statistics for the whole region first (only when a step needs them).
  std::vector<ResolvedStep> pre, post;
  {
    const bool needStats = std::any_of(model.input.processing.begin(), model.input.processing.end(),
                                       [](const auto& s) { return s.needsStatistics(); });
    Planes sample(plan->channels.size());
    if (needStats) {
      auto s = sampleRegion(source, req, *plan, stop);
      if (!s) return std::unexpected(s.error());
      sample = std::move(*s);
    }
    auto r = resolveProcessing(model.input.processing, std::move(sample), model.source);
    if (!r) return std::unexpected(r.error());
    pre = std::move(*r);
    for (const auto& o : model.outputs) {
      auto q = resolveProcessing(o.processing, Planes(static_cast<std::size_t>(o.channels)),
                                 model.source);
      if (!q) return std::unexpected(q.error());
      post.insert(post.end(), q->begin(), q->end());
    }
  }

  std::mutex mutex;
  std::optional<Error> failure;
  std::atomic<bool> failed{false};
  std::int64_t done = 0;
  const std::int64_t n = plan->rows * plan->cols;
  auto runTile = [&](std::int64_t i) {
    if (failed || stop.stop_requested()) return;
    auto fault = [&](Error e) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::move(e);
      failed = true;
    };
    const std::int64_t cx = plan->x + (i % plan->cols) * plan->tile;
    const std::int64_t cy = plan->y + (i / plan->cols) * plan->tile;
    const std::int64_t cw = std::min(plan->tile, plan->x + plan->width - cx);
    const std::int64_t ch = std::min(plan->tile, plan->y + plan->height - cy);
    const Span1 wx = windowAxis(cx, cx + cw, plan->halo, W, model.input, 1);
    const Span1 wy = windowAxis(cy, cy + ch, plan->halo, H, model.input, 0);
    // Real pixels of the window; the part past the image's far edge is zero-filled after
    // preprocessing (padding in the normalised domain, as the model zoo's tools pad).
    const std::int64_t rw = std::min(wx.length, W - wx.start);
    const std::int64_t rh = std::min(wy.length, H - wy.start);
    auto real = readWindow(source, req.level, req.t, req.z, plan->channels, wx.start, wy.start, rw,
                           rh, stop);
    if (!real) return fault(real.error());
    applyProcessing(pre, *real);
    Planes input;
    for (auto& p : *real) {
      if (rw == wx.length && rh == wy.length) {
        input.push_back(std::move(p));
        continue;
      }
      cv::Mat full =
          cv::Mat::zeros(static_cast<int>(wy.length), static_cast<int>(wx.length), CV_32F);
      p.copyTo(full(cv::Rect(0, 0, static_cast<int>(rw), static_cast<int>(rh))));
      input.push_back(std::move(full));
    }
    if (stop.stop_requested()) return;
    auto out = nets.forward(input);
    if (!out) return fault(out.error());
    const cv::Rect core(static_cast<int>(cx - wx.start), static_cast<int>(cy - wy.start),
                        static_cast<int>(cw), static_cast<int>(ch));
    Planes cores;
    for (auto& p : *out)
      cores.push_back(p(core).clone());
    applyProcessing(post, cores);
    if (failed) return;
    if (auto s = sink(cx, cy, cores); !s) return fault(s.error());
    std::lock_guard lock(mutex);
    ++done;
    if (progress) progress(static_cast<double>(done) / static_cast<double>(n));
  };
  parallelFor(executor, n, runTile, stop);
  if (failure) return std::unexpected(*failure);
  if (stop.stop_requested()) return fail(Errc::Cancelled, "prediction cancelled");
  return plan;
}

}  // namespace tessera::data::ai
