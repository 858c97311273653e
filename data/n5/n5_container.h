#pragma once
/// N5 containers opened as images: a single dataset, an n5-viewer multiscale group (datasets
/// s0, s1, ... with `downsamplingFactors` or the group's `scales`), a group of datasets at 2×
/// steps, a BigDataViewer layout (setupN/timepointT/s0, s1, ... with the setup's
/// `downsamplingFactors`; setups become channels and timepoints t, see n5_layout.h), and any
/// tree of those: every image found is one series (ImageInfo::series), the first by default.
/// Axes: the `axes` attribute (N5 order, reversed), else zyx for a 3D multiscale group, else
/// ImageSelection::axes or guessAxes. `pixelResolution`/`resolution` give physical sizes.
/// Works over any Store: groups are listed where the store can list, and otherwise probed by
/// the usual names (s0…, setup0…/timepoint0…), as HTTP cannot list. ImageInfo::format is "n5".
#include <memory>
#include <string>

#include "data/arrays/array_image_source.h"

namespace tessera::data {

/// 95 when `path` holds an N5 attributes.json that is a dataset, names an N5 version or sits
/// above multiscale datasets; 0 otherwise.
int probeN5(const Store& store, const std::string& path = "");

/// Errors: NotFound without attributes.json, Unsupported when no dataset is found, the
/// dataset's errors (unknown compression, bad blockSize) naming its attributes.json,
/// InvalidArgument for bad axes or an absent series.
Expected<std::shared_ptr<ArrayImageSource>> openN5(std::shared_ptr<const Store> store,
                                                   const std::string& path,
                                                   const ImageSelection& select);

}  // namespace tessera::data
