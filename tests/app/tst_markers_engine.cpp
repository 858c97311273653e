// One expression engine for the window and the CLI: the Markers panel's rows (CellsSession, the
// window's model) for a selection equal `tessera markers --group @ids.json` for the same cells,
// gene for gene, and both equal scipy's mannwhitneyu / BH (make_expression_cases.py) on CSR, CSC
// and dense tables. Both build or reuse the same gene index in a private cache folder.
#include <QApplication>
#include <QSignalSpy>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../fixtures/expression/cases.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "tests/support/run_process.h"

using namespace tessera;
using namespace tessera::test;
namespace fs = std::filesystem;

class TestMarkersEngine : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    const fs::path cache = fs::path(TESSERA_TEST_WORK_DIR) / "markers-engine-cache";
    fs::remove_all(cache);
    qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(cache.string()));
  }

  void windowMarkersEqualCliMarkersEqualScipy() {
    const auto& cases = expression_cases::load("markers_engine");
    app::AppContext ctx(64);
    int compared = 0;
    for (const auto& c : cases.json["cases"]) {
      const fs::path file = cases.dir / c["file"].get<std::string>();
      app::CellsSession session(ctx);
      QSignalSpy loaded(&session, &app::CellsSession::loaded);
      session.open(file);
      QVERIFY(loaded.wait(60000));
      const auto d = session.data();
      QVERIFY(d->expression);
      for (const auto& sel : c["selections"]) {
        const auto ids = sel["ids"].get<std::vector<std::int64_t>>();
        if (ids.empty() || static_cast<std::int64_t>(ids.size()) == d->size()) continue;
        // The window: a pick, then the Markers panel's rows.
        std::vector<std::uint32_t> pick(ids.begin(), ids.end());
        session.applyPick(pick, widgets::SelectOp::Replace);
        QTRY_VERIFY_WITH_TIMEOUT(!session.markersRunning(), 60000);
        const auto gui = session.markers();
        QCOMPARE(gui.size(), static_cast<std::size_t>(d->table->geneNames.size()));
        // The CLI: the same cells by obs name (what Export Selected Cell IDs writes).
        const fs::path json = cases.dir / "ids.json";
        QVERIFY(session.exportSelectionIds(json).has_value());
        const Run r =
            runTessera({"markers", QString::fromStdString(file.string()), "--group",
                        QString::fromStdString("@" + json.string()), "--top", "100000", "--json"});
        QVERIFY2(r.code == 0, r.err.constData());
        const auto cli = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(cli.size(), gui.size());
        const auto& ref = sel["genes"];
        for (std::size_t k = 0; k < gui.size(); ++k) {
          const auto& m = gui[k];
          const auto& row = cli[k];
          // Same gene at the same rank, same numbers (one engine, so identical).
          QCOMPARE(row["gene"].get<std::string>(), d->table->geneNames[m.gene]);
          QCOMPARE(row["score"].get<double>(), m.score);
          QCOMPARE(row["pval"].get<double>(), m.pval);
          QCOMPARE(row["pval_adj"].get<double>(), m.pvalAdj);
          // And scipy's.
          const auto& s = ref[static_cast<std::size_t>(m.gene)];
          QVERIFY(expression_cases::close(s["z"].get<double>(), m.score, 1e-9));
          const double p = s["pval"].get<double>(), q = s["pval_adj"].get<double>();
          QVERIFY(std::abs(p - m.pval) <= 1e-6 * p || (p == 0 && m.pval < 1e-290));
          QVERIFY(std::abs(q - m.pvalAdj) <= 1e-6 * q || (q == 0 && m.pvalAdj < 1e-290));
          ++compared;
        }
      }
    }
    QVERIFY(compared > 100);
  }

  // A gene's values move into the colouring; recolouring it (a range set and cleared) starts
  // from the colouring's own values, which stay the gene's.
  void geneColouringSurvivesRecolouring() {
    const auto& cases = expression_cases::load("markers_engine");
    const fs::path file = cases.dir / cases.json["cases"][0]["file"].get<std::string>();
    app::AppContext ctx(64);
    app::CellsSession session(ctx);
    QSignalSpy loaded(&session, &app::CellsSession::loaded);
    session.open(file);
    QVERIFY(loaded.wait(60000));
    const auto d = session.data();
    const std::string gene = d->table->geneNames.at(1);
    const auto want = app::geneValuesNow(*d, 1);
    QVERIFY(want.has_value());
    QVERIFY(session.colorByGene(QString::fromStdString(gene)));
    QTRY_VERIFY_WITH_TIMEOUT(session.coloring().legend.title == gene, 60000);
    QCOMPARE(session.coloring().values(), *want);
    const double autoMax = session.coloring().legend.max;
    session.setRange(std::pair{0.0, 0.5});
    QCOMPARE(session.coloring().legend.max, 0.5);
    QCOMPARE(session.coloring().values(), *want);
    session.setRange(std::nullopt);
    QCOMPARE(session.coloring().legend.max, autoMax);
    QCOMPARE(session.coloring().values(), *want);
  }
};

QTEST_MAIN(TestMarkersEngine)
#include "tst_markers_engine.moc"
