// The expression engine's pieces and its asynchronous front: XReader's gene chunks, genes and
// cells against H5adFile::readGene on generated and real files (CSR, CSC, dense, legacy), bad
// files, progress and cancellation, group summaries against numpy, and ExpressionEngine serving
// genes before and after its on-disk index, markers against scipy (from the index, streamed
// from X in chunks, and in memory), statistics and cancellation. The index cache has its own
// test (tst_expression_cache).
#include <QtTest>

#include "expression_support.h"

#include "data/expression/group_summary.h"
#include "data/thread_pool.h"

using namespace expression_support;

class TestExpression : public QObject {
  Q_OBJECT
 private slots:
  void readerGivesGenesChunksAndCells() {
    for (const auto& path : tableFiles()) {
      const QString name = QString::fromStdString(path.filename().string());
      auto f = H5adFile::open(path);
      QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
      auto x = probeXMatrix(path);
      QVERIFY2(x.has_value(), x ? "" : x.error().message.c_str());
      QCOMPARE(x->rows, f->nObs());
      QCOMPARE(x->cols, f->nVars());
      QCOMPARE(x->encoding, f->X()->encoding);
      auto r = XReader::open(*x);
      QVERIFY(r.has_value());
      auto whole = r->readGenes(0, x->cols);
      QVERIFY(whole.has_value());
      auto counts = r->geneCounts();
      QVERIFY(counts.has_value());
      // Chunks of a few genes each, placed by counts, equal the whole.
      const auto chunks = planGeneChunks(*counts, 8 * 40);
      QVERIFY(chunks.size() > 1 || x->cols < 3);
      std::vector<std::vector<float>> ref;
      for (std::int64_t g = 0; g < x->cols; ++g)
        ref.push_back(*f->readGene(g));
      for (const auto& [g0, g1] : chunks) {
        auto m = r->readGenes(g0, g1, {}, {}, &*counts);
        QVERIFY(m.has_value());
        for (std::int64_t g = g0; g < g1; ++g) {
          QVERIFY2(m->denseColumn(g - g0) == ref[g],
                   qPrintable(name + " gene " + QString::number(g)));
          QCOMPARE(m->colptr[g - g0 + 1] - m->colptr[g - g0],
                   whole->colptr[g + 1] - whole->colptr[g]);
        }
      }
      for (std::int64_t g = 0; g < x->cols; g += 7) {
        QVERIFY(whole->denseColumn(g) == ref[g]);
        QVERIFY(*r->readGene(g) == ref[g]);
      }
      // A cell's entries equal its row (CSR and dense; CSC refuses).
      for (std::int64_t c = 0; c < x->rows; c += std::max<std::int64_t>(1, x->rows / 5)) {
        auto cell = r->readCell(c);
        if (x->encoding == MatrixEncoding::Csc) {
          QVERIFY(!cell && cell.error().code == Errc::Unsupported);
          break;
        }
        QVERIFY(cell.has_value());
        std::vector<float> row(static_cast<std::size_t>(x->cols), 0.0f);
        for (const auto& [g, v] : *cell)
          row[g] = v;
        for (std::int64_t g = 0; g < x->cols; ++g)
          QCOMPARE(row[g], ref[g][c]);
      }
    }
  }

  void readerReportsProgressAndStops() {
    auto x = probeXMatrix(cases().dir / "csr_counts.h5ad");
    auto r = XReader::open(*x);
    QVERIFY(r.has_value());
    std::vector<double> seen;
    QVERIFY(r->geneCounts({}, [&](double p) { seen.push_back(p); }).has_value());
    QVERIFY(!seen.empty() && std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.back(), 1.0);
    std::stop_source stop;
    stop.request_stop();
    auto m = r->readGenes(0, 2, stop.get_token());
    QVERIFY(!m && m.error().code == Errc::Cancelled);
    auto bad = r->readGenes(3, 1);
    QVERIFY(!bad && bad.error().code == Errc::InvalidArgument);
    QVERIFY(!probeXMatrix(cases().dir / "cases.json"));
  }

  void badSparseFilesNameFileAndDataset() {
    auto x = probeXMatrix(cases().dir / "bad_indptr.h5ad");
    QVERIFY(x.has_value());
    auto r = XReader::open(*x);
    QVERIFY(!r && r.error().code == Errc::Corrupt);
    QVERIFY(QString::fromStdString(r.error().message).contains("bad_indptr.h5ad:/X/indptr"));
    x = probeXMatrix(cases().dir / "bad_indices.h5ad");
    auto r2 = XReader::open(*x);
    QVERIFY(r2.has_value());
    auto m = r2->readGenes(0, x->cols);
    QVERIFY(!m && m.error().code == Errc::Corrupt);
    QVERIFY2(QString::fromStdString(m.error().message).contains("bad_indices.h5ad:/X/indices"),
             m.error().message.c_str());
  }

  void groupSummariesMatchNumpy() {
    for (const auto& c : cases().json["cases"]) {
      auto f = H5adFile::open(cases().dir / c["file"].get<std::string>());
      QVERIFY(f.has_value());
      const CscMatrix m = readAll(cases().dir / c["file"].get<std::string>());
      auto codes = f->readObsCodes("group");
      QVERIFY(codes.has_value());
      const auto& cats = f->obsColumn("group")->categories;
      for (const auto& ref : c["group_summaries"]) {
        const auto g = ref["gene"].get<std::int64_t>();
        auto s = summarizeGroups(m.rows, m.columnRows(g), m.columnValues(g), *codes, cats,
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
    const fs::path file = cases().dir / "csr_counts.h5ad";
    auto f = H5adFile::open(file);
    QVERIFY(f.has_value());
    std::vector<std::vector<float>> columns;
    for (std::int64_t g = 0; g < f->nVars(); ++g)
      columns.push_back(*f->readGene(g));
    std::vector<IndexStatus> statuses;
    std::mutex mutex;
    ExpressionEngine::Options opt;
    opt.cacheDir = freshDir("serves");
    opt.workingBytes = 8 * 64;  // several chunks
    opt.onIndexStatus = [&](const IndexStatus& s) {
      std::lock_guard lock(mutex);
      statuses.push_back(s);
    };
    auto engine = engineFor(file, hdf5, workers, opt);
    QCOMPARE(engine->nGenes(), f->nVars());
    // Before indexing: a streaming scan of X.
    auto slow = await<std::vector<float>>([&](auto cb) { engine->gene(3, {}, cb); });
    QVERIFY(slow && *slow == columns[3]);
    auto before = await<std::vector<GeneStat>>([&](auto cb) { engine->geneStats(cb); });
    QVERIFY(!before && before.error().code == Errc::Unsupported);
    engine->startIndexing();
    auto early = await<std::vector<float>>([&](auto cb) { engine->gene(3, {}, cb); });
    QVERIFY(early && *early == columns[3]);
    const IndexStatus st = engine->waitForIndex();
    QCOMPARE(st.stage, IndexStage::Ready);
    QVERIFY(!st.fromCache);
    QVERIFY(st.bytes > 0);
    QCOMPARE(filesIn(opt.cacheDir).size(), std::size_t{1});
    QCOMPARE(fs::file_size(filesIn(opt.cacheDir)[0]), st.bytes);
    {
      std::lock_guard lock(mutex);
      QVERIFY(std::any_of(statuses.begin(), statuses.end(),
                          [](auto& s) { return s.stage == IndexStage::Building; }));
      QCOMPARE(statuses.back().stage, IndexStage::Ready);
    }
    for (std::int64_t g = 0; g < engine->nGenes(); ++g) {
      auto fast = await<std::vector<float>>([&](auto cb) { engine->gene(g, {}, cb); });
      QVERIFY(fast && *fast == columns[g]);
    }
    auto bad = await<std::vector<float>>([&](auto cb) { engine->gene(999, {}, cb); });
    QVERIFY(!bad && bad.error().code == Errc::InvalidArgument);

    auto stats = await<std::vector<GeneStat>>([&](auto cb) { engine->geneStats(cb); });
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
    const auto mask = betaMask(file);
    auto all =
        await<std::vector<MarkerGene>>([&](auto cb) { engine->markers(mask, SIZE_MAX, {}, cb); });
    QVERIFY(all.has_value());
    compareWithScipy(*all);
    auto top = await<std::vector<MarkerGene>>([&](auto cb) { engine->markers(mask, 5, {}, cb); });
    QVERIFY(top.has_value());
    QCOMPARE(top->size(), std::size_t{5});
    for (std::size_t k = 0; k < 5; ++k)
      QCOMPARE((*top)[k].gene, (*all)[k].gene);

    // The top genes of a cell: its row, highest first.
    auto cell = await<std::vector<std::pair<std::int64_t, float>>>(
        [&](auto cb) { engine->cellTopGenes(7, 3, cb); });
    QVERIFY(cell.has_value());
    std::vector<std::pair<float, std::int64_t>> row;
    for (std::size_t g = 0; g < columns.size(); ++g)
      if (columns[g][7] > 0) row.push_back({-columns[g][7], static_cast<std::int64_t>(g)});
    std::sort(row.begin(), row.end());
    QCOMPARE(cell->size(), std::min<std::size_t>(3, row.size()));
    for (std::size_t k = 0; k < cell->size(); ++k)
      QCOMPARE((*cell)[k].second, -row[k].first);
  }

  // The index's genes read one by one (ColumnIndexFile::readGene, what markers stream) hold X's
  // entries sorted by value, and SelectionRanker over them gives scipy's z and p for every gene.
  void indexGenesThroughSelectionRankerEqualXAndScipy() {
    ThreadPool hdf5(1), workers(2);
    const fs::path file = cases().dir / "csr_counts.h5ad";
    ExpressionEngine::Options opt;
    opt.cacheDir = freshDir("ranker");
    {
      auto e = engineFor(file, hdf5, workers, opt);
      e->startIndexing();
      QCOMPARE(e->waitForIndex().stage, IndexStage::Ready);
    }
    hdf5.waitIdle();
    auto reader = XReader::open(*probeXMatrix(file));
    QVERIFY(reader.has_value());
    auto id = identifySource(*reader);
    QVERIFY(id.has_value());
    auto index = ColumnIndexFile::open(indexPathFor(opt.cacheDir, *id), *id);
    QVERIFY2(index.has_value(), index ? "" : index.error().message.c_str());
    auto f = H5adFile::open(file);
    const auto mask = betaMask(file);
    auto ranker = SelectionRanker::make((*index)->rows(), mask);
    QVERIFY(ranker.has_value());
    std::vector<MarkerGene> all;
    std::vector<std::uint32_t> buf;
    for (std::int64_t g = 0; g < (*index)->cols(); ++g) {
      auto e = (*index)->readGene(g, buf);
      QVERIFY2(e.has_value(), e ? "" : e.error().message.c_str());
      QVERIFY(std::is_sorted(e->values.begin(), e->values.end()));
      std::vector<float> dense(static_cast<std::size_t>((*index)->rows()), 0.0f);
      for (std::size_t k = 0; k < e->rows.size(); ++k)
        dense[static_cast<std::size_t>(e->rows[k])] = e->values[k];
      QVERIFY(dense == *f->readGene(g));
      all.push_back(ranker->rank(g, e->rows, e->values));
    }
    adjustPValues(all);
    compareWithScipy(all);
    // A selection of the wrong size, or with an empty side, is refused.
    QVERIFY(!SelectionRanker::make((*index)->rows() + 1, mask).has_value());
    const std::vector<std::uint8_t> none(mask.size(), 0);
    const auto refused = SelectionRanker::make((*index)->rows(), none);
    QVERIFY(!refused && refused.error().code == Errc::InvalidArgument);
  }

  void markersStreamedFromXOrInMemoryEqualScipy() {
    ThreadPool hdf5(1), workers(2);
    const fs::path file = cases().dir / "csr_counts.h5ad";
    const auto mask = betaMask(file);
    // No cache folder: every marker run streams X gene chunk by gene chunk.
    ExpressionEngine::Options opt;
    opt.workingBytes = 8 * 50;
    auto engine = engineFor(file, hdf5, workers, opt);
    engine->startIndexing();
    const auto st = engine->waitForIndex();
    QCOMPARE(st.stage, IndexStage::Failed);
    std::vector<double> seen;
    std::mutex mutex;
    auto all = await<std::vector<MarkerGene>>([&](auto cb) {
      engine->markers(mask, SIZE_MAX, {}, cb, [&](double p) {
        std::lock_guard lock(mutex);
        seen.push_back(p);
      });
    });
    QVERIFY2(all.has_value(), all ? "" : all.error().message.c_str());
    compareWithScipy(*all);
    QVERIFY(seen.size() > 1);
    QCOMPARE(seen.back(), 1.0);
    // The same matrix held in memory (gathered tables).
    ExpressionEngine memory(readAll(file), file.string(), workers, {});
    QCOMPARE(memory.indexStatus().stage, IndexStage::Ready);
    auto mem =
        await<std::vector<MarkerGene>>([&](auto cb) { memory.markers(mask, SIZE_MAX, {}, cb); });
    QVERIFY(mem.has_value());
    compareWithScipy(*mem);
    auto g = await<std::vector<float>>([&](auto cb) { memory.gene(2, {}, cb); });
    QVERIFY(g && *g == *H5adFile::open(file)->readGene(2));
    auto wrong = await<std::vector<MarkerGene>>(
        [&](auto cb) { memory.markers(std::vector<std::uint8_t>(3, 1), 5, {}, cb); });
    QVERIFY(!wrong && wrong.error().code == Errc::InvalidArgument);
  }

  void engineCancelsRequestsAndCanBeDestroyedMidBuild() {
    ThreadPool hdf5(1), workers(2);
    const fs::path dir = freshDir("cancel");
    std::stop_source stop;
    stop.request_stop();
    ExpressionEngine::Options opt;
    opt.cacheDir = dir;
    {
      auto engine = engineFor(cases().dir / "csc_float.h5ad", hdf5, workers, opt);
      auto g = await<std::vector<float>>([&](auto cb) { engine->gene(1, stop.get_token(), cb); });
      QVERIFY(!g && g.error().code == Errc::Cancelled);
      engine->startIndexing();
      QCOMPARE(engine->waitForIndex().stage, IndexStage::Ready);
      std::vector<std::uint8_t> mask(static_cast<std::size_t>(engine->nCells()), 0);
      mask[0] = 1;
      auto m = await<std::vector<MarkerGene>>(
          [&](auto cb) { engine->markers(mask, 3, stop.get_token(), cb); });
      QVERIFY(!m && m.error().code == Errc::Cancelled);
    }
    // Destroyed while building: the build stops and leaves no temporary file.
    for (int k = 0; k < 5; ++k) {
      fs::remove_all(dir);
      auto engine = engineFor(cases().dir / "csr_counts.h5ad", hdf5, workers, opt);
      engine->startIndexing();
      engine.reset();
      hdf5.waitIdle();
      for (const auto& p : fs::exists(dir) ? filesIn(dir) : std::vector<fs::path>{})
        QVERIFY2(p.extension() == ".tsxidx", p.c_str());
    }
    hdf5.waitIdle();
    workers.waitIdle();
  }
};

QTEST_GUILESS_MAIN(TestExpression)
#include "tst_expression.moc"
