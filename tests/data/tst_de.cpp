// Differential expression (Wilcoxon rank-sum, BH, fold change, fractions) against scipy and
// numpy on generated cases: CSR counts with heavy ties and a stored zero, CSC continuous
// values, dense signed values; sorted and unsorted column copies; one and two threads.
#include <QtTest>

#include <cmath>

#include "../fixtures/expression/cases.h"
#include "data/anndata/h5ad_reader.h"
#include "data/expression/differential.h"
#include "data/expression/x_reader.h"
#include "data/thread_pool.h"

using namespace tessera::data;
using expression_cases::close;

namespace {

CscMatrix buildFor(const nlohmann::json& c, bool sorted) {
  const auto& cases = expression_cases::load("de");
  auto x = probeXMatrix(cases.dir / c["file"].get<std::string>());
  if (!x) qFatal("%s", x.error().message.c_str());
  auto r = XReader::open(*x);
  if (!r) qFatal("%s", r.error().message.c_str());
  auto m = r->readGenes(0, x->cols);
  if (!m) qFatal("%s", m.error().message.c_str());
  if (sorted && !sortColumnsByValue(*m, nullptr, {})) qFatal("sort failed");
  return std::move(*m);
}

// p within 1e-6 relative; scipy's 0 (underflow) must be matched by a tiny p.
bool sameP(double ref, double v) {
  if (ref == 0) return v < 1e-290;
  return std::abs(ref - v) <= 1e-6 * ref;
}

}  // namespace

class TestDe : public QObject {
  Q_OBJECT
 private slots:
  void agreesWithScipyOnGeneratedCases() {
    ThreadPool pool(2);
    int compared = 0;
    for (const auto& c : expression_cases::load("de").json["cases"]) {
      for (const bool sorted : {true, false}) {
        const CscMatrix m = buildFor(c, sorted);
        for (const auto& sel : c["selections"]) {
          const auto ids = sel["ids"].get<std::vector<std::int64_t>>();
          auto mask = selectionMask(m.rows, ids);
          QVERIFY(mask.has_value());
          auto all = rankGenes(m, *mask, sorted ? &pool : nullptr);
          QVERIFY2(all.has_value(), all ? "" : all.error().message.c_str());
          const auto& ref = sel["genes"];
          QCOMPARE(all->size(), ref.size());
          for (std::size_t g = 0; g < ref.size(); ++g) {
            const auto& r = ref[g];
            const MarkerGene& got = (*all)[g];
            const QByteArray where = QByteArray::fromStdString(c["name"].get<std::string>()) +
                                     " gene " + QByteArray::number(static_cast<int>(g));
            QVERIFY2(sameP(r["pval"].get<double>(), got.pval),
                     where + " p " + QByteArray::number(got.pval, 'g', 17) + " vs " +
                         QByteArray::number(r["pval"].get<double>(), 'g', 17));
            QVERIFY2(close(r["z"].get<double>(), got.score, 1e-9), where + " z");
            QVERIFY2(sameP(r["pval_adj"].get<double>(), got.pvalAdj), where + " p_adj");
            QVERIFY2(close(r["mean_in"].get<double>(), got.stats.meanIn, 1e-9), where + " mean_in");
            QVERIFY2(close(r["mean_out"].get<double>(), got.stats.meanOut, 1e-9),
                     where + " mean_out");
            QVERIFY2(close(r["frac_in"].get<double>(), got.stats.fracIn, 1e-12),
                     where + " frac_in");
            QVERIFY2(close(r["frac_out"].get<double>(), got.stats.fracOut, 1e-12),
                     where + " frac_out");
            if (r["logfoldchange"].is_null())
              QVERIFY(std::isnan(got.logFoldChange));
            else
              QVERIFY2(close(r["logfoldchange"].get<double>(), got.logFoldChange, 1e-6),
                       where + " lfc");
            ++compared;
          }
          // Same ranking: the top 10 by score equal the reference's top 10 by z.
          std::vector<std::pair<double, std::int64_t>> byZ;
          for (const auto& r : ref)
            byZ.push_back({-r["z"].get<double>(), r["gene"].get<std::int64_t>()});
          std::sort(byZ.begin(), byZ.end());
          const auto top = topByScore(*all, 10);
          QCOMPARE(top.size(), std::size_t{10});
          for (std::size_t k = 0; k < top.size(); ++k)
            QVERIFY2(top[k].gene == byZ[k].second || std::abs(-byZ[k].first - top[k].score) < 1e-9,
                     "ranking differs");
        }
      }
    }
    QCOMPARE(compared, 2 * 3 * (40 + 30 + 12));
  }

  void selectionStatsMatchRankGenes() {
    const auto& c = expression_cases::load("de").json["cases"][0];
    const CscMatrix m = buildFor(c, false);
    auto mask = selectionMask(m.rows, c["selections"][1]["ids"].get<std::vector<std::int64_t>>());
    auto stats = selectionStats(m, *mask, nullptr);
    QVERIFY(stats.has_value());
    const auto& ref = c["selections"][1]["genes"];
    for (std::size_t g = 0; g < stats->size(); ++g) {
      QVERIFY(close(ref[g]["mean_in"].get<double>(), (*stats)[g].meanIn, 1e-9));
      QVERIFY(close(ref[g]["frac_out"].get<double>(), (*stats)[g].fracOut, 1e-12));
    }
  }

  void benjaminiHochbergIsMonotoneAndClipped() {
    const std::vector<double> p{0.01, 0.04, 0.03, 0.5, 0.9};
    const auto q = benjaminiHochberg(p);
    // Sorted p: .01 .03 .04 .5 .9 -> .05 .0667 .0667 .625 .9 (running minimum from the top).
    QCOMPARE(q[0], 0.05);
    QVERIFY(std::abs(q[1] - 0.04 * 5 / 3) < 1e-15);
    QVERIFY(std::abs(q[2] - 0.04 * 5 / 3) < 1e-15);
    QCOMPARE(q[3], 0.625);
    QCOMPARE(q[4], 0.9);
    QCOMPARE(benjaminiHochberg(std::vector<double>{1.0, 1.0})[0], 1.0);
  }

  void zerosAreOneTiedBlockBetweenNegativesAndPositives() {
    // 6 cells, one gene: values -1, 0, 0, 0, 2, 3 (zeros implicit); selection = cells 0, 4.
    CscMatrix m;
    m.rows = 6;
    m.cols = 1;
    m.colptr = {0, 3};
    m.rowIdx = {0, 4, 5};
    m.values = {-1.0f, 2.0f, 3.0f};
    const std::vector<std::uint8_t> mask{1, 0, 0, 0, 1, 0};
    auto r = rankGenes(m, mask, nullptr);
    QVERIFY(r.has_value());
    // Ranks: -1 -> 1, zeros -> 3 (avg of 2..4), 2 -> 5, 3 -> 6. R1 = 1 + 5 = 6, U1 = 3,
    // mu = 4, ties: 3^3 - 3 = 24, sigma = sqrt(8/12 * (7 - 24/30)).
    const double sigma = std::sqrt(8.0 / 12 * (7 - 24.0 / 30));
    QVERIFY(std::abs((*r)[0].score - (3 - 4) / sigma) < 1e-14);
    QVERIFY(std::abs((*r)[0].pval - std::erfc(1 / sigma / std::sqrt(2.0))) < 1e-14);
  }

  void allTiedGeneScoresZero() {
    CscMatrix m;
    m.rows = 4;
    m.cols = 1;
    m.colptr = {0, 0};
    auto r = rankGenes(m, std::vector<std::uint8_t>{1, 0, 0, 1}, nullptr);
    QVERIFY(r.has_value());
    QCOMPARE((*r)[0].score, 0.0);
    QCOMPARE((*r)[0].pval, 1.0);
  }

  void rejectsBadSelections() {
    CscMatrix m;
    m.rows = 3;
    m.cols = 1;
    m.colptr = {0, 0};
    auto none = rankGenes(m, std::vector<std::uint8_t>{0, 0, 0}, nullptr);
    QVERIFY(!none && none.error().code == Errc::InvalidArgument);
    auto all = rankGenes(m, std::vector<std::uint8_t>{1, 1, 1}, nullptr);
    QVERIFY(!all && QString::fromStdString(all.error().message).contains("every cell"));
    auto shortMask = rankGenes(m, std::vector<std::uint8_t>{1}, nullptr);
    QVERIFY(!shortMask && shortMask.error().code == Errc::InvalidArgument);
    auto outside = selectionMask(3, std::vector<std::int64_t>{0, 3});
    QVERIFY(!outside && QString::fromStdString(outside.error().message).contains("cell 3"));
  }

  void cancelsWhenStopped() {
    const CscMatrix m = buildFor(expression_cases::load("de").json["cases"][0], false);
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(m.rows), 0);
    mask[0] = 1;
    std::stop_source stop;
    stop.request_stop();
    ThreadPool pool(2);
    auto r = rankGenes(m, mask, &pool, stop.get_token());
    QVERIFY(!r && r.error().code == Errc::Cancelled);
    CscMatrix copy = m;
    auto s = sortColumnsByValue(copy, &pool, stop.get_token());
    QVERIFY(!s && s.error().code == Errc::Cancelled);
    QVERIFY(!copy.sortedByValue);
  }
};

QTEST_GUILESS_MAIN(TestDe)
#include "tst_de.moc"
