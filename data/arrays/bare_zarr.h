#pragma once
/// Zarr arrays without OME-NGFF metadata, as zarr-python, z5py or tensorstore write them, opened
/// as images: a single array of 2 to 5 dimensions, or a group of such arrays. A group whose
/// arrays form a 2× pyramid (pyramid_chain.h) is one multiscale image; otherwise each array is
/// one series (ImageInfo::series, picked with ImageSelection::series). Axes come from
/// ImageSelection::axes, else v3 dimension_names or xarray's `_ARRAY_DIMENSIONS` when they use
/// t/c/z/y/x, else guessAxes. ImageInfo::format is "zarr-array". Reads metadata only.
#include <memory>
#include <string>

#include "data/arrays/array_image_source.h"

namespace tessera::data {

/// 40 for a zarr array of 2-5 dimensions or a group holding one (groups with OME-NGFF or
/// AnnData metadata excluded), 0 otherwise.
int probeBareZarr(const Store& store, const std::string& path = "");

/// Errors: NotFound when there is no zarr node, Unsupported for a group without image-shaped
/// arrays or a rank outside 2-5, InvalidArgument for bad axes or an absent series.
Expected<std::shared_ptr<ArrayImageSource>> openBareZarr(std::shared_ptr<const Store> store,
                                                         const std::string& path,
                                                         const ImageSelection& select);

}  // namespace tessera::data
