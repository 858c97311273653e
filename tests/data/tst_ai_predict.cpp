// Tiled ONNX prediction (data/ai): generated models with known weights against numpy references
// computed over the whole image in one piece, so any seam or wrong border shows as a mismatch.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "../support/memory_source.h"
#include "../support/run_process.h"
#include "data/ai/model_open.h"
#include "data/ai/npy.h"
#include "data/ai/onnx_model.h"
#include "data/ai/prediction_output.h"
#include "data/ai/tiled_predict.h"
#include "data/image_open.h"
#include "data/thread_pool.h"

namespace fs = std::filesystem;
using namespace tessera;
using namespace tessera::data::ai;

namespace {

data::ai::NpyArray loadNpy(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(f)),
                              std::istreambuf_iterator<char>());
  auto a = readNpy(b, p.string());
  if (!a) qFatal("%s", a.error().message.c_str());
  return *a;
}

// Collects predicted tiles into whole planes of the region.
struct Canvas {
  std::int64_t x0, y0;
  Planes planes;
  std::mutex mutex;
  Canvas(std::int64_t x, std::int64_t y, std::int64_t w, std::int64_t h, std::int64_t c)
      : x0(x), y0(y) {
    for (std::int64_t i = 0; i < c; ++i)
      planes.push_back(cv::Mat(static_cast<int>(h), static_cast<int>(w), CV_32F, cv::Scalar(NAN)));
  }
  PredictSink sink() {
    return [this](std::int64_t x, std::int64_t y, const Planes& p) -> data::Expected<void> {
      std::lock_guard lock(mutex);
      for (std::size_t c = 0; c < p.size(); ++c)
        p[c].copyTo(planes[c](
            cv::Rect(static_cast<int>(x - x0), static_cast<int>(y - y0), p[c].cols, p[c].rows)));
      return {};
    };
  }
};

}  // namespace

class TestAiPredict : public QObject {
  Q_OBJECT
  fs::path dir_;
  data::ai::NpyArray image_;
  std::unique_ptr<test::MemorySource> source_;
  data::ThreadPool pool_{2};

  // Max |got - ref| over a region, ref being a whole-image (C,H,W) array; NaN (unwritten) fails.
  double maxError(const Planes& got, const data::ai::NpyArray& ref, std::int64_t x0,
                  std::int64_t y0, std::int64_t firstChannel = 0) {
    const auto H = ref.shape[1], W = ref.shape[2];
    double err = 0;
    for (std::size_t c = 0; c < got.size(); ++c)
      for (int y = 0; y < got[c].rows; ++y)
        for (int x = 0; x < got[c].cols; ++x) {
          const float g = got[c].at<float>(y, x);
          const float r = ref.values[((firstChannel + c) * H + y0 + y) * W + x0 + x];
          if (std::isnan(g)) return INFINITY;
          err = std::max(err, static_cast<double>(std::abs(g - r)));
        }
    return err;
  }

  std::shared_ptr<const ModelSpec> model(const char* name) {
    auto m = openModel(dir_ / name);
    if (!m) qFatal("%s", m.error().message.c_str());
    return m->spec;
  }

 private slots:
  void initTestCase() {
    dir_ = fs::path(TESSERA_TEST_WORK_DIR) / "ai_models";
    fs::remove_all(dir_);
    const auto r =
        test::runProgram(TESSERA_PYTHON, {TESSERA_SOURCE_DIR "/tests/data/make_ai_models.py",
                                          QString::fromStdString(dir_.string()),
                                          TESSERA_SOURCE_DIR "/tests/fixtures/ai"});
    QVERIFY2(r.code == 0, r.err.constData());
    image_ = loadNpy(dir_ / "image.npy");
    const auto W = image_.shape[2], H = image_.shape[1];
    source_ = std::make_unique<test::MemorySource>(
        data::DType::F32, W, H, 2, 1, 64,
        [this, W, H](int, std::int64_t c, std::int64_t x, std::int64_t y) {
          return static_cast<double>(image_.values[(c * H + y) * W + x]);
        });
  }

  void haloComesFromTheGraph() {
    auto m = model("conv_same.onnx");
    QCOMPARE(m->halo, 5);  // 3x3 pad 1, then 5x5 dilation 2 pad 4
    QCOMPARE(m->input.channels, 1);
    QCOMPARE(m->outputChannels(), 2);
  }

  void tiledRegionEqualsWholeImageRun() {
    auto spec = model("conv_same.onnx");
    OnnxNetPool nets(spec);
    const auto ref = loadNpy(dir_ / "conv_same_ref.npy");
    // A region bigger than many tiles, away from the image edge on two sides and touching it on
    // none: its borders must use the real neighbouring pixels.
    PredictRequest req;
    req.x = 37, req.y = 21, req.width = 200, req.height = 180;
    req.channels = {0};
    req.tile = 48;
    Canvas canvas(req.x, req.y, req.width, req.height, 2);
    auto plan = predictTiles(*source_, nets, req, canvas.sink(), &pool_);
    QVERIFY2(plan.has_value(), plan ? "" : plan.error().message.c_str());
    QVERIFY(plan->rows * plan->cols > 9);
    const double err = maxError(canvas.planes, ref, req.x, req.y);
    QVERIFY2(err < 2e-3, std::to_string(err).c_str());
  }

  void wholeImageUsesTheNetworksOwnPadding() {
    auto spec = model("conv_same.onnx");
    OnnxNetPool nets(spec);
    const auto ref = loadNpy(dir_ / "conv_same_ref.npy");
    for (std::int64_t tile : {40, 64, 300}) {
      PredictRequest req;
      req.channels = {0};
      req.tile = tile;
      Canvas canvas(0, 0, 300, 260, 2);
      auto plan = predictTiles(*source_, nets, req, canvas.sink(), &pool_);
      QVERIFY(plan.has_value());
      const double err = maxError(canvas.planes, ref, 0, 0);
      QVERIFY2(err < 2e-3, (std::to_string(tile) + ": " + std::to_string(err)).c_str());
    }
  }

  void fixedSizeModelSlidesInsideTheImage() {
    auto spec = model("conv_fixed64.onnx");
    QCOMPARE(spec->input.step[0], 0);
    QCOMPARE(spec->input.minSize[1], 64);
    OnnxNetPool nets(spec);
    const auto ref = loadNpy(dir_ / "conv_same_ref.npy");
    PredictRequest req;
    req.channels = {0};
    Canvas canvas(0, 0, 300, 260, 2);
    auto plan = predictTiles(*source_, nets, req, canvas.sink(), &pool_);
    QVERIFY2(plan.has_value(), plan ? "" : plan.error().message.c_str());
    QCOMPARE(plan->tile, 64 - 2 * 5);
    QVERIFY(maxError(canvas.planes, ref, 0, 0) < 2e-3);
  }

  void multiOutputChannelsInModelOrder() {
    auto spec = model("multi.onnx");
    QCOMPARE(outputChannelNames(*spec), (std::vector<std::string>{"a", "b:0", "b:1"}));
    OnnxNetPool nets(spec);
    const auto ref = loadNpy(dir_ / "multi_ref.npy");
    PredictRequest req;
    req.x = 100, req.y = 0, req.width = 200, req.height = 150;  // touches the top and right edges
    req.tile = 50;
    Canvas canvas(req.x, req.y, req.width, req.height, 3);
    auto plan = predictTiles(*source_, nets, req, canvas.sink(), &pool_);
    QVERIFY2(plan.has_value(), plan ? "" : plan.error().message.c_str());
    QVERIFY(maxError(canvas.planes, ref, req.x, req.y) < 2e-3);
  }

  void channelsMustMatchTheModel() {
    auto spec = model("conv_same.onnx");
    PredictRequest req;  // two image channels, a one-channel model, no --channels
    auto plan = planPrediction(source_->info(), *spec, req);
    QVERIFY(!plan);
    QVERIFY2(plan.error().message.find("expects 1 input channel") != std::string::npos,
             plan.error().message.c_str());
    req.channels = {0, 1};
    plan = planPrediction(source_->info(), *spec, req);
    QVERIFY(!plan &&
            plan.error().message.find("expects 1 input channel, 2 given") != std::string::npos);
  }

  void unsupportedOperatorIsNamed() {
    auto m = openModel(dir_ / "unsupported.onnx");
    QVERIFY(!m);
    QCOMPARE(m.error().code, data::Errc::Unsupported);
    QVERIFY2(m.error().message.find("operator Det") != std::string::npos,
             m.error().message.c_str());
  }

  void notOnnxIsCorrupt() {
    auto m = openModel(dir_ / "not_onnx.onnx");
    QVERIFY(!m);
    QCOMPARE(m.error().code, data::Errc::Corrupt);
    QVERIFY(m.error().message.find("not a valid ONNX model") != std::string::npos);
  }

  void writesOmeZarrAndOmeTiffWithTheRegionsGeometry() {
    auto spec = model("multi.onnx");
    OnnxNetPool nets(spec);
    const auto ref = loadNpy(dir_ / "multi_ref.npy");
    PredictRequest req;
    req.x = 30, req.y = 40, req.width = 150, req.height = 120;
    req.tile = 64;
    for (const char* name : {"out.ome.zarr", "out.ome.tif"}) {
      const fs::path out = dir_ / name;
      auto r = predictToFile(*source_, nets, req, out, &pool_);
      QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
      QVERIFY(!fs::exists(fs::path(out.string() + ".partial")));
      QVERIFY(!fs::exists(fs::path(out.string() + ".tmp")));  // OME-TIFF staging removed
      auto img = data::openImage(out.string());
      QVERIFY2(img.has_value(), img ? "" : img.error().message.c_str());
      const auto& info = (*img)->info();
      QCOMPARE(info.dtype, data::DType::F32);
      QCOMPARE(info.width(), 150);
      QCOMPARE(info.height(), 120);
      QCOMPARE(info.levels[0].shape[data::kC], 3);
      QCOMPARE(info.channels[2].name, std::string("b:1"));
      QCOMPARE(info.levels[0].scale[data::kX], 0.5);  // the source level's pixel size
      auto planes = readWindow(**img, 0, 0, 0, {0, 1, 2}, 0, 0, 150, 120);
      QVERIFY(planes.has_value());
      QVERIFY(maxError(*planes, ref, req.x, req.y) < 2e-3);
      // Never replaces an existing output.
      auto again = predictToFile(*source_, nets, req, out, &pool_);
      QVERIFY(!again && again.error().message.find("already exists") != std::string::npos);
    }
  }

  void cancelLeavesNoOutput() {
    auto spec = model("conv_same.onnx");
    OnnxNetPool nets(spec);
    PredictRequest req;
    req.channels = {0};
    req.tile = 32;
    std::stop_source stop;
    int calls = 0;
    const fs::path out = dir_ / "cancelled.ome.zarr";
    auto r = predictToFile(*source_, nets, req, out, nullptr, stop.get_token(), [&](double) {
      if (++calls == 3) stop.request_stop();
    });
    QVERIFY(!r);
    QCOMPARE(r.error().code, data::Errc::Cancelled);
    QVERIFY(!fs::exists(out));
    QVERIFY(!fs::exists(fs::path(out.string() + ".partial")));
  }
};

QTEST_GUILESS_MAIN(TestAiPredict)
#include "tst_ai_predict.moc"
