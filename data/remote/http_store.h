#pragma once
/// A read-only Store over HTTP(S): key "a/b" of base "https://host/x.zarr" is
/// "https://host/x.zarr/a/b". Lets the zarr, NGFF and TIFF readers open remote data with
/// exactly the code they use for local files.
///
/// Threads: every method blocks on the HttpClient and is for worker threads only (never the
/// GUI thread). Thread-safe. The client and the optional disk cache are shared, not owned
/// exclusively; the client must outlive the store's last call.
///
/// Mapping: 404, 403 and 410 are Errc::NotFound (zarr reads a missing chunk as its fill
/// value); other statuses and transport failures are Errc::Network naming the URL (the tile
/// layer may retry them); a short range is Errc::Corrupt; an HTML page where JSON metadata
/// (.zarray, .zattrs, .zgroup, .zmetadata, zarr.json) was expected is Errc::Corrupt with a
/// message saying so. list() is Errc::Unsupported (HTTP has no listing; readers do not need
/// one). Metadata objects are remembered in memory, so probing and opening fetch each once.
///
/// Priority and cancellation come from the calling thread's ScopedRequestContext (the Store
/// interface has neither); without one, requests use HttpStoreOptions::priority.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>

#include "data/remote/disk_cache.h"
#include "data/remote/http_client.h"

namespace tessera::data {

struct HttpStoreOptions {
  std::shared_ptr<DiskCache> cache;  ///< null = no disk cache
  bool offline = false;              ///< serve only from the cache; misses are Errc::Network
  /// Cached entries younger than this are served without asking the server again; older
  /// ones are revalidated with If-None-Match / If-Modified-Since.
  std::chrono::seconds revalidateAfter{3600};
  Priority priority = Priority::Visible;
};

/// Sets the priority and stop token of HTTP requests made by this thread while it lives.
class ScopedRequestContext {
 public:
  ScopedRequestContext(Priority priority, std::stop_token stop = {});
  ~ScopedRequestContext();
  ScopedRequestContext(const ScopedRequestContext&) = delete;
  ScopedRequestContext& operator=(const ScopedRequestContext&) = delete;

 private:
  std::optional<Priority> previousPriority_;
  std::stop_token previousStop_;
};

class HttpStore final : public Store {
 public:
  /// `baseUrl` must be http(s); a trailing slash is ignored. No request is made.
  static Expected<std::shared_ptr<HttpStore>> open(std::shared_ptr<HttpClient> client,
                                                   std::string baseUrl,
                                                   HttpStoreOptions options = {});

  std::string describe() const override { return base_; }
  Expected<Bytes> read(std::string_view key) const override;
  Expected<Bytes> readRange(std::string_view key, std::uint64_t offset,
                            std::uint64_t length) const override;
  Expected<Bytes> readSuffix(std::string_view key, std::uint64_t length) const override;
  bool exists(std::string_view key) const override;
  Expected<std::uint64_t> size(std::string_view key) const override;
  Expected<std::vector<std::string>> list(std::string_view prefix) const override;

  std::string urlOf(std::string_view key) const;
  const std::shared_ptr<HttpClient>& client() const { return client_; }

 private:
  HttpStore(std::shared_ptr<HttpClient> client, std::string base, HttpStoreOptions options);
  Expected<Bytes> get(const std::string& url, std::optional<HttpByteRange> range,
                      const std::string& cacheKey, bool metadata) const;
  Expected<HttpResponse> send(HttpRequest request) const;

  std::shared_ptr<HttpClient> client_;
  std::string base_;
  HttpStoreOptions options_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Expected<Bytes>, std::less<>> metadata_;  ///< by key
  mutable std::map<std::string, std::uint64_t, std::less<>> sizes_;       ///< by key
};

/// True for keys whose objects are JSON metadata (.zarray, .zattrs, .zgroup, .zmetadata,
/// zarr.json).
bool isZarrMetadataKey(std::string_view key);

}  // namespace tessera::data
