#pragma once
/// Opening an image by location through a registry of readers. Each format's probe rates how
/// sure it is that it can open a location (0 = cannot); openImage uses the most confident one.
/// Probes only peek at headers/metadata. Thread-safe: the registry is built once and immutable.
/// Errors: Errc::NotFound "<path>: no such file or directory" for a missing path,
/// Errc::Unsupported naming the file when no reader accepts it, Errc::InvalidArgument for a
/// selection the image does not have, else the reader's error.
///
/// Containers with several images (OME-TIFF with several Images, bioformats2raw, SpatialData,
/// HCS plates and wells) open the image an ImageSelection picks, the first one by default; the
/// opened ImageInfo lists them all (series, seriesShapes, plate) so callers can offer a choice.
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
  std::function<Expected<std::shared_ptr<TileSource>>(const std::string& location,
                                                      const ImageSelection& select)>
      open;
};

const std::vector<ImageFormat>& imageFormats();

/// The format whose probe is most confident for `location`, or nullptr if none is.
const ImageFormat* bestImageFormat(const std::string& location);

/// `location` is a local path (an .ome.zarr directory or its zarr.json/.zattrs, a TIFF or an
/// OME-TIFF companion, a plain image, a whole slide) or an http(s) URL (OME-Zarr, TIFF).
Expected<std::shared_ptr<TileSource>> openImage(const std::string& location,
                                                const ImageSelection& select = {});

/// True when `info` comes from a container with several images or plate fields to pick from.
bool hasImageChoice(const ImageInfo& info);

/// The `tessera info --json` description: axes and per-level vectors in stored axis order;
/// "series" lists the container's images ({index, name, shape in canonical t,c,z,y,x order})
/// with "series_index" the opened one, and "plate" every well with its fields.
nlohmann::json imageInfoToJson(const ImageInfo& info);

}  // namespace tessera::data
