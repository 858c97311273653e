#include "data/ai/model_open.h"

#include "data/ai/onnx_model.h"

namespace tessera::data::ai {

Expected<OpenedModel> openModel(const std::filesystem::path& location) {
  OpenedModel m;
  std::string ext = location.extension().string();
  for (auto& ch : ext)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".onnx") {
    auto spec = modelFromOnnxFile(location);
    if (!spec) return std::unexpected(spec.error());
    m.spec = std::make_shared<const ModelSpec>(std::move(*spec));
    return m;
  }
  auto package = ModelPackage::open(location);
  if (!package) return std::unexpected(package.error());
  auto rdf = readRdfModel(*package);
  if (!rdf) return std::unexpected(rdf.error());
  if (auto ok = probeModel(rdf->spec); !ok) return std::unexpected(ok.error());
  m.spec = std::make_shared<const ModelSpec>(rdf->spec);
  m.rdf = std::move(*rdf);
  m.rdf->spec = *m.spec;
  return m;
}

}  // namespace tessera::data::ai
