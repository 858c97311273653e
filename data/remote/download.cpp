#include "data/remote/download.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/remote/remote_context.h"
#include "data/remote/s3_error.h"

namespace tessera::data {
namespace fs = std::filesystem;
namespace {

struct Fd {
  int fd = -1;
  std::uint64_t written = 0;  ///< bytes written through it (the item's size check)
  int writeErrno = 0;  ///< why the sink stopped (a full disk), reported instead of "cancelled"
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool fsyncPath(const fs::path& p) {
  Fd f(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  return f.fd >= 0 && ::fsync(f.fd) == 0;
}

fs::path withSuffix(const fs::path& p, const char* suffix) {
  return p.parent_path() / (p.filename().string() + suffix);
}

}  // namespace

const char* downloadStateName(DownloadState s) {
  switch (s) {
    case DownloadState::Planning:
      return "planning";
    case DownloadState::Running:
      return "downloading";
    case DownloadState::Paused:
      return "paused";
    case DownloadState::Done:
      return "done";
    case DownloadState::Failed:
      return "failed";
    case DownloadState::Cancelled:
      return "cancelled";
  }
  return "";
}

double DownloadProgress::fraction() const {
  if (state == DownloadState::Done) return 1.0;
  if (bytesTotal && *bytesTotal > 0)
    return std::min(1.0, static_cast<double>(bytesDone) / static_cast<double>(*bytesTotal));
  return filesTotal ? static_cast<double>(filesDone) / static_cast<double>(filesTotal) : 0.0;
}

Expected<std::string> sha256OfFile(const fs::path& path) {
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd < 0) return fail(Errc::Io, path.string() + ": " + std::strerror(errno));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  ssize_t n;
  while ((n = ::read(f.fd, buf.data(), buf.size())) > 0)
    EVP_DigestUpdate(ctx, buf.data(), static_cast<std::size_t>(n));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  if (n < 0) return fail(Errc::Io, path.string() + ": " + std::strerror(errno));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::shared_ptr<Download> Download::start(std::shared_ptr<HttpClient> client, Executor& executor,
                                          std::string url, fs::path outDir, std::string sha256,
                                          DownloadOptions options, ProgressFn onProgress,
                                          DoneFn onDone) {
  std::shared_ptr<Download> d(new Download());
  d->client_ = std::move(client);
  d->executor_ = &executor;
  d->url_ = std::move(url);
  d->outDir_ = std::move(outDir);
  d->sha256_ = std::move(sha256);
  d->options_ = options;
  if (d->options_.parallel < 1) d->options_.parallel = 1;
  d->onProgress_ = std::move(onProgress);
  d->onDone_ = std::move(onDone);
  executor.post([d] { d->run(); }, Priority::Background);
  return d;
}

Download::~Download() = default;

void Download::run() {
  // s3://bucket/key is addressed with the installed context's AWS profile.
  auto http = remoteHttpUrl(url_);
  auto plan = http ? planDownload(*client_, *http, sha256_)
                   : Expected<DownloadPlan>(std::unexpected(http.error()));
  {
    std::lock_guard lock(mutex_);
    if (!plan) {
      failed_ = true;
      failCode_ = plan.error().code;
      progress_.error = plan.error().message;
    } else {
      plan_ = std::move(*plan);
      progress_.filesTotal = plan_.items.size();
      std::uint64_t total = 0;
      bool known = true;
      for (std::size_t i = 0; i < plan_.items.size(); ++i) {
        pending_.push_back(i);
        if (plan_.items[i].size)
          total += *plan_.items[i].size;
        else
          known = false;
      }
      if (known) progress_.bytesTotal = total;
      if (progress_.state == DownloadState::Planning) progress_.state = DownloadState::Running;
    }
  }
  if (plan) {
    if (auto marked = markUnsynced(); !marked) {
      std::lock_guard lock(mutex_);
      failed_ = true;
      failCode_ = marked.error().code;
      progress_.error = marked.error().message;
    }
  }
  {
    std::lock_guard lock(mutex_);
    planned_ = true;
  }
  notify(true);
  pump();
}

void Download::schedulePump() {
  {
    std::lock_guard lock(mutex_);
    if (!planned_ || finishing_) return;
    if (pumping_) {
      pumpAgain_ = true;
      return;
    }
    if (pumpQueued_) return;
    pumpQueued_ = true;
  }
  executor_->post([self = shared_from_this()] { self->pump(); }, Priority::Background);
}

// Twice `parallel` requests are handed to the client: the client keeps `parallel` of them on
// the wire (its per-host connection limit) and starts a queued one on its own thread the
// moment a response ends, instead of leaving the connection idle until this loop has run on
// the executor (a thread hand-off per file: 1,349 of them for a small-chunked tree).
void Download::pump() {
  std::unique_lock lock(mutex_);
  pumpQueued_ = false;
  if (pumping_ || finishing_) {
    pumpAgain_ = true;
    return;
  }
  pumping_ = true;
  bool over = false;
  do {
    pumpAgain_ = false;
    const bool stopping = failed_ || progress_.state == DownloadState::Cancelled;
    while (!stopping && progress_.state == DownloadState::Running && !failed_ &&
           inFlight_ < 2 * options_.parallel && !pending_.empty()) {
      const std::size_t i = pending_.front();
      pending_.pop_front();
      ++inFlight_;
      lock.unlock();
      launchItem(i);
      lock.lock();
    }
    if (drainCompleted(lock)) pumpAgain_ = true;
    // Cancelled or failing requests report back before the outcome is decided.
    const bool stopped = failed_ || progress_.state == DownloadState::Cancelled;
    over = inFlight_ == 0 && completed_.empty() && (stopped || pending_.empty());
  } while (pumpAgain_ && !over);
  if (!over) {
    pumping_ = false;
    return;
  }
  finishing_ = true;
  pumping_ = false;
  if (failed_) {
    progress_.state = DownloadState::Failed;
    result_ = fail(failCode_, progress_.error);
  } else if (progress_.state == DownloadState::Cancelled) {
    result_ = fail(Errc::Cancelled, url_ + ": download cancelled");
  } else {
    lock.unlock();
    auto durable = makeDurable();
    lock.lock();
    if (!durable) {
      progress_.state = DownloadState::Failed;
      progress_.error = durable.error().message;
      result_ = std::unexpected(durable.error());
    } else {
      progress_.state = DownloadState::Done;
      progress_.etaSeconds = 0.0;
      result_ = outDir_ / plan_.name;
    }
  }
  auto result = *result_;
  lock.unlock();
  notify(true);
  if (onDone_) onDone_(result);
  // wait() returns only after the last callbacks, so callers see the final state in them.
  lock.lock();
  finished_ = true;
  lock.unlock();
  changed_.notify_all();
}

bool Download::drainCompleted(std::unique_lock<std::mutex>& lock) {
  if (completed_.empty()) return false;
  auto done = std::move(completed_);
  completed_.clear();
  lock.unlock();
  for (auto& c : done)
    completeItem(c.index, std::move(c.response), std::move(c.part), std::move(c.final), c.size);
  lock.lock();
  return true;
}

void Download::launchItem(std::size_t index) {
  DownloadItem item;
  {
    std::lock_guard lock(mutex_);
    item = plan_.items[index];
  }
  auto final = safeJoin(outDir_, item.relPath);
  if (!final) return itemFinished(index, std::unexpected(final.error()));
  std::error_code ec;
  // A file under its final name is complete, unless a run that had not yet synced the tree
  // was interrupted (the marker): then only resumable items, which fsync before their rename,
  // are trusted. A wrong-sized file is replaced by the rename below.
  if (existsInFolder(*final) && (item.resumable || !untrusted_)) {
    const auto have = fs::file_size(*final, ec);
    if (!ec && (!item.size || have == *item.size)) {
      {
        std::lock_guard lock(mutex_);
        countBytes(index, have);
      }
      return itemFinished(index, true);
    }
  }
  const fs::path part = withSuffix(*final, ".part"), metaPath = withSuffix(*final, ".part.json");
  std::uint64_t offset = 0;
  if (item.resumable) {
    HttpRequest head;
    head.method = HttpRequest::Method::Head;
    head.url = item.url;
    head.priority = Priority::Background;
    auto h = client_->fetch(head);
    if (!h) return itemFinished(index, std::unexpected(h.error()));
    const nlohmann::json now = {{"url", item.url},
                                {"etag", h->header("ETag")},
                                {"last_modified", h->header("Last-Modified")},
                                {"size", h->totalLength ? *h->totalLength : 0}};
    if (h->ok() && h->totalLength) {
      std::lock_guard lock(mutex_);
      plan_.items[index].size = item.size = h->totalLength;
    }
    std::ifstream metaIn(metaPath);
    const auto before = nlohmann::json::parse(metaIn, nullptr, false);
    const bool sameObject = h->ok() && !before.is_discarded() && before == now &&
                            (!now["etag"].get<std::string>().empty() ||
                             !now["last_modified"].get<std::string>().empty());
    if (sameObject && fs::is_regular_file(part, ec)) offset = fs::file_size(part, ec);
    if (item.size && offset > *item.size) offset = 0;
    if (offset == 0) std::ofstream(metaPath) << now.dump();
  }
  // O_TRUNC starts a stale partial file over: no unlink needed.
  auto fd = std::make_shared<Fd>(
      ::open(part.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (offset ? O_APPEND : O_TRUNC), 0644));
  if (fd->fd < 0)
    return itemFinished(index, fail(Errc::Io, part.string() + ": " + std::strerror(errno)));
  {
    std::lock_guard lock(mutex_);
    uncountBytes(index);  // a relaunch after pause: the item counts from its offset again
    countBytes(index, offset);
  }
  HttpRequest rq;
  rq.url = item.url;
  rq.priority = Priority::Background;
  if (offset) rq.range = HttpByteRange{offset, std::nullopt, false};
  auto self = shared_from_this();
  rq.sink = [self, fd, index](std::span<const std::uint8_t> bytes) {
    const std::uint8_t* p = bytes.data();
    std::size_t n = bytes.size();
    while (n > 0) {
      const ssize_t w = ::write(fd->fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        fd->writeErrno = w < 0 ? errno : EIO;
        return false;
      }
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    fd->written += bytes.size();
    {
      std::lock_guard lock(self->mutex_);
      self->countBytes(index, bytes.size());
    }
    self->notify(false);
    return true;
  };
  auto call = client_->start(std::move(rq), [self, index, fd, offset, part,
                                             final = *final](Expected<HttpResponse> r) mutable {
    ::close(fd->fd);
    fd->fd = -1;
    // The client only knows that its receiver stopped; the user needs the file and the reason.
    if (fd->writeErrno)
      r = std::unexpected(Error{Errc::Io, part.string() + ": " + std::strerror(fd->writeErrno)});
    const std::uint64_t size = offset + fd->written;
    // Checksums and renames are file work: the job's own loop does them, off the client
    // thread (and without needing a second executor thread).
    {
      std::lock_guard lock(self->mutex_);
      self->completed_.push_back({index, std::move(r), std::move(part), std::move(final), size});
    }
    self->schedulePump();
  });
  std::lock_guard lock(mutex_);
  if (calls_.size() < plan_.items.size()) calls_.resize(plan_.items.size());
  calls_[index] = call;
  if (progress_.state != DownloadState::Running) call->cancel();
}

void Download::completeItem(std::size_t index, Expected<HttpResponse> r, fs::path part,
                            fs::path final, std::uint64_t have) {
  DownloadItem item;
  {
    std::lock_guard lock(mutex_);
    item = plan_.items[index];
  }
  std::error_code ec;
  const fs::path metaPath = withSuffix(final, ".part.json");
  if (!r) {
    // Only resumable items pick up a partial file again; others would start over anyway.
    if (!item.resumable) {
      fs::remove(part, ec);
      std::lock_guard lock(mutex_);
      uncountBytes(index);
    }
    return itemFinished(index, std::unexpected(r.error()));
  }
  if (auto e = s3Failure(item.url, *r, item.mayBeMissing)) {
    fs::remove(part, ec);
    return itemFinished(index, std::unexpected(*e));
  }
  if ((r->status == 404 || r->status == 403) && item.mayBeMissing) {
    fs::remove(part, ec);
    {
      std::lock_guard lock(mutex_);
      ++progress_.filesMissing;
    }
    return itemFinished(index, false);
  }
  if (!r->ok())
    return itemFinished(index, fail(r->status == 404 ? Errc::NotFound : Errc::Network,
                                    item.url + ": HTTP " + std::to_string(r->status) + " " +
                                        httpStatusText(r->status)));
  const std::optional<std::uint64_t> want = item.size ? item.size : r->totalLength;
  if (want && have != *want) {
    fs::remove(part, ec);
    if (item.resumable) fs::remove(metaPath, ec);
    return itemFinished(index,
                        fail(Errc::Corrupt, final.string() + ": size " + std::to_string(have) +
                                                " bytes, expected " + std::to_string(*want)));
  }
  if (!item.sha256.empty()) {
    auto sum = sha256OfFile(part);
    if (!sum) return itemFinished(index, std::unexpected(sum.error()));
    if (*sum != item.sha256) {
      fs::remove(part, ec);
      if (item.resumable) fs::remove(metaPath, ec);
      return itemFinished(index, fail(Errc::Corrupt, final.string() + ": sha256 " + *sum +
                                                         " does not match " + item.sha256));
    }
  }
  // Large resumable files are synced on their own, so a final name is trusted across power
  // cuts; the many small files of a tree are synced together at the end (makeDurable).
  if ((item.resumable && !fsyncPath(part)) || ::rename(part.c_str(), final.c_str()) != 0)
    return itemFinished(index, fail(Errc::Io, final.string() + ": " + std::strerror(errno)));
  if (item.resumable) fs::remove(metaPath, ec);
  itemFinished(index, true);
}

bool Download::existsInFolder(const fs::path& final) {
  const fs::path dir = final.parent_path();
  std::lock_guard lock(foldersMutex_);
  auto [it, fresh] = folders_.try_emplace(dir.string());
  if (fresh) {
    if (DIR* d = ::opendir(dir.c_str())) {
      while (const dirent* e = ::readdir(d))
        it->second.insert(e->d_name);
      ::closedir(d);
    } else {
      std::error_code ec;
      fs::create_directories(dir, ec);  // a failure shows when the file is opened
    }
  }
  return it->second.count(final.filename().string()) > 0;
}

Expected<void> Download::markUnsynced() {
  marker_ = outDir_ / ("." + plan_.name + ".unsynced");
  std::error_code ec;
  fs::create_directories(outDir_, ec);
  if (DIR* d = ::opendir(outDir_.c_str())) {
    const std::string name = marker_.filename().string();
    while (const dirent* e = ::readdir(d))
      if (name == e->d_name) untrusted_ = true;
    ::closedir(d);
  }
  if (untrusted_) return {};
  bool any = false;
  for (const auto& item : plan_.items)
    any = any || !item.resumable;
  if (!any) {
    marker_.clear();
    return {};
  }
  // The marker is durable before any file of the tree gets its final name: after a power
  // cut it says that final names below it may hold data that never reached the disk.
  Fd f(::open(marker_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  const std::string text = url_ + "\n";
  if (f.fd < 0 || ::write(f.fd, text.data(), text.size()) < 0 || ::fsync(f.fd) != 0 ||
      !fsyncPath(outDir_))
    return fail(Errc::Io, marker_.string() + ": " + std::strerror(errno));
  return {};
}

Expected<void> Download::makeDurable() {
  // One syncfs for the whole tree instead of an fsync per file: it writes the files' data and
  // the directories' entries (renames) in one journal commit.
  Fd dir(::open(outDir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0 || ::syncfs(dir.fd) != 0)
    return fail(Errc::Io, outDir_.string() + ": cannot sync: " + std::strerror(errno));
  if (!marker_.empty() && ::unlink(marker_.c_str()) != 0)
    return fail(Errc::Io, marker_.string() + ": " + std::strerror(errno));
  return {};
}

void Download::countBytes(std::size_t index, std::uint64_t n) {
  if (itemBytes_.size() <= index) itemBytes_.resize(plan_.items.size());
  itemBytes_[index] += n;
  progress_.bytesDone += n;
}

void Download::uncountBytes(std::size_t index) {
  if (index >= itemBytes_.size()) return;
  progress_.bytesDone -= itemBytes_[index];
  itemBytes_[index] = 0;
}

void Download::itemFinished(std::size_t index, Expected<bool> result) {
  std::vector<std::shared_ptr<HttpCall>> toCancel;
  {
    std::lock_guard lock(mutex_);
    --inFlight_;
    if (index < calls_.size()) calls_[index].reset();
    const bool stoppedByPause = pausedItems_.erase(index) > 0;
    if (result) {
      if (*result) ++progress_.filesDone;  // false: absent on the server, counted as missing
    } else if (result.error().code == Errc::Cancelled && stoppedByPause &&
               progress_.state != DownloadState::Cancelled) {
      // Stopped by pause(), even if resume() came before the request reported back.
      pending_.push_front(index);
    } else if (progress_.state != DownloadState::Cancelled && !failed_) {
      failed_ = true;
      failCode_ = result.error().code;
      progress_.error = result.error().message;
      for (auto& c : calls_)
        if (c) toCancel.push_back(c);
    }
  }
  for (auto& c : toCancel)
    c->cancel();
  schedulePump();
  // While paused or stopping, no more data comes: show the corrected byte count now rather
  // than leave a throttled update unsent.
  notify(progress().state != DownloadState::Running);
}

void Download::pause() {
  std::vector<std::shared_ptr<HttpCall>> calls;
  {
    std::lock_guard lock(mutex_);
    if (progress_.state != DownloadState::Running) return;
    progress_.state = DownloadState::Paused;
    for (std::size_t i = 0; i < calls_.size(); ++i)
      if (calls_[i]) {
        calls.push_back(calls_[i]);
        pausedItems_.insert(i);
      }
  }
  for (auto& c : calls)
    c->cancel();
  schedulePump();
  notify(true);
}

void Download::resume() {
  {
    std::lock_guard lock(mutex_);
    if (progress_.state != DownloadState::Paused) return;
    progress_.state = DownloadState::Running;
  }
  schedulePump();
  notify(true);
}

void Download::cancel() {
  std::vector<std::shared_ptr<HttpCall>> calls;
  {
    std::lock_guard lock(mutex_);
    if (finished_ || progress_.state == DownloadState::Done ||
        progress_.state == DownloadState::Failed)
      return;
    progress_.state = DownloadState::Cancelled;
    for (auto& c : calls_)
      if (c) calls.push_back(c);
  }
  for (auto& c : calls)
    c->cancel();
  schedulePump();
  notify(true);
}

DownloadProgress Download::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

Expected<fs::path> Download::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return finished_; });
  return *result_;
}

void Download::notify(bool force) {
  DownloadProgress copy;
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - lastNotify_ < options_.progressInterval) return;
    lastNotify_ = now;
    rateSamples_.emplace_back(now, progress_.bytesDone);
    while (rateSamples_.size() > 2 && now - rateSamples_.front().first > std::chrono::seconds(3))
      rateSamples_.erase(rateSamples_.begin());
    const auto& first = rateSamples_.front();
    const double dt = std::chrono::duration<double>(now - first.first).count();
    if (dt > 0.05)
      progress_.bytesPerSecond = static_cast<double>(progress_.bytesDone - first.second) / dt;
    if (progress_.bytesTotal && progress_.bytesPerSecond > 0 &&
        *progress_.bytesTotal >= progress_.bytesDone)
      progress_.etaSeconds = static_cast<double>(*progress_.bytesTotal - progress_.bytesDone) /
                             progress_.bytesPerSecond;
    else if (!progress_.bytesTotal && progress_.filesDone > 0 && progress_.bytesPerSecond > 0)
      progress_.etaSeconds = static_cast<double>(progress_.filesTotal - progress_.filesDone) *
                             (static_cast<double>(progress_.bytesDone) / progress_.filesDone) /
                             progress_.bytesPerSecond;
    copy = progress_;
    seq = ++notifySeq_;
  }
  // Callbacks come from several threads; never let an older snapshot follow a newer one.
  std::lock_guard order(callbackMutex_);
  if (seq < deliveredSeq_) return;
  deliveredSeq_ = seq;
  if (onProgress_) onProgress_(copy);
}

}  // namespace tessera::data
