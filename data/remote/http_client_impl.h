#pragma once
/// Internals of HttpClient (Boost.Asio/Beast); included only by data/remote/http_*.cpp.
/// Everything here lives on the client's io_context thread unless marked otherwise: with one
/// thread running the context, no strand is needed and no state below is locked.
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "data/remote/http_client.h"
#include "data/remote/url.h"

namespace tessera::data::http_detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

/// One keep-alive connection (plain, or TLS over TCP, possibly through a proxy tunnel).
struct Connection {
  // A roomy read buffer: Beast sizes each socket read by its free capacity, and a small buffer
  // turns a large body into thousands of tiny reads (measured: 6x slower on loopback).
  explicit Connection(net::io_context& io) : tcp(io) { buffer.reserve(256 * 1024); }
  beast::tcp_stream tcp;  ///< moved into `tls` once TLS starts
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::vector<std::uint8_t> body;  ///< body read buffer, allocated on first use
  bool reused = false;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : tcp; }
  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    lowest().socket().close(ec);
  }
};

struct HostPool;
struct Impl;

/// What one attempt on one connection ended with.
struct Outcome {
  enum Kind { Done, Redirect, Retry, Fail };
  Outcome(Kind k = Fail, Error e = {Errc::Network, ""}) : kind(k), error(std::move(e)) {}
  Kind kind;
  Error error;
  std::string location;  ///< Redirect
  bool resign = false;   ///< Redirect to the same URL, signed for another region
  std::optional<std::chrono::milliseconds> retryAfter;
  bool reuse = false;  ///< the connection may go back to the pool
  bool stale = false;  ///< a reused connection failed before any response byte
};

/// One request through all of its attempts, redirects and retries.
struct Call final : HttpCall, std::enable_shared_from_this<Call> {
  enum class State { Queued, Active, Waiting, Done };
  Impl* impl = nullptr;
  HttpRequest request;
  HttpClient::Callback done;
  Url url;
  std::set<std::string> visited;
  int redirects = 0, attempts = 0, staleRetries = 0;
  State state = State::Queued;
  std::uint64_t seq = 0;
  HostPool* pool = nullptr;
  std::shared_ptr<Connection> conn;          ///< while Active
  std::unique_ptr<net::steady_timer> timer;  ///< while Waiting
  Error lastError{Errc::Network, ""};

  // Body bookkeeping in entity coordinates, so retries resume rather than repeat.
  std::uint64_t delivered = 0;
  std::optional<std::uint64_t> absStart;  ///< entity offset of the first wanted byte
  std::optional<std::uint64_t> absEnd;    ///< one past the last wanted byte
  bool gzip = false;                      ///< the body seen so far was gzip-decoded
  std::string etag, lastModified;         ///< validators of the first response
  HttpResponse response;

  void cancel() override;
};

struct HostPool {
  std::string key;
  std::string proxy;      ///< proxy URL (without credentials) or empty
  std::string proxyAuth;  ///< "Basic ..." from the proxy URL's user:password, or empty
  int active = 0;
  std::vector<std::shared_ptr<Connection>> idle;
  std::map<std::pair<int, std::uint64_t>, std::shared_ptr<Call>> queue;  ///< (-priority, seq)
};

struct Impl {
  explicit Impl(HttpClientOptions o);
  HttpClientOptions options;
  ProxySettings proxies;
  net::io_context io;
  /// Made on the first https connection (or at create() for a --ca-file): OpenSSL's
  /// initialisation and parsing the system's CA bundle cost plain-HTTP commands (a loopback
  /// `tessera fetch`) about 10 % of their CPU time. Only the io thread touches it.
  std::optional<ssl::context> sslContext;
  Expected<ssl::context*> tlsContext();
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread thread;
  std::map<std::string, std::unique_ptr<HostPool>> pools;
  std::set<std::shared_ptr<Call>> live;  ///< every unfinished call, for shutdown
  std::uint64_t nextSeq = 0;
  std::atomic<std::uint64_t> requests{0}, connections{0}, retries{0}, resumes{0};
  std::atomic<int> peakInFlight{0};

  void enqueue(const std::shared_ptr<Call>& call);
  void dispatch(HostPool& pool);
  void releaseSlot(Call& call);
  void cancelCall(const std::shared_ptr<Call>& call);
  void finish(const std::shared_ptr<Call>& call, Expected<HttpResponse> result);
  void handleOutcome(const std::shared_ptr<Call>& call, Outcome out);
  void shutdown();
  HostPool& poolFor(const Url& url);
  net::awaitable<void> run(std::shared_ptr<Call> call, std::shared_ptr<Connection> conn);

  // http_connection.cpp
  net::awaitable<Outcome> attempt(std::shared_ptr<Call> call, std::shared_ptr<Connection> conn);
  net::awaitable<std::optional<Error>> connect(Call& call, Connection& conn);
};

/// Retry-After as seconds or an HTTP-date; nullopt if absent or unparsable.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value);

}  // namespace tessera::data::http_detail
