#pragma once
/// Small shape arithmetic shared by the zarr reader and writer. Pure functions, thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tessera::data {

/// Largest buffer a single zarr read may allocate. Above this a request is refused as a value
/// instead of risking std::bad_alloc or an overcommitted allocation that later kills the process.
inline constexpr std::size_t kMaxZarrBuffer = std::size_t{1} << 36;  // 64 GiB

inline std::int64_t ceilDiv(std::int64_t a, std::int64_t b) {
  return a / b + (a % b != 0);
}

/// prod(dims) * elementSize, or nullopt on negative dims, overflow or > kMaxZarrBuffer.
std::optional<std::size_t> checkedElementCount(std::span<const std::int64_t> dims,
                                               std::size_t elementSize);

/// "1.2.3" or "1/2/3"; "0" for a 0-d index (zarr v2 and v3 "v2" key encodings).
std::string chunkKeyJoin(std::span<const std::int64_t> index, char separator);

}  // namespace tessera::data
