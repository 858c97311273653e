// Transcript-loading benchmark (issue 5, item 5d): generates a Xenium-like transcripts.csv.gz of
// N rows (default 10M) with tests/fixtures/xenium/make_xenium.py, then times, in the same run,
// Tessera's loadTranscriptsCsvGz (caller thread and a 2-thread pool) and Python's gzip + csv
// module. Prints medians of R runs. Run by hand:
//   bench_transcripts [N] [R] [WORK_DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "data/spatial/transcripts.h"
#include "data/thread_pool.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds(auto&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
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
  std::vector<double> single, pooled, python;
  std::size_t rows = 0;
  ThreadPool pool(2);
  for (int r = 0; r < reps; ++r) {
    single.push_back(seconds([&] {
      auto t = loadTranscriptsCsvGz(file);
      if (!t) std::fprintf(stderr, "%s\n", t.error().message.c_str());
      rows = t ? t->size() : 0;
    }));
    pooled.push_back(seconds([&] { auto t = loadTranscriptsCsvGz(file, &pool); }));
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
    python.push_back(seconds([&] { (void)std::system(py.c_str()); }));
  }
  std::printf("rows: %zu\n", rows);
  std::printf("tessera loadTranscriptsCsvGz (caller thread): median %.2f s\n", median(single));
  std::printf("tessera loadTranscriptsCsvGz (2-thread pool): median %.2f s\n", median(pooled));
  std::printf("python gzip + csv module:                     median %.2f s\n", median(python));
  return 0;
}
