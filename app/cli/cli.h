#pragma once
/// The command line: `tessera [PATH|URL…]` (GUI), --help, --version, and the subcommands
/// info, render, export, fetch, markers. Errors go to stderr on one line; exit codes as in
/// exit_codes.h. Runs on the main thread without a GUI.
#include <string>
#include <vector>

namespace tessera::app {

struct GuiOptions {
  std::vector<std::string> inputs;
  std::size_t cacheMb = 0;  ///< 0 = from settings
};

/// Handles everything but starting the GUI. Returns an exit code, or -1 when the GUI should
/// start with `gui` filled in.
int runCli(const std::vector<std::string>& args, GuiOptions& gui);

}  // namespace tessera::app
