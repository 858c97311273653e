#include "data/remote/remote_context.h"

#include <deque>
#include <mutex>

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

}  // namespace

void setRemoteContext(RemoteContext context) {
  std::lock_guard lock(contextMutex());
  installed() = std::move(context);
  recentStores().clear();
}

Expected<RemoteContext> remoteContext() {
  std::lock_guard lock(contextMutex());
  if (!installed().client) {
    auto client = HttpClient::create();
    if (!client) return std::unexpected(client.error());
    installed().client = std::move(*client);
  }
  return installed();
}

void ensureDefaultRemoteContext(std::uint64_t cacheBytes) {
  std::lock_guard lock(contextMutex());
  if (installed().client) return;
  auto client = HttpClient::create();
  if (!client) return;
  installed().client = std::move(*client);
  if (auto cache = DiskCache::open(DiskCache::defaultDirectory(), cacheBytes))
    installed().cache = std::move(*cache);
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
