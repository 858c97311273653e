// The `tessera` executable the user runs: a front end that links only data/. `fetch`, `presign`
// and `--help` run here; every other command, and the viewer, is handed to the full application
// (tessera-app) by exec, with the same arguments, process id and exit code.
//
// Why two binaries: the full application maps about 160 shared libraries (Qt, VTK, OpenCV,
// HDF5, ...), which costs 70–110 ms before main() on every run. For `tessera fetch` of a tree
// of small files that start-up was the whole gap to curl (tests/bench/bench_fetch.py).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "app/cli/cli_fetch.h"
#include "app/cli/cli_help.h"
#include "app/cli/cli_presign.h"
#include "app/cli/exit_codes.h"

namespace {

namespace fs = std::filesystem;

// tessera-app beside this executable (the build tree), else where the package installs it
// (TESSERA_APP_RELATIVE: from the bin folder to the libexec one, set by CMake).
fs::path fullApplication() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "tessera-app";
  const fs::path dir = self.parent_path();
  if (fs::path beside = dir / "tessera-app"; fs::exists(beside, ec)) return beside;
  return (dir / TESSERA_APP_RELATIVE / "tessera-app").lexically_normal();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tessera::app;
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty()) {
    const std::vector<std::string> sub(args.begin() + 1, args.end());
    if (args[0] == "fetch") return runFetch(sub);
    if (args[0] == "presign") return runPresign(sub);
    if (args[0] == "-h" || args[0] == "--help") {
      std::cout << helpText();
      return kExitOk;
    }
  }
  const fs::path app = fullApplication();
  ::execv(app.c_str(), argv);  // argv[0] stays as the user typed it, for messages
  std::cerr << "tessera: cannot start " << app.string() << ": " << std::strerror(errno)
            << " (is the installation complete?)\n";
  return kExitInternal;
}
