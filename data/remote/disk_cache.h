#pragma once
/// The HTTP disk cache: whole responses keyed by URL (plus the byte range, if any), each in
/// one file written atomically (temporary file, fsync, rename), with its length and CRC-32
/// checked on every read, so an interrupted write (even kill -9) never yields a partial or
/// corrupt entry: leftover temporaries are removed at open, bad entries are deleted and
/// reported as misses. ETag/Last-Modified are kept for revalidation. Total size is capped with
/// LRU eviction (a hit refreshes the file's mtime).
///
/// Layout: <dir>/<2 hex>/<sha256 of key>.entry and <dir>/tmp/. Thread-safe; several
/// processes may share a directory (each evicts by what it sees on disk at open + its own
/// writes). Errors: Errc::Io naming the path.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data {

constexpr std::uint64_t kDefaultHttpCacheBytes = 10ull << 30;

class DiskCache {
 public:
  struct Entry {
    Bytes body;
    std::string etag;
    std::string lastModified;
    std::int64_t storedAt = 0;  ///< seconds since the epoch when fetched or last revalidated
  };

  /// $XDG_CACHE_HOME/tessera/http (or ~/.cache/tessera/http).
  static std::filesystem::path defaultDirectory();
  static Expected<std::shared_ptr<DiskCache>> open(std::filesystem::path dir,
                                                   std::uint64_t capBytes = kDefaultHttpCacheBytes);

  /// The entry for `key`, or nullopt (also for an entry that failed its checks; it is removed).
  std::optional<Entry> get(const std::string& key);
  /// Stores `body` atomically; evicts least recently used entries above the cap.
  Expected<void> put(const std::string& key, const Bytes& body, const std::string& etag,
                     const std::string& lastModified);
  void remove(const std::string& key);
  std::uint64_t totalBytes() const;
  std::uint64_t capBytes() const;
  void setCapBytes(std::uint64_t cap);
  const std::filesystem::path& directory() const { return dir_; }
  /// Path of the entry file for `key` (tests use it to damage entries).
  std::filesystem::path entryPath(const std::string& key) const;

 private:
  DiskCache(std::filesystem::path dir, std::uint64_t cap);
  void scan();
  void evictLocked();
  struct Item {
    std::uint64_t size = 0;
    std::int64_t lastUse = 0;  ///< nanoseconds (file mtime)
  };
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::uint64_t cap_;
  std::uint64_t total_ = 0;
  std::unordered_map<std::string, Item> items_;  ///< by file name
};

/// Lower-case hex SHA-256 of `data`.
std::string sha256Hex(std::string_view data);

}  // namespace tessera::data
