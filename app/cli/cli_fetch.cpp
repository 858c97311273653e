#include "app/cli/cli_fetch.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "app/cli/exit_codes.h"
#include "data/remote/download.h"
#include "data/remote/remote_context.h"
#include "data/thread_pool.h"

namespace tessera::app {
namespace {

int usage(const std::string& message) {
  std::cerr << "tessera: fetch: " << message << " (see tessera --help)\n";
  return kExitBadInput;
}

std::string human(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

std::string clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

}  // namespace

int runFetch(const std::vector<std::string>& args) {
  std::string url, out, sha256, caFile, profile;
  int parallel = 8;
  bool insecure = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)name;
      return &args[++i];
    };
    if (a == "--out" || a == "-o") {
      auto v = value("--out");
      if (!v) return usage("--out needs a directory");
      out = *v;
    } else if (a == "--sha256") {
      auto v = value("--sha256");
      if (!v || v->size() != 64) return usage("--sha256 needs 64 hex digits");
      sha256 = *v;
      for (char& c : sha256)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (a == "--parallel") {
      auto v = value("--parallel");
      if (!v) return usage("--parallel needs a number");
      parallel = std::atoi(v->c_str());
      if (parallel < 1 || parallel > 64) return usage("--parallel: expected 1 to 64");
    } else if (a == "--ca-file") {
      auto v = value("--ca-file");
      if (!v) return usage("--ca-file needs a PEM file");
      caFile = *v;
    } else if (a == "--profile") {
      auto v = value("--profile");
      if (!v) return usage("--profile needs an AWS profile name");
      profile = *v;
    } else if (a == "--insecure") {
      insecure = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (url.empty()) {
      url = a;
    } else {
      return usage("only one URL is accepted");
    }
  }
  if (url.empty()) return usage("URL is required");
  if (out.empty()) return usage("--out DIR is required");

  data::HttpClientOptions options;
  options.caFile = caFile;
  options.insecure = insecure;
  // --parallel is the number of connections, as curl's --parallel-max.
  options.maxConnectionsPerHost = parallel;
  // S3 requests are signed with the AWS profile; the same signer addresses s3:// URLs.
  data::RemoteContext ctx;
  if (auto signer = data::S3Signer::fromEnvironment(profile))
    ctx.s3 = *signer;
  else if (data::isS3Url(url) || !profile.empty())
    return usage(signer.error().message);
  auto client = data::HttpClient::create(data::withS3Signer(options, ctx));
  if (!client) {
    std::cerr << "tessera: " << client.error().message << "\n";
    return exitCodeFor(client.error());
  }
  ctx.client = *client;
  data::setRemoteContext(ctx);
  data::ThreadPool pool(1);
  const bool tty = ::isatty(STDERR_FILENO);
  int lastDecile = -1;
  auto progress = [&](const data::DownloadProgress& p) {
    if (p.state == data::DownloadState::Planning) return;
    const double f = p.fraction();
    const std::string total = p.bytesTotal ? human(static_cast<double>(*p.bytesTotal))
                                           : std::to_string(p.filesTotal) + " files";
    if (tty) {
      const int width = 28, filled = static_cast<int>(f * width);
      std::string bar(static_cast<std::size_t>(filled), '=');
      if (filled < width) bar += '>';
      bar.resize(width, ' ');
      std::fprintf(stderr, "\r[%s] %3d%% %s / %s  %s/s  ETA %s   ", bar.c_str(),
                   static_cast<int>(f * 100), human(static_cast<double>(p.bytesDone)).c_str(),
                   total.c_str(), human(p.bytesPerSecond).c_str(),
                   clock(p.etaSeconds.value_or(NAN)).c_str());
    } else if (static_cast<int>(f * 10) != lastDecile) {
      lastDecile = static_cast<int>(f * 10);
      std::fprintf(stderr, "fetch: %d%% %s of %s, %s/s\n", lastDecile * 10,
                   human(static_cast<double>(p.bytesDone)).c_str(), total.c_str(),
                   human(p.bytesPerSecond).c_str());
    }
  };
  std::mutex printMutex;
  data::DownloadOptions dopt;
  dopt.parallel = parallel;
  auto job = data::Download::start(*client, pool, url, out, sha256, dopt,
                                   [&](const data::DownloadProgress& p) {
                                     std::lock_guard lock(printMutex);
                                     progress(p);
                                   });
  auto result = job->wait();
  pool.waitIdle();
  const auto p = job->progress();
  if (tty) std::fprintf(stderr, "\n");
  if (!result) {
    std::cerr << "tessera: " << result.error().message << "\n";
    return exitCodeFor(result.error());
  }
  std::cout << "fetched " << url << " -> " << result->string() << ": " << p.filesDone
            << " objects, " << human(static_cast<double>(p.bytesDone));
  if (p.filesMissing)
    std::cout << " (" << p.filesMissing << " chunks absent on the server: fill value)";
  std::cout << ", verified\n";
  return kExitOk;
}

}  // namespace tessera::app
