#pragma once
/// Opens a model by path: a bare ".onnx" file, or a BioImage Model Zoo package (folder, .zip,
/// or its rdf.yaml / bioimageio.yaml). The network is imported and probed once with OpenCV
/// DNN, so a missing operator or a mismatched description is reported before any image is
/// read. Blocking (reads files); call from a worker or the CLI. Errors as modelFromOnnxFile and
/// readRdfModel.
#include <filesystem>
#include <memory>
#include <optional>

#include "data/ai/model_spec.h"
#include "data/ai/rdf_model.h"

namespace tessera::data::ai {

struct OpenedModel {
  std::shared_ptr<const ModelSpec> spec;
  std::optional<RdfModel> rdf;  ///< set for model zoo packages
};

Expected<OpenedModel> openModel(const std::filesystem::path& location);

}  // namespace tessera::data::ai
