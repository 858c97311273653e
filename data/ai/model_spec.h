#pragma once
/// A model as Tessera runs it: ONNX weights plus how to feed them, whether it came from a bare
/// .onnx file (raw float32 values, no processing) or from a BioImage Model Zoo rdf.yaml.
/// Plain values; built on a worker, then read-only and shared between threads.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "data/ai/onnx_graph.h"

namespace tessera::data::ai {

/// One pre- or postprocessing step of the model zoo's spec. Statistics ("per_sample") are
/// computed over the whole input region, per channel unless the step's axes include "c".
struct ProcessingStep {
  enum class Kind { ScaleRange, ZeroMeanUnitVariance, ScaleLinear, Clip, Binarize, Sigmoid };
  Kind kind = Kind::ScaleLinear;
  std::string name;  ///< as written in the rdf ("scale_range", ...)
  bool perChannel = true;
  double minPercentile = 0, maxPercentile = 100;
  double eps = 1e-6;
  std::vector<double> mean, std;  ///< zero_mean_unit_variance mode "fixed" (per channel or one)
  std::vector<double> gain{1}, offset{0};
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<double> threshold{0.5};
  bool needsStatistics() const {
    return kind == Kind::ScaleRange || (kind == Kind::ZeroMeanUnitVariance && mean.empty());
  }
};

/// One input or output tensor. `axes` are single letters in tensor order (b, c, z, y, x);
/// the spatial size accepted is min + k * step per axis (step 0: exactly min; min 0: any).
struct TensorSpec {
  std::string name;   ///< the ONNX graph's tensor name
  std::string label;  ///< the rdf's id/name, used for channel names when set
  std::string axes = "bcyx";
  std::int64_t channels = 1;
  std::vector<std::string> channelNames;
  std::array<std::int64_t, 2> minSize{0, 0};  ///< y, x
  std::array<std::int64_t, 2> step{1, 1};     ///< y, x
  std::int64_t halo = 0;                      ///< outputs: pixels the rdf says to discard
  std::optional<std::array<double, 2>> dataRange;
  std::vector<ProcessingStep> processing;  ///< inputs: pre-, outputs: postprocessing
};

struct ModelSpec {
  std::string name;
  std::string source;  ///< file or package it came from, for messages
  std::vector<std::uint8_t> onnx;
  OnnxGraphInfo graph;
  TensorSpec input;  ///< Tessera runs models with one image input
  std::vector<TensorSpec> outputs;
  /// Halo the tiling uses: the larger of the graph's receptive field and the rdf's halo.
  std::int64_t halo = 0;
  std::vector<std::string> notes;  ///< non-fatal remarks (assumptions made) for the user
  std::int64_t outputChannels() const {
    std::int64_t n = 0;
    for (const auto& o : outputs)
      n += o.channels;
    return n;
  }
};

}  // namespace tessera::data::ai
