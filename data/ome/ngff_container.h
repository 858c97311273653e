#pragma once
/// Finds the image group to show inside an OME-Zarr container: an image, an HCS plate or well,
/// a bioformats2raw layout (also the pre-0.3 one: `METADATA.ome.xml` beside `data.zarr/`) or a
/// SpatialData root. Reads group attributes only; thread-safe.
/// Errors name the attributes file involved.
#include <optional>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/image_info.h"
#include "data/store.h"

namespace tessera::data {

struct NgffImageLocation {
  std::string imagePath;            ///< store path of the multiscales image group
  std::string container;            ///< "", "plate", "well", "bioformats2raw", "spatialdata"
  std::vector<std::string> series;  ///< the container's images (store paths), in order
  std::size_t seriesIndex = 0;      ///< which of `series` imagePath is
  std::optional<PlateInfo> plate;
  std::vector<std::string> warnings;
};

/// The image `select` picks (the first one when it is empty). A selection the container cannot
/// satisfy (series out of range, unknown well, a field of a single image) is
/// Errc::InvalidArgument naming the container and what it holds.
Expected<NgffImageLocation> locateNgffImage(const Store& store, const std::string& path,
                                            const ImageSelection& select = {});

/// 100 for a multiscales image, 95 for a plate/well/bioformats2raw container (either layout), 90
/// for a SpatialData root with images, 0 otherwise (including unreadable metadata).
int probeNgffContainer(const Store& store, const std::string& path);

}  // namespace tessera::data
