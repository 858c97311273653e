#include "data/expression/csc_matrix.h"

#include <array>
#include <bit>
#include <cstring>

#include "data/expression/parallel_for.h"

namespace tessera::data {
namespace {

// Maps a float to an unsigned key whose integer order is the float order (negatives reversed).
std::uint32_t orderKey(float v) {
  const auto u = std::bit_cast<std::uint32_t>(v);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// Stable LSD radix sort of one column's (value, row) pairs by value, 8 bits per pass; passes
// where every key shares the byte are skipped (counts data often needs only one or two).
void sortColumn(std::span<std::int32_t> rows, std::span<float> vals,
                std::vector<std::uint32_t>& keys, std::vector<std::uint32_t>& keys2,
                std::vector<std::int32_t>& rows2) {
  const std::size_t n = vals.size();
  if (n < 2) return;
  keys.resize(n);
  keys2.resize(n);
  rows2.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    keys[i] = orderKey(vals[i]);
  std::int32_t* rs = rows.data();
  std::int32_t* rd = rows2.data();
  std::uint32_t* ks = keys.data();
  std::uint32_t* kd = keys2.data();
  for (int shift = 0; shift < 32; shift += 8) {
    std::array<std::size_t, 257> count{};
    for (std::size_t i = 0; i < n; ++i)
      ++count[((ks[i] >> shift) & 0xff) + 1];
    bool trivial = false;
    for (int b = 1; b <= 256; ++b)
      if (count[b] == n) trivial = true;
    if (trivial) continue;
    for (int b = 0; b < 256; ++b)
      count[b + 1] += count[b];
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = count[(ks[i] >> shift) & 0xff]++;
      kd[at] = ks[i];
      rd[at] = rs[i];
    }
    std::swap(ks, kd);
    std::swap(rs, rd);
  }
  if (rs != rows.data()) std::memcpy(rows.data(), rs, n * sizeof(std::int32_t));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t k = ks[i];
    vals[i] = std::bit_cast<float>((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
  }
}

}  // namespace

void sortEntriesByValue(std::span<std::int32_t> rows, std::span<float> values) {
  std::vector<std::uint32_t> keys, keys2;
  std::vector<std::int32_t> rows2;
  sortColumn(rows, values, keys, keys2, rows2);
}

std::vector<float> CscMatrix::denseColumn(std::int64_t col) const {
  std::vector<float> out(static_cast<std::size_t>(rows), 0.0f);
  const auto r = columnRows(col);
  const auto v = columnValues(col);
  for (std::size_t k = 0; k < r.size(); ++k)
    out[r[k]] = v[k];
  return out;
}

Expected<void> sortColumnsByValue(CscMatrix& m, Executor* workers, std::stop_token stop) {
  if (m.sortedByValue) return {};
  // Columns are handed out in blocks so that each task reuses its scratch buffers.
  constexpr std::int64_t kBlock = 16;
  const std::int64_t blocks = (m.cols + kBlock - 1) / kBlock;
  const bool complete = parallelFor(
      workers, blocks,
      [&](std::int64_t b) {
        std::vector<std::uint32_t> keys, keys2;
        std::vector<std::int32_t> rows2;
        for (std::int64_t c = b * kBlock; c < std::min(m.cols, (b + 1) * kBlock); ++c) {
          const std::size_t at = static_cast<std::size_t>(m.colptr[c]);
          const std::size_t n = static_cast<std::size_t>(m.colptr[c + 1] - m.colptr[c]);
          sortColumn({m.rowIdx.data() + at, n}, {m.values.data() + at, n}, keys, keys2, rows2);
        }
      },
      stop);
  if (!complete) return fail(Errc::Cancelled, "sorting expression columns: cancelled");
  m.sortedByValue = true;
  return {};
}

}  // namespace tessera::data
