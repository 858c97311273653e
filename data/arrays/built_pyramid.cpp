#include "data/arrays/built_pyramid.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include "data/local_store.h"
#include "data/remote/disk_cache.h"
#include "data/zarr/array_tile.h"
#include "data/zarr/zarr_writer.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCompleteMarker = "complete";

// Floor division, so that rounding half up holds for negative sums too.
template <class S>
S floorDiv(S a, S b) {
  const S q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Mean of n (1, 2 or 4) values: integers rounded half up, floats as they come (NaN stays NaN).
template <class T>
T mean(const T* v, int n) {
  if constexpr (std::is_floating_point_v<T>) {
    double s = 0;
    for (int i = 0; i < n; ++i)
      s += static_cast<double>(v[i]);
    return static_cast<T>(s / n);
  } else {
    using S = std::conditional_t<(sizeof(T) >= 8), __int128, std::int64_t>;
    S s = 0;
    for (int i = 0; i < n; ++i)
      s += static_cast<S>(v[i]);
    return static_cast<T>(floorDiv<S>(2 * s + n, 2 * S{n}));
  }
}

// 2×2 mean of an h × w C-order plane into ceil(h/2) × ceil(w/2).
template <class T>
Bytes halvePlane(const Bytes& src, std::int64_t h, std::int64_t w) {
  const std::int64_t oh = (h + 1) / 2, ow = (w + 1) / 2;
  Bytes out(static_cast<std::size_t>(oh * ow) * sizeof(T));
  const auto at = [&](std::int64_t y, std::int64_t x) {
    T v;
    std::memcpy(&v, src.data() + static_cast<std::size_t>(y * w + x) * sizeof(T), sizeof(T));
    return v;
  };
  for (std::int64_t oy = 0; oy < oh; ++oy)
    for (std::int64_t ox = 0; ox < ow; ++ox) {
      T v[4];
      int n = 0;
      for (std::int64_t y = 2 * oy; y < std::min(h, 2 * oy + 2); ++y)
        for (std::int64_t x = 2 * ox; x < std::min(w, 2 * ox + 2); ++x)
          v[n++] = at(y, x);
      const T m = mean(v, n);
      std::memcpy(out.data() + static_cast<std::size_t>(oy * ow + ox) * sizeof(T), &m, sizeof(T));
    }
  return out;
}

Bytes halve(DType d, const Bytes& src, std::int64_t h, std::int64_t w) {
  switch (d) {
    case DType::Bool:
    case DType::U8:
      return halvePlane<std::uint8_t>(src, h, w);
    case DType::I8:
      return halvePlane<std::int8_t>(src, h, w);
    case DType::U16:
      return halvePlane<std::uint16_t>(src, h, w);
    case DType::I16:
      return halvePlane<std::int16_t>(src, h, w);
    case DType::U32:
      return halvePlane<std::uint32_t>(src, h, w);
    case DType::I32:
      return halvePlane<std::int32_t>(src, h, w);
    case DType::U64:
      return halvePlane<std::uint64_t>(src, h, w);
    case DType::I64:
      return halvePlane<std::int64_t>(src, h, w);
    case DType::F32:
      return halvePlane<float>(src, h, w);
    case DType::F64:
      return halvePlane<double>(src, h, w);
    case DType::F16:  // no half arithmetic: wants() gives half-float images no pyramid
      break;
  }
  return {};
}

std::vector<std::int64_t> levelShape5(const LevelInfo& l) {
  return {l.shape[kT], l.shape[kC], l.shape[kZ], l.shape[kY], l.shape[kX]};
}

}  // namespace

fs::path pyramidCacheDir(const fs::path& root, const ImageInfo& info, const std::string& stamp) {
  std::string key = info.source + "\n" + info.format + "\n" + std::to_string(info.seriesIndex) +
                    "\n" + dtypeName(info.dtype) + "\n" + stamp;
  for (auto s : info.levels.at(0).shape)
    key += "," + std::to_string(s);
  return root / sha256Hex(key).substr(0, 24);
}

bool BuiltPyramidSource::wants(const ImageInfo& info) {
  return info.levels.size() == 1 && info.dtype != DType::F16 &&
         std::max(info.width(), info.height()) > kPyramidThreshold;
}

std::shared_ptr<BuiltPyramidSource> BuiltPyramidSource::wrap(std::shared_ptr<const TileSource> base,
                                                             fs::path cacheDir) {
  std::shared_ptr<BuiltPyramidSource> src(new BuiltPyramidSource());
  src->info_ = base->info();
  src->base_ = std::move(base);
  src->cacheDir_ = std::move(cacheDir);
  ImageInfo& info = src->info_;
  LevelInfo l = info.levels.at(0);
  for (int k = 1; std::max(l.shape[kY], l.shape[kX]) > kTile; ++k) {
    l.path = "pyramid/" + std::to_string(k);
    l.shape[kY] = (l.shape[kY] + 1) / 2;
    l.shape[kX] = (l.shape[kX] + 1) / 2;
    l.chunk[kY] = l.chunk[kX] = kTile;
    l.scale[kY] *= 2;
    l.scale[kX] *= 2;
    l.codec = "built (2x2 mean)";
    info.levels.push_back(l);
  }
  src->built_.resize(info.levels.size());
  if (src->loadBuilt()) src->buildStarted_ = true;
  return src;
}

// Opens a complete earlier build; false (and nothing published) when there is none.
bool BuiltPyramidSource::loadBuilt() {
  std::error_code ec;
  if (!fs::exists(cacheDir_ / kCompleteMarker, ec)) return false;
  auto store = std::make_shared<LocalStore>(cacheDir_);
  std::vector<std::shared_ptr<const ZarrArray>> arrays(info_.levels.size());
  for (std::size_t k = 1; k < info_.levels.size(); ++k) {
    auto a = ZarrArray::open(store, std::to_string(k));
    if (!a || (*a)->shape() != levelShape5(info_.levels[k]) || (*a)->dtype() != info_.dtype)
      return false;
    arrays[k] = std::move(*a);
  }
  std::lock_guard lock(mutex_);
  built_ = std::move(arrays);
  return true;
}

int BuiltPyramidSource::builtLevels() const {
  std::lock_guard lock(mutex_);
  return 1 + static_cast<int>(std::count_if(built_.begin() + 1, built_.end(),
                                            [](const auto& a) { return a != nullptr; }));
}

Expected<Tile> BuiltPyramidSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (key.level == 0) return base_->readTile(key, stop);
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": tile read cancelled");
  if (key.level < 0 || static_cast<std::size_t>(key.level) >= info_.levels.size())
    return fail(Errc::InvalidArgument, info_.source + ": no level " + std::to_string(key.level));
  std::shared_ptr<const ZarrArray> array;
  {
    std::lock_guard lock(mutex_);
    array = built_[static_cast<std::size_t>(key.level)];
  }
  if (!array) return computeTile(key, stop);
  static const int kSlots[5] = {kT, kC, kZ, kY, kX};
  const LevelInfo& L = info_.levels[static_cast<std::size_t>(key.level)];
  return readArrayTile(*array, L, kSlots, true, info_.dtype, key, stop,
                       (cacheDir_ / std::to_string(key.level)).string());
}

// The tile halved from the box of the level above it, which comes from its own cache, its
// own on-demand computation or level 0.
Expected<Tile> BuiltPyramidSource::computeTile(const TileKey& key,
                                               const std::stop_token& stop) const {
  const LevelInfo& L = info_.levels[static_cast<std::size_t>(key.level)];
  const LevelInfo& P = info_.levels[static_cast<std::size_t>(key.level - 1)];
  if (key.t < 0 || key.t >= L.shape[kT] || key.c < 0 || key.c >= L.shape[kC] || key.z < 0 ||
      key.z >= L.shape[kZ] || key.row < 0 || key.row >= tileRows(L) || key.col < 0 ||
      key.col >= tileCols(L))
    return fail(Errc::InvalidArgument,
                info_.source + ": tile outside level " + std::to_string(key.level));
  const std::int64_t y0 = key.row * kTile, x0 = key.col * kTile;
  const std::int64_t h = std::min<std::int64_t>(kTile, L.shape[kY] - y0);
  const std::int64_t w = std::min<std::int64_t>(kTile, L.shape[kX] - x0);
  const std::int64_t py = 2 * y0, px = 2 * x0;
  const std::int64_t ph = std::min(2 * h, P.shape[kY] - py), pw = std::min(2 * w, P.shape[kX] - px);
  auto box = readBox(key.level - 1, key, py, px, ph, pw, stop);
  if (!box) return std::unexpected(box.error());
  Tile t;
  t.dtype = info_.dtype;
  t.width = static_cast<int>(w);
  t.height = static_cast<int>(h);
  t.data = halve(info_.dtype, *box, ph, pw);
  if (t.data.size() != static_cast<std::size_t>(h * w) * dtypeSize(info_.dtype))
    return fail(Errc::Corrupt, info_.source + ": internal pyramid tile size mismatch");
  return t;
}

Expected<Bytes> BuiltPyramidSource::readBox(int level, const TileKey& plane, std::int64_t y0,
                                            std::int64_t x0, std::int64_t h, std::int64_t w,
                                            const std::stop_token& stop) const {
  const LevelInfo& L = info_.levels[static_cast<std::size_t>(level)];
  const std::size_t es = dtypeSize(info_.dtype);
  Bytes out(static_cast<std::size_t>(h * w) * es);
  const std::int64_t th = L.chunk[kY], tw = L.chunk[kX];
  for (std::int64_t row = y0 / th; row <= (y0 + h - 1) / th; ++row)
    for (std::int64_t col = x0 / tw; col <= (x0 + w - 1) / tw; ++col) {
      if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": cancelled");
      TileKey k = plane;
      k.level = level;
      k.row = row;
      k.col = col;
      auto tile = readTile(k, stop);
      if (!tile) return std::unexpected(tile.error());
      const std::int64_t ty = row * th, tx = col * tw;
      const std::int64_t ys = std::max(y0, ty), ye = std::min(y0 + h, ty + tile->height);
      const std::int64_t xs = std::max(x0, tx), xe = std::min(x0 + w, tx + tile->width);
      for (std::int64_t y = ys; y < ye; ++y)
        std::memcpy(
            out.data() + static_cast<std::size_t>((y - y0) * w + (xs - x0)) * es,
            tile->data.data() + static_cast<std::size_t>((y - ty) * tile->width + (xs - tx)) * es,
            static_cast<std::size_t>(xe - xs) * es);
    }
  return out;
}

void BuiltPyramidSource::buildPyramid(Executor& executor, std::function<void(double)> progress,
                                      std::stop_token stop) {
  if (info_.levels.size() < 2 || buildStarted_.exchange(true)) {
    if (progress && builtLevels() == static_cast<int>(info_.levels.size())) progress(1.0);
    return;
  }
  // The task holds the source weakly: once nobody shows the image any more (another dataset
  // opened, the CLI done) the build stops at the next tile instead of keeping a pool busy.
  executor.post([weak = weak_from_this(), progress = std::move(progress),
                 stop = std::move(stop)] { build(weak, progress, stop); },
                Priority::Background);
}

void BuiltPyramidSource::build(const std::weak_ptr<BuiltPyramidSource>& weak,
                               const std::function<void(double)>& progress,
                               const std::stop_token& stop) {
  std::vector<LevelInfo> levels;
  fs::path dir;
  DType dtype;
  {
    auto self = weak.lock();
    if (!self) return;
    levels = self->info_.levels;
    dir = self->cacheDir_;
    dtype = self->info_.dtype;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);  // an incomplete earlier build
  auto store = std::make_shared<LocalStore>(dir);
  double total = 0, done = 0;
  for (std::size_t k = 1; k < levels.size(); ++k) {
    const LevelInfo& L = levels[k];
    total +=
        static_cast<double>(L.shape[kT] * L.shape[kC] * L.shape[kZ] * tileRows(L) * tileCols(L));
  }
  const std::size_t es = dtypeSize(dtype);
  for (std::size_t k = 1; k < levels.size(); ++k) {
    const LevelInfo& L = levels[k];
    ZarrWriteOptions opts;
    opts.shape = levelShape5(L);
    opts.chunks = {1, 1, 1, kTile, kTile};
    opts.dtype = dtype;
    opts.compressor = ZarrCompressor::Zstd;
    auto writer = ZarrWriter::create(dir / std::to_string(k), opts);
    if (!writer) return;
    for (std::int64_t t = 0; t < L.shape[kT]; ++t)
      for (std::int64_t c = 0; c < L.shape[kC]; ++c)
        for (std::int64_t z = 0; z < L.shape[kZ]; ++z)
          for (std::int64_t row = 0; row < tileRows(L); ++row)
            for (std::int64_t col = 0; col < tileCols(L); ++col) {
              auto self = weak.lock();
              if (!self || stop.stop_requested()) return;
              const TileKey key{static_cast<int>(k), t, c, z, row, col};
              auto tile = self->readTile(key, stop);
              if (!tile) return;
              Bytes chunk(static_cast<std::size_t>(kTile) * kTile * es);
              for (int y = 0; y < tile->height; ++y)
                std::memcpy(chunk.data() + static_cast<std::size_t>(y) * kTile * es,
                            tile->data.data() + static_cast<std::size_t>(y) * tile->width * es,
                            static_cast<std::size_t>(tile->width) * es);
              const std::int64_t idx[5] = {t, c, z, row, col};
              if (!writer->writeChunk(idx, chunk)) return;
              done += 1;
              if (progress) progress(std::min(0.99, done / total));
            }
    auto array = ZarrArray::open(store, std::to_string(k));
    auto self = weak.lock();
    if (!array || !self) return;
    std::lock_guard lock(self->mutex_);
    self->built_[k] = std::move(*array);
  }
  std::ofstream(dir / kCompleteMarker) << "tessera pyramid\n";
  if (progress) progress(1.0);
}

}  // namespace tessera::data
