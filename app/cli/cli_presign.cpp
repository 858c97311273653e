#include "app/cli/cli_presign.h"

#include <ctime>
#include <iostream>

#include "app/cli/exit_codes.h"
#include "data/remote/s3.h"

namespace tessera::app {
namespace {

int usage(const std::string& message) {
  std::cerr << "tessera: presign: " << message << " (see tessera --help)\n";
  return kExitBadInput;
}

}  // namespace

int runPresign(const std::vector<std::string>& args) {
  std::string url, profile;
  long long expires = 3600;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--expires") {
      if (i + 1 >= args.size()) return usage("--expires needs a number of seconds");
      char* end = nullptr;
      expires = std::strtoll(args[++i].c_str(), &end, 10);
      if (!end || *end) return usage("--expires needs a number of seconds");
    } else if (a == "--profile") {
      if (i + 1 >= args.size()) return usage("--profile needs a name");
      profile = args[++i];
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (url.empty()) {
      url = a;
    } else {
      return usage("only one URL is accepted");
    }
  }
  if (url.empty()) return usage("an s3://bucket/key URL is required");
  auto loc = data::parseS3Url(url);
  if (!loc) return usage(loc.error().message);
  if (loc->key.empty() || loc->key.ends_with('/'))
    return usage(url + ": name an object, not a bucket or prefix");
  auto signer = data::S3Signer::fromEnvironment(profile);
  if (!signer) {
    std::cerr << "tessera: " << signer.error().message << "\n";
    return exitCodeFor(signer.error());
  }
  auto signed_ = (*signer)->presign(loc->bucket, loc->key, expires, std::time(nullptr));
  if (!signed_) {
    std::cerr << "tessera: " << signed_.error().message << "\n";
    return exitCodeFor(signed_.error());
  }
  std::cout << *signed_ << "\n";
  return kExitOk;
}

}  // namespace tessera::app
