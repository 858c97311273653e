#include "app/cli/cli_common.h"

#include "app/cli/exit_codes.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace tessera::app {
namespace {
constexpr const char* kReexecGuard = "TESSERA_UNDER_XVFB";
}

SelectOption parseSelectOption(const std::vector<std::string>& args, std::size_t& i,
                               data::ImageSelection& select, std::string& error) {
  const std::string& a = args[i];
  if (a != "--series" && a != "--well" && a != "--field" && a != "--axes")
    return SelectOption::NotMine;
  if (i + 1 >= args.size()) {
    error = a + " needs a value";
    return SelectOption::Bad;
  }
  const std::string& v = args[++i];
  if (a == "--axes") {  // checked against the array's rank when it is opened
    if (v.empty() || v.size() > 5) {
      error = "--axes expects one letter of t, c, z, y, x per dimension, such as tczyx";
      return SelectOption::Bad;
    }
    select.axes = v;
    return SelectOption::Taken;
  }
  if (a == "--well") {
    if (v.empty()) {
      error = "--well expects a well such as A/1";
      return SelectOption::Bad;
    }
    select.well = v;
    return SelectOption::Taken;
  }
  std::vector<long long> n;
  if (!parseInts(v, ',', n) || n.size() != 1 || n[0] < 0 || n[0] > INT_MAX) {
    error = a + " expects a non-negative index";
    return SelectOption::Bad;
  }
  (a == "--series" ? select.series : select.field) = static_cast<int>(n[0]);
  return SelectOption::Taken;
}

bool parseInts(const std::string& s, char sep, std::vector<long long>& out) {
  out.clear();
  std::size_t pos = 0;
  while (pos <= s.size()) {
    const auto next = s.find(sep, pos);
    const std::string part =
        s.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || errno == ERANGE) return false;
    out.push_back(v);
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return true;
}

bool ensureDisplay(const std::string& command, const std::vector<std::string>& args) {
  const char* display = std::getenv("DISPLAY");
  // The guard stops a loop when Xvfb started but DISPLAY still did not reach us.
  if ((display && *display) || std::getenv(kReexecGuard)) return true;
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n > 0) {
    self[n] = '\0';
    ::setenv(kReexecGuard, "1", 1);
    std::vector<std::string> argv{"xvfb-run", "-a",   "-s", "-screen 0 1920x1080x24 -nolisten tcp",
                                  self,       command};
    argv.insert(argv.end(), args.begin(), args.end());
    // The process's own arguments, when readable: they keep the options given before the
    // command (--cache-mb), which `command` and `args` no longer hold.
    if (std::ifstream in("/proc/self/cmdline", std::ios::binary); in) {
      std::vector<std::string> own;
      for (std::string a; std::getline(in, a, '\0');)
        own.push_back(a);
      if (own.size() > 1) {
        argv.resize(5);  // xvfb-run, its options and this executable
        argv.insert(argv.end(), own.begin() + 1, own.end());
      }
    }
    std::vector<char*> cargv;
    for (auto& a : argv)
      cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execvp("xvfb-run", cargv.data());
  }
  std::cerr << "tessera: " << command
            << ": no X display and xvfb-run could not be started (install xvfb)\n";
  return false;
}

int commandUsageError(const std::string& command, const std::string& message) {
  std::cerr << "tessera: " << (command.empty() ? "" : command + ": ") << message
            << " (see tessera --help)\n";
  return kExitBadInput;
}

int reportError(const data::Error& e) {
  std::cerr << "tessera: " << e.message << "\n";
  return exitCodeFor(e);
}

std::vector<std::string> splitList(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace tessera::app
