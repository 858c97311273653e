#include "data/remote/remote_context.h"

#include <deque>
#include <mutex>

#include "data/remote/url.h"

namespace tessera::data {
namespace {

std::mutex& contextMutex() {
  static std::mutex m;
  return m;
}
RemoteContext& installed() {
  static RemoteContext c;
  return c;
}
std::deque<std::shared_ptr<HttpStore>>& recentStores() {
  static std::deque<std::shared_ptr<HttpStore>> d;
  return d;
}

/// A client with the environment's S3 signer (installed()'s mutex held).
Expected<void> createDefaultClient(RemoteContext& ctx) {
  auto client = HttpClient::create(withS3Signer({}, ctx));
  if (!client) return std::unexpected(client.error());
  ctx.client = std::move(*client);
  return {};
}

}  // namespace

HttpClientOptions withS3Signer(HttpClientOptions options, RemoteContext& context) {
  if (!context.s3 && context.s3Error.empty()) {
    if (auto s = S3Signer::fromEnvironment())
      context.s3 = *s;
    else
      context.s3Error = s.error().message;
  }
  options.signer = context.s3;
  return options;
}

void setRemoteContext(RemoteContext context) {
  std::lock_guard lock(contextMutex());
  installed() = std::move(context);
  recentStores().clear();
}

Expected<RemoteContext> remoteContext() {
  std::lock_guard lock(contextMutex());
  if (!installed().client)
    if (auto ok = createDefaultClient(installed()); !ok) return std::unexpected(ok.error());
  return installed();
}

void ensureDefaultRemoteContext(std::uint64_t cacheBytes) {
  std::lock_guard lock(contextMutex());
  if (installed().client || !createDefaultClient(installed())) return;
  if (auto cache = DiskCache::open(DiskCache::defaultDirectory(), cacheBytes))
    installed().cache = std::move(*cache);
}

Expected<std::string> remoteHttpUrl(const std::string& url) {
  if (!isS3Url(url)) {
    if (auto u = parseUrl(url); !u) return std::unexpected(u.error());
    return url;
  }
  auto ctx = remoteContext();
  if (!ctx) return std::unexpected(ctx.error());
  if (!ctx->s3) return fail(Errc::InvalidArgument, url + ": AWS settings: " + ctx->s3Error);
  return s3HttpUrl(*ctx->s3, url);
}

Expected<std::shared_ptr<HttpStore>> openHttpStore(const std::string& baseUrl) {
  auto ctx = remoteContext();
  if (!ctx) return std::unexpected(ctx.error());
  std::lock_guard lock(contextMutex());
  auto& recent = recentStores();
  std::string normalised = baseUrl;
  while (!normalised.empty() && normalised.back() == '/')
    normalised.pop_back();
  for (const auto& s : recent)
    if (s->describe() == normalised) return s;
  HttpStoreOptions options;
  options.cache = ctx->cache;
  options.offline = ctx->offline;
  auto store = HttpStore::open(ctx->client, baseUrl, options);
  if (!store) return std::unexpected(store.error());
  recent.push_front(*store);
  if (recent.size() > 8) recent.pop_back();
  return *store;
}

}  // namespace tessera::data
