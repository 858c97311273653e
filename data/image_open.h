#pragma once
/// Opening an image by location through a registry of readers. Each format's probe rates how
/// sure it is that it can open a location (0 = cannot); openImage uses the most confident one.
/// Probes only peek at headers/metadata. Thread-safe: the registry is built once and immutable.
/// Errors: Errc::NotFound "<path>: no such file or directory" for a missing path,
/// Errc::Unsupported naming the file when no reader accepts it, else the reader's error.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/tile_source.h"

namespace tessera::data {

struct ImageFormat {
  std::string name;
  std::function<int(const std::string& location)> probe;  ///< 0 = cannot open, higher = surer
  std::function<Expected<std::shared_ptr<TileSource>>(const std::string& location)> open;
};

const std::vector<ImageFormat>& imageFormats();

/// The format whose probe is most confident for `location`, or nullptr if none is.
const ImageFormat* bestImageFormat(const std::string& location);

/// `location` is a local path for now (an .ome.zarr directory or its zarr.json/.zattrs, a TIFF).
Expected<std::shared_ptr<TileSource>> openImage(const std::string& location);

/// The `tessera info --json` description: axes and per-level vectors in stored axis order.
nlohmann::json imageInfoToJson(const ImageInfo& info);

}  // namespace tessera::data
