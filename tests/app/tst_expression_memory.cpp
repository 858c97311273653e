// Bounded memory, as a behaviour: `tessera` reads X by ranges and never holds the matrix. On a
// generated CSR table whose X (values + indices) is 240 MB, the peak RSS (VmHWM via wait4's
// ru_maxrss) of a `tessera` child stays below its start-up footprint plus half of X for:
//  - markers with an empty index cache (the index is built in chunks of --memory-mb 16);
//  - markers again, streamed from the cached index;
//  - export-cells of one gene (a streaming scan of X, as the window's first gene).
// Holding X (or a CSC copy of it) would exceed the bound by itself.
#include <QtTest>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <filesystem>

extern char** environ;

namespace fs = std::filesystem;

namespace {

// Runs argv; returns {exit code, max RSS in KiB}.
std::pair<int, long> runMeasured(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return {-1, 0};
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -2, ru.ru_maxrss};
}

}  // namespace

class TestExpressionMemory : public QObject {
  Q_OBJECT
 private slots:
  void tesseraStaysWellBelowTheMatrixSize() {
    const fs::path dir = fs::path(TESSERA_TEST_WORK_DIR) / "expression-memory";
    fs::create_directories(dir);
    const fs::path file = dir / "big.h5ad";
    const fs::path cache = dir / "cache";
    fs::remove_all(cache);
    qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(cache.string()));
    if (!fs::exists(file)) {
      QProcess py;
      py.start(TESSERA_PYTHON,
               {QString(TESSERA_SOURCE_DIR) + "/tests/bench/bench_expression_gen.py",
                QString::fromStdString(file.string() + ".partial"), "--cells", "300000", "--genes",
                "2000", "--density-scale", "0.5"});
      QVERIFY(py.waitForFinished(600000) && py.exitCode() == 0);
      fs::rename(file.string() + ".partial", file);
    }
    const std::string exe = qEnvironmentVariable("TESSERA_EXE").toStdString();
    // Start-up footprint: the same binary answering --version.
    const auto base = runMeasured({exe, "--version"});
    QCOMPARE(base.first, 0);
    // X = nnz x (4 + 4) bytes; the file also holds obs, obsm and indptr.
    const double xBytes = 30e6 * 8;
    const long bound = base.second + static_cast<long>(xBytes / 2 / 1024);
    const std::vector<std::vector<std::string>> runs{
        {exe, "markers", file.string(), "--groupby", "cluster", "--group", "c0", "--top", "5",
         "--memory-mb", "16"},
        {exe, "markers", file.string(), "--groupby", "cluster", "--group", "c3", "--top", "5",
         "--memory-mb", "16"},
        {exe, "export-cells", file.string(), "--genes", "gene_7", "--out",
         (dir / "gene7.csv").string()},
    };
    for (const auto& args : runs) {
      const auto [code, rss] = runMeasured(args);
      QCOMPARE(code, 0);
      qInfo("%s %s: peak RSS %ld MiB (bound %ld MiB, start-up %ld MiB, X %.0f MiB)",
            args[1].c_str(), args.back().c_str(), rss / 1024, bound / 1024, base.second / 1024,
            xBytes / (1 << 20));
      QVERIFY2(rss < bound, qPrintable(QString("peak RSS %1 KiB over %2 KiB").arg(rss).arg(bound)));
    }
    // The first markers run left one index in the cache, the second reused it.
    int indexes = 0;
    for (const auto& e : fs::recursive_directory_iterator(cache))
      indexes += e.path().extension() == ".tsxidx";
    QCOMPARE(indexes, 1);
  }
};

QTEST_GUILESS_MAIN(TestExpressionMemory)
#include "tst_expression_memory.moc"
