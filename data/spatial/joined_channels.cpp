#include "data/spatial/joined_channels.h"

#include <cmath>
#include <cstring>

#include "data/spatial/resampled_source.h"

namespace tessera::data {
namespace {

bool near(double a, double b) {
  return std::abs(a - b) <= 1e-6 * std::max(std::abs(a), std::abs(b));
}

class JoinedSource final : public TileSource {
 public:
  explicit JoinedSource(std::vector<std::shared_ptr<const TileSource>> parts)
      : parts_(std::move(parts)) {
    info_ = parts_.front()->info();
    info_.channels.clear();
    std::int64_t channels = 0;
    for (const auto& p : parts_) {
      const auto& pi = p->info();
      if (pi.dtype != info_.dtype) info_.dtype = DType::F32;
      for (std::int64_t c = 0; c < pi.levels[0].shape[kC]; ++c) {
        ChannelInfo ch = static_cast<std::size_t>(c) < pi.channels.size()
                             ? pi.channels[static_cast<std::size_t>(c)]
                             : ChannelInfo{};
        if (ch.name.empty()) ch.name = "channel " + std::to_string(channels + c);
        info_.channels.push_back(ch);
      }
      channels += pi.levels[0].shape[kC];
    }
    for (auto& l : info_.levels)
      l.shape[kC] = channels;
  }

  const ImageInfo& info() const override { return info_; }

  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override {
    TileKey k = key;
    for (const auto& p : parts_) {
      const auto& shape = p->info().levels[0].shape;
      if (k.c >= shape[kC]) {
        k.c -= shape[kC];
        continue;
      }
      if (k.t >= shape[kT] || k.z >= shape[kZ]) return blank(key);  // not on this plane
      auto tile = p->readTile(k, stop);
      if (!tile || tile->dtype == info_.dtype) return tile;
      Tile f;
      f.dtype = DType::F32;
      f.width = tile->width;
      f.height = tile->height;
      const std::size_t n = static_cast<std::size_t>(f.width) * f.height;
      f.data.resize(n * sizeof(float));
      auto* out = reinterpret_cast<float*>(f.data.data());
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(tileValue(*tile, i));
      return f;
    }
    return fail(Errc::InvalidArgument,
                info_.source + ": no channel " + std::to_string(key.c) + " in the joined image");
  }

 private:
  Tile blank(const TileKey& key) const {
    const auto& l = info_.levels.at(static_cast<std::size_t>(key.level));
    Tile t;
    t.dtype = info_.dtype;
    t.width = static_cast<int>(std::min(l.chunk[kX], l.shape[kX] - key.col * l.chunk[kX]));
    t.height = static_cast<int>(std::min(l.chunk[kY], l.shape[kY] - key.row * l.chunk[kY]));
    t.data.assign(static_cast<std::size_t>(t.width) * t.height * dtypeSize(t.dtype), 0);
    return t;
  }

  std::vector<std::shared_ptr<const TileSource>> parts_;
  ImageInfo info_;
};

}  // namespace

Affine2D imagePixelsTo(const ImageInfo& shown, const ImageInfo& other) {
  const auto& o = other.levels.at(0);
  for (std::size_t l = 0; l < shown.levels.size(); ++l) {
    const auto& s = shown.levels[l];
    if (!near(s.scale[kX], o.scale[kX]) || !near(s.scale[kY], o.scale[kY])) continue;
    // `other` is on level l's grid: its pixel u is level pixel u + offset. A level-0 index x
    // lies in level pixel floor((x + 0.5) / ds) (as the tiles are drawn), so the affine below
    // meets ResampledSource's rounding, floor(u + 0.5), exactly.
    const double dx =
        static_cast<double>(shown.levels[0].shape[kX]) / static_cast<double>(s.shape[kX]);
    const double dy =
        static_cast<double>(shown.levels[0].shape[kY]) / static_cast<double>(s.shape[kY]);
    const double ox = std::round((o.translation[kX] - s.translation[kX]) / s.scale[kX]);
    const double oy = std::round((o.translation[kY] - s.translation[kY]) / s.scale[kY]);
    return {1 / dx, 0, 0.5 / dx - 0.5 - ox, 0, 1 / dy, 0.5 / dy - 0.5 - oy};
  }
  const auto& s0 = shown.levels.at(0);
  const double ax = s0.scale[kX] / o.scale[kX], ay = s0.scale[kY] / o.scale[kY];
  return {ax, 0,  (s0.translation[kX] - o.translation[kX]) / o.scale[kX],
          0,  ay, (s0.translation[kY] - o.translation[kY]) / o.scale[kY]};
}

std::shared_ptr<const TileSource> joinChannels(
    std::shared_ptr<const TileSource> shown,
    const std::vector<std::shared_ptr<const TileSource>>& others) {
  if (others.empty()) return shown;
  const ImageInfo target = shown->info();
  std::vector<std::shared_ptr<const TileSource>> parts;
  parts.push_back(shown);
  for (const auto& o : others)
    parts.push_back(
        std::make_shared<ResampledSource>(o, target, imagePixelsTo(target, o->info()), true));
  return std::make_shared<JoinedSource>(std::move(parts));
}

}  // namespace tessera::data
