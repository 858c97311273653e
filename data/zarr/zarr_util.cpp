#include "data/zarr/zarr_util.h"

namespace tessera::data {

std::optional<std::size_t> checkedElementCount(std::span<const std::int64_t> dims,
                                               std::size_t elementSize) {
  std::size_t n = elementSize;
  for (std::int64_t d : dims) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > kMaxZarrBuffer / static_cast<std::size_t>(d)) return std::nullopt;
    n *= static_cast<std::size_t>(d);
  }
  if (n > kMaxZarrBuffer) return std::nullopt;
  return n;
}

std::string chunkKeyJoin(std::span<const std::int64_t> index, char separator) {
  if (index.empty()) return "0";
  std::string key;
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (i) key += separator;
    key += std::to_string(index[i]);
  }
  return key;
}

}  // namespace tessera::data
