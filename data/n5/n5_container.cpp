#include "data/n5/n5_container.h"

#include <algorithm>

#include "data/n5/n5_format.h"

namespace tessera::data {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxImages = 1000;
constexpr int kMaxDepth = 4;
constexpr int kMaxLevels = 32;
// Without listing (HTTP), setups and timepoints are probed by number up to these.
constexpr int kMaxProbedSetups = 64;
constexpr int kMaxProbedTimepoints = 64;

std::string join(const std::string& a, const std::string& b) {
  return a.empty() ? b : b.empty() ? a : a + "/" + b;
}

// An image of the container: a dataset, or a multiscale group's datasets finest first.
struct N5Image {
  std::string path;
  std::vector<std::string> levels;
  bool multiscale = false;
};

bool isDataset(const Store& store, const std::string& path) {
  auto a = readN5Attributes(store, path);
  return a && isN5Dataset(*a);
}

// s0, s1, ... while they are datasets.
std::vector<std::string> scaleLevels(const Store& store, const std::string& group) {
  std::vector<std::string> out;
  for (int i = 0; i < kMaxLevels; ++i) {
    const std::string p = join(group, "s" + std::to_string(i));
    if (!isDataset(store, p)) break;
    out.push_back(p);
  }
  return out;
}

void collect(const Store& store, const std::string& path, int depth, std::vector<N5Image>& out) {
  if (out.size() >= kMaxImages) return;
  if (isDataset(store, path)) {
    out.push_back({path, {path}, false});
    return;
  }
  if (auto levels = scaleLevels(store, path); !levels.empty()) {
    out.push_back({path, std::move(levels), true});
    return;
  }
  if (depth >= kMaxDepth) return;
  auto listed = store.list(path);
  if (listed) {
    std::vector<std::string> names;
    for (const auto& n : *listed)
      if (!n.empty() && n[0] != '.' && n != "attributes.json") names.push_back(n);
    // setup2 before setup10: shorter names first, then by text.
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    for (const auto& n : names)
      collect(store, join(path, n), depth + 1, out);
    return;
  }
  // No listing: the BigDataViewer layout, probed by number.
  for (int s = 0; s < kMaxProbedSetups; ++s) {
    const std::string setup = join(path, "setup" + std::to_string(s));
    if (!readN5Attributes(store, setup)) break;
    for (int t = 0; t < kMaxProbedTimepoints; ++t) {
      const std::string tp = join(setup, "timepoint" + std::to_string(t));
      auto levels = scaleLevels(store, tp);
      if (levels.empty()) break;
      out.push_back({tp, std::move(levels), true});
    }
  }
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
  if (!scaleLevels(store, path).empty()) return 95;
  if (isDataset(store, join(path, "setup0/timepoint0/s0"))) return 95;
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
  std::vector<N5Image> images;
  collect(*store, path, 0, images);
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
      info.series.push_back(im.path);
    info.seriesIndex = pick;
  }
  const json group = image.multiscale ? attributesOr(*store, image.path) : json::object();
  // BigDataViewer keeps downsamplingFactors on the setup, the timepoint's parent.
  const json setup = image.multiscale ? attributesOr(*store, parentOf(image.path)) : json::object();
  std::vector<ArrayLevel> levels;
  json level0Attrs;
  for (std::size_t k = 0; k < image.levels.size(); ++k) {
    auto attrs = readN5Attributes(*store, image.levels[k]);
    if (!attrs) return std::unexpected(attrs.error());
    auto meta =
        parseN5Attributes(*attrs, storeKeyName(*store, join(image.levels[k], "attributes.json")));
    if (!meta) return std::unexpected(meta.error());
    const std::size_t rank = meta->shape.size();
    ArrayLevel level;
    level.path = image.levels[k];
    level.factors = k == 0 ? std::vector<double>{} : levelFactors(*attrs, group, setup, k, rank);
    level.array = ZarrArray::fromMetadata(store, image.levels[k], std::move(*meta));
    if (k == 0) level0Attrs = *attrs;
    levels.push_back(std::move(level));
  }
  const auto& shape = levels.front().array->shape();
  const std::size_t rank = shape.size();
  const std::string levelName = storeKeyName(*store, image.levels.front());
  if (rank < 2 || rank > 5)
    return fail(Errc::Unsupported, levelName + ": a " + std::to_string(rank) +
                                       "-dimensional dataset is not an image (2 to 5 dimensions)");
  std::string axes;
  bool guessed = false;
  if (!select.axes.empty()) {
    auto checked = checkAxes(select.axes, rank, levelName);
    if (!checked) return std::unexpected(checked.error());
    axes = *checked;
  } else if (!(axes = axesAttribute(level0Attrs, rank)).empty() ||
             !(axes = axesAttribute(group, rank)).empty()) {
    // stated by the container
  } else if (image.multiscale && rank == 3) {
    axes = "zyx";  // BigDataViewer and n5-viewer pyramids are x, y, z volumes
  } else {
    auto guess = resolveAxes("", shape, levelName, guessed);
    if (!guess) return std::unexpected(guess.error());
    axes = *guess;
  }
  std::vector<double> resolution = resolutionOf(level0Attrs, rank, info.spaceUnit);
  if (resolution.empty()) resolution = resolutionOf(group, rank, info.spaceUnit);
  return ArrayImageSource::create(store, std::move(levels), axes, guessed, std::move(info),
                                  resolution);
}

}  // namespace tessera::data
