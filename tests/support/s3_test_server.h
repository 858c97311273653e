#pragma once
/// Test-only: starts tests/support/s3_server.py (an S3 API server on 127.0.0.1 that verifies
/// SigV4 signatures with botocore) over a folder of buckets, and stops it on destruction.
/// ok() is false when python3-botocore is missing or the server did not start; tests then
/// QSKIP (reported to ctest as a skip).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace tessera::testing {

class S3TestServer {
 public:
  struct Options {
    std::string accessKey = "AKIDTESSERA";
    std::string secretKey = "tessera/secret+key";
    std::string sessionToken;
    std::string region = "us-east-1";
    std::vector<std::string> bucketRegions;  ///< "bucket=region"
    std::vector<std::string> publicBuckets;
    int pageSize = 1000;
  };

  S3TestServer(const std::filesystem::path& root, const std::filesystem::path& work, Options o)
      : options_(std::move(o)) {
    std::filesystem::create_directories(work);
    const std::string portFile =
        (work / ("s3port." + std::to_string(::getpid()) + "." + std::to_string(counter()++)))
            .string();
    std::filesystem::remove(portFile);
    std::vector<std::string> args = {
        TESSERA_PYTHON, std::string(TESSERA_SOURCE_DIR) + "/tests/support/s3_server.py",
        "--root",       root.string(),
        "--port-file",  portFile,
        "--access-key", options_.accessKey,
        "--secret-key", options_.secretKey,
        "--region",     options_.region,
        "--page-size",  std::to_string(options_.pageSize)};
    if (!options_.sessionToken.empty()) {
      args.push_back("--session-token");
      args.push_back(options_.sessionToken);
    }
    for (const auto& b : options_.bucketRegions) {
      args.push_back("--bucket-region");
      args.push_back(b);
    }
    for (const auto& b : options_.publicBuckets) {
      args.push_back("--public");
      args.push_back(b);
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < until) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {  // exited: botocore missing, or a bug
        pid_ = -1;
        return;
      }
      std::ifstream f(portFile);
      if (f >> port_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~S3TestServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
  }
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const Options& options() const { return options_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  Options options_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace tessera::testing
