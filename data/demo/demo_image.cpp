#include "data/demo/demo_image.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "data/demo/demo_parallel.h"
#include "data/zarr/zarr_writer.h"

namespace tessera::data::demo {
namespace {

namespace fs = std::filesystem;

/// One level held in memory, channel-major (c, y, x).
struct Plane {
  int w = 0, h = 0;
  std::vector<std::uint16_t> px;
  std::uint16_t* at(int c, int y) { return px.data() + (std::size_t(c) * h + y) * w; }
  const std::uint16_t* at(int c, int y) const { return px.data() + (std::size_t(c) * h + y) * w; }
};

inline std::uint16_t mean4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return static_cast<std::uint16_t>((a + b + c + d + 2) / 4);
}

/// 2x2 mean of rows [y0, y1) of `dst` from `src` (any channel-major source of twice the size).
void downsampleRows(const Plane& src, Plane& dst, int y0, int y1) {
  for (int c = 0; c < kDemoChannels; ++c)
    for (int y = y0; y < y1; ++y) {
      const std::uint16_t* r0 = src.at(c, 2 * y);
      const std::uint16_t* r1 = src.at(c, 2 * y + 1);
      std::uint16_t* out = dst.at(c, y);
      for (int x = 0; x < dst.w; ++x)
        out[x] = mean4(r0[2 * x], r0[2 * x + 1], r1[2 * x], r1[2 * x + 1]);
    }
}

/// First error reported by any worker; later ones are dropped.
struct ErrorSlot {
  std::mutex mutex;
  std::optional<Error> error;
  void set(const Error& e) {
    std::lock_guard lock(mutex);
    if (!error) error = e;
  }
  bool failed() {
    std::lock_guard lock(mutex);
    return error.has_value();
  }
};

Expected<ZarrWriter> createLevel(const fs::path& zarrDir, int level, int size) {
  ZarrWriteOptions o;
  o.shape = {kDemoChannels, size, size};
  o.chunks = {1, kDemoChunk, kDemoChunk};
  o.dtype = DType::U16;
  o.compressor = ZarrCompressor::BloscLz4;
  o.dimensionSeparator = '/';
  return ZarrWriter::create(zarrDir / std::to_string(level), o);
}

/// Writes every chunk of an in-memory level (edge chunks zero-padded to full size).
Expected<void> writeLevel(const ZarrWriter& writer, const Plane& plane, Executor& executor,
                          const std::function<bool(int, int)>& poll) {
  const int nc = (plane.w + kDemoChunk - 1) / kDemoChunk;
  const int items = kDemoChannels * nc * nc;
  ErrorSlot err;
  const bool ok = parallelFor(
      &executor, items,
      [&](int i) {
        if (err.failed()) return;
        const int c = i / (nc * nc), cy = (i / nc) % nc, cx = i % nc;
        std::vector<std::uint16_t> chunk(std::size_t(kDemoChunk) * kDemoChunk, 0);
        const int x0 = cx * kDemoChunk, y0 = cy * kDemoChunk;
        const int w = std::min(kDemoChunk, plane.w - x0), h = std::min(kDemoChunk, plane.h - y0);
        for (int y = 0; y < h; ++y)
          std::copy_n(plane.at(c, y0 + y) + x0, w, chunk.data() + std::size_t(y) * kDemoChunk);
        const std::int64_t idx[3] = {c, cy, cx};
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(chunk.data());
        auto r = writer.writeChunk(idx, std::span(bytes, chunk.size() * 2));
        if (!r) err.set(r.error());
      },
      [&](int done) { return poll(done, items); });
  if (err.error) return std::unexpected(*err.error);
  if (!ok) return fail(Errc::Cancelled, "demo image: cancelled");
  return {};
}

/// Percentile display windows from in-tissue pixels of a coarse level.
std::array<std::array<double, 2>, kDemoChannels> windows(const TissueModel& model, const Plane& p,
                                                         int factor) {
  std::array<std::array<double, 2>, kDemoChannels> out{};
  for (int c = 0; c < kDemoChannels; ++c) {
    std::vector<std::uint64_t> hist(65536, 0);
    std::uint64_t n = 0;
    for (int y = 0; y < p.h; ++y) {
      const std::uint16_t* row = p.at(c, y);
      for (int x = 0; x < p.w; ++x) {
        if (model.tissue((x + 0.5) * factor, (y + 0.5) * factor) < 20) continue;
        ++hist[row[x]];
        ++n;
      }
    }
    auto quantile = [&](double q) {
      const std::uint64_t target = std::uint64_t(q * double(n));
      std::uint64_t acc = 0;
      for (int v = 0; v < 65536; ++v) {
        acc += hist[v];
        if (acc > target) return double(v);
      }
      return 65535.0;
    };
    out[c] = {quantile(0.01), std::max(quantile(0.995), quantile(0.01) + 1)};
  }
  return out;
}

}  // namespace

Expected<DemoImageStats> writeDemoImage(
    const TissueModel& model, const fs::path& zarrDir, Executor& executor,
    const std::function<bool(double, const std::string&)>& progress) {
  const int size0 = model.config().width;
  if (model.config().height != size0 || size0 % (kDemoChunk * 2) != 0)
    return fail(Errc::InvalidArgument,
                zarrDir.string() + ": demo image must be square, multiple of 1024");
  std::vector<ZarrWriter> writers;
  for (int l = 0; l < kDemoLevels; ++l) {
    auto w = createLevel(zarrDir, l, size0 >> l);
    if (!w) return std::unexpected(w.error());
    writers.push_back(std::move(*w));
  }

  // Level 0: paint, write, and reduce into level 1, one chunk-sized tile per work item.
  std::vector<Plane> levels(kDemoLevels);
  for (int l = 1; l < kDemoLevels; ++l) {
    levels[l].w = levels[l].h = size0 >> l;
    levels[l].px.assign(std::size_t(kDemoChannels) * levels[l].w * levels[l].h, 0);
  }
  const int tiles = size0 / kDemoChunk;
  ErrorSlot err;
  const bool painted = parallelFor(
      &executor, tiles * tiles,
      [&](int i) {
        if (err.failed()) return;
        const int ty = i / tiles, tx = i % tiles;
        Plane tile{
            kDemoChunk, kDemoChunk,
            std::vector<std::uint16_t>(std::size_t(kDemoChannels) * kDemoChunk * kDemoChunk)};
        paintBlock(model, tx * kDemoChunk, ty * kDemoChunk, kDemoChunk, kDemoChunk, tile.px);
        for (int c = 0; c < kDemoChannels; ++c) {
          const std::int64_t idx[3] = {c, ty, tx};
          const auto* bytes = reinterpret_cast<const std::uint8_t*>(tile.at(c, 0));
          auto r = writers[0].writeChunk(
              idx, std::span(bytes, std::size_t(kDemoChunk) * kDemoChunk * 2));
          if (!r) return err.set(r.error());
        }
        Plane& l1 = levels[1];
        const int half = kDemoChunk / 2;
        for (int c = 0; c < kDemoChannels; ++c)
          for (int y = 0; y < half; ++y) {
            const std::uint16_t* r0 = tile.at(c, 2 * y);
            const std::uint16_t* r1 = tile.at(c, 2 * y + 1);
            std::uint16_t* out = l1.at(c, ty * half + y) + tx * half;
            for (int x = 0; x < half; ++x)
              out[x] = mean4(r0[2 * x], r0[2 * x + 1], r1[2 * x], r1[2 * x + 1]);
          }
      },
      [&](int done) { return progress(0.85 * done / (tiles * tiles), "Painting tissue"); });
  if (err.error) return std::unexpected(*err.error);
  if (!painted) return fail(Errc::Cancelled, zarrDir.string() + ": cancelled");

  for (int l = 2; l < kDemoLevels; ++l)
    downsampleRows(levels[l - 1], levels[l], 0, levels[l].h);
  int pyramidChunks = 0, written = 0;
  for (int l = 1; l < kDemoLevels; ++l) {
    const int nc = (levels[l].w + kDemoChunk - 1) / kDemoChunk;
    pyramidChunks += kDemoChannels * nc * nc;
  }
  for (int l = 1; l < kDemoLevels; ++l) {
    int items = 0;
    auto r = writeLevel(writers[l], levels[l], executor, [&](int done, int n) {
      items = n;
      return progress(0.85 + 0.15 * double(written + done) / pyramidChunks, "Building pyramid");
    });
    written += items;
    if (!r) {
      if (r.error().code == Errc::Cancelled)
        return fail(Errc::Cancelled, zarrDir.string() + ": cancelled");
      return std::unexpected(r.error());
    }
  }
  DemoImageStats stats;
  stats.window = windows(model, levels[3], 8);
  return stats;
}

}  // namespace tessera::data::demo
