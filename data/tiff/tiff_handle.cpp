#include "data/tiff/tiff_handle.h"

#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace tessera::data {

namespace {
constexpr std::uint64_t kWindow = 256 * 1024;    // read-ahead for small reads
constexpr std::uint64_t kSmallRead = 64 * 1024;  // reads below this go through the window
// No single libtiff allocation beyond this: absurd tag counts or tile sizes fail instead of
// ballooning memory.
constexpr tmsize_t kMaxSingleAlloc = tmsize_t{1} << 30;
}  // namespace

struct TiffIo {
  static TiffHandle* self(thandle_t h) { return static_cast<TiffHandle*>(h); }

  static tmsize_t read(thandle_t h, void* buf, tmsize_t n) {
    TiffHandle* t = self(h);
    if (n <= 0 || t->pos_ >= t->size_) return 0;
    const std::uint64_t want =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(n), t->size_ - t->pos_);
    const bool inWindow =
        t->pos_ >= t->windowStart_ && t->pos_ + want <= t->windowStart_ + t->window_.size();
    if (!inWindow && want < kSmallRead) {
      auto bytes = t->store_->readRange(t->key_, t->pos_, std::min(kWindow, t->size_ - t->pos_));
      if (!bytes) {
        t->lastError_ = bytes.error().message;
        return -1;
      }
      t->window_ = std::move(*bytes);
      t->windowStart_ = t->pos_;
    } else if (!inWindow) {
      auto bytes = t->store_->readRange(t->key_, t->pos_, want);
      if (!bytes) {
        t->lastError_ = bytes.error().message;
        return -1;
      }
      std::memcpy(buf, bytes->data(), want);
      t->pos_ += want;
      return static_cast<tmsize_t>(want);
    }
    std::memcpy(buf, t->window_.data() + (t->pos_ - t->windowStart_), want);
    t->pos_ += want;
    return static_cast<tmsize_t>(want);
  }
  static tmsize_t write(thandle_t, void*, tmsize_t) { return -1; }
  static toff_t seek(thandle_t h, toff_t off, int whence) {
    TiffHandle* t = self(h);
    std::uint64_t base = whence == SEEK_CUR ? t->pos_ : whence == SEEK_END ? t->size_ : 0;
    t->pos_ = base + off;
    return t->pos_;
  }
  static int close(thandle_t) { return 0; }
  static toff_t size(thandle_t h) { return self(h)->size_; }
  static int map(thandle_t, void**, toff_t*) { return 0; }
  static void unmap(thandle_t, void*, toff_t) {}
  static int onError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    auto* t = static_cast<TiffHandle*>(user);
    t->lastError_ = module && *module ? std::string(module) + ": " + buf : std::string(buf);
    return 1;
  }
  static int onWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }
};

Expected<std::unique_ptr<TiffHandle>> TiffHandle::open(std::shared_ptr<const Store> store,
                                                       std::string key) {
  std::unique_ptr<TiffHandle> h(new TiffHandle());
  h->name_ = storeKeyName(*store, key);
  auto size = store->size(key);
  if (!size) return std::unexpected(size.error());
  h->size_ = *size;
  h->store_ = std::move(store);
  h->key_ = std::move(key);
  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetMaxSingleMemAlloc(opts, kMaxSingleAlloc);
  TIFFOpenOptionsSetErrorHandlerExtR(opts, &TiffIo::onError, h.get());
  TIFFOpenOptionsSetWarningHandlerExtR(opts, &TiffIo::onWarning, h.get());
  // "rm": read-only, no memory mapping (the Store does the I/O).
  h->tif_ = TIFFClientOpenExt(h->name_.c_str(), "rm", h.get(), &TiffIo::read, &TiffIo::write,
                              &TiffIo::seek, &TiffIo::close, &TiffIo::size, &TiffIo::map,
                              &TiffIo::unmap, opts);
  TIFFOpenOptionsFree(opts);
  if (!h->tif_) {
    const bool notTiff = h->lastError_.find("Not a TIFF") != std::string::npos ||
                         h->lastError_.find("magic") != std::string::npos;
    return std::unexpected(
        h->error(notTiff ? Errc::Unsupported : Errc::Corrupt, "not a readable TIFF"));
  }
  return h;
}

TiffHandle::~TiffHandle() {
  if (tif_) TIFFClose(tif_);
}

Error TiffHandle::error(Errc code, const std::string& what) {
  std::string msg = name_ + ": " + what;
  if (!lastError_.empty()) msg += ": " + lastError_;
  lastError_.clear();
  return Error{code, std::move(msg)};
}

Expected<void> TiffHandle::setDirectoryOffset(std::uint64_t offset) {
  if (TIFFCurrentDirOffset(tif_) == offset) return {};
  if (!TIFFSetSubDirectory(tif_, offset))
    return std::unexpected(
        error(Errc::Corrupt, "cannot read IFD at offset " + std::to_string(offset)));
  return {};
}

TiffHandlePool::TiffHandlePool(std::shared_ptr<const Store> store, std::string key,
                               std::size_t maxHandles)
    : store_(std::move(store)), key_(std::move(key)), max_(std::max<std::size_t>(1, maxHandles)) {}

TiffHandlePool::Lease::~Lease() {
  if (!h_) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->free_.push_back(std::move(h_));
  pool_->returned_.notify_one();
}

void TiffHandlePool::adopt(std::unique_ptr<TiffHandle> handle) {
  std::lock_guard lock(mutex_);
  free_.push_back(std::move(handle));
  ++open_;
}

Expected<TiffHandlePool::Lease> TiffHandlePool::acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !free_.empty() || open_ < max_; });
  if (!free_.empty()) {
    auto h = std::move(free_.back());
    free_.pop_back();
    return Lease(this, std::move(h));
  }
  ++open_;
  lock.unlock();
  auto h = TiffHandle::open(store_, key_);
  if (!h) {
    std::lock_guard relock(mutex_);
    --open_;
    returned_.notify_one();
    return std::unexpected(h.error());
  }
  return Lease(this, std::move(*h));
}

}  // namespace tessera::data
