#pragma once
/// `tessera predict`: runs an ONNX model or a BioImage Model Zoo package over a region of an
/// image, tile by tile, into an OME-TIFF or OME-Zarr of float32 channels; `--check` runs a
/// package's own test tensors. Main thread of the CLI; work runs on the AppContext's pools.
#include <cstddef>
#include <string>
#include <vector>

namespace tessera::app {

int runPredict(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
