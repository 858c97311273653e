#pragma once
/// Installs the session's HTTP client and disk cache from the settings (GUI start-up), so
/// remote datasets stream through the cache. Settings: http/cacheMb (default 10240),
/// http/offline, http/insecure, http/caFile. GUI thread, once, before any URL is opened.
#include <memory>

namespace tessera::data {
class HttpClient;
}

namespace tessera::app {

/// Returns the client (null if it could not be created; the CLI's lazy default then applies).
std::shared_ptr<data::HttpClient> installRemoteContext();

}  // namespace tessera::app
