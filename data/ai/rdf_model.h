#pragma once
/// Reads a BioImage Model Zoo model description (rdf.yaml / bioimageio.yaml, model format
/// 0.4.x and 0.5.x) from a ModelPackage into a ModelSpec: input and output axes, sizes
/// (fixed, or min + k·step), halo, channel names, data range, pre- and postprocessing
/// (scale_range with percentiles, zero_mean_unit_variance, fixed_zero_mean_unit_variance,
/// scale_linear, clip, binarize, sigmoid; ensure_dtype is accepted and ignored since Tessera
/// computes in float32), the ONNX weights and the test tensors.
///
/// Only YAML, ONNX weights and .npy test tensors are read; no code from a package is run and
/// nothing is downloaded. Errors (Errc::Unsupported unless said otherwise) say what the model
/// needs: weights without ONNX list the formats present; axes Tessera cannot feed name them;
/// a processing step it does not know names it; a YAML syntax error is Errc::Corrupt with the
/// line. Pure functions; thread-safe.
#include <memory>
#include <string>
#include <vector>

#include "data/ai/model_package.h"
#include "data/ai/model_spec.h"
#include "data/ai/npy.h"

namespace tessera::data::ai {

struct RdfModel {
  ModelSpec spec;
  std::string formatVersion;
  std::vector<std::string> testInputs, testOutputs;  ///< package-relative .npy paths
  std::shared_ptr<const ModelPackage> package;
};

/// Parses the description and reads the ONNX weights (probe them with probeModel).
Expected<RdfModel> readRdfModel(std::shared_ptr<const ModelPackage> package);

/// Result of running a package's own test tensors.
struct RdfCheck {
  double maxAbsError = 0;
  double tolerance = 0;  ///< passes when maxAbsError <= tolerance
  std::vector<double> perOutput;
  bool passed() const { return maxAbsError <= tolerance; }
};

/// Runs the model (with its processing, whole tensor at once, statistics over the test input)
/// on each test input and compares with the test outputs: max |expected - got| against
/// 1e-4 + 1e-4·max|expected| (the zoo's own default, about 4 decimals). Errc::InvalidArgument
/// when a test tensor's shape does not fit the model's axes.
Expected<RdfCheck> checkRdfModel(const RdfModel& model);

}  // namespace tessera::data::ai
