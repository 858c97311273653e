#pragma once
/// An HTTP/1.1 client (Boost.Asio/Beast + OpenSSL behind a pimpl: no Boost in this header).
///
/// Threads: the client owns one io_context thread on which every connection, timer and
/// callback runs. start() and the HttpCall handle may be used from any thread; fetch() blocks
/// and must not be called from a callback (it would deadlock the client thread). Construct it
/// in app/ (or a test) and pass it down; it is destroyed after every Store that uses it.
///
/// Behaviour: keep-alive pools per (scheme, host, port, proxy) with at most
/// `maxConnectionsPerHost` requests in flight; queued requests start by Priority (Visible >
/// Prefetch > Background), FIFO within one. Cancelling frees the request's slot at once.
/// Up to 5 redirects (the only scheme change allowed is http -> https); connection errors,
/// timeouts, truncated bodies, 5xx and 429 are retried with exponential backoff and jitter,
/// honouring Retry-After, and an interrupted body resumes with a Range request when the
/// server supports it. gzip bodies are inflated. Proxies come from http_proxy/https_proxy/
/// no_proxy (CONNECT for https). TLS verifies the chain against the system CA store (plus
/// `caFile`) and the host name (SNI is sent); `insecure` turns verification off and warns.
///
/// Errors: Errc::InvalidArgument for bad URLs/schemes, Errc::Network for transport failures
/// and exhausted retries, Errc::Corrupt for protocol violations (enormous headers, a body
/// longer than declared, broken gzip), Errc::Cancelled. HTTP statuses that are not retried
/// (2xx, 3xx without Location, 4xx) come back as a response, not an error.
/// No exception leaves the client.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/error.h"
#include "data/executor.h"
#include "data/store.h"

namespace tessera::data {

namespace http_detail {
struct Impl;
}

struct ProxySettings {
  std::string httpProxy;   ///< "http://host:port" or empty
  std::string httpsProxy;  ///< proxy used (with CONNECT) for https URLs
  std::string noProxy;     ///< comma-separated hosts/suffixes; "*" disables proxies
  /// From http_proxy/HTTP_PROXY, https_proxy/HTTPS_PROXY, no_proxy/NO_PROXY.
  static ProxySettings fromEnvironment();
  /// The proxy URL to use for `scheme`://`host`, or empty for a direct connection.
  std::string proxyFor(const std::string& scheme, const std::string& host) const;
};

/// Authenticates requests (S3's SigV4). Called on the client thread for every attempt of a
/// request, after redirects, so each attempt carries a fresh signature; must be thread-safe.
class RequestSigner {
 public:
  virtual ~RequestSigner() = default;
  /// Appends authentication headers for `method` (GET/HEAD) to `https`?`hostHeader``target`.
  /// `headers` holds the request's Host and Range (which get signed); requests to hosts the
  /// signer does not know are left alone.
  virtual void sign(std::string_view method, std::string_view hostHeader, std::string_view target,
                    std::vector<std::pair<std::string, std::string>>& headers) const = 0;
  /// Where to retry `url` after the server said its bucket lives in `region` (S3's 301
  /// PermanentRedirect and 400 AuthorizationHeaderMalformed carry x-amz-bucket-region), or ""
  /// when `url` is not the signer's. The URL may be unchanged (a custom endpoint): the retry is
  /// then signed for the new region.
  virtual std::string regionRedirect(const std::string& url, const std::string& region) const = 0;
};

struct HttpClientOptions {
  int maxConnectionsPerHost = 8;
  std::chrono::milliseconds connectTimeout{10000};
  /// Longest silence while waiting for any byte of a response (slow bodies that keep
  /// delivering are fine).
  std::chrono::milliseconds readTimeout{30000};
  int maxRetries = 5;
  std::chrono::milliseconds backoffBase{200};
  std::chrono::milliseconds backoffMax{10000};
  /// Retry-After values above this are clamped, so a hostile server cannot park a request.
  std::chrono::milliseconds retryAfterMax{60000};
  int maxRedirects = 5;
  std::size_t maxHeaderBytes = 64 * 1024;
  /// Largest body kept in memory (streamed bodies are not limited).
  std::uint64_t maxBodyBytes = 2ull << 30;
  bool insecure = false;  ///< skip TLS verification (warns once on stderr)
  std::string caFile;     ///< extra PEM CA bundle trusted in addition to the system store
  std::optional<ProxySettings> proxy;  ///< nullopt = from the environment
  std::string userAgent = "Tessera";
  std::shared_ptr<const RequestSigner> signer;  ///< null: no request is signed
};

struct HttpByteRange {
  std::uint64_t offset = 0;             ///< first byte (ignored for suffix ranges)
  std::optional<std::uint64_t> length;  ///< nullopt = to the end
  bool suffix = false;                  ///< the last `*length` bytes
};

struct HttpRequest {
  enum class Method { Get, Head };
  Method method = Method::Get;
  std::string url;
  std::optional<HttpByteRange> range;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra request headers
  Priority priority = Priority::Visible;
  /// When set, body bytes go here (on the client thread, in order, never repeated across
  /// retries) instead of into HttpResponse::body; returning false aborts with Cancelled.
  std::function<bool(std::span<const std::uint8_t>)> sink;
};

struct HttpResponse {
  int status = 0;
  std::string url;  ///< the final URL after redirects
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;
  std::uint64_t bodyBytes = 0;  ///< bytes delivered (to body or sink)
  /// Entity length from Content-Range "/total" or Content-Length of a 200, if known.
  std::optional<std::uint64_t> totalLength;
  /// First header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

/// Counters for tests and the benchmark (monotonic since construction).
struct HttpClientStats {
  std::uint64_t requests = 0;     ///< request messages written
  std::uint64_t connections = 0;  ///< TCP connections opened
  std::uint64_t retries = 0;
  std::uint64_t resumes = 0;  ///< retries that continued a partial body with Range
  int peakInFlight = 0;       ///< most concurrent requests to one host
};

/// Handle of one asynchronous request.
class HttpCall {
 public:
  virtual ~HttpCall() = default;
  /// Idempotent; the callback then runs with Errc::Cancelled (unless it already ran).
  virtual void cancel() = 0;
};

class HttpClient {
 public:
  using Callback = std::function<void(Expected<HttpResponse>)>;

  static Expected<std::shared_ptr<HttpClient>> create(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Starts `request`; `done` runs exactly once, on the client thread.
  std::shared_ptr<HttpCall> start(HttpRequest request, Callback done);
  /// Blocking convenience for worker threads; `stop` cancels.
  Expected<HttpResponse> fetch(HttpRequest request, const std::stop_token& stop = {});

  const HttpClientOptions& options() const;
  HttpClientStats stats() const;

 private:
  explicit HttpClient(std::unique_ptr<http_detail::Impl> impl);
  std::unique_ptr<http_detail::Impl> impl_;
};

/// "HTTP 404 Not Found" style text for a status code.
std::string httpStatusText(int status);

}  // namespace tessera::data
