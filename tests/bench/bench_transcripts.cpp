// Transcript-loading benchmark (issue 5, item 5d): generates a Xenium-like transcripts.csv.gz of
// N rows (default 10M) with tests/fixtures/xenium/make_xenium.py, then times, in the same run,
// Tessera's loadTranscriptsCsvGz (caller thread and a 2-thread pool), zlib streaming inflate
// alone, and Python's gzip + csv module. Prints medians of R runs, wall and CPU seconds (the
// machine is shared: CPU seconds are the load-independent figure). Run by hand:
//   bench_transcripts [N] [R] [WORK_DIR]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/spatial/gzip_lines.h"
#include "data/spatial/transcripts.h"
#include "data/thread_pool.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU seconds (user + system) of this process' threads, or of its waited-for children.
double cpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Timing {
  std::vector<double> wall, cpu;
};

// Wall time and CPU time of `f`; the CPU time does not depend on how loaded the machine is.
void measure(Timing& t, int who, auto&& f) {
  const double c0 = cpuSeconds(who);
  const auto t0 = std::chrono::steady_clock::now();
  f();
  t.wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  t.cpu.push_back(cpuSeconds(who) - c0);
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 10'000'000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  const fs::path dir =
      argc > 3 ? fs::path(argv[3]) : fs::temp_directory_path() / "tessera-bench-tx";
  const fs::path file = dir / "transcripts.csv.gz";
  const std::string src = TESSERA_SOURCE_DIR;
  if (!fs::exists(file) || std::getenv("REGENERATE")) {
    std::printf("generating %ld rows in %s ...\n", n, file.c_str());
    const std::string cmd = std::string(TESSERA_PYTHON) + " " + src +
                            "/tests/fixtures/xenium/make_xenium.py " + dir.string() + " " +
                            std::to_string(n) + " --transcripts-only";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  std::printf("%s: %.1f MB compressed\n", file.c_str(), double(fs::file_size(file)) / 1e6);
  Timing single, pooled, streamed, python;
  std::size_t rows = 0;
  ThreadPool pool(2);
  for (int r = 0; r < reps; ++r) {
    measure(single, RUSAGE_SELF, [&] {
      auto t = loadTranscriptsCsvGz(file);
      if (!t) std::fprintf(stderr, "%s\n", t.error().message.c_str());
      rows = t ? t->size() : 0;
    });
    measure(pooled, RUSAGE_SELF, [&] { auto t = loadTranscriptsCsvGz(file, &pool); });
    // The streaming zlib path (files larger than a quarter of memory), for comparison.
    measure(streamed, RUSAGE_SELF, [&] {
      auto reader = GzipBlockReader::open(file);
      std::size_t bytes = 0;
      for (auto b = (*reader)->next(); b && !b->empty(); b = (*reader)->next())
        bytes += b->size();
      (void)bytes;
    });
    const std::string py =
        std::string(TESSERA_PYTHON) +
        " -c \"import gzip,csv,sys\n"
        "xs=[];ys=[];g=[]\n"
        "with gzip.open(sys.argv[1],'rt',newline='') as f:\n"
        "  r=csv.reader(f); next(r)\n"
        "  for row in r:\n"
        "    g.append(row[3]); xs.append(float(row[4])); ys.append(float(row[5]))\n"
        "\" " +
        file.string();
    measure(python, RUSAGE_CHILDREN, [&] { (void)std::system(py.c_str()); });
  }
  std::printf("rows: %zu, %d runs, medians (wall s / CPU s)\n", rows, reps);
  auto line = [](const char* what, const Timing& t) {
    std::printf("%-52s %6.2f / %6.2f\n", what, median(t.wall), median(t.cpu));
  };
  line("tessera loadTranscriptsCsvGz (caller thread)", single);
  line("tessera loadTranscriptsCsvGz (2-thread pool)", pooled);
  line("zlib streaming inflate only (no parsing)", streamed);
  line("python gzip + csv module", python);
  return 0;
}
