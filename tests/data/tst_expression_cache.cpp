// The expression engine's index cache: it survives a restart, is rebuilt when the source
// changes or the file is corrupt or foreign, stays within its budget by evicting the least
// recently used index, and a failed write (file size limit, as a full disk) leaves no partial
// file while the engine keeps answering from X.
#include <QtTest>

#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "expression_support.h"

#include "data/thread_pool.h"

using namespace expression_support;

class TestExpressionCache : public QObject {
  Q_OBJECT
 private slots:
  void indexSurvivesRestartAndIsRebuiltWhenTheSourceChanges() {
    ThreadPool hdf5(1), workers(2);
    const fs::path dir = freshDir("restart");
    const fs::path src = dir.parent_path() / "restart-source.h5ad";
    fs::copy_file(cases().dir / "csr_counts.h5ad", src, fs::copy_options::overwrite_existing);
    ExpressionEngine::Options opt;
    opt.cacheDir = dir;
    {
      auto e = engineFor(src, hdf5, workers, opt);
      e->startIndexing();
      QCOMPARE(e->waitForIndex().stage, IndexStage::Ready);
      QVERIFY(!e->indexStatus().fromCache);
    }
    {
      auto e = engineFor(src, hdf5, workers, opt);
      e->startIndexing();
      const auto st = e->waitForIndex();
      QCOMPARE(st.stage, IndexStage::Ready);
      QVERIFY(st.fromCache);
    }
    {
      // A gene asked for at once (the window colours one as it opens) is read from the reopened
      // index, not by a scan of X ahead of the reopening: the index is ready when it arrives.
      hdf5.waitIdle();
      const auto ref = *H5adFile::open(src)->readGene(2);
      auto e = engineFor(src, hdf5, workers, opt);
      e->startIndexing();
      IndexStatus whenServed;
      auto g = await<std::vector<float>>([&](auto cb) {
        e->gene(2, {}, [&, cb](Expected<std::vector<float>> v) {
          whenServed = e->indexStatus();
          cb(std::move(v));
        });
      });
      QVERIFY(g && *g == ref);
      QCOMPARE(whenServed.stage, IndexStage::Ready);
      QVERIFY(whenServed.fromCache);
    }
    // Another file saved over the source (a new file renamed into place, as writers do): same
    // path, new content and mtime.
    hdf5.waitIdle();
    const fs::path next = src.string() + ".new";
    fs::copy_file(cases().dir / "csc_float.h5ad", next, fs::copy_options::overwrite_existing);
    fs::rename(next, src);
    const auto ref = *H5adFile::open(src)->readGene(1);
    auto e = engineFor(src, hdf5, workers, opt);
    e->startIndexing();
    const auto st = e->waitForIndex();
    QCOMPARE(st.stage, IndexStage::Ready);
    QVERIFY(!st.fromCache);
    QCOMPARE(filesIn(dir).size(), std::size_t{1});  // replaced, not added
    auto g = await<std::vector<float>>([&](auto cb) { e->gene(1, {}, cb); });
    QVERIFY(g && *g == ref);
  }

  void corruptOrForeignCacheFilesAreRebuilt() {
    ThreadPool hdf5(1), workers(2);
    const fs::path dir = freshDir("corrupt");
    const fs::path file = cases().dir / "csr_counts.h5ad";
    const auto ref = *H5adFile::open(file)->readGene(4);
    const std::int64_t last = H5adFile::open(file)->nVars() - 1;
    const auto refLast = *H5adFile::open(file)->readGene(last);
    ExpressionEngine::Options opt;
    opt.cacheDir = dir;
    fs::path index;
    {
      auto e = engineFor(file, hdf5, workers, opt);
      e->startIndexing();
      QCOMPARE(e->waitForIndex().stage, IndexStage::Ready);
      index = filesIn(dir).at(0);
    }
    const auto size = fs::file_size(index);
    auto damage = [&](std::uint64_t at, const std::string& bytes) {
      std::fstream io(index, std::ios::in | std::ios::out | std::ios::binary);
      io.seekp(static_cast<std::streamoff>(at));
      io.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    };
    const std::vector<std::function<void()>> harms{
        [&] { damage(0, "NOTANIDX"); },                   // foreign
        [&] { damage(40, std::string(8, '\x7f')); },      // header bits
        [&] { damage(4096 + 16, std::string(8, 'x')); },  // colptr
        [&] { fs::resize_file(index, size - 5); },        // truncated
        [&] {  // the last gene's values, found only when read
          damage(size - static_cast<std::uint64_t>(last + 1) * 24 - 8, std::string(8, '\x7f'));
        },
    };
    for (std::size_t k = 0; k < harms.size(); ++k) {
      harms[k]();
      auto e = engineFor(file, hdf5, workers, opt);
      e->startIndexing();
      const auto st = e->waitForIndex();
      QCOMPARE(st.stage, IndexStage::Ready);
      auto g = await<std::vector<float>>([&](auto cb) { e->gene(4, {}, cb); });
      QVERIFY(g && *g == ref);
      if (k < 4) {
        QVERIFY2(!st.fromCache, qPrintable(QString::number(k)));
      } else {
        // Damaged entries are caught when read: the gene comes from X, the index is rebuilt.
        QVERIFY(st.fromCache);
        auto bad = await<std::vector<float>>([&](auto cb) { e->gene(last, {}, cb); });
        QVERIFY(bad && *bad == refLast);
        const auto again = e->waitForIndex();
        QCOMPARE(again.stage, IndexStage::Ready);
        QVERIFY(!again.fromCache);
        auto fixed = await<std::vector<float>>([&](auto cb) { e->gene(last, {}, cb); });
        QVERIFY(fixed && *fixed == refLast);
      }
      QCOMPARE(filesIn(dir).size(), std::size_t{1});
    }
  }

  void cacheBudgetEvictsTheLeastRecentlyUsedIndex() {
    ThreadPool hdf5(1), workers(2);
    const fs::path dir = freshDir("lru");
    std::vector<fs::path> sources;
    for (int k = 0; k < 3; ++k) {
      sources.push_back(dir.parent_path() / ("lru-" + std::to_string(k) + ".h5ad"));
      fs::copy_file(cases().dir / "csr_counts.h5ad", sources.back(),
                    fs::copy_options::overwrite_existing);
    }
    auto x = probeXMatrix(sources[0]);
    const auto one = indexFileBytes(x->cols, x->nnz);
    ExpressionEngine::Options opt;
    opt.cacheDir = dir;
    opt.cacheBudget = 2 * one + one / 2;  // room for two
    auto build = [&](int k) {
      auto e = engineFor(sources[k], hdf5, workers, opt);
      e->startIndexing();
      return e->waitForIndex();
    };
    QVERIFY(!build(0).fromCache);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    QVERIFY(!build(1).fromCache);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    QVERIFY(build(0).fromCache);  // 0 is now the most recently used
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    QVERIFY(!build(2).fromCache);  // evicts 1
    QCOMPARE(filesIn(dir).size(), std::size_t{2});
    QVERIFY(build(0).fromCache);
    QVERIFY(!build(1).fromCache);
    // An index larger than the whole budget is refused; genes still come from X.
    opt.cacheBudget = one / 2;
    auto e = engineFor(sources[2], hdf5, workers, opt);
    fs::remove_all(dir);
    e->startIndexing();
    const auto st = e->waitForIndex();
    QCOMPARE(st.stage, IndexStage::Failed);
    QVERIFY2(QString::fromStdString(st.error).contains("budget"), st.error.c_str());
  }

  void failedWriteLeavesNoPartialFileAndTheEngineKeepsWorking() {
    ThreadPool hdf5(1), workers(2);
    const fs::path dir = freshDir("full");
    const fs::path file = cases().dir / "csr_counts.h5ad";
    const auto ref = *H5adFile::open(file)->readGene(5);
    ExpressionEngine::Options opt;
    opt.cacheDir = dir;
    // A file size limit stands in for a full disk: writes past it fail with EFBIG.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit old{};
    getrlimit(RLIMIT_FSIZE, &old);
    rlimit low = old;
    low.rlim_cur = 4096 + 64;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &low), 0);
    auto e = engineFor(file, hdf5, workers, opt);
    e->startIndexing();
    const auto st = e->waitForIndex();
    setrlimit(RLIMIT_FSIZE, &old);
    QCOMPARE(st.stage, IndexStage::Failed);
    QVERIFY2(QString::fromStdString(st.error).contains("size limit"), st.error.c_str());
    QVERIFY(filesIn(dir).empty());
    auto g = await<std::vector<float>>([&](auto cb) { e->gene(5, {}, cb); });
    QVERIFY(g && *g == ref);
    auto all = await<std::vector<MarkerGene>>(
        [&](auto cb) { e->markers(betaMask(file), SIZE_MAX, {}, cb); });
    QVERIFY(all.has_value());
    compareWithScipy(*all);
  }
};

QTEST_GUILESS_MAIN(TestExpressionCache)
#include "tst_expression_cache.moc"
