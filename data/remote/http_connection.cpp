// One attempt of a request on one connection: connect (proxy tunnel, TLS), write the request,
// read the response headers, then stream the body through gzip and the resume window.
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/host_name_verification.hpp>
#include <charconv>
#include <cstring>
#include <limits>

#include "data/remote/gzip_inflater.h"
#include "data/remote/http_client_impl.h"

namespace tessera::data::http_detail {
namespace {

auto tok(beast::error_code& ec) {
  return net::redirect_error(net::use_awaitable, ec);
}

std::string describeEc(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timed out";
  if (ec == http::error::partial_message) return "connection closed before the body ended";
  if (ec == http::error::header_limit) return "response headers are too large";
  return ec.message();
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/// "bytes a-b/total" (total may be "*").
bool parseContentRange(std::string_view v, std::uint64_t& a, std::uint64_t& b,
                       std::optional<std::uint64_t>& total) {
  if (v.rfind("bytes ", 0) != 0) return false;
  v.remove_prefix(6);
  const std::size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
    return false;
  auto num = [](std::string_view s, std::uint64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && !s.empty();
  };
  if (!num(v.substr(0, dash), a) || !num(v.substr(dash + 1, slash - dash - 1), b) || b < a)
    return false;
  const std::string_view t = v.substr(slash + 1);
  if (t != "*") {
    std::uint64_t n = 0;
    if (!num(t, n)) return false;
    total = n;
  }
  return true;
}

template <class Stream>
net::awaitable<void> exchange(Impl& impl, Call& call, Connection& conn, Stream& stream,
                              const std::string& target, bool viaProxy, Outcome& out) {
  const HttpRequest& rq = call.request;
  const HttpClientOptions& opt = impl.options;
  const std::string where = call.url.str();
  http::request<http::empty_body> req{
      rq.method == HttpRequest::Method::Head ? http::verb::head : http::verb::get, target, 11};
  req.set(http::field::host, call.url.hostHeader());
  req.set(http::field::user_agent, opt.userAgent);
  if (viaProxy && !call.url.https() && !call.pool->proxyAuth.empty())
    req.set(http::field::proxy_authorization, call.pool->proxyAuth);
  for (const auto& [k, v] : rq.headers)
    req.set(k, v);

  // The window of entity bytes still wanted, and the Range header that asks for it.
  std::string range;
  if (rq.range) {
    const HttpByteRange& r = *rq.range;
    if (call.absStart) {
      range = "bytes=" + std::to_string(*call.absStart + call.delivered) + "-" +
              (call.absEnd ? std::to_string(*call.absEnd - 1) : "");
    } else if (r.suffix) {
      range = "bytes=-" + std::to_string(r.length.value_or(0));
    } else {
      range = "bytes=" + std::to_string(r.offset + call.delivered) + "-" +
              (r.length ? std::to_string(r.offset + *r.length - 1) : "");
    }
  } else if (call.delivered > 0 && !call.gzip) {
    range = "bytes=" + std::to_string(call.delivered) + "-";
  }
  if (!range.empty()) req.set(http::field::range, range);
  const bool gzipOk = !rq.range && (call.delivered == 0 || call.gzip);
  req.set(http::field::accept_encoding, gzipOk ? "gzip" : "identity");
  if (opt.signer) {
    std::vector<std::pair<std::string, std::string>> auth;
    if (!range.empty()) auth.emplace_back("Range", range);
    const std::size_t given = auth.size();
    opt.signer->sign(rq.method == HttpRequest::Method::Head ? "HEAD" : "GET", call.url.hostHeader(),
                     call.url.target, auth);
    for (std::size_t i = given; i < auth.size(); ++i)
      req.set(auth[i].first, auth[i].second);
  }

  beast::error_code ec;
  conn.lowest().expires_after(opt.readTimeout);
  co_await http::async_write(stream, req, tok(ec));
  impl.requests++;
  if (ec) {
    out = {Outcome::Retry, {Errc::Network, where + ": sending the request: " + describeEc(ec)}};
    out.stale = conn.reused;
    co_return;
  }

  http::response_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(opt.maxHeaderBytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  if (rq.method == HttpRequest::Method::Head) parser.skip(true);
  conn.lowest().expires_after(opt.readTimeout);
  // One large read first: Beast reads at most 64 KiB at a time, so a 64 KiB object would
  // otherwise always need a second read for its tail. The parser then starts from the buffer.
  if (conn.buffer.size() == 0) {
    const std::size_t n =
        co_await stream.async_read_some(conn.buffer.prepare(conn.buffer.capacity()), tok(ec));
    conn.buffer.commit(n);
  }
  if (!ec) co_await http::async_read_header(stream, conn.buffer, parser, tok(ec));
  if (ec) {
    if (ec == http::error::header_limit) {
      out = {Outcome::Fail,
             {Errc::Corrupt, where + ": response headers exceed " +
                                 std::to_string(opt.maxHeaderBytes / 1024) + " KiB"}};
      co_return;
    }
    out = {Outcome::Retry, {Errc::Network, where + ": reading the response: " + describeEc(ec)}};
    out.stale =
        conn.reused && (ec == http::error::end_of_stream || ec == net::error::eof ||
                        ec == ssl::error::stream_truncated || ec == net::error::connection_reset);
    co_return;
  }
  auto& res = parser.get();
  const int status = static_cast<int>(res.result_int());
  auto field = [&](http::field f) { return std::string(res[f]); };

  if (opt.signer && (status == 301 || status == 307 || status == 400) &&
      !res["x-amz-bucket-region"].empty()) {
    // S3 says the bucket lives in another region: sign for it (and use its host) and retry.
    const std::string next =
        opt.signer->regionRedirect(where, std::string(res["x-amz-bucket-region"]));
    if (!next.empty()) {
      out = {Outcome::Redirect};
      out.location = next;
      out.resign = next == where;
      co_return;
    }
  }
  if (isRedirect(status) && !res[http::field::location].empty()) {
    out = {Outcome::Redirect};
    out.location = field(http::field::location);
    co_return;
  }
  if (status == 429 || status >= 500) {
    out = {
        Outcome::Retry,
        {Errc::Network, where + ": HTTP " + std::to_string(status) + " " + httpStatusText(status)}};
    out.retryAfter = parseRetryAfter(field(http::field::retry_after));
    co_return;
  }

  HttpResponse& resp = call.response;
  const bool first = resp.status == 0;
  const std::string etag = field(http::field::etag), lastMod = field(http::field::last_modified);
  if (first) {
    call.etag = etag;
    call.lastModified = lastMod;
    for (const auto& f : res)
      resp.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  } else if ((!call.etag.empty() && etag != call.etag) ||
             (call.etag.empty() && !call.lastModified.empty() && lastMod != call.lastModified)) {
    out = {Outcome::Fail,
           {Errc::Corrupt, where + ": changed on the server during the transfer (ETag/Last-"
                                   "Modified differ between attempts)"}};
    co_return;
  }
  resp.status = status;

  const auto contentLength = parser.content_length();
  if (rq.method == HttpRequest::Method::Head || status < 200 || status >= 300) {
    // HEAD, or a final error status: keep a short body for messages, then finish.
    if (rq.method == HttpRequest::Method::Head) {
      if (contentLength) resp.totalLength = *contentLength;
      out = {Outcome::Done};
      out.reuse = parser.keep_alive();
      co_return;
    }
    // The connection's body buffer, not an array here: that would grow every request's
    // coroutine frame by its size.
    if (conn.body.empty()) conn.body.resize(256 * 1024);
    const std::size_t piece = 16 * 1024;
    while (!parser.is_done() && resp.body.size() < 64 * 1024) {
      res.body().data = conn.body.data();
      res.body().size = piece;
      conn.lowest().expires_after(opt.readTimeout);
      co_await http::async_read(stream, conn.buffer, parser, tok(ec));
      if (ec == http::error::need_buffer) ec = {};
      resp.body.insert(resp.body.end(), conn.body.data(),
                       conn.body.data() + (piece - res.body().size));
      if (ec) break;
    }
    out = {Outcome::Done};
    out.reuse = !ec && parser.is_done() && parser.keep_alive();
    co_return;
  }

  const std::string encoding = field(http::field::content_encoding);
  const bool gz =
      encoding.find("gzip") != std::string::npos || encoding.find("deflate") != std::string::npos;
  std::uint64_t pos = 0;  // entity offset of the next body byte (decoded)
  std::optional<std::uint64_t> total;
  if (status == 206) {
    std::uint64_t a = 0, b = 0;
    if (gz || !parseContentRange(field(http::field::content_range), a, b, total)) {
      out = {Outcome::Fail,
             {Errc::Corrupt, where + ": malformed or encoded 206 response (" +
                                 field(http::field::content_range) + ")"}};
      co_return;
    }
    pos = a;
    if (!call.absStart) {
      call.absStart = a;
      call.absEnd = b + 1;
    }
  } else {
    if (!gz && contentLength) total = *contentLength;
    if (rq.range && !call.absStart) {
      if (rq.range->suffix) {
        if (!total) {
          out = {Outcome::Fail,
                 {Errc::Unsupported, where + ": the server ignores Range "
                                             "and sends no length"}};
          co_return;
        }
        call.absStart = *total - std::min(*total, rq.range->length.value_or(0));
        call.absEnd = *total;
      } else {
        call.absStart = rq.range->offset;
        if (rq.range->length) call.absEnd = rq.range->offset + *rq.range->length;
      }
    }
    if (!call.absStart) call.absStart = 0;
  }
  if (total) resp.totalLength = total;
  if (call.delivered == 0) call.gzip = gz;
  const std::uint64_t wantStart = *call.absStart + call.delivered;
  if (pos > wantStart) {
    out = {Outcome::Fail,
           {Errc::Corrupt, where + ": the server sent bytes from " + std::to_string(pos) +
                               ", wanted " + std::to_string(wantStart)}};
    co_return;
  }

  bool reachedEnd = false, aborted = false, tooBig = false;
  // Passes the part of [pos, pos + n) inside the wanted window to the consumer.
  auto deliver = [&](std::span<const std::uint8_t> piece) {
    const std::uint64_t begin = pos, end = pos + piece.size();
    pos = end;
    const std::uint64_t want = *call.absStart + call.delivered;
    std::uint64_t from = std::max(begin, want), to = end;
    if (call.absEnd) to = std::min(to, *call.absEnd);
    if (call.absEnd && pos >= *call.absEnd) reachedEnd = true;
    if (from >= to) return !reachedEnd;
    auto part = piece.subspan(from - begin, to - from);
    if (rq.sink) {
      if (!rq.sink(part)) {
        aborted = true;
        return false;
      }
    } else {
      if (resp.body.size() + part.size() > opt.maxBodyBytes) {
        tooBig = true;
        return false;
      }
      resp.body.insert(resp.body.end(), part.begin(), part.end());
    }
    call.delivered += part.size();
    return !reachedEnd;
  };
  std::unique_ptr<GzipInflater> inflater;
  if (gz) inflater = std::make_unique<GzipInflater>();
  // With a Content-Length the body is read straight from the socket into a large buffer (one
  // copy, 256 KiB reads); chunked or until-close bodies go through Beast's parser.
  const bool direct = contentLength.has_value();
  if (direct && !rq.sink && !gz && resp.body.empty())
    resp.body.reserve(
        static_cast<std::size_t>(std::min<std::uint64_t>(*contentLength, opt.maxBodyBytes)));
  std::uint64_t remaining = direct ? *contentLength : 0;
  if (conn.body.empty()) conn.body.resize(256 * 1024);
  std::vector<std::uint8_t>& buf = conn.body;
  bool gzipBroken = false;
  bool finished = direct ? remaining == 0 : parser.is_done();
  while (!finished) {
    std::size_t n = 0;
    // Body bytes that arrived with the header are delivered from the parser's buffer in place
    // (for small objects that is most of the body: one copy fewer).
    const std::uint8_t* data = buf.data();
    std::size_t buffered = 0;
    if (direct) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining, buf.size()));
      if (conn.buffer.size() > 0) {
        n = buffered =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining, conn.buffer.size()));
        data = static_cast<const std::uint8_t*>(conn.buffer.data().data());
      } else {
        conn.lowest().expires_after(opt.readTimeout);
        n = co_await stream.async_read_some(net::buffer(buf.data(), want), tok(ec));
        if (ec == net::error::eof || ec == ssl::error::stream_truncated)
          ec = http::error::partial_message;
      }
      remaining -= n;
      finished = remaining == 0;
    } else {
      res.body().data = buf.data();
      res.body().size = buf.size();
      conn.lowest().expires_after(opt.readTimeout);
      co_await http::async_read(stream, conn.buffer, parser, tok(ec));
      if (ec == http::error::need_buffer) ec = {};
      n = buf.size() - res.body().size;
      finished = parser.is_done();
    }
    if (n) {
      const std::span<const std::uint8_t> raw(data, n);
      const bool more = inflater ? inflater->feed(raw, deliver) : deliver(raw);
      if (!more && inflater && !aborted && !tooBig && !reachedEnd) gzipBroken = true;
    }
    if (buffered) conn.buffer.consume(buffered);
    if (aborted) {
      out = {Outcome::Fail, {Errc::Cancelled, where + ": cancelled by the receiver"}};
      co_return;
    }
    if (tooBig) {
      out = {Outcome::Fail,
             {Errc::Corrupt,
              where + ": body larger than " + std::to_string(opt.maxBodyBytes) + " bytes"}};
      co_return;
    }
    if (gzipBroken) {
      out = {Outcome::Retry, {Errc::Corrupt, where + ": " + inflater->error()}};
      co_return;
    }
    if (reachedEnd) {
      out = {Outcome::Done};
      co_return;  // the server ignored the range; the rest of its body is not wanted
    }
    if (ec) {
      out = {Outcome::Retry,
             {Errc::Network, where + ": body interrupted after " + std::to_string(call.delivered) +
                                 " bytes: " + describeEc(ec)}};
      co_return;
    }
  }
  if (inflater && !inflater->finish()) {
    out = {Outcome::Retry, {Errc::Corrupt, where + ": " + inflater->error()}};
    co_return;
  }
  beast::error_code availEc;
  const std::size_t extra =
      conn.buffer.size() + (conn.tls ? 0 : conn.lowest().socket().available(availEc));
  if (extra > 0) {
    out = {Outcome::Fail,
           {Errc::Corrupt, where + ": body longer than its declared length (" +
                               std::to_string(extra) + " extra bytes)"}};
    co_return;
  }
  out = {Outcome::Done};
  out.reuse = parser.keep_alive();
}

}  // namespace

net::awaitable<std::optional<Error>> Impl::connect(Call& call, Connection& conn) {
  const HttpClientOptions& opt = options;
  const std::string where = call.url.str();
  std::string host = call.url.host;
  std::uint16_t port = call.url.port;
  const bool viaProxy = !call.pool->proxy.empty();
  if (viaProxy) {
    auto p = parseUrl(call.pool->proxy);
    if (!p) co_return Error{Errc::InvalidArgument, "proxy " + p.error().message};
    host = p->host;
    port = p->port;
  }
  beast::error_code ec;
  tcp::resolver resolver(io);
  auto endpoints = co_await resolver.async_resolve(host, std::to_string(port), tok(ec));
  if (ec) co_return Error{Errc::Network, where + ": cannot resolve " + host + ": " + ec.message()};
  conn.tcp.expires_after(opt.connectTimeout);
  co_await conn.tcp.async_connect(endpoints, tok(ec));
  if (ec)
    co_return Error{Errc::Network, where + ": connecting to " + host + ":" + std::to_string(port) +
                                       ": " + describeEc(ec)};
  connections++;
  conn.tcp.socket().set_option(tcp::no_delay(true), ec);
  if (viaProxy && call.url.https()) {
    const std::string authority = call.url.host + ":" + std::to_string(call.url.port);
    http::request<http::empty_body> req{http::verb::connect, authority, 11};
    req.set(http::field::host, authority);
    req.set(http::field::user_agent, opt.userAgent);
    if (!call.pool->proxyAuth.empty())
      req.set(http::field::proxy_authorization, call.pool->proxyAuth);
    conn.tcp.expires_after(opt.readTimeout);
    co_await http::async_write(conn.tcp, req, tok(ec));
    http::response_parser<http::empty_body> p;
    p.skip(true);
    if (!ec) co_await http::async_read_header(conn.tcp, conn.buffer, p, tok(ec));
    if (ec || p.get().result_int() != 200)
      co_return Error{Errc::Network,
                      where + ": proxy " + call.pool->proxy + " refused CONNECT" +
                          (ec ? ": " + describeEc(ec)
                           : p.get().result_int() == 407
                               ? " (HTTP 407: the proxy wants credentials, as in "
                                 "https_proxy=http://user:password@host:port)"
                               : " (HTTP " + std::to_string(p.get().result_int()) + ")")};
  }
  if (call.url.https()) {
    auto ctx = tlsContext();
    if (!ctx) co_return ctx.error();
    conn.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(conn.tcp), **ctx);
    boost::system::error_code ipEc;
    net::ip::make_address(call.url.host, ipEc);
    if (ipEc) SSL_set_tlsext_host_name(conn.tls->native_handle(), call.url.host.c_str());
    if (opt.insecure) {
      conn.tls->set_verify_mode(ssl::verify_none);
    } else {
      conn.tls->set_verify_mode(ssl::verify_peer);
      conn.tls->set_verify_callback(ssl::host_name_verification(call.url.host));
    }
    conn.lowest().expires_after(opt.connectTimeout);
    co_await conn.tls->async_handshake(ssl::stream_base::client, tok(ec));
    if (ec) {
      std::string why = describeEc(ec);
      const long verify = SSL_get_verify_result(conn.tls->native_handle());
      if (verify != X509_V_OK)
        why = std::string("certificate not trusted: ") + X509_verify_cert_error_string(verify) +
              " (trust its CA with the CA-file option, or opt in to insecure mode)";
      co_return Error{Errc::Network, where + ": TLS handshake failed: " + why};
    }
  }
  co_return std::nullopt;
}

net::awaitable<Outcome> Impl::attempt(std::shared_ptr<Call> call,
                                      std::shared_ptr<Connection> conn) {
  Outcome out;
  try {
    if (!conn) {
      conn = std::make_shared<Connection>(io);
      call->conn = conn;
      auto err = co_await connect(*call, *conn);
      if (err) {
        const bool permanent = err->code == Errc::InvalidArgument ||
                               err->message.find("TLS handshake") != std::string::npos ||
                               err->message.find("cannot resolve") != std::string::npos;
        out = {permanent ? Outcome::Fail : Outcome::Retry, *err};
        co_return out;
      }
    }
    if (call->state != Call::State::Active) co_return out;
    const bool viaProxy = !call->pool->proxy.empty();
    const std::string target = viaProxy && !call->url.https() ? call->url.str() : call->url.target;
    if (conn->tls)
      co_await exchange(*this, *call, *conn, *conn->tls, target, viaProxy, out);
    else
      co_await exchange(*this, *call, *conn, conn->tcp, target, viaProxy, out);
  } catch (const std::exception& e) {
    out = {Outcome::Fail, {Errc::Network, call->url.str() + ": " + e.what()}};
  }
  co_return out;
}

}  // namespace tessera::data::http_detail
