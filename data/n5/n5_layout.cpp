#include "data/n5/n5_layout.h"

#include <algorithm>
#include <map>
#include <optional>

#include "data/arrays/pyramid_chain.h"
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

std::optional<json> datasetAttributes(const Store& store, const std::string& path) {
  auto a = readN5Attributes(store, path);
  if (a && isN5Dataset(*a)) return *a;
  return std::nullopt;
}

// What must agree for datasets to be stacked: the dimensions and data type.
std::string signatureOf(const json& attrs) {
  return attrs["dimensions"].dump() + attrs["dataType"].dump();
}

// An image with the signature of each of its levels (of its first part).
struct Found {
  N5Image image;
  std::vector<std::string> signature;
};

Found single(const std::string& name, std::vector<std::string> levels,
             std::vector<std::string> signature, bool multiscale, bool namedScales) {
  Found f;
  f.image.name = name;
  f.image.parts.push_back(std::move(levels));
  f.image.multiscale = multiscale;
  f.image.namedScales = namedScales;
  f.signature = std::move(signature);
  return f;
}

// s0, s1, ... while they are datasets, with their signatures.
std::vector<std::string> scaleLevels(const Store& store, const std::string& group,
                                     std::vector<std::string>* signature) {
  std::vector<std::string> out;
  for (int i = 0; i < kMaxLevels; ++i) {
    const std::string p = join(group, "s" + std::to_string(i));
    const auto attrs = datasetAttributes(store, p);
    if (!attrs) break;
    out.push_back(p);
    if (signature) signature->push_back(signatureOf(*attrs));
  }
  return out;
}

// The datasets among a listed group's children that form a 2× pyramid, largest first; empty
// when they do not (each is then an image of its own).
std::vector<std::size_t> datasetPyramid(const std::vector<std::pair<std::string, json>>& sets) {
  std::vector<ArrayShapeInfo> shapes;
  for (const auto& [path, attrs] : sets) {
    auto meta = parseN5Attributes(attrs, path);
    if (!meta) return {};
    shapes.push_back({path, meta->shape, meta->dtype});
  }
  const std::size_t rank = shapes.front().shape.size();
  if (rank < 2 || rank > 5) return {};
  // y and x are the last two axes whatever the others are; z may halve or stay.
  return pyramidOrder(shapes, largestFirst(shapes), std::string("tczyx").substr(5 - rank));
}

void collect(const Store& store, const std::string& path, int depth, std::vector<Found>& out) {
  if (out.size() >= kMaxImages) return;
  if (const auto attrs = datasetAttributes(store, path)) {
    out.push_back(single(path, {path}, {signatureOf(*attrs)}, false, false));
    return;
  }
  std::vector<std::string> signature;
  if (auto levels = scaleLevels(store, path, &signature); !levels.empty()) {
    out.push_back(single(path, std::move(levels), std::move(signature), true, true));
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
    std::vector<std::pair<std::string, json>> sets;
    for (const auto& n : names)
      if (auto attrs = datasetAttributes(store, join(path, n)))
        sets.emplace_back(join(path, n), std::move(*attrs));
    if (sets.size() > 1)
      if (const auto order = datasetPyramid(sets); !order.empty()) {
        std::vector<std::string> levels, sig;
        for (std::size_t i : order) {
          levels.push_back(sets[i].first);
          sig.push_back(signatureOf(sets[i].second));
        }
        out.push_back(single(path, std::move(levels), std::move(sig), true, false));
        for (const auto& n : names)
          if (!datasetAttributes(store, join(path, n)))
            collect(store, join(path, n), depth + 1, out);
        return;
      }
    for (const auto& n : names)
      collect(store, join(path, n), depth + 1, out);
    return;
  }
  // No listing: n5-viewer channels (c0, c1, ...) and the BigDataViewer layout, probed by
  // number; BigDataViewer names are plain (setup0/timepoint0) or zero-padded
  // (setup00/timepoint00000).
  for (int c = 0; c < kMaxProbedSetups; ++c) {
    const std::string channel = join(path, "c" + std::to_string(c));
    std::vector<std::string> sig;
    auto levels = scaleLevels(store, channel, &sig);
    if (levels.empty()) break;
    out.push_back(single(channel, std::move(levels), std::move(sig), true, true));
  }
  const auto padded = [](int n, std::size_t width) {
    const std::string text = std::to_string(n);
    return std::string(width > text.size() ? width - text.size() : 0, '0') + text;
  };
  for (const std::size_t width : {0u, 2u}) {
    if (!readN5Attributes(store, join(path, "setup" + padded(0, width)))) continue;
    for (int s = 0; s < kMaxProbedSetups; ++s) {
      const std::string setup = join(path, "setup" + padded(s, width));
      if (!readN5Attributes(store, setup)) break;
      for (int t = 0; t < kMaxProbedTimepoints; ++t) {
        const std::string tp = join(setup, "timepoint" + padded(t, width ? 5u : 0u));
        std::vector<std::string> sig;
        auto levels = scaleLevels(store, tp, &sig);
        if (levels.empty()) break;
        out.push_back(single(tp, std::move(levels), std::move(sig), true, true));
      }
    }
    return;
  }
}

// `text` is `word` and a number of at most 9 digits: that number.
bool numbered(const std::string& text, const std::string& word, long& n) {
  if (text.size() <= word.size() || text.compare(0, word.size(), word) != 0 ||
      text.size() - word.size() > 9)
    return false;
  for (std::size_t i = word.size(); i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  n = std::stol(text.substr(word.size()));
  return true;
}

// One multiscale group of a stackable layout: an n5-viewer channel "<prefix>/cN" or a
// BigDataViewer "<prefix>/setupS/timepointT".
struct StackPart {
  std::string key;        // the container and layout it belongs to
  std::string prefix;     // the container
  std::string setupName;  // "c1", "setup01": the channel's name
  long setup = 0, timepoint = 0;
  std::size_t index = 0;  // into the found images
};

bool stackPart(const std::string& path, StackPart& part) {
  const auto last = path.rfind('/');
  const std::string leaf = last == std::string::npos ? path : path.substr(last + 1);
  const std::string parent = last == std::string::npos ? "" : path.substr(0, last);
  if (numbered(leaf, "c", part.setup)) {
    part.prefix = parent;
    part.key = "c:" + parent;
    part.setupName = leaf;
    part.timepoint = 0;
    return true;
  }
  if (last == std::string::npos || !numbered(leaf, "timepoint", part.timepoint)) return false;
  const auto before = parent.rfind('/');
  part.setupName = before == std::string::npos ? parent : parent.substr(before + 1);
  part.prefix = before == std::string::npos ? "" : parent.substr(0, before);
  part.key = "setup:" + part.prefix;
  return numbered(part.setupName, "setup", part.setup);
}

// The parts of one container as few images as they allow (see the header).
void stackParts(std::vector<StackPart> parts, const std::vector<Found>& found,
                std::vector<N5Image>& out) {
  std::sort(parts.begin(), parts.end(), [](const StackPart& a, const StackPart& b) {
    return a.timepoint != b.timepoint ? a.timepoint < b.timepoint : a.setup < b.setup;
  });
  std::vector<long> setups, timepoints;
  for (const auto& p : parts) {
    setups.push_back(p.setup);
    timepoints.push_back(p.timepoint);
  }
  for (auto* v : {&setups, &timepoints}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  const auto agree = [&](const std::vector<StackPart>& list) {
    for (const auto& p : list)
      if (found[p.index].signature != found[list.front().index].signature) return false;
    return true;
  };
  const auto stacked = [&](const std::vector<StackPart>& list, const std::string& name,
                           std::int64_t t, std::int64_t c) {
    N5Image image = found[list.front().index].image;
    image.name = name;
    image.parts.clear();
    for (const auto& p : list) {
      image.parts.push_back(found[p.index].image.parts.front());
      if (c > 1 && p.timepoint == list.front().timepoint) image.channelNames.push_back(p.setupName);
    }
    image.t = t;
    image.c = c;
    out.push_back(std::move(image));
  };
  if (parts.size() == 1) {  // nothing to stack
    out.push_back(found[parts.front().index].image);
    return;
  }
  const std::string& prefix = parts.front().prefix;
  // Sorted t-major, then setup: the order the stack wants.
  if (parts.size() == setups.size() * timepoints.size() && agree(parts)) {
    const bool channels = parts.front().key.starts_with("c:");
    stacked(parts,
            !prefix.empty() ? prefix
            : channels      ? "channels"
                            : "setups",
            static_cast<std::int64_t>(timepoints.size()), static_cast<std::int64_t>(setups.size()));
    return;
  }
  for (long s : setups) {
    std::vector<StackPart> mine;
    for (const auto& p : parts)
      if (p.setup == s) mine.push_back(p);
    if (agree(mine)) {
      const std::string name = mine.size() > 1 ? join(prefix, mine.front().setupName)
                                               : found[mine.front().index].image.name;
      stacked(mine, name, static_cast<std::int64_t>(mine.size()), 1);
    } else {
      for (const auto& p : mine)
        out.push_back(found[p.index].image);
    }
  }
}

}  // namespace

std::vector<std::string> n5ScaleLevels(const Store& store, const std::string& group) {
  return scaleLevels(store, group, nullptr);
}

bool isN5DatasetAt(const Store& store, const std::string& path) {
  return datasetAttributes(store, path).has_value();
}

std::vector<N5Image> findN5Images(const Store& store, const std::string& path) {
  std::vector<Found> found;
  collect(store, path, 0, found);
  // Stackable parts grouped by container and layout, each group where its first part was.
  std::map<std::string, std::vector<StackPart>> groups;
  std::vector<std::pair<std::string, std::size_t>> order;  // group key, or an image index
  for (std::size_t i = 0; i < found.size(); ++i) {
    StackPart part;
    part.index = i;
    // A named-scales image is named by its group: cN, or setupS/timepointT.
    if (found[i].image.namedScales && stackPart(found[i].image.name, part)) {
      if (groups[part.key].empty()) order.emplace_back(part.key, found.size());
      groups[part.key].push_back(part);
    } else {
      order.emplace_back("", i);
    }
  }
  std::vector<N5Image> out;
  for (const auto& [key, index] : order) {
    if (index < found.size())
      out.push_back(found[index].image);
    else
      stackParts(groups[key], found, out);
  }
  return out;
}

}  // namespace tessera::data
