// A prediction of a region at a coarser level, joined to the image it came from: its channel
// is appended after the image's, sits exactly where the region lies at every level (the pixels
// of its own level one for one), is 0 outside, and the image's channels keep their values.
#include <QtTest>

#include "data/spatial/joined_channels.h"
#include "tests/support/memory_source.h"

using namespace tessera;

namespace {

// The image: 2 uint16 channels, 200 x 160, three levels (pixel size 0.5, 1, 2).
std::shared_ptr<test::MemorySource> image() {
  return std::make_shared<test::MemorySource>(
      data::DType::U16, 200, 160, 2, 3, 64,
      [](int level, std::int64_t c, std::int64_t x, std::int64_t y) {
        return level * 1000 + c * 100 + (x + 3 * y) % 50;
      });
}

// A float prediction of level 1's region x 10..49, y 8..37.
std::shared_ptr<test::MemorySource> prediction() {
  auto p = std::make_shared<test::MemorySource>(
      data::DType::F32, 40, 30, 1, 1, 16,
      [](int, std::int64_t, std::int64_t x, std::int64_t y) { return 0.25 + x * 100 + y; });
  auto& l = p->mutableInfo().levels[0];
  l.scale[data::kX] = l.scale[data::kY] = 1.0;  // level 1's pixel size
  l.translation[data::kX] = 10.0;
  l.translation[data::kY] = 8.0;
  return p;
}

double at(const data::TileSource& s, int level, std::int64_t c, std::int64_t x, std::int64_t y) {
  const auto& l = s.info().levels[static_cast<std::size_t>(level)];
  const auto cx = l.chunk[data::kX], cy = l.chunk[data::kY];
  auto t = s.readTile({level, 0, c, 0, y / cy, x / cx}, {});
  if (!t) return -1;
  return data::tileValue(*t, static_cast<std::size_t>((y % cy) * t->width + x % cx));
}

}  // namespace

class JoinedChannelsTest : public QObject {
  Q_OBJECT
 private slots:
  void placesARegionOfACoarserLevelOnItsPixels() {
    auto base = image();
    auto joined = data::joinChannels(base, {prediction()});
    const auto& info = joined->info();
    QCOMPARE(info.levels.size(), 3u);
    QCOMPARE(info.levels[0].shape[data::kC], 3);
    QCOMPARE(info.channels.size(), 3u);
    QCOMPARE(info.channels[2].name, std::string("ch0"));
    QCOMPARE(info.dtype, data::DType::F32);  // uint16 and float32 together
    // Level 1: the region's pixels one for one; 0 outside it.
    QCOMPARE(at(*joined, 1, 2, 10, 8), 0.25);
    QCOMPARE(at(*joined, 1, 2, 49, 37), 0.25 + 39 * 100 + 29);
    QCOMPARE(at(*joined, 1, 2, 23, 30), 0.25 + 13 * 100 + 22);
    QCOMPARE(at(*joined, 1, 2, 9, 8), 0.0);
    QCOMPARE(at(*joined, 1, 2, 50, 20), 0.0);
    // Level 0: each level-1 pixel covers 2 x 2.
    QCOMPARE(at(*joined, 0, 2, 20, 16), 0.25);
    QCOMPARE(at(*joined, 0, 2, 21, 17), 0.25);
    QCOMPARE(at(*joined, 0, 2, 47, 61), 0.25 + 13 * 100 + 22);
    QCOMPARE(at(*joined, 0, 2, 19, 16), 0.0);
    // The image's own channels keep their values, as floats.
    for (int level : {0, 1, 2})
      for (std::int64_t c : {0, 1})
        for (auto [x, y] : {std::pair{0, 0}, std::pair{17, 33}, std::pair{45, 38}})
          QCOMPARE(at(*joined, level, c, x, y), at(*base, level, c, x, y));
  }

  void placesByPhysicalPositionOtherwise() {
    auto base = image();
    auto other = prediction();
    auto& l = other->mutableInfo().levels[0];
    l.scale[data::kX] = l.scale[data::kY] = 0.75;  // no level of the image has this size
    const auto m = data::imagePixelsTo(base->info(), other->info());
    // Image level-0 index 20 is at 20 * 0.5 = 10 µm: the other's pixel 0.
    QCOMPARE(m.mapX(20, 16), 0.0);
    QCOMPARE(m.mapY(20, 16), 0.0);
    QCOMPARE(m.mapX(23, 16), 2.0);
  }

  void withoutOthersIsTheImage() {
    auto base = image();
    QCOMPARE(data::joinChannels(base, {}).get(), base.get());
  }
};

QTEST_GUILESS_MAIN(JoinedChannelsTest)
#include "tst_joined_channels.moc"
