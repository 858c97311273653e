#include "data/spatial/resampled_source.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace tessera::data {
namespace {

constexpr std::int64_t kTile = 256;
// A target tile reading more source tiles than this moves to a coarser source level.
constexpr std::int64_t kMaxSourceTiles = 64;

double downsampleOf(const ImageInfo& info, std::size_t level) {
  return static_cast<double>(info.levels[0].shape[kX]) /
         static_cast<double>(info.levels[level].shape[kX]);
}

}  // namespace

bool isIdentity(const Affine2D& m) {
  const auto near = [](double a, double b) { return std::abs(a - b) < 1e-9; };
  return near(m.a, 1) && near(m.b, 0) && near(m.c, 0) && near(m.d, 0) && near(m.e, 1) &&
         near(m.f, 0);
}

ResampledSource::ResampledSource(std::shared_ptr<const TileSource> source, const ImageInfo& target,
                                 const Affine2D& targetToSource, bool targetTiles)
    : source_(std::move(source)), toSource_(targetToSource) {
  const auto& s = source_->info();
  info_.format = s.format;
  info_.source = s.source;
  info_.storedAxes = s.storedAxes;
  info_.spaceUnit = target.spaceUnit;
  info_.dtype = s.dtype;
  info_.channels = s.channels;
  const auto& s0 = s.levels.at(0);
  for (std::size_t l = 0; l < target.levels.size(); ++l) {
    LevelInfo li = target.levels[l];
    li.path = s0.path + "@" + target.source + "#" + std::to_string(l);
    for (int a : {kT, kC, kZ}) {
      li.shape[a] = s0.shape[a];
      li.chunk[a] = 1;
    }
    if (!targetTiles) {
      li.chunk[kY] = std::min(kTile, li.shape[kY]);
      li.chunk[kX] = std::min(kTile, li.shape[kX]);
    }
    info_.levels.push_back(li);
  }
}

Expected<Tile> ResampledSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (key.level < 0 || key.level >= static_cast<int>(info_.levels.size()))
    return fail(Errc::InvalidArgument, info_.source + ": no level " + std::to_string(key.level));
  const auto& lv = info_.levels[static_cast<std::size_t>(key.level)];
  const std::int64_t oy = key.row * lv.chunk[kY], ox = key.col * lv.chunk[kX];
  Tile out;
  out.dtype = info_.dtype;
  out.width = static_cast<int>(std::min(lv.chunk[kX], lv.shape[kX] - ox));
  out.height = static_cast<int>(std::min(lv.chunk[kY], lv.shape[kY] - oy));
  const std::size_t es = dtypeSize(out.dtype);
  out.data.assign(static_cast<std::size_t>(out.width) * out.height * es, 0);
  if (out.width <= 0 || out.height <= 0) return out;

  // Output pixel (i, j) of this level -> target level-0 index -> source level-0 index.
  const double ds = downsampleOf(info_, static_cast<std::size_t>(key.level));
  const Affine2D levelToTarget{ds, 0, 0.5 * ds - 0.5, 0, ds, 0.5 * ds - 0.5};
  const Affine2D m = toSource_.after(levelToTarget);
  const auto& src = source_->info();
  const double need = ds * std::sqrt(std::abs(toSource_.determinant()));
  std::size_t sl = 0;
  for (std::size_t l = 1; l < src.levels.size(); ++l)
    if (downsampleOf(src, l) <= need + 1e-9) sl = l;

  for (;; ++sl) {
    const auto& sv = src.levels[sl];
    const double sds = downsampleOf(src, sl);
    // Source level-0 index u -> the level pixel holding it: floor((u + 0.5) / sds).
    const auto cellOf = [&](double u) { return std::floor((u + 0.5) / sds); };
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    for (double j : {double(ox), double(ox + out.width - 1)})
      for (double i : {double(oy), double(oy + out.height - 1)}) {
        x0 = std::min(x0, cellOf(m.mapX(j, i)));
        x1 = std::max(x1, cellOf(m.mapX(j, i)));
        y0 = std::min(y0, cellOf(m.mapY(j, i)));
        y1 = std::max(y1, cellOf(m.mapY(j, i)));
      }
    const auto clampX = [&](double v) {
      return static_cast<std::int64_t>(std::clamp(v, 0.0, double(sv.shape[kX] - 1)));
    };
    const auto clampY = [&](double v) {
      return static_cast<std::int64_t>(std::clamp(v, 0.0, double(sv.shape[kY] - 1)));
    };
    if (x1 < 0 || y1 < 0 || x0 >= double(sv.shape[kX]) || y0 >= double(sv.shape[kY])) return out;
    const std::int64_t c0 = clampX(x0) / sv.chunk[kX], c1 = clampX(x1) / sv.chunk[kX];
    const std::int64_t r0 = clampY(y0) / sv.chunk[kY], r1 = clampY(y1) / sv.chunk[kY];
    const std::int64_t nc = c1 - c0 + 1, nr = r1 - r0 + 1;
    if (nc * nr > kMaxSourceTiles && sl + 1 < src.levels.size()) continue;
    std::vector<Tile> tiles(static_cast<std::size_t>(nc * nr));
    for (std::int64_t r = r0; r <= r1; ++r)
      for (std::int64_t c = c0; c <= c1; ++c) {
        TileKey k{static_cast<int>(sl), key.t, key.c, key.z, r, c};
        auto t = source_->readTile(k, stop);
        if (!t) return std::unexpected(t.error());
        tiles[static_cast<std::size_t>((r - r0) * nc + (c - c0))] = std::move(*t);
      }
    for (int i = 0; i < out.height; ++i)
      for (int j = 0; j < out.width; ++j) {
        const double u = m.mapX(ox + j, oy + i), v = m.mapY(ox + j, oy + i);
        const double px = cellOf(u), py = cellOf(v);
        if (px < 0 || py < 0 || px >= double(sv.shape[kX]) || py >= double(sv.shape[kY])) continue;
        const auto sx = static_cast<std::int64_t>(px), sy = static_cast<std::int64_t>(py);
        const auto& t = tiles[static_cast<std::size_t>((sy / sv.chunk[kY] - r0) * nc +
                                                       (sx / sv.chunk[kX] - c0))];
        const auto tx = sx % sv.chunk[kX], ty = sy % sv.chunk[kY];
        if (tx >= t.width || ty >= t.height) continue;
        std::memcpy(out.data.data() + (static_cast<std::size_t>(i) * out.width + j) * es,
                    t.data.data() + (static_cast<std::size_t>(ty) * t.width + tx) * es, es);
      }
    return out;
  }
}

}  // namespace tessera::data
