// Prediction throughput: Tessera's tiled prediction (data/ai/tiled_predict: 512 px tiles with
// the model's halo, on a 2-thread pool) beside the same network run by OpenCV DNN on the whole
// region in one call. Same model, same input (read from the same tile source on both sides),
// warm; medians of 3 runs; the two results are compared and must agree.
//
//   bench_predict [SIZE]   (default 2048: a SIZE × SIZE single-channel float image)
//
// The model is tests/data/make_ai_models.py's conv_same.onnx (Conv 3×3 → ReLU → Conv 5×5
// dilated 2; 1 → 3 → 2 channels, halo 5).
#include <QCoreApplication>
#include <QProcess>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "../support/memory_source.h"
#include "data/ai/model_open.h"
#include "data/ai/tiled_predict.h"
#include "data/thread_pool.h"

using namespace tessera;
using namespace tessera::data::ai;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  const std::int64_t size = argc > 1 ? std::atoll(argv[1]) : 2048;
  const auto dir = std::filesystem::temp_directory_path() / "tessera-bench-predict";
  std::filesystem::remove_all(dir);
  QProcess py;
  py.start(TESSERA_PYTHON,
           {TESSERA_SOURCE_DIR "/tests/data/make_ai_models.py",
            QString::fromStdString(dir.string()), TESSERA_SOURCE_DIR "/tests/fixtures/ai"});
  if (!py.waitForFinished(300000) || py.exitCode() != 0) {
    std::fprintf(stderr, "model generation failed: %s\n", py.readAllStandardError().constData());
    return 1;
  }
  auto model = openModel(dir / "conv_same.onnx");
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().message.c_str());
    return 1;
  }
  // Pixels are computed once up front, so a tile read costs what a warm cache hit costs and the
  // figures measure prediction, not the synthetic source.
  std::vector<std::uint16_t> pixels(static_cast<std::size_t>(size * size));
  for (std::int64_t y = 0; y < size; ++y)
    for (std::int64_t x = 0; x < size; ++x)
      pixels[static_cast<std::size_t>(y * size + x)] = static_cast<std::uint16_t>(
          1000 + 800 * std::sin(x / 7.0) * std::cos(y / 11.0) + (x * 7 + y * 13) % 97);
  test::MemorySource source(data::DType::U16, size, size, 1, 1, 512,
                            [&](int, std::int64_t, std::int64_t x, std::int64_t y) {
                              return pixels[static_cast<std::size_t>(y * size + x)];
                            });
  data::ThreadPool pool(2);
  OnnxNetPool nets(model->spec);
  const double mpx = static_cast<double>(size * size) / 1e6;

  cv::Mat tiled(static_cast<int>(size), static_cast<int>(size), CV_32F);
  std::mutex m;
  auto sink = [&](std::int64_t x, std::int64_t y, const Planes& p) -> data::Expected<void> {
    std::lock_guard lock(m);
    p[0].copyTo(tiled(cv::Rect(static_cast<int>(x), static_cast<int>(y), p[0].cols, p[0].rows)));
    return {};
  };
  std::vector<double> tTiled, tWhole;
  Planes whole;
  for (int run = 0; run < 3; ++run) {
    auto t0 = Clock::now();
    PredictRequest req;
    req.tile = 512;
    auto plan = predictTiles(source, nets, req, sink, &pool);
    if (!plan) {
      std::fprintf(stderr, "%s\n", plan.error().message.c_str());
      return 1;
    }
    tTiled.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    t0 = Clock::now();
    auto in = readWindow(source, 0, 0, 0, {0}, 0, 0, size, size);
    auto out = nets.forward(*in);
    if (!out) {
      std::fprintf(stderr, "%s\n", out.error().message.c_str());
      return 1;
    }
    tWhole.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    whole = std::move(*out);
  }
  double err = 0, peak = 0;
  cv::minMaxLoc(cv::abs(tiled - whole[0]), nullptr, &err);
  cv::minMaxLoc(cv::abs(whole[0]), nullptr, &peak);
  std::sort(tTiled.begin(), tTiled.end());
  std::sort(tWhole.begin(), tWhole.end());
  std::printf(
      "predict %lldx%lld conv_same: tessera tiled %.3f s (%.2f MPx/s), "
      "opencv dnn whole region %.3f s (%.2f MPx/s), ratio %.2f; max |diff| %.2g of %.3g\n",
      static_cast<long long>(size), static_cast<long long>(size), tTiled[1], mpx / tTiled[1],
      tWhole[1], mpx / tWhole[1], tWhole[1] / tTiled[1], err, peak);
  return err <= 1e-4 * std::max(1.0, peak) ? 0 : 1;
}
