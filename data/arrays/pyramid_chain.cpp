#include "data/arrays/pyramid_chain.h"

#include <algorithm>
#include <numeric>

namespace tessera::data {

bool isHalfStep(const std::vector<std::int64_t>& prev, const std::vector<std::int64_t>& next,
                const std::vector<bool>& spatial) {
  if (prev.size() != next.size() || spatial.size() != prev.size()) return false;
  bool shrinks = false;
  for (std::size_t i = 0; i < prev.size(); ++i) {
    if (!spatial[i]) {
      if (prev[i] != next[i]) return false;
      continue;
    }
    if (next[i] != prev[i] / 2 && next[i] != (prev[i] + 1) / 2 && next[i] != prev[i]) return false;
    shrinks = shrinks || next[i] < prev[i];
  }
  return shrinks;
}

std::vector<std::size_t> largestFirst(const std::vector<ArrayShapeInfo>& arrays) {
  std::vector<std::size_t> order(arrays.size());
  std::iota(order.begin(), order.end(), 0);
  const auto elements = [&](std::size_t i) {
    long double n = 1;
    for (auto d : arrays[i].shape)
      n *= static_cast<long double>(d);
    return n;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return elements(a) > elements(b); });
  return order;
}

std::vector<std::size_t> pyramidOrder(const std::vector<ArrayShapeInfo>& arrays,
                                      const std::vector<std::size_t>& order,
                                      const std::string& axes) {
  if (arrays.size() < 2 || order.size() != arrays.size()) return {};
  const std::size_t rank = axes.size();
  for (const auto& a : arrays)
    if (a.shape.size() != rank || a.dtype != arrays[0].dtype) return {};
  std::vector<bool> spatial(rank);
  for (std::size_t i = 0; i < rank; ++i)
    spatial[i] = axes[i] == 'z' || axes[i] == 'y' || axes[i] == 'x';
  for (std::size_t k = 1; k < order.size(); ++k) {
    const auto& prev = arrays[order[k - 1]].shape;
    const auto& next = arrays[order[k]].shape;
    if (!isHalfStep(prev, next, spatial)) return {};
    for (std::size_t i = 0; i < rank; ++i)  // y and x themselves must halve
      if ((axes[i] == 'y' || axes[i] == 'x') && next[i] == prev[i] && prev[i] > 1) return {};
  }
  return order;
}

}  // namespace tessera::data
