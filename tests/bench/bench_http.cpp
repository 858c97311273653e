// HTTP benchmark, run by hand: Tessera's HttpClient against curl on the same nginx (loopback).
//   (a) 2,000 GETs of 64 KiB objects, 8 at a time: curl --parallel --parallel-max 8
//   (b) one 1 GiB file (Tessera streams it through a discarding sink; curl -o /dev/null)
// Prints requests/s and MB/s side by side (medians of --runs runs, default 3).
// Usage: bench_http [--runs N] [--work DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <string>
#include <vector>

#include "data/remote/http_client.h"
#include "tests/fixtures/remote/test_servers.h"

using namespace tessera::data;
using namespace tessera::testing;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double timeCommand(const std::string& cmd) {
  const auto t0 = Clock::now();
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "bench_http: command failed: %s\n", cmd.c_str());
    std::exit(1);
  }
  return seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 3;
  fs::path work = fs::temp_directory_path() / "tessera-bench-http";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (std::string(argv[i]) == "--work") work = argv[i + 1];
  }
  const int kChunks = 2000;
  const std::size_t kChunk = 64 * 1024;
  const std::uint64_t kBig = 1ull << 30;
  fs::create_directories(work / "www/chunks");
  std::mt19937_64 rng(1);
  std::string buf(kChunk, '\0');
  for (int i = 0; i < kChunks; ++i) {
    const fs::path p = work / "www/chunks" / std::to_string(i);
    if (fs::exists(p) && fs::file_size(p) == kChunk) continue;
    for (auto& c : buf)
      c = static_cast<char>(rng());
    std::ofstream(p, std::ios::binary) << buf;
  }
  const fs::path big = work / "www/big.bin";
  if (!fs::exists(big) || fs::file_size(big) != kBig) {
    std::ofstream f(big, std::ios::binary);
    std::string block(1 << 20, '\0');
    for (std::uint64_t n = 0; n < kBig; n += block.size()) {
      for (std::size_t k = 0; k < block.size(); k += 8)
        *reinterpret_cast<std::uint64_t*>(&block[k]) = rng();
      f.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  NginxServer nginx(work / "www", work / "nginx");
  if (!nginx.ok()) {
    std::fprintf(stderr, "bench_http: nginx did not start:\n%s\n", nginx.errorLog().c_str());
    return 1;
  }
  {
    std::ofstream cfg(work / "urls.cfg");
    for (int i = 0; i < kChunks; ++i)
      cfg << "url = \"" << nginx.url("chunks/" + std::to_string(i))
          << "\"\noutput = \"/dev/null\"\n";
  }
  // Warm the page cache so both clients read from memory.
  std::system(
      ("cat " + (work / "www/chunks").string() + "/* " + big.string() + " > /dev/null").c_str());

  HttpClientOptions opt;
  opt.proxy = ProxySettings{};
  opt.maxConnectionsPerHost = 8;
  auto client = *HttpClient::create(opt);

  std::vector<double> tA, cA, tB, cB;
  for (int r = 0; r < runs; ++r) {
    {
      const auto t0 = Clock::now();
      std::vector<std::future<bool>> done;
      done.reserve(kChunks);
      for (int i = 0; i < kChunks; ++i) {
        auto p = std::make_shared<std::promise<bool>>();
        done.push_back(p->get_future());
        HttpRequest rq;
        rq.url = nginx.url("chunks/" + std::to_string(i));
        client->start(rq, [p](Expected<HttpResponse> res) {
          p->set_value(res && res->status == 200 && res->body.size() == 64 * 1024);
        });
      }
      for (auto& f : done)
        if (!f.get()) {
          std::fprintf(stderr, "bench_http: a Tessera request failed\n");
          return 1;
        }
      tA.push_back(seconds(t0));
    }
    cA.push_back(timeCommand("curl -s --fail --parallel --parallel-max 8 -K " +
                             (work / "urls.cfg").string()));
    {
      std::uint64_t got = 0;
      HttpRequest rq;
      rq.url = nginx.url("big.bin");
      rq.sink = [&](std::span<const std::uint8_t> b) {
        got += b.size();
        return true;
      };
      const auto t0 = Clock::now();
      auto res = client->fetch(rq);
      tB.push_back(seconds(t0));
      if (!res || got != kBig) {
        std::fprintf(stderr, "bench_http: big download failed\n");
        return 1;
      }
    }
    cB.push_back(timeCommand("curl -s --fail -o /dev/null " + nginx.url("big.bin")));
  }
  const double mb = 1e6;
  const double aBytes = static_cast<double>(kChunks) * kChunk;
  std::printf("bench_http: nginx on 127.0.0.1, medians of %d runs\n", runs);
  std::printf("%-34s %14s %14s %10s\n", "", "Tessera", "curl", "ratio");
  std::printf("%-34s %14.0f %14.0f %9.2fx\n", "(a) 2000 x 64 KiB, 8 parallel: req/s",
              kChunks / median(tA), kChunks / median(cA), median(cA) / median(tA));
  std::printf("%-34s %14.1f %14.1f\n", "    MB/s", aBytes / median(tA) / mb,
              aBytes / median(cA) / mb);
  std::printf("%-34s %14.1f %14.1f %9.2fx\n", "(b) 1 GiB file: MB/s",
              static_cast<double>(kBig) / median(tB) / mb,
              static_cast<double>(kBig) / median(cB) / mb, median(cB) / median(tB));
  std::printf("connections opened by Tessera: %llu\n",
              static_cast<unsigned long long>(client->stats().connections));
  return 0;
}
