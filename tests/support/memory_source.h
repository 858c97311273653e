#pragma once
/// A TileSource computed from a function, for render and app tests: value(level, c, x, y)
/// at level pixel (x, y). Counts reads; can fail chosen tiles and delay every read.
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <set>
#include <thread>

#include "data/tile_source.h"

namespace tessera::test {

class MemorySource final : public data::TileSource {
 public:
  using ValueFn = std::function<double(int level, std::int64_t c, std::int64_t x, std::int64_t y)>;

  MemorySource(data::DType dtype, std::int64_t width, std::int64_t height, int channels, int levels,
               std::int64_t tile, ValueFn fn)
      : fn_(std::move(fn)) {
    info_.format = "memory";
    info_.source = "mem://test";
    info_.dtype = dtype;
    info_.storedAxes = {"c", "y", "x"};
    info_.spaceUnit = "micrometer";
    for (int l = 0; l < levels; ++l) {
      data::LevelInfo li;
      li.path = std::to_string(l);
      li.shape = {1, channels, 1, std::max<std::int64_t>(1, height >> l),
                  std::max<std::int64_t>(1, width >> l)};
      li.chunk = {1, 1, 1, tile, tile};
      li.scale = {1, 1, 1, 0.5 * (1 << l), 0.5 * (1 << l)};
      info_.levels.push_back(li);
    }
    for (int c = 0; c < channels; ++c) {
      data::ChannelInfo ch;
      ch.name = "ch" + std::to_string(c);
      info_.channels.push_back(ch);
    }
  }

  data::ImageInfo& mutableInfo() { return info_; }
  const data::ImageInfo& info() const override { return info_; }

  data::Expected<data::Tile> readTile(const data::TileKey& key,
                                      const std::stop_token& stop) const override {
    ++reads;
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    if (stop.stop_requested()) return data::fail(data::Errc::Cancelled, "cancelled");
    if (failing.count({key.level, key.row, key.col}))
      return data::fail(data::Errc::Corrupt,
                        "mem://test/" + std::to_string(key.level) + ": broken tile");
    const auto& l = info_.levels.at(static_cast<std::size_t>(key.level));
    data::Tile t;
    t.dtype = info_.dtype;
    const auto x0 = key.col * l.chunk[data::kX], y0 = key.row * l.chunk[data::kY];
    t.width = static_cast<int>(std::min(l.chunk[data::kX], l.shape[data::kX] - x0));
    t.height = static_cast<int>(std::min(l.chunk[data::kY], l.shape[data::kY] - y0));
    const std::size_t es = data::dtypeSize(t.dtype);
    t.data.resize(static_cast<std::size_t>(t.width) * t.height * es);
    for (int y = 0; y < t.height; ++y)
      for (int x = 0; x < t.width; ++x) {
        const double v = fn_(key.level, key.c, x0 + x, y0 + y);
        std::uint8_t* p = t.data.data() + (static_cast<std::size_t>(y) * t.width + x) * es;
        store(t.dtype, v, p);
      }
    return t;
  }

  static void store(data::DType d, double v, std::uint8_t* p) {
    switch (d) {
      case data::DType::U8: {
        auto x = static_cast<std::uint8_t>(v);
        std::memcpy(p, &x, 1);
        break;
      }
      case data::DType::U16: {
        auto x = static_cast<std::uint16_t>(v);
        std::memcpy(p, &x, 2);
        break;
      }
      case data::DType::I16: {
        auto x = static_cast<std::int16_t>(v);
        std::memcpy(p, &x, 2);
        break;
      }
      case data::DType::F32: {
        auto x = static_cast<float>(v);
        std::memcpy(p, &x, 4);
        break;
      }
      default: {
        auto x = static_cast<double>(v);
        std::memcpy(p, &x, 8);
        break;
      }
    }
  }

  mutable std::atomic<int> reads{0};
  std::chrono::milliseconds delay{0};
  std::set<std::tuple<int, std::int64_t, std::int64_t>> failing;

 private:
  data::ImageInfo info_;
  ValueFn fn_;
};

}  // namespace tessera::test
