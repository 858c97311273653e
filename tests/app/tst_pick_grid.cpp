// PickGrid: the cells' pick grid built in the background, or at the first pick without a worker,
// answers picks exactly as a PointGrid built at once over the same points; copies share one grid.
#include <QtTest>

#include <random>

#include "app/cells/pick_grid.h"
#include "data/thread_pool.h"

using namespace tessera;

namespace {
struct Points {
  std::vector<float> x, y;
};
Points randomPoints(std::size_t n) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0, 1000);
  Points p;
  for (std::size_t i = 0; i < n; ++i) {
    p.x.push_back(i % 97 == 0 ? std::numeric_limits<float>::quiet_NaN() : u(rng));
    p.y.push_back(u(rng));
  }
  return p;
}

void samePicks(const widgets::PointGrid& got, const widgets::PointGrid& want) {
  QCOMPARE(got.size(), want.size());
  const std::vector<widgets::Vec2> lasso{{100, 100}, {700, 150}, {500, 800}, {120, 600}};
  QCOMPARE(got.inPolygon(lasso), want.inPolygon(lasso));
  QVERIFY(!want.inPolygon(lasso).empty());
  QCOMPARE(got.inBox({200, 200}, {260, 300}), want.inBox({200, 200}, {260, 300}));
  for (const double at : {10.0, 333.3, 999.0})
    QCOMPARE(got.nearest(at, at, 20), want.nearest(at, at, 20));
}
}  // namespace

class TestPickGrid : public QObject {
  Q_OBJECT
 private slots:
  void backgroundOrFirstPickGridsPickAsABuiltOne() {
    const Points p = randomPoints(20000);
    widgets::PointGrid want;
    want.build(p.x, p.y);
    {
      data::ThreadPool pool(1);
      app::PickGrid g, other;
      g.build(p.x, p.y);
      other.build(p.y, p.x);
      app::PickGrid::buildInBackground(pool, {&g, &other});
      pool.waitIdle();
      samePicks(g.get(), want);
      const app::PickGrid copy = g;  // shares the grid
      QCOMPARE(&copy.get(), &g.get());
    }
    app::PickGrid lazy;  // no worker: built by the first pick
    lazy.build(p.x, p.y);
    samePicks(lazy.get(), want);
    QCOMPARE(app::PickGrid().get().size(), std::size_t{0});
  }
};

QTEST_MAIN(TestPickGrid)
#include "tst_pick_grid.moc"
