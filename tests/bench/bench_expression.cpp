// Expression engine benchmark against python3-anndata, run by hand:
//   bench_expression [FILE.h5ad]
// Without FILE it generates /tmp/tessera-bench-expression.h5ad (1M cells x 500 genes CSR at
// ~10% density) with bench_expression_gen.py. Measures, for Tessera and then the peer in the
// same run: (a) open -> first gene's values ready, (b) gene switch (median of 50), (c) markers
// of a 100k-cell selection against the rest (Wilcoxon, all genes). Prints both side by side.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/expression/expression_engine.h"
#include "data/thread_pool.h"

using namespace tessera::data;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

template <class T>
T await(const std::function<void(ExpressionEngine::Callback<T>)>& start) {
  std::promise<Expected<T>> p;
  auto f = p.get_future();
  start([&p](Expected<T> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  if (!r) {
    std::cerr << "bench_expression: " << r.error().message << "\n";
    std::exit(1);
  }
  return std::move(*r);
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

}  // namespace

int main(int argc, char** argv) {
  const std::string bench = std::string(TESSERA_SOURCE_DIR) + "/tests/bench/";
  fs::path file = argc > 1 ? fs::path(argv[1]) : fs::path("/tmp/tessera-bench-expression.h5ad");
  if (!fs::exists(file)) {
    std::cerr << "generating " << file << " ...\n";
    if (std::system(
            (std::string(TESSERA_PYTHON) + " " + bench + "bench_expression_gen.py " + file.string())
                .c_str()) != 0)
      return 1;
  }
  // Warm the page cache for both sides alike.
  run("cat " + file.string() + " > /dev/null");

  ThreadPool hdf5(1), workers(2);
  // (a) open -> first gene.
  const auto t0 = Clock::now();
  auto opened = H5adFile::open(file);
  if (!opened) {
    std::cerr << opened.error().message << "\n";
    return 1;
  }
  const double tOpen = secondsSince(t0);
  ExpressionEngine engine(std::move(*opened), hdf5, workers);
  engine.startIndexing();
  auto first = await<std::vector<float>>([&](auto cb) { engine.gene(0, {}, cb); });
  const double tFirst = secondsSince(t0);
  const auto st = engine.waitForIndex();
  const double tIndex = secondsSince(t0);
  if (st.stage != IndexStage::Ready) {
    std::cerr << "index failed: " << st.error << "\n";
    return 1;
  }
  // (b) 50 gene switches through the asynchronous API.
  std::vector<double> switches;
  for (int k = 0; k < 50; ++k) {
    const std::int64_t g = (k * 37 + 1) % engine.nGenes();
    const auto t = Clock::now();
    auto col = await<std::vector<float>>([&](auto cb) { engine.gene(g, {}, cb); });
    switches.push_back(secondsSince(t) * 1e3);
    if (static_cast<std::int64_t>(col.size()) != engine.nCells()) return 1;
  }
  // (c) markers of 100k random cells vs the rest, median of 5.
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(engine.nCells()));
  for (std::size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<std::int64_t>(i);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(std::min<std::size_t>(100000, ids.size() / 2));
  std::vector<double> des;
  std::vector<MarkerGene> top;
  for (int k = 0; k < 5; ++k) {
    const auto t = Clock::now();
    auto mask = selectionMask(engine.nCells(), ids);
    top = await<std::vector<MarkerGene>>(
        [&](auto cb) { engine.markers(std::move(*mask), 10, {}, cb); });
    des.push_back(secondsSince(t) * 1e3);
  }

  const fs::path sel = fs::temp_directory_path() / "tessera-bench-selection.txt";
  {
    std::ofstream out(sel);
    for (const auto i : ids)
      out << i << "\n";
  }
  const std::string peerOut = run(std::string(TESSERA_PYTHON) + " " + bench +
                                  "bench_expression_peer.py " + file.string() + " " + sel.string());
  nlohmann::json peer;
  try {
    peer = nlohmann::json::parse(peerOut);
  } catch (const std::exception&) {
    std::cerr << "peer failed: " << peerOut << "\n";
  }

  std::printf("file: %s (%lld cells x %lld genes, index %.0f MiB)\n", file.c_str(),
              static_cast<long long>(engine.nCells()), static_cast<long long>(engine.nGenes()),
              static_cast<double>(st.bytes) / (1 << 20));
  std::printf("%-44s %12s %12s %8s\n", "measure", "tessera", "anndata", "target");
  auto peerNum = [&](const char* k, double scale) {
    return peer.contains(k) && peer[k].is_number() ? peer[k].get<double>() * scale : -1.0;
  };
  std::printf("%-44s %10.0f ms %10.0f ms %8s\n", "(a) open -> first gene ready", tFirst * 1e3,
              peerNum("open_first_gene_s", 1e3), "400 ms");
  std::printf("%-44s %10.1f ms %10.1f ms %8s\n", "(b) gene switch, median of 50", median(switches),
              peerNum("gene_switch_median_ms", 1), "5 ms");
  std::printf("%-44s %10.0f ms %10.0f ms %8s\n", "(c) markers, 100k vs rest, all genes (median)",
              median(des), peerNum("de_s", 1e3), "300 ms");
  std::printf("  tessera: H5adFile::open %.0f ms, column index + sort ready at %.0f ms\n",
              tOpen * 1e3, tIndex * 1e3);
  std::printf("  anndata: read_h5ad %.0f ms\n", peerNum("read_h5ad_s", 1e3));
  std::printf("  anndata (c): scipy mannwhitneyu on %d genes, scaled to all\n",
              peer.value("de_genes", 0));
  std::printf("  top marker: %s z=%.2f (first gene has %zu values)\n",
              engine.geneNames()[top.front().gene].c_str(), top.front().score, first.size());
  return 0;
}
