#pragma once
/// The window opens HDF5-backed cell tables (h5ad, 10x .h5, Space Ranger and Xenium folders)
/// only after a helper process has read them the same way. HDF5 cannot be made safe against
/// every damaged file in-process (its parsers still crash on some, see OSS-Fuzz), so a crash
/// there must end a helper, not the window: the window then reports the file and keeps the
/// dataset it showed. The helper is this executable run as `tessera check-cells PATH`, which
/// loads the table with loadCellsData() exactly as the window does next; README.md ("Damaged
/// files") gives the measured cost.
/// Threads: checkCellsInHelper() blocks until the helper ends and is meant for
/// AppContext::hdf5Pool; runCheckCells() is the CLI command.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "data/error.h"

namespace tessera::app {

/// True when loading `path` as cells reads HDF5: a .h5ad/.h5/.hdf5 file, or a folder holding
/// one at its top level (Space Ranger, Xenium).
bool cellsReadHdf5(const std::filesystem::path& path);

/// The tessera executable to run as the helper: this process when it is tessera, else
/// $TESSERA_EXE (the app tests set it); empty when neither, and then no helper runs.
std::string cellsHelperExecutable();

/// Runs the helper on `path` and waits: success when it loaded the table; its own one-line
/// error when it refused the file; Errc::Corrupt naming the file when it crashed, or
/// Errc::Io when it could not start or did not finish within `timeout`. Setting `cancel`
/// ends the helper and gives Errc::Cancelled.
data::Expected<void> checkCellsInHelper(const std::filesystem::path& path,
                                        std::chrono::milliseconds timeout,
                                        const std::atomic<bool>* cancel = nullptr);

/// `tessera check-cells PATH`: loads PATH as the window would; prints "PATH: N cells, G genes"
/// and exits 0, or one error line and 2 (bad input) / 1 (internal fault).
int runCheckCells(const std::vector<std::string>& args);

}  // namespace tessera::app
