// HttpClient: the io thread, per-host pools with priority queues, retries, redirects.
#include "data/remote/http_client.h"

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>
#include <future>
#include <random>

#include "data/remote/http_client_impl.h"

namespace tessera::data {

namespace http_detail {
namespace {
std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}
}  // namespace

void Call::cancel() {
  auto self = shared_from_this();
  net::post(impl->io, [self] { self->impl->cancelCall(self); });
}

Impl::Impl(HttpClientOptions o) : options(std::move(o)) {
  proxies = options.proxy ? *options.proxy : ProxySettings::fromEnvironment();
  if (options.maxConnectionsPerHost < 1) options.maxConnectionsPerHost = 1;
}

HostPool& Impl::poolFor(const Url& url) {
  const std::string proxy = proxies.proxyFor(url.scheme, url.host);
  const std::string key = url.scheme + "://" + url.hostHeader() + "|" + proxy;
  auto& slot = pools[key];
  if (!slot) {
    slot = std::make_unique<HostPool>();
    slot->key = key;
    slot->proxy = withoutUserInfo(proxy);
    if (const std::string user = urlUserInfo(proxy); !user.empty())
      slot->proxyAuth = "Basic " + base64(user);
  }
  return *slot;
}

void Impl::enqueue(const std::shared_ptr<Call>& call) {
  call->state = Call::State::Queued;
  call->pool = &poolFor(call->url);
  call->pool->queue.emplace(std::make_pair(-static_cast<int>(call->request.priority), call->seq),
                            call);
  dispatch(*call->pool);
}

void Impl::dispatch(HostPool& pool) {
  while (pool.active < options.maxConnectionsPerHost && !pool.queue.empty()) {
    auto call = pool.queue.begin()->second;
    pool.queue.erase(pool.queue.begin());
    call->state = Call::State::Active;
    ++pool.active;
    if (pool.active > peakInFlight) peakInFlight = pool.active;
    std::shared_ptr<Connection> conn;
    if (!pool.idle.empty()) {
      conn = std::move(pool.idle.back());
      pool.idle.pop_back();
      conn->reused = true;
    }
    call->conn = conn;
    net::co_spawn(io, run(call, conn), [](std::exception_ptr) {});
  }
}

void Impl::releaseSlot(Call& call) {
  if (call.state == Call::State::Active && call.pool) --call.pool->active;
}

net::awaitable<void> Impl::run(std::shared_ptr<Call> call, std::shared_ptr<Connection> conn) {
  Outcome out = co_await attempt(call, conn);
  if (call->state != Call::State::Active) co_return;  // cancelled: the slot is already free
  HostPool* pool = call->pool;
  conn = std::move(call->conn);
  releaseSlot(*call);
  call->state = Call::State::Waiting;
  if (conn) {
    if (out.reuse && conn->buffer.size() == 0 &&
        pool->idle.size() < static_cast<std::size_t>(options.maxConnectionsPerHost))
      pool->idle.push_back(std::move(conn));
    else
      conn->close();
  }
  handleOutcome(call, std::move(out));
  dispatch(*pool);
}

void Impl::handleOutcome(const std::shared_ptr<Call>& call, Outcome out) {
  switch (out.kind) {
    case Outcome::Done: {
      HttpResponse resp = std::move(call->response);
      resp.url = call->url.str();
      resp.bodyBytes = call->delivered;
      finish(call, std::move(resp));
      return;
    }
    case Outcome::Fail:
      finish(call, std::unexpected(out.error));
      return;
    case Outcome::Redirect: {
      const std::string from = call->url.str();
      if (++call->redirects > options.maxRedirects) {
        finish(call, fail(Errc::Network, call->request.url + ": too many redirects (more than " +
                                             std::to_string(options.maxRedirects) + ")"));
        return;
      }
      auto next = resolveUrl(call->url, out.location);
      if (!next) {
        finish(call, fail(Errc::Network, from + ": bad redirect: " + next.error().message));
        return;
      }
      if (call->url.https() && !next->https()) {
        finish(call, fail(Errc::Network,
                          from + ": redirect from https to http (" + next->str() + ") refused"));
        return;
      }
      if (!out.resign && !call->visited.insert(next->str()).second) {
        finish(call, fail(Errc::Network, call->request.url + ": redirect loop at " + next->str()));
        return;
      }
      call->url = std::move(*next);
      enqueue(call);
      return;
    }
    case Outcome::Retry: {
      if (out.stale && call->staleRetries++ < 2 * options.maxConnectionsPerHost) {
        enqueue(call);  // a kept-alive connection the server had closed: not a real failure
        return;
      }
      call->lastError = out.error;
      if (++call->attempts > options.maxRetries) {
        Error e = out.error;
        e.message += " (gave up after " + std::to_string(call->attempts) + " attempts)";
        finish(call, std::unexpected(e));
        return;
      }
      ++retries;
      if (call->delivered > 0) ++resumes;
      thread_local std::mt19937 rng{std::random_device{}()};
      const auto cap =
          std::min<std::int64_t>(options.backoffMax.count(),
                                 options.backoffBase.count() << std::min(call->attempts - 1, 20));
      std::uniform_int_distribution<std::int64_t> jitter(cap / 2, std::max<std::int64_t>(cap, 1));
      auto delay = std::chrono::milliseconds(jitter(rng));
      if (out.retryAfter) delay = std::max(delay, std::min(*out.retryAfter, options.retryAfterMax));
      call->timer = std::make_unique<net::steady_timer>(io, delay);
      call->timer->async_wait([this, call](const beast::error_code& ec) {
        if (ec || call->state != Call::State::Waiting) return;
        call->timer.reset();
        enqueue(call);
      });
      return;
    }
  }
}

void Impl::finish(const std::shared_ptr<Call>& call, Expected<HttpResponse> result) {
  if (call->state == Call::State::Done) return;
  call->state = Call::State::Done;
  live.erase(call);
  auto done = std::move(call->done);
  call->done = nullptr;
  try {
    if (done) done(std::move(result));
  } catch (...) {
    // Callbacks must not throw; swallowing keeps the client thread alive if one does.
  }
}

void Impl::cancelCall(const std::shared_ptr<Call>& call) {
  HostPool* pool = call->pool;
  switch (call->state) {
    case Call::State::Done:
      return;
    case Call::State::Queued:
      pool->queue.erase(std::make_pair(-static_cast<int>(call->request.priority), call->seq));
      break;
    case Call::State::Active:
      releaseSlot(*call);
      if (call->conn) call->conn->close();
      call->conn.reset();
      break;
    case Call::State::Waiting:
      if (call->timer) call->timer->cancel();
      break;
  }
  finish(call, fail(Errc::Cancelled, call->request.url + ": cancelled"));
  if (pool) dispatch(*pool);
}

void Impl::shutdown() {
  auto calls = live;
  for (const auto& c : calls)
    cancelCall(c);
  for (auto& [key, pool] : pools)
    for (auto& c : pool->idle)
      c->close();
}

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value) {
  if (value.empty()) return std::nullopt;
  bool digits = true;
  for (char c : value)
    digits = digits && c >= '0' && c <= '9';
  if (digits && value.size() < 10) return std::chrono::seconds(std::stoll(std::string(value)));
  std::tm tm{};
  const std::string s(value);
  if (!strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) return std::nullopt;
  const std::time_t when = timegm(&tm);
  const std::time_t now = std::time(nullptr);
  return std::chrono::seconds(std::max<std::time_t>(0, when - now));
}

}  // namespace http_detail

using namespace http_detail;

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, beast::string_view(name.data(), name.size()))) return v;
  return {};
}

ProxySettings ProxySettings::fromEnvironment() {
  auto env = [](const char* a, const char* b) {
    const char* v = std::getenv(a);
    if (!v || !*v) v = std::getenv(b);
    return std::string(v ? v : "");
  };
  return {env("http_proxy", "HTTP_PROXY"), env("https_proxy", "HTTPS_PROXY"),
          env("no_proxy", "NO_PROXY")};
}

std::string ProxySettings::proxyFor(const std::string& scheme, const std::string& host) const {
  const std::string& proxy = scheme == "https" ? httpsProxy : httpProxy;
  if (proxy.empty()) return {};
  std::size_t i = 0;
  while (i <= noProxy.size()) {
    const std::size_t j = std::min(noProxy.find(',', i), noProxy.size());
    std::string entry = noProxy.substr(i, j - i);
    i = j + 1;
    while (!entry.empty() && entry.front() == ' ')
      entry.erase(0, 1);
    while (!entry.empty() && entry.back() == ' ')
      entry.pop_back();
    if (const auto colon = entry.rfind(':'); colon != std::string::npos && entry.find(':') == colon)
      entry.resize(colon);  // "host:port": the port does not matter here
    if (entry.empty()) continue;
    if (entry == "*") return {};
    if (entry.front() == '.') entry.erase(0, 1);
    if (host == entry || (host.size() > entry.size() && host.ends_with(entry) &&
                          host[host.size() - entry.size() - 1] == '.'))
      return {};
  }
  return proxy.find("://") == std::string::npos ? "http://" + proxy : proxy;
}

Expected<ssl::context*> Impl::tlsContext() {
  if (sslContext) return &*sslContext;
  ssl::context ctx{ssl::context::tls_client};
  beast::error_code ec;
  ctx.set_default_verify_paths(ec);
  if (!options.caFile.empty()) {
    ctx.load_verify_file(options.caFile, ec);
    if (ec)
      return fail(Errc::InvalidArgument,
                  options.caFile + ": cannot load CA certificates: " + ec.message());
  }
  ctx.set_verify_mode(options.insecure ? ssl::verify_none : ssl::verify_peer);
  sslContext.emplace(std::move(ctx));
  return &*sslContext;
}

Expected<std::shared_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  // A CA file the user named is checked now, so a wrong path fails at once.
  if (!impl->options.caFile.empty())
    if (auto ctx = impl->tlsContext(); !ctx) return std::unexpected(ctx.error());
  if (impl->options.insecure)
    std::fprintf(stderr, "tessera: warning: TLS certificate verification is off (insecure mode)\n");
  for (const std::string* p : {&impl->proxies.httpProxy, &impl->proxies.httpsProxy})
    if (!p->empty())
      if (auto u = parseUrl(p->find("://") == std::string::npos ? "http://" + *p : *p); !u)
        return fail(Errc::InvalidArgument, "proxy setting " + u.error().message);
  impl->work.emplace(impl->io.get_executor());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::shared_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() {
  Impl* impl = impl_.get();
  if (impl->thread.get_id() == std::this_thread::get_id()) {
    // The last owner let go in a callback, on the client's own thread (a download job freed
    // by its last completion): that thread cannot join itself, and its io_context is still
    // running the callback. It is stopped here; a helper thread joins it and then frees it.
    impl->shutdown();
    impl->io.stop();
    impl->work.reset();
    std::thread([owned = std::move(impl_)]() mutable {
      owned->thread.join();
      owned->live.clear();
      owned->pools.clear();
    }).detach();
    return;
  }
  net::post(impl->io, [impl] {
    impl->shutdown();
    impl->io.stop();
  });
  impl->work.reset();
  if (impl->thread.joinable()) impl->thread.join();
  impl->live.clear();
  impl->pools.clear();
}

std::shared_ptr<HttpCall> HttpClient::start(HttpRequest request, Callback done) {
  auto call = std::make_shared<Call>();
  call->impl = impl_.get();
  call->done = std::move(done);
  auto url = parseUrl(request.url);
  call->request = std::move(request);
  Impl* impl = impl_.get();
  net::post(impl->io, [impl, call, url = std::move(url)]() mutable {
    if (!url) {
      impl->finish(call, std::unexpected(url.error()));
      return;
    }
    call->url = std::move(*url);
    call->visited.insert(call->url.str());
    call->seq = impl->nextSeq++;
    impl->live.insert(call);
    impl->enqueue(call);
  });
  return call;
}

Expected<HttpResponse> HttpClient::fetch(HttpRequest request, const std::stop_token& stop) {
  auto promise = std::make_shared<std::promise<Expected<HttpResponse>>>();
  auto future = promise->get_future();
  auto call = start(std::move(request),
                    [promise](Expected<HttpResponse> r) { promise->set_value(std::move(r)); });
  std::stop_callback onStop(stop, [call] { call->cancel(); });
  return future.get();
}

const HttpClientOptions& HttpClient::options() const {
  return impl_->options;
}

HttpClientStats HttpClient::stats() const {
  return {impl_->requests.load(), impl_->connections.load(), impl_->retries.load(),
          impl_->resumes.load(), impl_->peakInFlight.load()};
}

std::string httpStatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

}  // namespace tessera::data
