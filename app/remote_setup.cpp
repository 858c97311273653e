#include "app/remote_setup.h"

#include <QSettings>
#include <cstdio>

#include "data/remote/remote_context.h"

namespace tessera::app {

std::shared_ptr<data::HttpClient> installRemoteContext() {
  QSettings settings;
  data::HttpClientOptions options;
  options.insecure = settings.value("http/insecure", false).toBool();
  options.caFile = settings.value("http/caFile").toString().toStdString();
  auto client = data::HttpClient::create(options);
  if (!client) {
    std::fprintf(stderr, "tessera: HTTP client: %s\n", client.error().message.c_str());
    return nullptr;
  }
  const auto capMb =
      settings.value("http/cacheMb", static_cast<qulonglong>(data::kDefaultHttpCacheBytes >> 20))
          .toULongLong();
  data::RemoteContext ctx;
  ctx.client = *client;
  if (auto cache = data::DiskCache::open(data::DiskCache::defaultDirectory(), capMb << 20))
    ctx.cache = *cache;
  else
    std::fprintf(stderr, "tessera: HTTP disk cache disabled: %s\n", cache.error().message.c_str());
  ctx.offline = settings.value("http/offline", false).toBool();
  data::setRemoteContext(ctx);
  return ctx.client;
}

}  // namespace tessera::app
