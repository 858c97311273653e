// Annotation measurements against numpy: every shape (rectangle, ellipse, polygon, freehand,
// MultiPolygon with holes, a self-intersecting polygon, one reaching outside the image) over a
// generated multichannel image, at level 0 and 1, for uint16 and float32; plus the exact
// median on every dtype and a whole-level area that streams tile by tile.
#include <QtTest>

#include <cmath>

#include <nlohmann/json.hpp>

#include "../support/memory_source.h"
#include "data/annotation/exact_stats.h"
#include "data/annotation/geojson.h"
#include "data/annotation/measure.h"
#include "data/thread_pool.h"

using namespace tessera::data;
using tessera::test::MemorySource;

namespace {

constexpr std::int64_t kWidth = 640, kHeight = 480;
constexpr int kChannels = 3;

// The same formula as annotation_measure_reference.py.
double pixel(int level, std::int64_t c, std::int64_t x, std::int64_t y, DType d) {
  const std::int64_t v = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791 + level * 7)) % 5000;
  return d == DType::U16 ? static_cast<double>(v)
                         : static_cast<double>(static_cast<float>(v / 7.0));
}

Annotation area(AnnotationKind k, std::string name, std::vector<Vec2> pts,
                std::vector<PolygonRings> polys = {}) {
  Annotation a;
  a.kind = k;
  a.name = std::move(name);
  a.points = std::move(pts);
  a.polygons = std::move(polys);
  return a;
}

std::vector<Annotation> shapes() {
  using K = AnnotationKind;
  return {
      area(K::Rectangle, "rect", {{30.3, 40.7}, {210.9, 170.2}}),
      area(K::Ellipse, "ellipse", {{300.3, 20.1}, {451.7, 201.3}}),
      area(K::Polygon, "concave", {},
           {{{{50.2, 250.1}, {250.7, 260.3}, {150.1, 300.9}, {240.4, 420.6}, {60.8, 400.2}}, {}}}),
      area(K::Freehand, "freehand", {},
           [] {
             Ring r;
             for (int i = 0; i < 200; ++i) {
               const double t = 2 * M_PI * i / 200, rr = 60 + 25 * std::sin(5 * t);
               r.push_back({520.3 + rr * std::cos(t), 330.6 + rr * std::sin(t)});
             }
             return std::vector<PolygonRings>{{r, {}}};
           }()),
      area(K::MultiPolygon, "multi with holes", {},
           {{{{300.5, 240.2}, {420.6, 240.2}, {420.6, 360.9}, {300.5, 360.9}},
             {{{320.1, 260.3}, {360.2, 260.3}, {360.2, 300.4}, {320.1, 300.4}},
              {{{370.3, 310.7}, {400.1, 330.2}, {380.9, 350.8}}}}},
            {{{430.2, 400.4}, {470.3, 410.6}, {450.5, 470.1}}, {}}}),
      area(K::Polygon, "bowtie", {},
           {{{{20.4, 430.3}, {120.6, 470.2}, {120.6, 430.3}, {20.4, 470.2}}, {}}}),
      area(K::Polygon, "outside", {}, {{{{560.2, -30.5}, {700.7, 20.3}, {600.1, 120.4}}, {}}}),
  };
}

}  // namespace

class TestAnnotationMeasure : public QObject {
  Q_OBJECT

  void compareWithNumpy(DType dtype, int level) {
    auto source = std::make_shared<MemorySource>(
        dtype, kWidth, kHeight, kChannels, 2, 64,
        [dtype](int l, std::int64_t c, std::int64_t x, std::int64_t y) {
          return pixel(l, c, x, y, dtype);
        });
    ThreadPool pool(2);
    TileCache cache(64 << 20, pool);
    const auto id = cache.registerSource(source);
    const auto all = shapes();
    const auto path = std::string(TESSERA_TEST_WORK_DIR) + "/measure_shapes.geojson";
    QVERIFY(writeGeoJson(all, path));
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/data/annotation_measure_reference.py",
              QString::fromStdString(path), QString::number(kWidth), QString::number(kHeight),
              QString::number(kChannels), QString::number(level),
              dtype == DType::U16 ? "uint16" : "float32"});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const auto ref = nlohmann::json::parse(py.readAllStandardOutput().toStdString());
    QCOMPARE(ref.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      MeasureOptions opt;
      opt.level = level;
      auto m = measureAnnotation(all[i], cache, id, source->info(), opt, {});
      QVERIFY2(m, m ? "" : m.error().message.c_str());
      const auto& r = ref[i];
      const QByteArray what =
          QByteArray::fromStdString(all[i].name + " level " + std::to_string(level));
      QVERIFY2(m->areaPx == r["area_px"].get<double>(),
               what + ": area " + QByteArray::number(m->areaPx) + " vs " +
                   QByteArray::number(r["area_px"].get<double>()));
      QVERIFY2(m->areaPx > 0, what);
      QCOMPARE(*m->areaUm2, m->areaPx * 0.25);  // 0.5 µm pixels
      QCOMPARE(m->channels.size(), std::size_t{kChannels});
      for (int c = 0; c < kChannels; ++c) {
        const auto& rc = r["channels"][c];
        const auto& mc = m->channels[static_cast<std::size_t>(c)];
        QCOMPARE(mc.name, "ch" + std::to_string(c));
        QVERIFY2(
            std::abs(mc.mean - rc["mean"].get<double>()) <= 1e-9 * std::max(1.0, std::abs(mc.mean)),
            what + " mean");
        QVERIFY2(std::abs(mc.std - rc["std"].get<double>()) <= 1e-7 * std::max(1.0, mc.std),
                 what + " std");
        QVERIFY2(mc.median == rc["median"].get<double>(),
                 what + " median " + QByteArray::number(mc.median) + " vs " +
                     QByteArray::number(rc["median"].get<double>()));
        QVERIFY2(mc.min == rc["min"].get<double>(), what + " min");
        QVERIFY2(mc.max == rc["max"].get<double>(), what + " max");
      }
      const bool bowtie = all[i].name == "bowtie", outside = all[i].name == "outside";
      QCOMPARE(m->notes.size(), std::size_t{bowtie || outside ? 1u : 0u});
    }
  }

 private slots:
  void uint16Level0MatchesNumpy() { compareWithNumpy(DType::U16, 0); }
  void uint16Level1MatchesNumpy() { compareWithNumpy(DType::U16, 1); }
  void float32Level0MatchesNumpy() { compareWithNumpy(DType::F32, 0); }

  void exactMedianOnEveryDtype() {
    // Values with negatives, repeats and an even count: the median is the mean of the middle two.
    const std::vector<double> values = {-7, 3, 3, 250, -128, 9, 12, 12, 0, 100};
    for (DType d : {DType::U8, DType::I8, DType::U16, DType::I16, DType::U32, DType::I32,
                    DType::U64, DType::I64, DType::F32, DType::F64}) {
      std::vector<double> vs;
      for (double v : values)
        if (dtypeIsSigned(d) || dtypeIsFloat(d) || v >= 0)
          vs.push_back(d == DType::I8 ? std::max(v, -128.0) : v);
      if (d == DType::I8) vs.erase(std::remove(vs.begin(), vs.end(), 250.0), vs.end());
      std::vector<std::uint8_t> raw(vs.size() * dtypeSize(d));
      for (std::size_t i = 0; i < vs.size(); ++i) {
        auto* p = raw.data() + i * dtypeSize(d);
        switch (d) {
          case DType::U8:
            *p = static_cast<std::uint8_t>(vs[i]);
            break;
          case DType::I8: {
            auto v = static_cast<std::int8_t>(vs[i]);
            std::memcpy(p, &v, 1);
            break;
          }
          case DType::U16: {
            auto v = static_cast<std::uint16_t>(vs[i]);
            std::memcpy(p, &v, 2);
            break;
          }
          case DType::I16: {
            auto v = static_cast<std::int16_t>(vs[i]);
            std::memcpy(p, &v, 2);
            break;
          }
          case DType::U32: {
            auto v = static_cast<std::uint32_t>(vs[i]);
            std::memcpy(p, &v, 4);
            break;
          }
          case DType::I32: {
            auto v = static_cast<std::int32_t>(vs[i]);
            std::memcpy(p, &v, 4);
            break;
          }
          case DType::U64: {
            auto v = static_cast<std::uint64_t>(vs[i]);
            std::memcpy(p, &v, 8);
            break;
          }
          case DType::I64: {
            auto v = static_cast<std::int64_t>(vs[i]);
            std::memcpy(p, &v, 8);
            break;
          }
          case DType::F32: {
            auto v = static_cast<float>(vs[i]);
            std::memcpy(p, &v, 4);
            break;
          }
          default:
            std::memcpy(p, &vs[i], 8);
            break;
        }
      }
      ExactStats s(d);
      for (int pass = 0; pass < s.passes(); ++pass) {
        s.beginPass(pass);
        s.add(raw.data(), vs.size());
      }
      auto sorted = vs;
      std::sort(sorted.begin(), sorted.end());
      const double expected = (sorted[(sorted.size() - 1) / 2] + sorted[sorted.size() / 2]) / 2;
      QVERIFY2(s.median() == expected, dtypeName(d));
      QCOMPARE(s.min(), sorted.front());
      QCOMPARE(s.max(), sorted.back());
      QCOMPARE(s.count(), static_cast<std::uint64_t>(vs.size()));
    }
    ExactStats nan(DType::F32);
    const float vals[] = {NAN, 2.5f, NAN, -1.0f};
    for (int pass = 0; pass < nan.passes(); ++pass) {
      nan.beginPass(pass);
      nan.add(reinterpret_cast<const std::uint8_t*>(vals), 4);
    }
    QCOMPARE(nan.count(), std::uint64_t{2});
    QCOMPARE(nan.median(), 0.75);
  }

  void wholeLevelStreamsThroughASmallCache() {
    // 4096 x 4096 u16 through a 4 MiB cache: the measurement cannot hold the level, so it must
    // stream; every value is x % 1000, so the statistics are known in closed form.
    auto source = std::make_shared<MemorySource>(
        DType::U16, 4096, 4096, 1, 1, 256, [](int, std::int64_t, std::int64_t x, std::int64_t) {
          return static_cast<double>(x % 1000);
        });
    ThreadPool pool(2);
    TileCache cache(4 << 20, pool);
    const auto id = cache.registerSource(source);
    auto whole = area(AnnotationKind::Rectangle, "whole", {{-10, -10}, {5000, 5000}});
    int calls = 0;
    MeasureOptions opt;
    opt.progress = [&](double) { return ++calls > 0; };
    auto m = measureAnnotation(whole, cache, id, source->info(), opt, {});
    QVERIFY2(m, m ? "" : m.error().message.c_str());
    QCOMPARE(m->pixels, std::uint64_t{4096} * 4096);
    QCOMPARE(m->notes.size(), std::size_t{1});  // clipped
    QVERIFY(cache.stats().peakBytes <= (4u << 20) + 17u * 256 * 256 * 2);
    QCOMPARE(calls, 16);
    QCOMPARE(m->channels[0].min, 0.0);
    QCOMPARE(m->channels[0].max, 999.0);
    QCOMPARE(m->channels[0].median, 487.5);  // np.median(np.arange(4096) % 1000)
    opt.progress = [](double f) { return f < 0.5; };
    auto cancelled = measureAnnotation(whole, cache, id, source->info(), opt, {});
    QVERIFY(!cancelled && cancelled.error().code == Errc::Cancelled);
  }

  void pointsInsideFollowTheSameRule() {
    auto ring = area(AnnotationKind::Polygon, "sq", {},
                     {{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {{{2, 2}, {6, 2}, {6, 6}, {2, 6}}}}});
    std::vector<float> x = {1, 3, 9, 11, NAN, 0}, y = {1, 3, 9, 5, 1, 0};
    QCOMPARE(pointsInside(ring, x, y), (std::vector<std::int64_t>{0, 2, 5}));
  }
};

QTEST_GUILESS_MAIN(TestAnnotationMeasure)
#include "tst_annotation_measure.moc"
