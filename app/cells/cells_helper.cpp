#include "app/cells/cells_helper.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include "app/cells/cells_data.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

bool hdf5Name(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".h5ad" || ext == ".h5" || ext == ".hdf5";
}

// Files the helper loaded, by path, size and modification time: opening one runs several steps
// that each want it checked (validation, fit on the image, the load itself), and a file that
// changes on disk is checked again.
using FileStamp = std::tuple<std::string, std::uintmax_t, fs::file_time_type>;

std::optional<FileStamp> stampOf(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  if (ec) return std::nullopt;
  const auto time = fs::last_write_time(p, ec);
  if (ec) return std::nullopt;
  return FileStamp{fs::absolute(p, ec).string(), size, time};
}

std::mutex passedMutex;
std::set<FileStamp> passed;

// The last non-empty line the helper wrote to stderr, without the "tessera: " prefix.
std::string lastLine(const QByteArray& err) {
  const auto lines = QString::fromUtf8(err).split('\n', Qt::SkipEmptyParts);
  if (lines.isEmpty()) return {};
  QString line = lines.back().trimmed();
  if (line.startsWith("tessera: ")) line = line.mid(9);
  return line.toStdString();
}

}  // namespace

bool cellsReadHdf5(const fs::path& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return hdf5Name(path);
  if (!fs::is_directory(path, ec)) return false;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_regular_file(ec) && hdf5Name(e.path())) return true;
  return false;
}

std::string cellsHelperExecutable() {
  // The application itself (started through the `tessera` front, or directly); a test binary
  // is not, and names it in TESSERA_EXE.
  if (QCoreApplication::instance()) {
    const QString name = QFileInfo(QCoreApplication::applicationFilePath()).fileName();
    if (name == "tessera-app" || name == "tessera")
      return QCoreApplication::applicationFilePath().toStdString();
  }
  const char* env = std::getenv("TESSERA_EXE");
  return env ? env : "";
}

data::Expected<void> checkCellsInHelper(const fs::path& path, std::chrono::milliseconds timeout,
                                        const std::atomic<bool>* cancel) {
  const std::string exe = cellsHelperExecutable();
  const std::string name = path.string();
  if (exe.empty()) return {};
  // A folder (Space Ranger, Xenium) has no single stamp and is checked every time.
  std::error_code ec;
  const auto stamp = fs::is_regular_file(path, ec) ? stampOf(path) : std::nullopt;
  if (stamp) {
    std::lock_guard lock(passedMutex);
    if (passed.count(*stamp)) return {};
  }
  QProcess helper;
  helper.setProcessChannelMode(QProcess::SeparateChannels);
  helper.start(QString::fromStdString(exe),
               {QStringLiteral("check-cells"), QString::fromStdString(name)});
  if (!helper.waitForStarted(30000))
    return data::fail(data::Errc::Io,
                      name + ": the helper process that reads it did not start (" + exe + ")");
  // Wait in slices so that a cancelled load ends the helper at once.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!helper.waitForFinished(100)) {
    if (helper.state() == QProcess::NotRunning) break;
    if (cancel && cancel->load()) {
      helper.kill();
      helper.waitForFinished(5000);
      return data::fail(data::Errc::Cancelled, name + ": cancelled");
    }
    if (std::chrono::steady_clock::now() > deadline) {
      helper.kill();
      helper.waitForFinished(5000);
      return data::fail(data::Errc::Io, name + ": reading it did not finish within " +
                                            std::to_string(timeout.count() / 1000) + " s");
    }
  }
  if (helper.exitStatus() == QProcess::CrashExit)
    return data::fail(data::Errc::Corrupt,
                      name +
                          ": reading it crashed the HDF5 helper process; the file is "
                          "probably damaged, so it was not opened");
  if (helper.exitCode() == kExitOk) {
    if (stamp) {
      std::lock_guard lock(passedMutex);
      passed.insert(*stamp);
    }
    return {};
  }
  const std::string why = lastLine(helper.readAllStandardError());
  return data::fail(helper.exitCode() == kExitBadInput ? data::Errc::Corrupt : data::Errc::Io,
                    why.empty() ? name + ": the helper process could not read it" : why);
}

int runCheckCells(const std::vector<std::string>& args) {
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
    std::cerr << "tessera: check-cells: exactly one FILE or folder is required (see tessera "
                 "--help)\n";
    return kExitBadInput;
  }
  AppContext ctx(256);
  data::Expected<std::shared_ptr<const CellsData>> loaded =
      data::fail(data::Errc::Cancelled, "not loaded");
  ctx.hdf5Pool.post([&] { loaded = loadCellsData(args[0]); });
  ctx.hdf5Pool.waitIdle();
  if (!loaded) {
    std::cerr << "tessera: " << loaded.error().message << "\n";
    return exitCodeFor(loaded.error());
  }
  const auto& d = **loaded;
  std::cout << args[0] << ": " << d.size() << " cells, " << d.table->geneNames.size() << " genes\n";
  return kExitOk;
}

}  // namespace tessera::app
