#include <QtTest>

#include <QElapsedTimer>
#include <cmath>
#include <limits>
#include <random>

#include "../support/memory_source.h"
#include "render/compositor.h"

using namespace tessera;
using render::ChannelDisplay;

namespace {
// The formula from the rendering contract, in doubles.
std::array<double, 3> reference(const std::vector<ChannelDisplay>& ds,
                                const std::vector<double>& v) {
  std::array<double, 3> out{0, 0, 0};
  for (std::size_t c = 0; c < ds.size(); ++c) {
    const auto& d = ds[c];
    double x = std::clamp((v[c] - d.start) / (d.end - d.start), 0.0, 1.0);
    if (d.inverted) x = 1 - x;
    x = std::pow(x, d.gamma);
    for (int k = 0; k < 3; ++k)
      out[k] += x * ((d.color >> (16 - 8 * k)) & 0xFF);
  }
  for (auto& o : out)
    o = std::clamp(o, 0.0, 255.0);
  return out;
}

data::Tile makeTile(data::DType dt, int w, int h, std::mt19937& rng, double lo, double hi) {
  data::Tile t;
  t.dtype = dt;
  t.width = w;
  t.height = h;
  t.data.resize(static_cast<std::size_t>(w) * h * data::dtypeSize(dt));
  std::uniform_real_distribution<double> u(lo, hi);
  for (int i = 0; i < w * h; ++i)
    test::MemorySource::store(dt, std::floor(u(rng)), t.data.data() + i * data::dtypeSize(dt));
  return t;
}

void checkExact(data::DType dt, double lo, double hi) {
  std::mt19937 rng(42);
  std::vector<ChannelDisplay> ds(4);
  const std::uint32_t colors[4] = {0x0000FF, 0x00FF00, 0xFF0000, 0xFF00FF};
  const double gammas[4] = {1.0, 0.5, 2.2, 1.0};
  for (int c = 0; c < 4; ++c) {
    ds[c].color = colors[c];
    ds[c].start = lo + (hi - lo) * 0.1 * c;
    ds[c].end = lo + (hi - lo) * (0.6 + 0.1 * c);
    ds[c].gamma = gammas[c];
    ds[c].inverted = c == 3;
  }
  std::vector<data::Tile> tiles;
  for (int c = 0; c < 4; ++c)
    tiles.push_back(makeTile(dt, 37, 29, rng, lo, hi));
  std::vector<const data::Tile*> ptrs;
  for (auto& t : tiles)
    ptrs.push_back(&t);
  render::Compositor comp;
  comp.prepare(ds, dt);
  std::vector<std::uint8_t> rgba(37 * 29 * 4);
  comp.composite(ptrs, rgba.data());
  double worst = 0;
  for (int i = 0; i < 37 * 29; ++i) {
    std::vector<double> v;
    for (auto& t : tiles)
      v.push_back(render::tileValue(t, static_cast<std::size_t>(i)));
    const auto ref = reference(ds, v);
    for (int k = 0; k < 3; ++k)
      worst = std::max(worst, std::abs(ref[k] - rgba[4 * i + k]));
    QCOMPARE(int(rgba[4 * i + 3]), 255);
  }
  QVERIFY2(worst <= 1.0, qPrintable(QString("worst error %1/255").arg(worst)));
}
}  // namespace

class CompositorTest : public QObject {
  Q_OBJECT
 private slots:
  void uint16CompositeMatchesFormula() { checkExact(data::DType::U16, 0, 65535); }
  void uint8CompositeMatchesFormula() { checkExact(data::DType::U8, 0, 255); }
  void float32CompositeMatchesFormula() { checkExact(data::DType::F32, -10, 10); }
  void int16CompositeMatchesFormula() { checkExact(data::DType::I16, -3000, 3000); }

  void thirtyTwoChannelsWithSixteenVisible() {
    // 32 channels in the image, every other one shown: the composite covers exactly the 16
    // visible ones, and a channel's cost is one table lookup per pixel.
    std::mt19937 rng(7);
    std::vector<ChannelDisplay> visible;
    std::vector<data::Tile> tiles;
    for (int c = 0; c < 32; ++c) {
      auto t = makeTile(data::DType::U16, 64, 64, rng, 0, 4000);
      if (c % 2) continue;
      ChannelDisplay d;
      d.color = (c * 0x0B0703u) & 0xFFFFFF;
      d.start = 0;
      d.end = 60000;
      visible.push_back(d);
      tiles.push_back(std::move(t));
    }
    QCOMPARE(int(visible.size()), 16);
    std::vector<const data::Tile*> ptrs;
    for (auto& t : tiles)
      ptrs.push_back(&t);
    render::Compositor comp;
    comp.prepare(visible, data::DType::U16);
    std::vector<std::uint8_t> rgba(64 * 64 * 4);
    comp.composite(ptrs, rgba.data());
    for (int i = 0; i < 64 * 64; ++i) {
      std::vector<double> v;
      for (auto& t : tiles)
        v.push_back(render::tileValue(t, static_cast<std::size_t>(i)));
      const auto ref = reference(visible, v);
      for (int k = 0; k < 3; ++k)
        QVERIFY(std::abs(ref[k] - rgba[4 * i + k]) <= 1.0);
    }
  }

  void costGrowsLinearlyWithVisibleChannels() {
    // 512² tiles: the time for 16 visible channels is at most ~4x that for 4 (best of several
    // runs, with slack for a shared machine), i.e. no worse than linear.
    std::mt19937 rng(3);
    std::vector<data::Tile> tiles;
    for (int c = 0; c < 16; ++c)
      tiles.push_back(makeTile(data::DType::U16, 512, 512, rng, 0, 4000));
    std::vector<std::uint8_t> rgba(512 * 512 * 4);
    auto best = [&](int n) {
      std::vector<ChannelDisplay> ds(static_cast<std::size_t>(n));
      std::vector<const data::Tile*> ptrs;
      for (int c = 0; c < n; ++c) {
        ds[static_cast<std::size_t>(c)].color = 0x102030u * static_cast<std::uint32_t>(c + 1);
        ds[static_cast<std::size_t>(c)].end = 4000;
        ptrs.push_back(&tiles[static_cast<std::size_t>(c)]);
      }
      render::Compositor comp;
      comp.prepare(ds, data::DType::U16);
      qint64 fastest = std::numeric_limits<qint64>::max();
      for (int run = 0; run < 7; ++run) {
        QElapsedTimer t;
        t.start();
        comp.composite(ptrs, rgba.data());
        fastest = std::min(fastest, t.nsecsElapsed());
      }
      return static_cast<double>(fastest);
    };
    const double four = best(4), sixteen = best(16);
    QVERIFY2(
        sixteen <= 4 * four * 1.5,
        qPrintable(
            QString("4 channels %1 ms, 16 channels %2 ms").arg(four / 1e6).arg(sixteen / 1e6)));
  }

  void additiveBlendClampsAt255() {
    std::vector<ChannelDisplay> ds(2);
    ds[0].color = ds[1].color = 0xFFFFFF;
    ds[0].start = ds[1].start = 0;
    ds[0].end = ds[1].end = 100;
    std::mt19937 rng(1);
    auto a = makeTile(data::DType::U16, 4, 4, rng, 100, 101);
    auto b = makeTile(data::DType::U16, 4, 4, rng, 100, 101);
    const data::Tile* p[2] = {&a, &b};
    render::Compositor comp;
    comp.prepare(ds, data::DType::U16);
    std::vector<std::uint8_t> rgba(64);
    comp.composite(p, rgba.data());
    QCOMPARE(int(rgba[0]), 255);
  }

  void nanIsTransparent() {
    std::vector<ChannelDisplay> ds(1);
    ds[0].start = 0;
    ds[0].end = 1;
    data::Tile t;
    t.dtype = data::DType::F32;
    t.width = 2;
    t.height = 1;
    t.data.resize(8);
    test::MemorySource::store(data::DType::F32, std::nan(""), t.data.data());
    test::MemorySource::store(data::DType::F32, 0.5, t.data.data() + 4);
    const data::Tile* p[1] = {&t};
    render::Compositor comp;
    comp.prepare(ds, data::DType::F32);
    std::vector<std::uint8_t> rgba(8);
    comp.composite(p, rgba.data());
    QCOMPARE(int(rgba[3]), 0);
    QCOMPARE(int(rgba[7]), 255);
    QCOMPARE(int(rgba[4]), 128);
  }

  void autoWindowOfConstantImageIsValid() {
    std::mt19937 rng(3);
    auto t = makeTile(data::DType::U16, 16, 16, rng, 500, 500.5);
    const auto w = render::autoWindow(t);
    QVERIFY(w[1] > w[0]);
    QCOMPARE(w[0], 500.0);
  }

  void autoWindowFollowsPercentiles() {
    data::Tile t;
    t.dtype = data::DType::U16;
    t.width = 1000;
    t.height = 1;
    t.data.resize(2000);
    for (int i = 0; i < 1000; ++i)
      test::MemorySource::store(data::DType::U16, i, t.data.data() + 2 * i);
    const auto w = render::autoWindow(t, 1, 99);
    QVERIFY(std::abs(w[0] - 10) <= 1);
    QVERIFY(std::abs(w[1] - 989) <= 1);
  }
};

QTEST_GUILESS_MAIN(CompositorTest)
#include "tst_compositor.moc"
