#pragma once
/// Shared by the HttpClient tests: a client tuned for loopback servers (no proxy from the
/// environment, short backoff and timeouts), a one-call GET, and deterministic payloads.
/// Test-only; blocking calls on the calling thread.
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "data/remote/http_client.h"

namespace tessera::testing {

/// `n` pseudo-random bytes, the same for the same seed.
inline std::string pattern(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s)
    c = static_cast<char>(rng());
  return s;
}

inline std::string asString(const data::Bytes& b) {
  return std::string(b.begin(), b.end());
}

inline data::HttpClientOptions fastOptions() {
  using namespace std::chrono_literals;
  data::HttpClientOptions o;
  o.proxy = data::ProxySettings{};  // loopback only, whatever the environment says
  o.backoffBase = 20ms;
  o.backoffMax = 200ms;
  o.readTimeout = 2s;
  o.connectTimeout = 2s;
  return o;
}

inline std::shared_ptr<data::HttpClient> makeClient(data::HttpClientOptions o = fastOptions()) {
  auto c = data::HttpClient::create(std::move(o));
  return c ? *c : nullptr;
}

inline data::Expected<data::HttpResponse> get(
    data::HttpClient& c, const std::string& url,
    std::optional<data::HttpByteRange> range = std::nullopt) {
  data::HttpRequest rq;
  rq.url = url;
  rq.range = range;
  return c.fetch(rq);
}

}  // namespace tessera::testing
