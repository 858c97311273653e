// A gene's automatic colour range is the 1st–99th percentile of its finite values as numpy's
// percentile gives it (data::ai::percentile, linear interpolation), also when the order
// statistics fall among negative values, among the zeros or across them (the colouring selects
// only among the non-zero values, sparsePercentile in cells_coloring.cpp); min–max when the two
// meet.
#include <QtTest>

#include <cmath>
#include <random>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "data/ai/processing.h"
#include "data/thread_pool.h"

using namespace tessera;

namespace {
constexpr std::size_t kCells = 1000;

// Gene columns: negatives, zeros and positives in the given counts (the rest zeros), two NaNs.
std::vector<float> column(std::size_t neg, std::size_t pos, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.01f, 5.0f);
  std::vector<float> v(kCells, 0.0f);
  std::size_t i = 0;
  for (; i < neg; ++i)
    v[i] = -u(rng);
  for (; i < neg + pos; ++i)
    v[i] = u(rng);
  v[kCells - 1] = v[kCells - 2] = std::numeric_limits<float>::quiet_NaN();
  std::shuffle(v.begin(), v.end(), rng);
  return v;
}
}  // namespace

class TestGeneRange : public QObject {
  Q_OBJECT
 private slots:
  void geneRangeIsNumpysPercentilesWithNegatives_data() {
    QTest::addColumn<int>("neg");
    QTest::addColumn<int>("pos");
    QTest::newRow("negatives, zeros, positives") << 100 << 100;
    QTest::newRow("mostly negative") << 950 << 10;
    QTest::newRow("negatives and zeros only") << 300 << 0;
    QTest::newRow("all negative") << 998 << 0;
    QTest::newRow("few negatives among zeros") << 5 << 0;
  }
  void geneRangeIsNumpysPercentilesWithNegatives() {
    QFETCH(int, neg);
    QFETCH(int, pos);
    const auto values = column(static_cast<std::size_t>(neg), static_cast<std::size_t>(pos), 3);
    data::ThreadPool workers(1);
    data::CscMatrix m;
    m.rows = kCells;
    m.cols = 1;
    m.colptr = {0};
    for (std::size_t c = 0; c < kCells; ++c)
      if (values[c] != 0) {
        m.rowIdx.push_back(static_cast<std::int32_t>(c));
        m.values.push_back(values[c]);
      }
    m.colptr.push_back(m.nnz());
    auto table = std::make_shared<data::CellTable>();
    for (std::size_t c = 0; c < kCells; ++c)
      table->cellIds.push_back("c" + std::to_string(c));
    table->geneNames = {"g"};
    app::CellsData d;
    d.table = table;
    d.expression = std::make_shared<data::ExpressionEngine>(std::move(m), "t", workers,
                                                            data::ExpressionEngine::Options{});
    app::ColorBy by;
    by.kind = app::ColorBy::Kind::Gene;
    by.name = "g";
    auto r = app::resolveColoring(d, by, values);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    std::vector<float> finite;
    for (const float v : values)
      if (std::isfinite(v)) finite.push_back(v);
    auto copy = finite;
    const double p1 = data::ai::percentile(copy, app::kGeneRangeLowPercentile);
    copy = finite;
    const double p99 = data::ai::percentile(copy, app::kGeneRangeHighPercentile);
    const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
    const double wantMin = p99 > p1 ? p1 : *lo, wantMax = p99 > p1 ? p99 : *hi;
    QCOMPARE(r->legend.min, wantMin);
    QCOMPARE(r->legend.max, wantMax);
    QVERIFY(r->legend.min < 0);  // every case's range starts among the negatives
    QCOMPARE(r->values().size(), kCells);
  }
};

QTEST_MAIN(TestGeneRange)
#include "tst_gene_range.moc"
