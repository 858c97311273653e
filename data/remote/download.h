#pragma once
/// One download job: every item of a DownloadPlan into an output directory, with up to
/// 2 × `parallel` requests handed to the client (which puts as many on the wire as its
/// per-host connection limit allows; `tessera fetch` sets that to `parallel`), Background
/// priority, resume, and verification.
///
/// On disk: each item is written to "<final>.part" and renamed to its final name only after
/// its size (and sha256, when known) checked out, so while the system runs a final name
/// always holds a complete file. Durability is paid once, not per file:
///  - large resumable items (single files) are fsync'd before their rename;
///  - the many small files of a tree are not; before the first of them is renamed, a marker
///    ".<name>.unsynced" is made durable beside the dataset, and after the last one a single
///    syncfs() writes every file and directory entry, then the marker goes.
/// So after a power cut: a finished job (state Done) is entirely on disk; an interrupted one
/// left the marker, and the next run trusts no final name of the tree's small files (it
/// downloads them again) while resumable items resume from their .part as before.
/// Resumable items keep "<final>.part.json" (URL, ETag, Last-Modified, size); a later run
/// resumes them with a Range request if a HEAD shows the same validators, and starts over
/// otherwise. Items whose final file exists (and has the planned size) are skipped; each
/// folder is listed once rather than each file stat'ed. Keys that would escape the output
/// directory ("../x") fail the item.
///
/// Threads: no thread is held for the job's duration. Planning runs as one task on the Executor
/// passed to start() (pass AppContext::jobPool); after that the job advances in short tasks
/// posted there whenever something changed (a request ended, pause/resume/cancel): launching
/// requests (a resumable item's HEAD), checksums and renames. Bodies are written on the HTTP
/// client's thread as they arrive. So any number of jobs share a small pool with other work.
/// pause/resume/cancel/progress may be called from any thread; callbacks run on the
/// executor's or the client's thread, never on a GUI thread.
/// Errors: the first item error that is not "missing chunk" fails the job (Errc of the
/// cause; the message names the URL and file).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "data/executor.h"
#include "data/remote/download_plan.h"
#include "data/remote/http_client.h"

namespace tessera::data {

enum class DownloadState { Planning, Running, Paused, Done, Failed, Cancelled };
const char* downloadStateName(DownloadState s);

struct DownloadProgress {
  DownloadState state = DownloadState::Planning;
  std::uint64_t bytesDone = 0;              ///< written this run plus what earlier runs left
  std::optional<std::uint64_t> bytesTotal;  ///< when every item's size is known
  std::uint64_t filesDone = 0, filesTotal = 0, filesMissing = 0;
  double bytesPerSecond = 0;  ///< over the last few seconds
  std::optional<double> etaSeconds;
  std::string error;  ///< when Failed
  /// Fraction in [0, 1] by bytes when the total is known, else by files.
  double fraction() const;
};

struct DownloadOptions {
  int parallel = 8;
  /// Progress callbacks at most this often (plus one at every state change).
  std::chrono::milliseconds progressInterval{200};
};

class Download : public std::enable_shared_from_this<Download> {
 public:
  using ProgressFn = std::function<void(const DownloadProgress&)>;
  using DoneFn = std::function<void(const Expected<std::filesystem::path>&)>;

  /// Plans (unless `plan` is given) and downloads `url` into outDir/<name>.
  static std::shared_ptr<Download> start(std::shared_ptr<HttpClient> client, Executor& executor,
                                         std::string url, std::filesystem::path outDir,
                                         std::string sha256 = "", DownloadOptions options = {},
                                         ProgressFn onProgress = {}, DoneFn onDone = {});
  ~Download();

  void pause();
  void resume();
  void cancel();
  DownloadProgress progress() const;
  const std::string& url() const { return url_; }
  /// Blocks until Done, Failed or Cancelled (CLI and tests); the path of the dataset. The job
  /// advances on the executor, so never wait on its only free thread.
  Expected<std::filesystem::path> wait();

 private:
  Download() = default;
  void run();
  /// One short pass: start requests, finish completed items, decide the outcome.
  void pump();
  /// Posts pump() unless one is queued; a running pump() takes another pass instead.
  void schedulePump();
  void launchItem(std::size_t index);
  void completeItem(std::size_t index, Expected<HttpResponse> response, std::filesystem::path part,
                    std::filesystem::path final, std::uint64_t size);
  /// True when `final`'s folder holds that name (each folder is listed, or created, once).
  bool existsInFolder(const std::filesystem::path& final);
  /// Checks for a previous run's marker, and makes this run's durable (see above).
  Expected<void> markUnsynced();
  /// syncfs, then the marker goes.
  Expected<void> makeDurable();
  void itemFinished(std::size_t index, Expected<bool> result);
  /// Bytes of item `index` counted in progress_.bytesDone (mutex_ held), and taking them back
  /// when its partial data is dropped, so a pause or retry never counts bytes twice.
  void countBytes(std::size_t index, std::uint64_t n);
  void uncountBytes(std::size_t index);
  bool drainCompleted(std::unique_lock<std::mutex>& lock);
  struct Completed {
    std::size_t index;
    Expected<HttpResponse> response;
    std::filesystem::path part, final;
    std::uint64_t size = 0;  ///< bytes the .part file holds
  };
  std::vector<Completed> completed_;
  void notify(bool force);

  std::shared_ptr<HttpClient> client_;
  std::string url_, sha256_;
  std::filesystem::path outDir_;
  DownloadOptions options_;
  ProgressFn onProgress_;
  DoneFn onDone_;
  DownloadPlan plan_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  DownloadProgress progress_;
  Executor* executor_ = nullptr;
  std::deque<std::size_t> pending_;
  int inFlight_ = 0;
  bool failed_ = false;
  Errc failCode_ = Errc::Network;
  std::vector<std::shared_ptr<HttpCall>> calls_;
  std::vector<std::uint64_t> itemBytes_;
  std::set<std::size_t> pausedItems_;  ///< requests pause() cancelled: they go back in the queue
  bool planned_ = false, pumpQueued_ = false, pumping_ = false, pumpAgain_ = false;
  bool finishing_ = false;  ///< the outcome is decided; callbacks are being delivered
  bool finished_ = false;
  std::optional<Expected<std::filesystem::path>> result_;
  std::chrono::steady_clock::time_point lastNotify_{};
  std::mutex callbackMutex_;
  std::uint64_t notifySeq_ = 0, deliveredSeq_ = 0;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> rateSamples_;
  std::mutex foldersMutex_;
  std::map<std::string, std::set<std::string>> folders_;  ///< names found in each folder
  std::filesystem::path marker_;  ///< ".<name>.unsynced" while the tree is not synced
  bool untrusted_ = false;        ///< a previous run left its marker: distrust final names
};

/// Lower-case hex sha256 of a file, or Errc::Io.
Expected<std::string> sha256OfFile(const std::filesystem::path& path);

}  // namespace tessera::data
