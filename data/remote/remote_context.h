#pragma once
/// The HTTP client, disk cache and offline flag used when an image is opened by URL through
/// openImage() (whose signature has no room for them). app/ installs its own at start-up with
/// setRemoteContext(); without one, the first URL creates a default client (proxies from the
/// environment, system CAs, no disk cache), which is what tests and tools get.
/// The default client signs S3 requests with the environment's AWS profile (S3Signer), and
/// s3:// URLs are addressed with the same signer.
/// Thread-safe. Installing a new context does not affect stores already opened.
#include <memory>
#include <string>

#include "data/remote/disk_cache.h"
#include "data/remote/http_client.h"
#include "data/remote/http_store.h"
#include "data/remote/s3.h"

namespace tessera::data {

struct RemoteContext {
  std::shared_ptr<HttpClient> client;
  std::shared_ptr<DiskCache> cache;  ///< may be null
  bool offline = false;
  /// Addresses s3:// URLs; the client's options carry the same signer. Null when the AWS
  /// settings could not be read (then `s3Error` says why).
  std::shared_ptr<S3Signer> s3{};
  std::string s3Error{};
};

/// Client options whose signer is `context.s3` (created from the environment when null).
/// For app/ and tools that create their own client.
HttpClientOptions withS3Signer(HttpClientOptions options, RemoteContext& context);

void setRemoteContext(RemoteContext context);
/// The installed context, creating the default client on first use.
Expected<RemoteContext> remoteContext();

/// For the application: when nothing is installed yet, installs a default client plus the
/// disk cache in DiskCache::defaultDirectory() (capped at `cacheBytes`).
void ensureDefaultRemoteContext(std::uint64_t cacheBytes = kDefaultHttpCacheBytes);

/// The http(s) URL for `url`: s3://bucket/key addressed with the context's profile, http(s)
/// URLs unchanged; InvalidArgument for other schemes or unreadable AWS settings.
Expected<std::string> remoteHttpUrl(const std::string& url);

/// A store rooted at `baseUrl` with the current context. The last few stores are kept, so a
/// probe followed by an open of the same URL fetches metadata once.
Expected<std::shared_ptr<HttpStore>> openHttpStore(const std::string& baseUrl);

}  // namespace tessera::data
