#include "data/arrays/bare_zarr.h"

#include <algorithm>

#include "data/arrays/pyramid_chain.h"
#include "data/ome/zarr_group.h"

namespace tessera::data {
namespace {

// A group's children examined for arrays; real groups of images hold a handful.
constexpr std::size_t kMaxChildren = 256;

bool isImageRank(std::size_t rank) {
  return rank >= 2 && rank <= 5;
}

// True when `attrs` mark a group that is something other than a bare image collection.
bool isOtherFormat(const nlohmann::json& attrs) {
  if (!attrs.is_object()) return false;
  return attrs.contains("multiscales") || attrs.contains("ome") || attrs.contains("plate") ||
         attrs.contains("well") || attrs.contains("bioformats2raw.layout") ||
         attrs.contains("encoding-type") || attrs.contains("spatialdata_attrs");
}

// Axis names an array declares (v3 dimension_names, xarray _ARRAY_DIMENSIONS), as a tczyx
// string, when every name is one of those letters; else empty.
std::string declaredAxes(const ZarrArray& a) {
  std::vector<std::string> names = a.dimensionNames();
  if (names.empty()) {
    const auto it = a.attributes().find("_ARRAY_DIMENSIONS");
    if (it != a.attributes().end() && it->is_array())
      for (const auto& n : *it)
        names.push_back(n.is_string() ? n.get<std::string>() : "");
  }
  if (names.size() != a.shape().size()) return "";
  std::string out;
  for (const auto& n : names) {
    if (n.size() != 1) return "";
    out += n;
  }
  auto checked = checkAxes(out, names.size(), "");
  return checked ? *checked : "";
}

// Child names of a group: listed when the store can list, else the usual level names probed
// one by one ("0", "1", ... and "s0", "s1", ...) as HTTP cannot list.
std::vector<std::string> childNames(const Store& store, const std::string& path) {
  if (auto listed = store.list(path)) {
    std::vector<std::string> out;
    for (auto& n : *listed)
      if (!n.empty() && n[0] != '.' && n != "zarr.json") out.push_back(n);
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    if (out.size() > kMaxChildren) out.resize(kMaxChildren);
    return out;
  }
  std::vector<std::string> out;
  for (const char* prefix : {"", "s"})
    for (std::size_t i = 0; i < 32; ++i) {
      const std::string name = prefix + std::to_string(i);
      auto node = readZarrNodeAttributes(store, joinZarrPath(path, name));
      if (!node || !node->isArray) break;
      out.push_back(name);
    }
  return out;
}

struct Candidate {
  std::string path;
  std::unique_ptr<ZarrArray> array;
};

Expected<std::vector<Candidate>> groupArrays(const std::shared_ptr<const Store>& store,
                                             const std::string& path) {
  std::vector<Candidate> out;
  for (const auto& name : childNames(*store, path)) {
    const std::string child = joinZarrPath(path, name);
    auto node = readZarrNodeAttributes(*store, child);
    if (!node || !node->isArray) continue;
    auto arr = ZarrArray::open(store, child);
    if (!arr) return std::unexpected(arr.error());
    if (isImageRank((*arr)->shape().size())) out.push_back({child, std::move(*arr)});
  }
  return out;
}

Expected<std::shared_ptr<ArrayImageSource>> makeSource(const std::shared_ptr<const Store>& store,
                                                       std::vector<ArrayLevel> levels,
                                                       const ImageSelection& select,
                                                       ImageInfo info) {
  const ZarrArray& first = *levels.front().array;
  const std::string where = storeKeyName(*store, levels.front().path);
  if (!isImageRank(first.shape().size()))
    return fail(Errc::Unsupported, where + ": a " + std::to_string(first.shape().size()) +
                                       "-dimensional array is not an image (2 to 5 dimensions)");
  bool guessed = false;
  std::string axes;
  if (select.axes.empty() && !(axes = declaredAxes(first)).empty()) {
    // declared by the array itself
  } else {
    auto resolved = resolveAxes(select.axes, first.shape(), where, guessed);
    if (!resolved) return std::unexpected(resolved.error());
    axes = *resolved;
  }
  info.format = "zarr-array";
  info.source = storeKeyName(*store, "");
  return ArrayImageSource::create(store, std::move(levels), axes, guessed, std::move(info));
}

}  // namespace

int probeBareZarr(const Store& store, const std::string& path) {
  auto node = readZarrNodeAttributes(store, path);
  if (!node) return 0;
  if (node->isArray) {
    auto arr = ZarrArray::open(std::shared_ptr<const Store>(&store, [](const Store*) {}), path);
    return arr && isImageRank((*arr)->shape().size()) ? 40 : 0;
  }
  if (isOtherFormat(node->attributes)) return 0;
  const auto children = childNames(store, path);
  // AnnData written without encoding metadata still has obs and var: a table, not an image.
  const auto has = [&](const char* n) {
    return std::find(children.begin(), children.end(), n) != children.end();
  };
  if (has("obs") && has("var")) return 0;
  for (const auto& name : children) {
    auto child = readZarrNodeAttributes(store, joinZarrPath(path, name));
    if (!child || !child->isArray) continue;
    auto arr = ZarrArray::open(std::shared_ptr<const Store>(&store, [](const Store*) {}),
                               joinZarrPath(path, name));
    if (arr && isImageRank((*arr)->shape().size())) return 40;
  }
  return 0;
}

Expected<std::shared_ptr<ArrayImageSource>> openBareZarr(std::shared_ptr<const Store> store,
                                                         const std::string& path,
                                                         const ImageSelection& select) {
  if (!select.well.empty() || select.field)
    return fail(Errc::InvalidArgument,
                storeKeyName(*store, path) + ": a zarr array, not a plate; there are no wells");
  auto node = readZarrNodeAttributes(*store, path);
  if (!node) return std::unexpected(node.error());
  if (node->isArray) {
    if (select.series.value_or(0) != 0)
      return fail(Errc::InvalidArgument,
                  storeKeyName(*store, path) + ": holds a single array; there is no other series");
    auto arr = ZarrArray::open(store, path);
    if (!arr) return std::unexpected(arr.error());
    std::vector<ArrayLevel> levels;
    levels.push_back({std::move(*arr), path, {}, {}});
    return makeSource(store, std::move(levels), select, {});
  }
  auto arrays = groupArrays(store, path);
  if (!arrays) return std::unexpected(arrays.error());
  if (arrays->empty())
    return fail(Errc::Unsupported,
                storeKeyName(*store, path) + ": a zarr group without arrays of 2 to 5 dimensions");
  std::vector<ArrayShapeInfo> shapes;
  for (const auto& c : *arrays)
    shapes.push_back({c.path, c.array->shape(), c.array->dtype()});
  const auto order = largestFirst(shapes);
  const auto& largest = shapes[order.front()];
  std::string axes = select.axes.empty() ? declaredAxes(*(*arrays)[order.front()].array) : "";
  if (axes.empty()) {
    bool guessed = false;
    if (auto r = resolveAxes(select.axes, largest.shape, path, guessed)) axes = *r;
  }
  if (const auto pyramid =
          axes.empty() ? std::vector<std::size_t>{} : pyramidOrder(shapes, order, axes);
      !pyramid.empty()) {
    if (select.series.value_or(0) != 0)
      return fail(Errc::InvalidArgument,
                  storeKeyName(*store, path) + ": one multiscale image; there is no other series");
    std::vector<ArrayLevel> levels;
    for (std::size_t i : pyramid)
      levels.push_back({std::move((*arrays)[i].array), (*arrays)[i].path, {}, {}});
    return makeSource(store, std::move(levels), select, {});
  }
  // Unrelated arrays: each is a series of its own.
  ImageInfo info;
  for (const auto& c : *arrays)
    info.series.push_back(c.path);
  const std::size_t pick = static_cast<std::size_t>(select.series.value_or(0));
  if (pick >= arrays->size())
    return fail(Errc::InvalidArgument, storeKeyName(*store, path) + ": no series " +
                                           std::to_string(pick) + " (it has " +
                                           std::to_string(arrays->size()) + " arrays)");
  info.seriesIndex = pick;
  std::vector<ArrayLevel> levels;
  levels.push_back({std::move((*arrays)[pick].array), (*arrays)[pick].path, {}, {}});
  return makeSource(store, std::move(levels), select, std::move(info));
}

}  // namespace tessera::data
