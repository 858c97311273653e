// HTTP benchmark, run by hand, in process on both sides: Tessera's HttpClient against libcurl's
// multi interface on the same nginx (loopback).
//   (a) 2,000 GETs of 64 KiB objects, 8 at a time (Tessera: 8 connections per host; libcurl:
//       CURLMOPT_MAX_HOST_CONNECTIONS 8, one multi handle, so connections are reused as by curl
//       --parallel --parallel-max 8, and like it a new transfer is added as one finishes)
//   (b) one 1 GiB file, streamed through a discarding sink that counts and sums the bytes
// Same work: each client is created once and warmed by one untimed round (connections open,
// page cache warm); the clock runs from the first request to the last completion; both sides
// run on the calling thread plus their own I/O (Tessera: its client thread; libcurl: the
// caller's loop). No process start-up on either side: `tessera fetch` against the curl command
// line, end to end, is tests/bench/bench_fetch. Every body is checked on both sides, by the same
// code (its size and the sum of its bytes against the files'); a mismatch fails the benchmark.
// Prints requests/s and MB/s side by side (medians of --runs runs, default 5; the clients
// alternate which goes first) and the per-run ratios.
// Usage: bench_http [--runs N] [--work DIR]
#include <curl/curl.h>
#include <sys/resource.h>

#include <atomic>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <span>
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

// User + system CPU seconds of this process or of its finished children.
double cpuSeconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// The sum of a body's bytes: both clients' check of what arrived, one loop for both.
std::uint64_t byteSum(std::span<const std::uint8_t> b) {
  std::uint64_t sum = 0;
  for (const std::uint8_t c : b)
    sum += c;
  return sum;
}

// CPU seconds used by the last timed run; a steadier figure than wall time on a busy machine.
double lastCpu = 0;

/// The libcurl peer: one multi handle kept across runs (its connection cache reused as
/// Tessera's client keeps its connections), transfers run to completion on the calling thread.
class CurlPeer {
 public:
  explicit CurlPeer(int maxPerHost)
      : multi_(curl_multi_init()), maxPerHost_(static_cast<std::size_t>(maxPerHost)) {
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(maxPerHost));
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(maxPerHost));
  }
  ~CurlPeer() { curl_multi_cleanup(multi_); }

  struct Sink {
    std::uint64_t bytes = 0, sum = 0;
  };

  /// GETs every URL, at most maxPerHost at a time, and returns one Sink per URL, or exits on a
  /// failed transfer. A transfer is added as one finishes, as the curl tool's --parallel does:
  /// libcurl walks every handle it holds on each perform, so queueing all 2,000 at once made
  /// the peer pay for a list 250 times longer than the work in flight.
  std::vector<Sink> getAll(const std::vector<std::string>& urls) {
    std::vector<Sink> sinks(urls.size());
    std::size_t next = 0, active = 0;
    bool failed = false;
    auto addNext = [&] {
      CURL* e = curl_easy_init();
      curl_easy_setopt(e, CURLOPT_URL, urls[next].c_str());
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &CurlPeer::write);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, &sinks[next]);
      curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
      curl_easy_setopt(e, CURLOPT_PROXY, "");
      curl_multi_add_handle(multi_, e);
      ++next;
      ++active;
    };
    while (next < urls.size() && active < maxPerHost_)
      addNext();
    while (active > 0) {
      int running = 0;
      curl_multi_perform(multi_, &running);
      int queued = 0;
      while (CURLMsg* m = curl_multi_info_read(multi_, &queued)) {
        if (m->msg != CURLMSG_DONE) continue;
        if (m->data.result != CURLE_OK) failed = true;
        CURL* e = m->easy_handle;
        curl_multi_remove_handle(multi_, e);
        curl_easy_cleanup(e);
        --active;
        if (next < urls.size()) addNext();
      }
      if (active == 0) break;
      // Wait no longer than libcurl's own next timer.
      long waitMs = -1;
      curl_multi_timeout(multi_, &waitMs);
      if (waitMs != 0)
        curl_multi_poll(multi_, nullptr, 0, waitMs < 0 ? 100 : static_cast<int>(waitMs), nullptr);
    }
    if (failed) {
      std::fprintf(stderr, "bench_http: a libcurl transfer failed\n");
      std::exit(1);
    }
    return sinks;
  }

 private:
  static std::size_t write(char* data, std::size_t size, std::size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    sink->sum += byteSum({reinterpret_cast<const std::uint8_t*>(data), size * n});
    sink->bytes += size * n;
    return size * n;
  }
  CURLM* multi_;
  std::size_t maxPerHost_;
};

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
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
  std::vector<std::string> chunkUrls;
  for (int i = 0; i < kChunks; ++i)
    chunkUrls.push_back(nginx.url("chunks/" + std::to_string(i)));
  // The byte sum of the big file, which both clients' sinks must reproduce.
  std::uint64_t bigSum = 0;
  {
    std::ifstream f(big, std::ios::binary);
    std::vector<char> block(1 << 20);
    while (f.read(block.data(), static_cast<std::streamsize>(block.size())) || f.gcount() > 0) {
      for (std::streamsize k = 0; k < f.gcount(); ++k)
        bigSum += static_cast<std::uint8_t>(block[static_cast<std::size_t>(k)]);
      if (!f) break;
    }
  }
  // The byte sum of all chunks, which both clients must reproduce.
  std::uint64_t expectedChunksSum = 0;
  for (int i = 0; i < kChunks; ++i) {
    std::ifstream f(work / "www/chunks" / std::to_string(i), std::ios::binary);
    const std::vector<std::uint8_t> body((std::istreambuf_iterator<char>(f)),
                                         std::istreambuf_iterator<char>());
    expectedChunksSum += byteSum(body);
  }
  // Warm the page cache so both clients read from memory.
  std::system(
      ("cat " + (work / "www/chunks").string() + "/* " + big.string() + " > /dev/null").c_str());

  HttpClientOptions opt;
  opt.proxy = ProxySettings{};
  opt.maxConnectionsPerHost = 8;
  auto client = *HttpClient::create(opt);

  // Completions are counted on the client thread and one promise wakes the caller at the end,
  // as a tile loader consumes them: no per-request wake-up of a waiting thread.
  auto tesseraA = [&]() -> double {
    const double c0 = cpuSeconds(RUSAGE_SELF);
    const auto t0 = Clock::now();
    std::promise<void> allDone;
    std::atomic<int> left{kChunks};
    std::atomic<std::uint64_t> chunksSum{0};
    std::atomic<bool> failed{false};
    for (int i = 0; i < kChunks; ++i) {
      HttpRequest rq;
      rq.url = nginx.url("chunks/" + std::to_string(i));
      client->start(rq, [&](Expected<HttpResponse> res) {
        if (!res || res->status != 200 || res->body.size() != kChunk)
          failed = true;
        else
          chunksSum += byteSum(res->body);  // the same work as the peer's sink
        if (--left == 0) allDone.set_value();
      });
    }
    allDone.get_future().wait();
    const double t = seconds(t0);
    lastCpu = cpuSeconds(RUSAGE_SELF) - c0;
    if (failed || chunksSum != expectedChunksSum) {
      std::fprintf(stderr, "bench_http: a Tessera request failed or its bytes differ\n");
      std::exit(1);
    }
    return t;
  };
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CurlPeer curl(8);
  auto curlA = [&]() -> double {
    const double c0 = cpuSeconds(RUSAGE_SELF);
    const auto t0 = Clock::now();
    auto sinks = curl.getAll(chunkUrls);
    const double t = seconds(t0);
    lastCpu = cpuSeconds(RUSAGE_SELF) - c0;
    std::uint64_t sum = 0;
    for (const auto& s : sinks) {
      sum += s.sum;
      if (s.bytes != kChunk) {
        std::fprintf(stderr, "bench_http: libcurl returned a short body\n");
        std::exit(1);
      }
    }
    if (sum != expectedChunksSum) {
      std::fprintf(stderr, "bench_http: libcurl's bytes differ from the files'\n");
      std::exit(1);
    }
    return t;
  };
  auto tesseraB = [&]() -> double {
    std::uint64_t got = 0, sum = 0;
    HttpRequest rq;
    rq.url = nginx.url("big.bin");
    rq.sink = [&](std::span<const std::uint8_t> b) {
      sum += byteSum(b);
      got += b.size();
      return true;
    };
    const double c0 = cpuSeconds(RUSAGE_SELF);
    const auto t0 = Clock::now();
    auto res = client->fetch(rq);
    const double t = seconds(t0);
    lastCpu = cpuSeconds(RUSAGE_SELF) - c0;
    if (!res || got != kBig || sum != bigSum) {
      std::fprintf(stderr, "bench_http: big download failed or differs from the file\n");
      std::exit(1);
    }
    return t;
  };
  auto curlB = [&]() -> double {
    const double c0 = cpuSeconds(RUSAGE_SELF);
    const auto t0 = Clock::now();
    auto sinks = curl.getAll({nginx.url("big.bin")});
    const double t = seconds(t0);
    lastCpu = cpuSeconds(RUSAGE_SELF) - c0;
    if (sinks[0].bytes != kBig || sinks[0].sum != bigSum) {
      std::fprintf(stderr, "bench_http: libcurl's big download differs from the file\n");
      std::exit(1);
    }
    return t;
  };

  // One untimed round warms both (page cache, connections, allocator). Then the two clients
  // alternate which goes first, so load from other processes that drifts during a run hits
  // both alike; the per-run ratios are reported too, as they are the least noisy figure.
  tesseraA();
  curlA();
  std::vector<double> tA, cA, tB, cB, rA, rB, tcA, ccA, tcB, ccB;
  // Runs `tessera` and `curl` in the given order: wall times, CPU times, the wall-time ratio.
  auto pair = [](auto& tessera, auto& curl, bool tesseraFirst, std::vector<double>& tw,
                 std::vector<double>& cw, std::vector<double>& tc, std::vector<double>& cc,
                 std::vector<double>& ratio) {
    double t = 0, c = 0, tcpu = 0, ccpu = 0;
    for (int k = 0; k < 2; ++k) {
      if ((k == 0) == tesseraFirst) {
        t = tessera();
        tcpu = lastCpu;
      } else {
        c = curl();
        ccpu = lastCpu;
      }
    }
    tw.push_back(t);
    cw.push_back(c);
    tc.push_back(tcpu);
    cc.push_back(ccpu);
    ratio.push_back(c / t);
  };
  for (int r = 0; r < runs; ++r) {
    pair(tesseraA, curlA, r % 2 == 0, tA, cA, tcA, ccA, rA);
    pair(tesseraB, curlB, r % 2 == 0, tB, cB, tcB, ccB, rB);
  }
  const double mb = 1e6;
  const double aBytes = static_cast<double>(kChunks) * kChunk;
  double load[3] = {0, 0, 0};
  std::ifstream("/proc/loadavg") >> load[0] >> load[1] >> load[2];
  std::printf(
      "bench_http: nginx on 127.0.0.1, in process, medians of %d runs, load %.2f %.2f %.2f\n", runs,
      load[0], load[1], load[2]);
  std::printf("%-34s %14s %14s %10s %14s\n", "", "Tessera", "libcurl", "ratio", "paired ratio");
  std::printf("%-34s %14.0f %14.0f %9.2fx %13.2fx\n", "(a) 2000 x 64 KiB, 8 parallel: req/s",
              kChunks / median(tA), kChunks / median(cA), median(cA) / median(tA), median(rA));
  std::printf("%-34s %14.1f %14.1f\n", "    MB/s", aBytes / median(tA) / mb,
              aBytes / median(cA) / mb);
  std::printf("%-34s %14.1f %14.1f %9.2fx %13.2fx\n", "(b) 1 GiB file: MB/s",
              static_cast<double>(kBig) / median(tB) / mb,
              static_cast<double>(kBig) / median(cB) / mb, median(cB) / median(tB), median(rB));
  std::printf("%-34s %14.3f %14.3f\n", "(a) CPU seconds per run", median(tcA), median(ccA));
  std::printf("%-34s %14.3f %14.3f\n", "(b) CPU seconds per run", median(tcB), median(ccB));
  std::printf("per-run ratios (a):");
  for (double x : rA)
    std::printf(" %.2f", x);
  std::printf("\nper-run ratios (b):");
  for (double x : rB)
    std::printf(" %.2f", x);
  std::printf("\n");
  std::printf("connections opened by Tessera: %llu\n",
              static_cast<unsigned long long>(client->stats().connections));
  curl_global_cleanup();
  return 0;
}
