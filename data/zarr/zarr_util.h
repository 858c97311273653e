#pragma once
/// Small shape arithmetic shared by the zarr reader and writer. Pure functions, thread-safe.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

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

namespace tessera::data {

/// Copies the box `count` at `srcStart` of a C-order array `srcShape` to `dstStart` of a C-order
/// array `dstShape`. All spans have the array's rank; the caller guarantees the boxes fit.
void copyBox(const std::uint8_t* src, std::span<const std::int64_t> srcShape,
             std::span<const std::int64_t> srcStart, std::uint8_t* dst,
             std::span<const std::int64_t> dstShape, std::span<const std::int64_t> dstStart,
             std::span<const std::int64_t> count, std::size_t elementSize);

/// Sets every element of the box to `element` (elementSize bytes).
void fillBox(std::uint8_t* dst, std::span<const std::int64_t> dstShape,
             std::span<const std::int64_t> dstStart, std::span<const std::int64_t> count,
             std::span<const std::uint8_t> element);

/// Repeats `element` over the whole of `out`.
void fillElements(std::span<std::uint8_t> out, std::span<const std::uint8_t> element);

/// Undoes a zarr transpose: `enc` is C order with shape `encShape`, where encoded axis i is
/// decoded axis order[i]. Writes the decoded C-order array to `dec` (no overlap).
void untranspose(const std::uint8_t* enc, std::span<const std::int64_t> encShape,
                 std::span<const std::size_t> order, std::uint8_t* dec, std::size_t elementSize);

}  // namespace tessera::data
