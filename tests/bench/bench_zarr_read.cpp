// Zarr read benchmark, Tessera side: reads the full-resolution region c 0..3, y/x 4096..8191
// of IMAGE (bench_zarr_gen.py) through openImage + TileSource::readTile on a ThreadPool of
// THREADS workers, assembling it into one new c/y/x buffer per run, allocated inside the clock,
// as dask's compute() does. No tile cache is involved, so every run is in-process cold; one
// untimed pass first warms the OS cache.
//
// Usage: bench_zarr_read IMAGE.ome.zarr [RUNS=5] [THREADS=nproc]
// Prints: "tessera MBPS MEDIAN_SECONDS threads=N SUM" (MB = 10^6 bytes, median over RUNS; SUM,
// the sum of all values read, is compared with the peer's by bench_zarr_read.sh).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "data/image_open.h"
#include "data/thread_pool.h"

using namespace tessera::data;

namespace {

constexpr std::int64_t kOrigin = 4096, kSize = 4096, kChannels = 4;

// Returns seconds, or a negative number after printing the error.
double readRegion(const TileSource& src, ThreadPool& pool, std::vector<std::uint16_t>& out) {
  const auto t0 = std::chrono::steady_clock::now();
  out = std::vector<std::uint16_t>(static_cast<std::size_t>(kChannels * kSize * kSize));
  const auto& l = src.info().levels[0];
  const std::int64_t th = l.chunk[kY], tw = l.chunk[kX];
  std::vector<TileKey> keys;
  for (std::int64_t c = 0; c < kChannels; ++c)
    for (std::int64_t r = kOrigin / th; r < (kOrigin + kSize) / th; ++r)
      for (std::int64_t col = kOrigin / tw; col < (kOrigin + kSize) / tw; ++col)
        keys.push_back({0, 0, c, 0, r, col});
  std::atomic<bool> failed{false};
  std::latch done(static_cast<std::ptrdiff_t>(keys.size()));
  for (const auto& k : keys)
    pool.post([&, k] {
      auto t = src.readTile(k, {});
      if (!t) {
        if (!failed.exchange(true)) std::fprintf(stderr, "%s\n", t.error().message.c_str());
      } else {
        const auto* px = reinterpret_cast<const std::uint16_t*>(t->data.data());
        const std::int64_t y0 = k.row * th - kOrigin, x0 = k.col * tw - kOrigin;
        for (int y = 0; y < t->height; ++y)
          std::memcpy(&out[static_cast<std::size_t>((k.c * kSize + y0 + y) * kSize + x0)],
                      px + static_cast<std::size_t>(y) * t->width,
                      static_cast<std::size_t>(t->width) * 2);
      }
      done.count_down();
    });
  done.wait();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return failed ? -1 : s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_zarr_read IMAGE.ome.zarr [RUNS=5] [THREADS=nproc]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  const int threads =
      argc > 3 ? std::atoi(argv[3]) : static_cast<int>(std::thread::hardware_concurrency());
  auto src = openImage(argv[1]);
  if (!src) {
    std::fprintf(stderr, "%s\n", src.error().message.c_str());
    return 2;
  }
  const auto& info = (*src)->info();
  if (info.dtype != DType::U16 || info.levels[0].shape[kC] < kChannels ||
      info.width() < kOrigin + kSize || info.height() < kOrigin + kSize) {
    std::fprintf(stderr, "%s: expected the bench_zarr_gen.py image\n", argv[1]);
    return 2;
  }
  ThreadPool pool(threads);
  std::vector<std::uint16_t> out;
  if (readRegion(**src, pool, out) < 0) return 1;  // warms the OS cache
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const double s = readRegion(**src, pool, out);
    if (s < 0) return 1;
    times.push_back(s);
  }
  std::sort(times.begin(), times.end());
  const double med = times[times.size() / 2];
  std::uint64_t sum = 0;
  for (auto v : out)
    sum += v;
  std::printf("tessera %.1f %.4f threads=%d %llu\n",
              static_cast<double>(out.size() * 2) / med / 1e6, med, threads,
              static_cast<unsigned long long>(sum));
  return 0;
}
