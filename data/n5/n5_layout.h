#pragma once
/// Finding the images of an N5 container (metadata only, no blocks read):
/// - a dataset by itself;
/// - an n5-viewer or BigDataViewer multiscale group: datasets s0, s1, ...;
/// - n5-viewer channels: groups c0, c1, ... of such datasets, as the channels of one image
///   when their level shapes and data type agree;
/// - a group of datasets with other names whose shapes halve in y and x (pyramid_chain.h),
///   as one pyramid, when the store can list them;
/// - the BigDataViewer layout `setupN/timepointT/sK` (or zero-padded, `setup00/timepoint00000`,
///   as some of its exporters write): all setups become the channels and all
///   timepoints the t of one image when every setup has every timepoint with the same level
///   shapes and data type; otherwise each setup whose timepoints agree is one image with those
///   as t, and the rest one image per setup and timepoint.
/// Groups are listed where the store can list, else probed by the usual names (s0…, c0…,
/// setup0…/timepoint0…, setup00…/timepoint00000…), as HTTP cannot list. Thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "data/store.h"

namespace tessera::data {

struct N5Image {
  std::string name;  ///< shown as its series name
  /// Dataset paths per level (finest first) of each stacked part, t-major then c; one part
  /// unless setups or timepoints are stacked.
  std::vector<std::vector<std::string>> parts;
  std::int64_t t = 1, c = 1;              ///< parts stacked along t and c
  std::vector<std::string> channelNames;  ///< one per stacked channel when c > 1
  bool multiscale = false;   ///< the levels sit in a group whose attributes apply to them
  bool namedScales = false;  ///< the s0, s1, ... layout of n5-viewer and BigDataViewer
};

/// The images below `path` in the order found (at most 1000, 4 groups deep).
std::vector<N5Image> findN5Images(const Store& store, const std::string& path);

/// The datasets s0, s1, ... of `group`, in order, while they exist.
std::vector<std::string> n5ScaleLevels(const Store& store, const std::string& group);

/// True when `path` holds an N5 dataset.
bool isN5DatasetAt(const Store& store, const std::string& path);

}  // namespace tessera::data
