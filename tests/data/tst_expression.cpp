// The expression engine's pieces and its asynchronous front: the CSC column index against
// H5adFile::readGene on generated and real files (CSR, CSC, dense, legacy), the fast CSR gene
// scan, bad files, progress, memory limit and cancellation of the build, group summaries
// against numpy, and ExpressionEngine serving genes before and after its index, markers,
// statistics and cancellation.
#include <QtTest>

#include <future>

#include "../fixtures/expression/cases.h"
#include "data/expression/column_index_builder.h"
#include "data/expression/expression_engine.h"
#include "data/expression/gene_reader.h"
#include "data/expression/group_summary.h"
#include "data/thread_pool.h"

using namespace tessera::data;
using expression_cases::close;
namespace fs = std::filesystem;

namespace {

const auto& cases() {
  return expression_cases::load("expression");
}

std::vector<fs::path> tableFiles() {
  std::vector<fs::path> files;
  for (const auto& c : cases().json["cases"])
    files.push_back(cases().dir / c["file"].get<std::string>());
  const fs::path fx = fs::path(TESSERA_TEST_DATA_DIR) / "anndata";
  for (const char* f : {"v0.7.8.h5ad", "v0.8_rich.h5ad", "pbmc68k_reduced_v0.5.h5ad"})
    files.push_back(fx / f);
  return files;
}

template <class T>
Expected<T> await(const std::function<void(ExpressionEngine::Callback<T>)>& start) {
  auto p = std::make_shared<std::promise<Expected<T>>>();
  auto f = p->get_future();
  start([p](Expected<T> r) { p->set_value(std::move(r)); });
  return f.get();
}

}  // namespace

class TestExpression : public QObject {
  Q_OBJECT
 private slots:
  void columnIndexMatchesReadGene() {
    ThreadPool pool(2);
    for (const auto& path : tableFiles()) {
      auto f = H5adFile::open(path);
      QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
      auto m = buildColumnIndex(*f, {});
      QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
      QCOMPARE(m->rows, f->nObs());
      QCOMPARE(m->cols, f->nVars());
      QCOMPARE(m->byteSize(), cscBytes(m->nnz(), m->cols));
      CscMatrix sorted = *m;
      QVERIFY(sortColumnsByValue(sorted, &pool, {}).has_value());
      auto reader = GeneReader::open(*f);
      QVERIFY(reader.has_value());
      for (std::int64_t g = 0; g < f->nVars(); ++g) {
        auto ref = f->readGene(g);
        QVERIFY(ref.has_value());
        QVERIFY2(m->denseColumn(g) == *ref,
                 qPrintable(QString::fromStdString(path.filename().string()) + " gene " +
                            QString::number(g)));
        QVERIFY(sorted.denseColumn(g) == *ref);
        const auto v = sorted.columnValues(g);
        QVERIFY(std::is_sorted(v.begin(), v.end()));
        if (g % 7 == 0) QVERIFY(*reader->read(*f, g) == *ref);
      }
    }
  }

  void buildReportsProgressAndHonoursLimitAndStop() {
    auto f = H5adFile::open(cases().dir / "csr_counts.h5ad");
    QVERIFY(f.has_value());
    std::vector<double> seen;
    auto m = buildColumnIndex(*f, {}, [&](double p) { seen.push_back(p); });
    QVERIFY(m.has_value());
    QVERIFY(seen.size() >= 3);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.front(), 0.0);
    QCOMPARE(seen.back(), 1.0);
    auto big = buildColumnIndex(*f, {}, {}, 1024);
    QVERIFY(!big && big.error().code == Errc::Unsupported);
    QVERIFY(QString::fromStdString(big.error().message).contains("limit"));
    std::stop_source stop;
    stop.request_stop();
    auto cancelled = buildColumnIndex(*f, stop.get_token());
    QVERIFY(!cancelled && cancelled.error().code == Errc::Cancelled);
  }

  void badSparseFilesNameFileAndDataset() {
    for (const auto& [file, what] :
         {std::pair{"bad_indices.h5ad", "X/indices"}, std::pair{"bad_indptr.h5ad", "X/indptr"}}) {
      auto f = H5adFile::open(cases().dir / file);
      QVERIFY(f.has_value());
      auto m = buildColumnIndex(*f, {});
      QVERIFY(!m);
      QCOMPARE(m.error().code, Errc::Corrupt);
      const QString msg = QString::fromStdString(m.error().message);
      QVERIFY2(msg.contains(file) && msg.contains(what), qPrintable(msg));
    }
    auto f = H5adFile::open(cases().dir / "bad_indptr.h5ad");
    auto r = GeneReader::open(*f);
    QVERIFY(!r && QString::fromStdString(r.error().message).contains("X/indptr"));
  }

  void groupSummariesMatchNumpy() {
    for (const auto& c : cases().json["cases"]) {
      auto f = H5adFile::open(cases().dir / c["file"].get<std::string>());
      QVERIFY(f.has_value());
      auto m = buildColumnIndex(*f, {});
      QVERIFY(m.has_value());
      auto codes = f->readObsCodes("group");
      QVERIFY(codes.has_value());
      const auto& cats = f->obsColumn("group")->categories;
      for (const auto& ref : c["group_summaries"]) {
        const auto g = ref["gene"].get<std::int64_t>();
        auto s = summarizeGroups(m->rows, m->columnRows(g), m->columnValues(g), *codes, cats,
                                 ref["bins"].get<int>());
        QVERIFY(s.has_value());
        QVERIFY(close(ref["lo"].get<double>(), s->lo, 1e-12));
        QVERIFY(close(ref["hi"].get<double>(), s->hi, 1e-12));
        QCOMPARE(s->groups.size(), ref["groups"].size());
        for (std::size_t k = 0; k < s->groups.size(); ++k) {
          const auto& r = ref["groups"][k];
          const auto& got = s->groups[k];
          QCOMPARE(got.name, r["name"].get<std::string>());
          QCOMPARE(got.cells, r["cells"].get<std::int64_t>());
          QVERIFY(close(r["mean"].get<double>(), got.mean, 1e-9));
          QVERIFY(close(r["frac"].get<double>(), got.fracExpressing, 1e-12));
          for (int q = 0; q < 5; ++q)
            QVERIFY(close(r["quantiles"][q].get<double>(), got.quantiles[q], 1e-12));
          QCOMPARE(got.histogram, r["histogram"].get<std::vector<std::int64_t>>());
        }
      }
    }
    auto bad = summarizeGroups(2, {}, {}, std::vector<std::int32_t>{0, 5}, {"a"});
    QVERIFY(!bad && bad.error().code == Errc::InvalidArgument);
  }

  void engineServesGenesBeforeAndAfterItsIndex() {
    ThreadPool hdf5(1), workers(2);
    auto f = H5adFile::open(cases().dir / "csr_counts.h5ad");
    QVERIFY(f.has_value());
    const auto ref3 = *f->readGene(3);
    const auto refCodes = *f->readObsCodes("group");
    std::vector<std::vector<float>> columns;
    for (std::int64_t g = 0; g < f->nVars(); ++g)
      columns.push_back(*f->readGene(g));
    std::vector<IndexStatus> statuses;
    std::mutex mutex;
    ExpressionEngine::Options opt;
    opt.onIndexStatus = [&](const IndexStatus& s) {
      std::lock_guard lock(mutex);
      statuses.push_back(s);
    };
    ExpressionEngine engine(std::move(*f), hdf5, workers, opt);
    QCOMPARE(engine.geneIndex("g3"), std::optional<std::int64_t>(3));
    QVERIFY(!engine.geneIndex("nope"));
    // Before indexing: read from the file.
    QVERIFY(!engine.geneIfIndexed(3));
    auto slow = await<std::vector<float>>([&](auto cb) { engine.gene(3, {}, cb); });
    QVERIFY(slow && *slow == ref3);
    engine.startIndexing();
    auto early = await<std::vector<float>>([&](auto cb) { engine.gene(3, {}, cb); });
    QVERIFY(early && *early == ref3);
    const IndexStatus st = engine.waitForIndex();
    QCOMPARE(st.stage, IndexStage::Ready);
    QVERIFY(st.bytes > 0);
    {
      std::lock_guard lock(mutex);
      QVERIFY(std::any_of(statuses.begin(), statuses.end(),
                          [](auto& s) { return s.stage == IndexStage::Sorting; }));
      QCOMPARE(statuses.back().stage, IndexStage::Ready);
    }
    QVERIFY(engine.columnIndex()->sortedByValue);
    QVERIFY(*engine.geneIfIndexed(3) == ref3);
    auto fast = await<std::vector<float>>([&](auto cb) { engine.gene(3, {}, cb); });
    QVERIFY(fast && *fast == ref3);
    auto bad = await<std::vector<float>>([&](auto cb) { engine.gene(999, {}, cb); });
    QVERIFY(!bad && bad.error().code == Errc::InvalidArgument);

    auto stats = await<std::vector<GeneStat>>([&](auto cb) { engine.geneStats(cb); });
    QVERIFY(stats.has_value());
    for (std::size_t g = 0; g < columns.size(); ++g) {
      double sum = 0, nz = 0;
      for (const float v : columns[g]) {
        sum += v;
        nz += v != 0;
      }
      QVERIFY(close(sum / columns[g].size(), (*stats)[g].mean, 1e-12));
      QVERIFY(close(nz / columns[g].size(), (*stats)[g].fracExpressing, 1e-12));
    }

    auto mask = await<std::vector<std::uint8_t>>(
        [&](auto cb) { engine.groupMask("group", "beta", {}, cb); });
    QVERIFY(mask.has_value());
    for (std::size_t i = 0; i < mask->size(); ++i)
      QCOMPARE((*mask)[i] != 0, refCodes[i] == 1);
    auto top = await<std::vector<MarkerGene>>([&](auto cb) { engine.markers(*mask, 5, {}, cb); });
    QVERIFY(top.has_value());
    QCOMPARE(top->size(), std::size_t{5});
    // The same ranking as scipy's z (the reference for selection 0 is group beta).
    const auto& sel = cases().json["cases"][0]["selections"][0]["genes"];
    std::vector<std::pair<double, std::int64_t>> byZ;
    for (const auto& r : sel)
      byZ.push_back({-r["z"].get<double>(), r["gene"].get<std::int64_t>()});
    std::sort(byZ.begin(), byZ.end());
    for (std::size_t k = 0; k < top->size(); ++k)
      QCOMPARE((*top)[k].gene, byZ[k].second);
    QVERIFY(std::abs((*top)[0].pval - sel[(*top)[0].gene]["pval"].get<double>()) <=
            1e-6 * sel[(*top)[0].gene]["pval"].get<double>());
    auto contrast =
        await<std::vector<GeneContrast>>([&](auto cb) { engine.selectionStats(*mask, {}, cb); });
    QVERIFY(contrast.has_value());
    QVERIFY(close(sel[0]["mean_in"].get<double>(), (*contrast)[0].meanIn, 1e-9));

    auto summary =
        await<GroupSummaries>([&](auto cb) { engine.groupSummary("group", 0, 16, {}, cb); });
    QVERIFY(summary.has_value());
    const auto& ref = cases().json["cases"][0]["group_summaries"][0]["groups"];
    for (std::size_t k = 0; k < summary->groups.size(); ++k)
      QCOMPARE(summary->groups[k].histogram, ref[k]["histogram"].get<std::vector<std::int64_t>>());

    auto missing =
        await<std::vector<std::uint8_t>>([&](auto cb) { engine.groupMask("nope", "x", {}, cb); });
    QVERIFY(!missing && missing.error().code == Errc::NotFound);
    QVERIFY(QString::fromStdString(missing.error().message).contains("csr_counts.h5ad:/obs/nope"));
  }

  void engineCancelsRequestsAndCanBeDestroyedMidBuild() {
    ThreadPool hdf5(1), workers(2);
    std::stop_source stop;
    stop.request_stop();
    {
      auto f = H5adFile::open(cases().dir / "csc_float.h5ad");
      ExpressionEngine engine(std::move(*f), hdf5, workers);
      auto g = await<std::vector<float>>([&](auto cb) { engine.gene(1, stop.get_token(), cb); });
      QVERIFY(!g && g.error().code == Errc::Cancelled);
      engine.startIndexing();
      QCOMPARE(engine.waitForIndex().stage, IndexStage::Ready);
      std::vector<std::uint8_t> mask(static_cast<std::size_t>(engine.nCells()), 0);
      mask[0] = 1;
      auto m = await<std::vector<MarkerGene>>(
          [&](auto cb) { engine.markers(mask, 3, stop.get_token(), cb); });
      QVERIFY(!m && m.error().code == Errc::Cancelled);
      auto s = await<GroupSummaries>(
          [&](auto cb) { engine.groupSummary("group", 0, 8, stop.get_token(), cb); });
      QVERIFY(!s && s.error().code == Errc::Cancelled);
    }
    // Destroyed while building: the build stops, the file closes on the hdf5 thread.
    for (int k = 0; k < 5; ++k) {
      auto f = H5adFile::open(cases().dir / "csr_counts.h5ad");
      auto engine = std::make_unique<ExpressionEngine>(std::move(*f), hdf5, workers);
      engine->startIndexing();
      engine.reset();
    }
    hdf5.waitIdle();
    workers.waitIdle();
  }

  void engineWithoutIndexStillAnswersGenesAndSaysWhyStatsWait() {
    ThreadPool hdf5(1), workers(2);
    auto f = H5adFile::open(cases().dir / "dense_signed.h5ad");
    const auto ref = *f->readGene(2);
    ExpressionEngine::Options opt;
    opt.maxIndexBytes = 64;
    ExpressionEngine engine(std::move(*f), hdf5, workers, opt);
    engine.startIndexing();
    const auto st = engine.waitForIndex();
    QCOMPARE(st.stage, IndexStage::Failed);
    QVERIFY(QString::fromStdString(st.error).contains("limit"));
    auto g = await<std::vector<float>>([&](auto cb) { engine.gene(2, {}, cb); });
    QVERIFY(g && *g == ref);
    auto stats = await<std::vector<GeneStat>>([&](auto cb) { engine.geneStats(cb); });
    QVERIFY(!stats && QString::fromStdString(stats.error().message).contains("limit"));
  }
};

QTEST_GUILESS_MAIN(TestExpression)
#include "tst_expression.moc"
