#pragma once
/// Pieces shared by the CLI subcommands: error lines, list parsing, the image-selection options
/// and getting an X display for the off-screen renderer. Main thread of the CLI only.
#include <string>
#include <vector>

#include "data/error.h"
#include "data/image_info.h"

namespace tessera::app {

/// Prints "tessera: COMMAND: MESSAGE (see tessera --help)" ("tessera: MESSAGE …" for an empty
/// command) and returns the bad-input exit code.
int commandUsageError(const std::string& command, const std::string& message);
/// Prints a data-layer error as one line and returns its exit code (exitCodeFor).
int reportError(const data::Error& e);
/// Splits "a,b,c" at commas, dropping empty items.
std::vector<std::string> splitList(const std::string& s);

/// Parses "a<sep>b<sep>c" into whole numbers; false on an empty, non-numeric or out-of-range
/// part.
bool parseInts(const std::string& s, char sep, std::vector<long long>& out);

enum class SelectOption { NotMine, Taken, Bad };

/// `--series N`, `--well W`, `--field F` and `--axes AXES` at args[i] go into `select`
/// (advancing `i` past the value); Bad sets `error`.
SelectOption parseSelectOption(const std::vector<std::string>& args, std::size_t& i,
                               data::ImageSelection& select, std::string& error);

/// VTK's off-screen window still needs an X server. Without a DISPLAY this runs the process
/// again as `xvfb-run … tessera <command> <args>` and does not return; it returns false (after
/// printing one line) when xvfb-run cannot be started, and true when a display is available.
bool ensureDisplay(const std::string& command, const std::vector<std::string>& args);

}  // namespace tessera::app
