#pragma once
/// Running a ModelSpec's ONNX network through OpenCV DNN on planar float images.
///
/// A cv::dnn::Net must not run two forward passes at once, so an OnnxNetPool hands each
/// worker a net of its own (created on first use, at most one per concurrent caller) and takes
/// it back afterwards. Thread-safe. Errors: Errc::Unsupported naming the operator OpenCV lacks
/// (or OpenCV's own one-line reason), Errc::InvalidArgument when a tensor's shape does not
/// match what the model expects (saying what it expects), Errc::Corrupt for bytes that are not
/// ONNX.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>

#include "data/ai/model_spec.h"
#include "data/error.h"

namespace tessera::data::ai {

/// C planes of H × W float32, each a CV_32F cv::Mat (continuous).
using Planes = std::vector<cv::Mat>;

/// A ModelSpec for a bare .onnx: one 4-D (b,c,y,x) float input, raw values, every output
/// channel written out; sizes from the graph (fixed when the graph fixes them), the halo from
/// the graph's receptive field. modelFromOnnxFile also probes it (probeModel).
Expected<ModelSpec> modelFromOnnxFile(const std::filesystem::path& file);
Expected<ModelSpec> modelFromOnnxBytes(std::vector<std::uint8_t> bytes, const std::string& what);

/// Imports the network with OpenCV and runs it once on a small zero input, so missing
/// operators are reported before any tile is read; output channel counts the description
/// leaves open (0) are taken from that run.
Expected<void> probeModel(ModelSpec& spec);

/// The spatial size (y or x) the model accepts that is >= `want`: min + k * step.
std::int64_t validSize(const TensorSpec& t, int axis, std::int64_t want);

class OnnxNetPool {
 public:
  explicit OnnxNetPool(std::shared_ptr<const ModelSpec> spec);
  ~OnnxNetPool();
  const ModelSpec& spec() const { return *spec_; }
  /// Runs the network on `input` (spec().input.channels planes of equal size, already
  /// preprocessed) and returns every output's channels, in output order, as planes of the
  /// same size. Outputs of another size are an error (Tessera writes them on the input grid).
  /// `counts` (optional) receives each output's channel count.
  Expected<Planes> forward(const Planes& input, std::vector<std::int64_t>* counts = nullptr);

  struct Slot;  // one cv::dnn::Net (kept out of this header: OpenCV DNN stays private)

 private:
  std::shared_ptr<const ModelSpec> spec_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Slot>> free_;
};

}  // namespace tessera::data::ai
