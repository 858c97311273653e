#pragma once
/// libtiff handles over a Store object (TIFFClientOpenExt), so TIFF reading works through any
/// Store (local now, HTTP later) and never opens files behind the Store's back.
///
/// Threads: a libtiff handle is not thread-safe, so a TiffHandle is used by one thread at a
/// time. TiffHandlePool lends handles to readers: each concurrent reader gets its own handle
/// (opened on demand, up to a maximum; beyond that readers wait), and a returned handle is
/// reused. libtiff errors are captured per handle (never printed) and returned as Expected.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/store.h"

typedef struct tiff TIFF;

namespace tessera::data {

class TiffHandle {
 public:
  static Expected<std::unique_ptr<TiffHandle>> open(std::shared_ptr<const Store> store,
                                                    std::string key);
  ~TiffHandle();
  TiffHandle(const TiffHandle&) = delete;
  TiffHandle& operator=(const TiffHandle&) = delete;

  TIFF* tif() const { return tif_; }
  /// The file, for messages.
  const std::string& name() const { return name_; }
  /// "<file>: <what>: <last libtiff error>", and clears the captured error.
  Error error(Errc code, const std::string& what);
  /// Forgets a captured libtiff error that the caller has decided is harmless.
  void clearError() { lastError_.clear(); }
  /// Makes the IFD at byte `offset` current (a no-op when it already is).
  Expected<void> setDirectoryOffset(std::uint64_t offset);

 private:
  TiffHandle() = default;
  friend struct TiffIo;
  std::shared_ptr<const Store> store_;
  std::string key_, name_;
  TIFF* tif_ = nullptr;
  std::uint64_t size_ = 0, pos_ = 0;
  // A small read-ahead window: libtiff reads IFDs in many tiny pieces.
  Bytes window_;
  std::uint64_t windowStart_ = 0;
  std::string lastError_;
};

class TiffHandlePool {
 public:
  TiffHandlePool(std::shared_ptr<const Store> store, std::string key, std::size_t maxHandles);

  class Lease {
   public:
    Lease(TiffHandlePool* pool, std::unique_ptr<TiffHandle> h) : pool_(pool), h_(std::move(h)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    TiffHandle& operator*() const { return *h_; }
    TiffHandle* operator->() const { return h_.get(); }

   private:
    TiffHandlePool* pool_;
    std::unique_ptr<TiffHandle> h_;
  };

  /// A free handle, a new one, or waits for one to come back.
  Expected<Lease> acquire();
  /// Hands in a handle opened elsewhere (the one used to read metadata).
  void adopt(std::unique_ptr<TiffHandle> handle);

 private:
  std::shared_ptr<const Store> store_;
  std::string key_;
  std::size_t max_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<TiffHandle>> free_;
  std::size_t open_ = 0;
};

}  // namespace tessera::data
