#include "data/zarr/zarr_util.h"

#include <algorithm>
#include <cstring>
#include <vector>

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

namespace tessera::data {
namespace {

std::vector<std::size_t> cStrides(std::span<const std::int64_t> shape) {
  std::vector<std::size_t> s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;)
    s[i - 1] = s[i] * static_cast<std::size_t>(shape[i]);
  return s;
}

// Calls row(srcOffset, dstOffset) (in elements) for every innermost row of the box.
template <class F>
void forEachRow(std::span<const std::int64_t> srcShape, std::span<const std::int64_t> srcStart,
                std::span<const std::int64_t> dstShape, std::span<const std::int64_t> dstStart,
                std::span<const std::int64_t> count, F&& row) {
  const std::size_t n = count.size();
  for (std::int64_t c : count)
    if (c <= 0) return;
  if (n == 0) {
    row(std::size_t{0}, std::size_t{0});
    return;
  }
  const auto ss = cStrides(srcShape);
  const auto ds = cStrides(dstShape);
  std::vector<std::int64_t> pos(n, 0);
  for (;;) {
    std::size_t so = 0, dof = 0;
    for (std::size_t i = 0; i < n; ++i) {
      so += static_cast<std::size_t>(srcStart[i] + pos[i]) * ss[i];
      dof += static_cast<std::size_t>(dstStart[i] + pos[i]) * ds[i];
    }
    row(so, dof);
    std::size_t d = n - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++pos[d] < count[d]) break;
      pos[d] = 0;
    }
  }
}

}  // namespace

void copyBox(const std::uint8_t* src, std::span<const std::int64_t> srcShape,
             std::span<const std::int64_t> srcStart, std::uint8_t* dst,
             std::span<const std::int64_t> dstShape, std::span<const std::int64_t> dstStart,
             std::span<const std::int64_t> count, std::size_t es) {
  const std::size_t rowBytes = (count.empty() ? 1 : static_cast<std::size_t>(count.back())) * es;
  forEachRow(srcShape, srcStart, dstShape, dstStart, count, [&](std::size_t so, std::size_t dof) {
    std::memcpy(dst + dof * es, src + so * es, rowBytes);
  });
}

void fillBox(std::uint8_t* dst, std::span<const std::int64_t> dstShape,
             std::span<const std::int64_t> dstStart, std::span<const std::int64_t> count,
             std::span<const std::uint8_t> element) {
  const std::size_t es = element.size();
  const std::size_t rowBytes = (count.empty() ? 1 : static_cast<std::size_t>(count.back())) * es;
  forEachRow(dstShape, dstStart, dstShape, dstStart, count, [&](std::size_t, std::size_t dof) {
    fillElements(std::span(dst + dof * es, rowBytes), element);
  });
}

void fillElements(std::span<std::uint8_t> out, std::span<const std::uint8_t> element) {
  const std::size_t es = element.size();
  if (es == 0 || out.empty()) return;
  bool allSame = true;
  for (std::uint8_t b : element)
    allSame = allSame && b == element[0];
  if (allSame) {
    std::memset(out.data(), element[0], out.size());
    return;
  }
  std::memcpy(out.data(), element.data(), std::min(es, out.size()));
  // Doubling copy: each memcpy duplicates what is already filled.
  for (std::size_t done = es; done < out.size();) {
    const std::size_t n = std::min(done, out.size() - done);
    std::memcpy(out.data() + done, out.data(), n);
    done += n;
  }
}

void untranspose(const std::uint8_t* enc, std::span<const std::int64_t> encShape,
                 std::span<const std::size_t> order, std::uint8_t* dec, std::size_t es) {
  const std::size_t n = encShape.size();
  if (n == 0) {
    std::memcpy(dec, enc, es);
    return;
  }
  std::vector<std::int64_t> decShape(n);
  for (std::size_t i = 0; i < n; ++i)
    decShape[order[i]] = encShape[i];
  const auto decStrides = cStrides(decShape);
  std::vector<std::size_t> step(n);  // decoded stride of each encoded axis, in bytes
  for (std::size_t i = 0; i < n; ++i)
    step[i] = decStrides[order[i]] * es;
  for (std::int64_t c : encShape)
    if (c <= 0) return;
  const auto inner = static_cast<std::size_t>(encShape[n - 1]);
  const std::size_t innerStep = step[n - 1];
  std::vector<std::int64_t> pos(n, 0);
  for (;;) {
    std::size_t base = 0;
    for (std::size_t i = 0; i + 1 < n; ++i)
      base += static_cast<std::size_t>(pos[i]) * step[i];
    std::uint8_t* d = dec + base;
    switch (es) {
      case 1:
        for (std::size_t k = 0; k < inner; ++k, d += innerStep)
          *d = *enc++;
        break;
      case 2:
        for (std::size_t k = 0; k < inner; ++k, d += innerStep, enc += 2)
          std::memcpy(d, enc, 2);
        break;
      case 4:
        for (std::size_t k = 0; k < inner; ++k, d += innerStep, enc += 4)
          std::memcpy(d, enc, 4);
        break;
      case 8:
        for (std::size_t k = 0; k < inner; ++k, d += innerStep, enc += 8)
          std::memcpy(d, enc, 8);
        break;
      default:
        for (std::size_t k = 0; k < inner; ++k, d += innerStep, enc += es)
          std::memcpy(d, enc, es);
    }
    std::size_t d0 = n - 1;
    for (;;) {
      if (d0 == 0) return;
      --d0;
      if (++pos[d0] < encShape[d0]) break;
      pos[d0] = 0;
    }
  }
}

}  // namespace tessera::data
