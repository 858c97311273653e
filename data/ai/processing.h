#pragma once
/// The model zoo's pre- and postprocessing steps on planar float images.
///
/// Steps that need statistics (scale_range percentiles, zero_mean_unit_variance "per_sample")
/// get them from a sample of the whole input region, not per tile, so every tile is normalised
/// alike and the tiled result equals a whole-region run. resolveProcessing runs the steps in
/// order over the sample, so a statistic sees the values the step itself will see.
/// Percentiles interpolate linearly between order statistics (numpy's default); standard
/// deviations are population ones (numpy's ddof=0). Pure functions; thread-safe.
#include <string>
#include <vector>

#include "data/ai/model_spec.h"
#include "data/ai/onnx_model.h"
#include "data/error.h"

namespace tessera::data::ai {

/// A step with its statistics filled in: linear steps become y = x * scale[c] + shift[c].
struct ResolvedStep {
  ProcessingStep step;
  std::vector<double> scale, shift;
};

/// `sample` holds one 1×N (or any shape) CV_32F plane per channel; it is consumed.
/// Errc::InvalidArgument when a per-channel parameter list does not match the channel count.
Expected<std::vector<ResolvedStep>> resolveProcessing(const std::vector<ProcessingStep>& steps,
                                                      Planes sample, const std::string& what);

/// Applies resolved steps in place.
void applyProcessing(const std::vector<ResolvedStep>& steps, Planes& planes);

/// numpy.percentile(values, p) with linear interpolation; `values` is reordered.
double percentile(std::vector<float>& values, double p);

}  // namespace tessera::data::ai
