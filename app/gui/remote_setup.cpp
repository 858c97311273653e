#include "app/gui/remote_setup.h"

#include <QSettings>
#include <cstdio>

#include "data/remote/remote_context.h"

namespace tessera::app {

std::shared_ptr<data::HttpClient> installRemoteContext() {
  QSettings settings;
  data::HttpClientOptions options;
  options.insecure = settings.value("http/insecure", false).toBool();
  options.caFile = settings.value("http/caFile").toString().toStdString();
  data::RemoteContext ctx;
  // S3 requests are signed with the environment's AWS profile (unsigned without credentials).
  auto client = data::HttpClient::create(data::withS3Signer(options, ctx));
  if (!client) {
    std::fprintf(stderr, "tessera: HTTP client: %s\n", client.error().message.c_str());
    return nullptr;
  }
  if (!ctx.s3Error.empty())
    std::fprintf(stderr, "tessera: AWS settings: %s\n", ctx.s3Error.c_str());
  const auto capMb =
      settings.value("http/cacheMb", static_cast<qulonglong>(data::kDefaultHttpCacheBytes >> 20))
          .toULongLong();
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
