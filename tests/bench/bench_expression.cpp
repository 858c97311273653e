// Expression benchmark: the window's own path against python3-anndata and scipy, in one run.
//   bench_expression FILE.h5ad [--peer-genes 10] [--repeats 5] [--switches 10]
// FILE comes from bench_expression_gen.py (1M x 500: defaults; 1M x 5,000, 200M nnz:
// --genes 5000 --density-scale 0.4). Same work on both sides:
//  - data: the same file, page cache warmed for both (cat FILE > /dev/null first);
//  - threads: Tessera as the app runs it (one HDF5 thread, 2 workers); python at its defaults
//    (numpy/scipy single-threaded here);
//  - clock: from the open call to the values (Tessera: CellsSession::open -> the cells coloured by
//    the gene, the window's model path without drawing; anndata: read_h5ad -> X[:, g] dense);
//  - start-up excluded on both sides (in-process timers); `tessera markers` end to end is a
//    second view, timed as a process;
//  - the gene index is timed: the first run starts with an empty index cache (its build runs in
//    the background after the first gene, reported as its own line), the restart reopens it;
//  - gene switch: the same S genes ((k * 37 + 1) mod G, k < S), medians (anndata's backed mode
//    reads the whole matrix per column: its first 3 only);
//  - markers: the same 100k cells; Tessera tests every gene (median of R runs); scipy's
//    mannwhitneyu runs on the first --peer-genes genes R times (median), scaled to all genes,
//    and its z/p must equal Tessera's on those genes or the benchmark fails.
// Peak RSS: VmHWM of this process (Tessera) and ru_maxrss of each peer process.
#include <QApplication>
#include <QSignalSpy>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cells/cells_session.h"
#include "app/core/app_context.h"

using namespace tessera;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

extern char** environ;

namespace {

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

long vmHwmKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p))
    out += buf;
  ::pclose(p);
  return out;
}

// Runs argv as a child; returns {seconds, max RSS in KiB, exit code}.
struct ChildRun {
  double seconds = 0;
  long maxRssKb = 0;
  int code = -1;
};
ChildRun spawnTimed(const std::vector<std::string>& args, const std::string& out) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ChildRun r;
  pid_t pid = 0;
  const auto t = Clock::now();
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) return r;
  int status = 0;
  rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.seconds = secondsSince(t);
  r.maxRssKb = ru.ru_maxrss;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  posix_spawn_file_actions_destroy(&fa);
  return r;
}

template <class Signal>
bool waitFor(app::CellsSession& s, Signal signal, const std::function<bool()>& done,
             int timeoutMs = 600000) {
  QSignalSpy spy(&s, signal);
  const auto t = Clock::now();
  while (!done()) {
    if (secondsSince(t) * 1000 > timeoutMs) return false;
    spy.wait(50);
  }
  return true;
}

struct OpenTimes {
  double loaded = 0, coloured = 0;
};

// The window's model path: open the table, colour by gene 0, until the cells have its colours.
OpenTimes openAndColour(app::CellsSession& s, const fs::path& file, const std::string& gene) {
  OpenTimes t;
  const auto t0 = Clock::now();
  QSignalSpy loaded(&s, &app::CellsSession::loaded);
  s.open(file);
  if (!loaded.wait(600000)) {
    std::cerr << "bench_expression: the table did not load\n";
    std::exit(1);
  }
  t.loaded = secondsSince(t0);
  s.colorByGene(QString::fromStdString(gene));
  if (!waitFor(s, &app::CellsSession::coloringChanged,
               [&] { return s.coloring().legend.title == gene; })) {
    std::cerr << "bench_expression: the gene never coloured the cells\n";
    std::exit(1);
  }
  t.coloured = secondsSince(t0);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication qapp(argc, argv);
  if (argc < 2) {
    std::cerr
        << "usage: bench_expression FILE.h5ad [--peer-genes 10] [--repeats 5] [--switches 10]\n";
    return 2;
  }
  const fs::path file = argv[1];
  int peerGenes = 10, repeats = 5, switchCount = 10;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--peer-genes") peerGenes = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--repeats") repeats = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--switches") switchCount = std::stoi(argv[i + 1]);
  }
  const std::string bench = std::string(TESSERA_SOURCE_DIR) + "/tests/bench/";
  // The index cache of this run: empty at the start, so the build is measured.
  const fs::path cache = fs::temp_directory_path() / "tessera-bench-expression-cache";
  fs::remove_all(cache);
  qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(cache.string()));
  run("cat " + file.string() + " > /dev/null");

  app::AppContext ctx(256);
  std::string gene0;
  std::vector<std::string> names;
  OpenTimes cold, warm;
  data::IndexStatus built, reopened;
  std::vector<double> switches, engineSwitches, markers;
  std::vector<data::MarkerGene> all;
  std::vector<std::int64_t> ids;
  std::int64_t cells = 0, genes = 0;
  {
    app::CellsSession s(ctx);
    // Gene names come with the table; gene 0 is "gene_0" in the generated files.
    gene0 = "gene_0";
    cold = openAndColour(s, file, gene0);
    const auto d = s.data();
    names = d->table->geneNames;
    cells = d->size();
    genes = static_cast<std::int64_t>(names.size());
    built = d->expression->waitForIndex();
    if (built.stage != data::IndexStage::Ready) {
      std::cerr << "bench_expression: index failed: " << built.error << "\n";
      return 1;
    }
    // Gene switches once indexed: the window's path (values -> colours) and the engine alone.
    for (int k = 0; k < switchCount; ++k) {
      const std::string g = names[static_cast<std::size_t>((k * 37 + 1) % genes)];
      if (g == s.colorBy().name) continue;
      const auto t = Clock::now();
      s.colorByGene(QString::fromStdString(g));
      waitFor(s, &app::CellsSession::coloringChanged,
              [&] { return s.coloring().legend.title == g; });
      switches.push_back(secondsSince(t) * 1e3);
      const auto t2 = Clock::now();
      auto col = app::geneValuesNow(*d, (k * 37 + 1) % genes);
      engineSwitches.push_back(secondsSince(t2) * 1e3);
      if (!col || static_cast<std::int64_t>(col->size()) != cells) return 1;
    }
    // Markers: 100k random cells vs the rest, through the session (the Markers panel's call).
    std::mt19937_64 rng(5);
    std::vector<std::uint32_t> pick(static_cast<std::size_t>(cells));
    for (std::size_t i = 0; i < pick.size(); ++i)
      pick[i] = static_cast<std::uint32_t>(i);
    std::shuffle(pick.begin(), pick.end(), rng);
    pick.resize(std::min<std::size_t>(100000, pick.size() / 2));
    std::sort(pick.begin(), pick.end());
    for (const auto i : pick)
      ids.push_back(i);
    for (int k = 0; k < repeats; ++k) {
      if (k > 0) s.clearSelection();
      waitFor(s, &app::CellsSession::markersReady, [&] { return !s.markersRunning(); });
      const auto t = Clock::now();
      s.applyPick(pick, widgets::SelectOp::Replace);
      waitFor(s, &app::CellsSession::markersReady,
              [&] { return !s.markersRunning() && !s.markers().empty(); });
      markers.push_back(secondsSince(t) * 1e3);
    }
    all = s.markers();
  }
  ctx.hdf5Pool.waitIdle();
  ctx.tilePool.waitIdle();
  {
    // Restart: a new session reopens the cached index.
    app::CellsSession s(ctx);
    warm = openAndColour(s, file, gene0);
    reopened = s.data()->expression->waitForIndex();
  }
  ctx.hdf5Pool.waitIdle();
  const long tesseraHwm = vmHwmKb();

  // `tessera markers` end to end, the index cached: the CLI's process from start to exit.
  const fs::path idsJson = fs::temp_directory_path() / "tessera-bench-selection.json";
  {
    nlohmann::json j = ids;
    std::ofstream(idsJson) << j.dump();
  }
  // build/tests/bench/bench_expression -> build/app/tessera
  const std::string tessera =
      (fs::canonical("/proc/self/exe").parent_path().parent_path().parent_path() / "app/tessera")
          .string();
  std::vector<double> cliTimes;
  long cliRss = 0;
  for (int k = 0; k < repeats; ++k) {
    const auto r = spawnTimed({tessera, "markers", file.string(), "--group", "@" + idsJson.string(),
                               "--top", "10", "--json"},
                              (fs::temp_directory_path() / "tessera-bench-markers.json").string());
    if (r.code != 0) {
      std::cerr << "bench_expression: tessera markers failed\n";
      return 1;
    }
    cliTimes.push_back(r.seconds * 1e3);
    cliRss = std::max(cliRss, r.maxRssKb);
  }

  // Peers: anndata in memory, anndata backed, scipy; each its own process.
  const fs::path sel = fs::temp_directory_path() / "tessera-bench-selection.txt";
  {
    std::ofstream out(sel);
    for (const auto i : ids)
      out << i << "\n";
  }
  auto peer = [&](const std::string& mode) {
    const std::string out =
        run(std::string(TESSERA_PYTHON) + " " + bench + "bench_expression_peer.py " +
            file.string() + " " + sel.string() + " --mode " + mode + " --peer-genes " +
            std::to_string(peerGenes) + " --repeats " + std::to_string(repeats));
    try {
      return nlohmann::json::parse(out);
    } catch (const std::exception&) {
      std::cerr << "bench_expression: the " << mode << " peer failed: " << out << "\n";
      std::exit(1);
    }
  };
  const auto mem = peer("memory");
  const auto backed = peer("backed");

  // Correctness: scipy's z and p on the peer's genes equal Tessera's.
  std::vector<const data::MarkerGene*> byGene(static_cast<std::size_t>(genes), nullptr);
  for (const auto& m : all)
    byGene[static_cast<std::size_t>(m.gene)] = &m;
  int compared = 0;
  for (const auto& r : mem["markers"]) {
    const auto g = r["gene"].get<std::int64_t>();
    const auto* m = byGene[static_cast<std::size_t>(g)];
    const double z = r["z"].get<double>(), p = r["p"].get<double>();
    if (!m || std::abs(m->score - z) > 1e-6 * std::max(1.0, std::abs(z)) ||
        !(std::abs(m->pval - p) <= 1e-6 * p || (p < 1e-300 && m->pval < 1e-290))) {
      std::cerr << "bench_expression: markers differ from scipy on gene " << g << ": z " << z
                << " vs " << (m ? m->score : NAN) << "\n";
      return 1;
    }
    ++compared;
  }

  auto num = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) && j[k].is_number() ? j[k].get<double>() : NAN;
  };
  std::printf("file: %s (%lld cells x %lld genes)\n", file.c_str(), static_cast<long long>(cells),
              static_cast<long long>(genes));
  std::printf("%-52s %11s %11s %11s\n", "measure", "tessera", "anndata", "backed");
  std::printf("%-52s %8.0f ms %8.0f ms %8.0f ms\n", "open -> first gene coloured (cold index)",
              cold.coloured * 1e3, num(mem, "open_first_gene_s") * 1e3,
              num(backed, "open_first_gene_s") * 1e3);
  std::printf("%-52s %8.0f ms\n", "  of which the table loaded (obs, obsm; pick grids after)",
              cold.loaded * 1e3);
  std::printf("%-52s %8.0f ms\n", "open -> first gene coloured (index reopened)",
              warm.coloured * 1e3);
  std::printf("%-52s %8.1f s  (%.0f MiB, reopened in %.0f ms)\n", "gene index build (background)",
              built.buildSeconds, static_cast<double>(built.bytes) / (1 << 20),
              reopened.buildSeconds * 1e3);
  std::printf("%-52s %8.2f ms %8.2f ms %8.0f ms\n", "gene switch, indexed, median (window path)",
              median(switches), num(mem, "gene_switch_median_ms"),
              num(backed, "gene_switch_median_ms"));
  std::printf("%-52s %8.2f ms\n", "  engine alone (values of one gene)", median(engineSwitches));
  std::printf("%-52s %8.0f ms %8.0f ms\n", "markers 100k vs rest, all genes, median",
              median(markers), num(mem, "de_scaled_s") * 1e3);
  std::printf("  scipy: mannwhitneyu on %d genes, median of %d, x %lld / %d; %d genes equal\n",
              peerGenes, repeats, static_cast<long long>(genes), peerGenes, compared);
  std::printf("%-52s %8.0f ms (median of %d, max RSS %.0f MiB)\n",
              "tessera markers, end to end (index cached)", median(cliTimes), repeats,
              static_cast<double>(cliRss) / 1024);
  std::printf("%-52s %8.0f MiB %8.0f MiB %8.0f MiB\n", "peak RSS", tesseraHwm / 1024.0,
              num(mem, "max_rss_kb") / 1024, num(backed, "max_rss_kb") / 1024);
  std::printf(
      "  anndata read_h5ad %.0f ms; backed read_h5ad %.0f ms; backed switch: median of %d\n",
      num(mem, "read_h5ad_s") * 1e3, num(backed, "read_h5ad_s") * 1e3,
      static_cast<int>(num(backed, "switches")));
  return 0;
}
