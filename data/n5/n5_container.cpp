#include "data/n5/n5_container.h"

#include <algorithm>

#include "data/n5/n5_format.h"
#include "data/n5/n5_layout.h"

namespace tessera::data {
namespace {

using nlohmann::json;

std::string join(const std::string& a, const std::string& b) {
  return a.empty() ? b : b.empty() ? a : a + "/" + b;
}

std::string parentOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// A list of numbers (N5 order) reversed to C order; empty when absent or malformed.
std::vector<double> reversedNumbers(const json& v, std::size_t rank) {
  std::vector<double> out;
  if (!v.is_array() || v.size() != rank) return {};
  for (const auto& x : v) {
    if (!x.is_number()) return {};
    out.push_back(x.get<double>());
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Downsampling factors of level `k` of a multiscale group: the dataset's own
// `downsamplingFactors`, else the group's `scales`, else a BigDataViewer setup's
// `downsamplingFactors` (a list per level).
std::vector<double> levelFactors(const json& dataset, const json& group, const json& setup,
                                 std::size_t k, std::size_t rank) {
  if (auto f = reversedNumbers(dataset.value("downsamplingFactors", json()), rank); !f.empty())
    return f;
  for (const json* holder : {&group, &setup})
    for (const char* key : {"scales", "downsamplingFactors"}) {
      const json list = holder->value(key, json());
      if (list.is_array() && k < list.size())
        if (auto f = reversedNumbers(list[k], rank); !f.empty()) return f;
    }
  return {};
}

// `pixelResolution` ({"dimensions": [...], "unit": "um"} or a plain list) or `resolution`.
std::vector<double> resolutionOf(const json& attrs, std::size_t rank, std::string& unit) {
  if (const auto pr = attrs.find("pixelResolution"); pr != attrs.end()) {
    if (pr->is_object()) {
      if (const auto u = pr->find("unit"); u != pr->end() && u->is_string()) unit = *u;
      return reversedNumbers(pr->value("dimensions", json()), rank);
    }
    return reversedNumbers(*pr, rank);
  }
  return reversedNumbers(attrs.value("resolution", json()), rank);
}

std::string axesAttribute(const json& attrs, std::size_t rank) {
  const auto it = attrs.find("axes");
  if (it == attrs.end() || !it->is_array() || it->size() != rank) return "";
  std::string out;
  for (auto a = it->rbegin(); a != it->rend(); ++a) {  // N5 order to C order
    if (!a->is_string() || a->get<std::string>().size() != 1) return "";
    out += a->get<std::string>();
  }
  auto checked = checkAxes(out, rank, "");
  return checked ? *checked : "";
}

json attributesOr(const Store& store, const std::string& path) {
  auto a = readN5Attributes(store, path);
  return a ? *a : json::object();
}

}  // namespace

int probeN5(const Store& store, const std::string& path) {
  auto attrs = readN5Attributes(store, path);
  if (!attrs) return 0;
  if (isN5Dataset(*attrs) || attrs->contains("n5")) return 95;
  if (!n5ScaleLevels(store, path).empty()) return 95;
  for (const char* first : {"c0/s0", "setup0/timepoint0/s0", "setup00/timepoint00000/s0"})
    if (isN5DatasetAt(store, join(path, first))) return 95;
  return 0;
}

Expected<std::shared_ptr<ArrayImageSource>> openN5(std::shared_ptr<const Store> store,
                                                   const std::string& path,
                                                   const ImageSelection& select) {
  const std::string where = storeKeyName(*store, path);
  if (!select.well.empty() || select.field)
    return fail(Errc::InvalidArgument,
                where + ": an N5 container, not a plate; there are no wells");
  auto rootAttrs = readN5Attributes(*store, path);
  if (!rootAttrs && rootAttrs.error().code != Errc::NotFound)
    return std::unexpected(rootAttrs.error());
  const std::vector<N5Image> images = findN5Images(*store, path);
  if (images.empty()) return fail(Errc::Unsupported, where + ": an N5 container without datasets");
  const std::size_t pick = static_cast<std::size_t>(select.series.value_or(0));
  if (pick >= images.size())
    return fail(Errc::InvalidArgument, where + ": no series " + std::to_string(pick) + " (it has " +
                                           std::to_string(images.size()) + ")");
  const N5Image& image = images[pick];

  ImageInfo info;
  info.format = "n5";
  info.source = storeKeyName(*store, "");
  if (images.size() > 1) {
    for (const auto& im : images)
      info.series.push_back(im.name);
    info.seriesIndex = pick;
  }
  const auto& first = image.parts.front();
  const std::string groupPath = parentOf(first.front());
  const json group = image.multiscale ? attributesOr(*store, groupPath) : json::object();
  // BigDataViewer keeps downsamplingFactors on the setup, the timepoint's parent.
  const json setup = image.multiscale ? attributesOr(*store, parentOf(groupPath)) : json::object();
  const auto openLevel = [&](const std::string& dataset) -> Expected<std::unique_ptr<ZarrArray>> {
    auto attrs = readN5Attributes(*store, dataset);
    if (!attrs) return std::unexpected(attrs.error());
    auto meta = parseN5Attributes(*attrs, storeKeyName(*store, join(dataset, "attributes.json")));
    if (!meta) return std::unexpected(meta.error());
    return ZarrArray::fromMetadata(store, dataset, std::move(*meta));
  };
  std::vector<ArrayLevel> levels;
  for (std::size_t k = 0; k < first.size(); ++k) {
    auto array = openLevel(first[k]);
    if (!array) return std::unexpected(array.error());
    const std::size_t rank = (*array)->shape().size();
    ArrayLevel level;
    level.path = first[k];
    level.factors = k == 0 ? std::vector<double>{}
                           : levelFactors((*array)->attributes(), group, setup, k, rank);
    level.array = std::move(*array);
    for (std::size_t p = 1; p < image.parts.size(); ++p) {
      if (k >= image.parts[p].size())
        return fail(Errc::Corrupt, storeKeyName(*store, parentOf(image.parts[p].front())) +
                                       ": has fewer levels than " +
                                       storeKeyName(*store, groupPath));
      auto part = openLevel(image.parts[p][k]);
      if (!part) return std::unexpected(part.error());
      level.stacked.push_back({std::move(*part), image.parts[p][k]});
    }
    levels.push_back(std::move(level));
  }
  const json& level0Attrs = levels.front().array->attributes();
  const auto& shape = levels.front().array->shape();
  const std::size_t rank = shape.size();
  const std::string levelName = storeKeyName(*store, first.front());
  if (rank < 2 || rank > 5)
    return fail(Errc::Unsupported, levelName + ": a " + std::to_string(rank) +
                                       "-dimensional dataset is not an image (2 to 5 dimensions)");
  std::string axes;
  bool guessed = false;
  if (!select.axes.empty()) {
    auto own = unstackedAxes(select.axes, rank, {image.t, image.c}, levelName);
    if (!own) return std::unexpected(own.error());
    auto checked = checkAxes(*own, rank, levelName);
    if (!checked) return std::unexpected(checked.error());
    axes = *checked;
  } else if (!(axes = axesAttribute(level0Attrs, rank)).empty() ||
             !(axes = axesAttribute(group, rank)).empty()) {
    // stated by the container
  } else if (image.namedScales && rank == 3) {
    axes = "zyx";  // BigDataViewer and n5-viewer pyramids are x, y, z volumes
  } else {
    auto guess = resolveAxes("", shape, levelName, guessed);
    if (!guess) return std::unexpected(guess.error());
    axes = *guess;
  }
  std::vector<double> resolution = resolutionOf(level0Attrs, rank, info.spaceUnit);
  if (resolution.empty()) resolution = resolutionOf(group, rank, info.spaceUnit);
  // n5-viewer keeps defaults for its channel groups at the root, the group's parent.
  if (resolution.empty()) resolution = resolutionOf(setup, rank, info.spaceUnit);
  for (const auto& name : image.channelNames) {
    ChannelInfo channel;
    channel.name = name;
    info.channels.push_back(channel);
  }
  return ArrayImageSource::create(store, std::move(levels), axes, guessed, std::move(info),
                                  resolution, {image.t, image.c});
}

}  // namespace tessera::data
