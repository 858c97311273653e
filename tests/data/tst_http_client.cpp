// HttpClient against a real nginx on loopback and a scripted fault server: ranges, keep-alive,
// concurrency, priorities, cancellation, retries, resumes, redirects, gzip, bad input. TLS and
// proxies are in tst_http_tls_proxy.cpp.
#include <zlib.h>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <future>

#include "data/remote/http_client.h"
#include "data/remote/url.h"
#include "tests/fixtures/remote/test_servers.h"
#include "tests/support/http_test_client.h"

using namespace tessera::data;
using namespace tessera::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "http_client";

std::string gzipOf(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(text.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

class TestHttpClient : public QObject {
  Q_OBJECT
  std::string big_;
  std::unique_ptr<NginxServer> nginx_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork / "www/dir");
    big_ = pattern(3 * 1024 * 1024 + 17, 1);
    std::ofstream(kWork / "www/big.bin", std::ios::binary) << big_;
    std::ofstream(kWork / "www/dir/small.json") << R"({"zarr_format": 2})";
    NginxServer::Options opt;
    opt.extraServerConfig =
        "location /redir/ { rewrite ^/redir/(.*)$ /$1 redirect; }\n"
        "location = /loop { return 302 /loop2; }\n"
        "location = /loop2 { return 302 /loop; }\n"
        "location ~ ^/chain(\\d)$ { return 302 /chain$1x; }\n"
        "location /gz/ { gzip on; gzip_min_length 0; gzip_types *; alias " +
        (kWork / "www/").string() + "; }\n";
    nginx_ = std::make_unique<NginxServer>(kWork / "www", kWork / "nginx", opt);
    QVERIFY2(nginx_->ok(), nginx_->errorLog().c_str());
  }
  void cleanupTestCase() { nginx_.reset(); }

  void parsesUrlsAndRejectsBadOnes() {
    auto u = parseUrl("HTTPS://Example.ORG:8443/a/b?x=1#frag");
    QVERIFY(u);
    QCOMPARE(u->scheme, std::string("https"));
    QCOMPARE(u->host, std::string("example.org"));
    QCOMPARE(u->port, std::uint16_t(8443));
    QCOMPARE(u->target, std::string("/a/b?x=1"));
    QCOMPARE(parseUrl("http://[::1]/x")->host, std::string("::1"));
    QCOMPARE(parseUrl("http://h")->target, std::string("/"));
    auto ftp = parseUrl("ftp://example.org/x");
    QVERIFY(!ftp);
    QCOMPARE(ftp.error().code, Errc::InvalidArgument);
    QVERIFY(ftp.error().message.find("scheme ftp is not supported") != std::string::npos);
    for (const char* bad : {"http://", "http://exa mple.org/", "http://h:99999/", "http://h:x/",
                            "example.org/x", "http://[::1/x", "s3://bucket/key"})
      QVERIFY2(!parseUrl(bad), bad);
    auto base = *parseUrl("https://h/a/b/c.zarr/.zattrs");
    QCOMPARE(resolveUrl(base, "../x")->str(), std::string("https://h/a/b/x"));
    QCOMPARE(resolveUrl(base, "/root")->str(), std::string("https://h/root"));
    QCOMPARE(resolveUrl(base, "//other/p")->str(), std::string("https://other/p"));
    QCOMPARE(resolveUrl(base, "http://x:81/y")->str(), std::string("http://x:81/y"));
    QCOMPARE(joinUrlPath("http://h/a.zarr/", "0/c 1/.zarray"),
             std::string("http://h/a.zarr/0/c%201/.zarray"));
  }

  void getsWholeObjectsRangesAndSuffixes() {
    auto c = makeClient();
    auto whole = get(*c, nginx_->url("big.bin"));
    QVERIFY(whole);
    QCOMPARE(whole->status, 200);
    QVERIFY(asString(whole->body) == big_);
    auto r = get(*c, nginx_->url("big.bin"), HttpByteRange{1000, 5000, false});
    QVERIFY(r);
    QCOMPARE(r->status, 206);
    QVERIFY(asString(r->body) == big_.substr(1000, 5000));
    QCOMPARE(*r->totalLength, std::uint64_t(big_.size()));
    auto s = get(*c, nginx_->url("big.bin"), HttpByteRange{0, 777, true});
    QVERIFY(s);
    QVERIFY(asString(s->body) == big_.substr(big_.size() - 777));
    auto open =
        get(*c, nginx_->url("big.bin"), HttpByteRange{big_.size() - 10, std::nullopt, false});
    QVERIFY(open);
    QVERIFY(asString(open->body) == big_.substr(big_.size() - 10));
    HttpRequest head;
    head.method = HttpRequest::Method::Head;
    head.url = nginx_->url("big.bin");
    auto h = c->fetch(head);
    QVERIFY(h);
    QCOMPARE(*h->totalLength, std::uint64_t(big_.size()));
    QVERIFY(h->body.empty());
    QVERIFY(!h->header("ETag").empty());
    auto missing = get(*c, nginx_->url("nope"));
    QVERIFY(missing);
    QCOMPARE(missing->status, 404);
  }

  void keepAliveReusesOneConnection() {
    auto o = fastOptions();
    o.maxConnectionsPerHost = 1;
    auto c = makeClient(o);
    for (int i = 0; i < 40; ++i) {
      auto r = get(*c, nginx_->url("dir/small.json"));
      QVERIFY(r && r->status == 200);
    }
    QCOMPARE(c->stats().connections, std::uint64_t(1));
    QCOMPARE(c->stats().requests, std::uint64_t(40));
  }

  // The last owner may let go inside a callback, on the client's own thread (a download job
  // that holds the client, freed by its last completion while the CLI exits): the thread
  // cannot join itself (std::terminate, "Resource deadlock avoided", seen in bench_fetch).
  void lastOwnerMayLetGoOnTheClientsThread() {
    auto c = makeClient();
    std::promise<void> released;
    std::shared_future<void> gate = released.get_future().share();
    auto done = std::make_shared<std::promise<int>>();
    auto status = done->get_future();
    HttpRequest rq;
    rq.url = nginx_->url("dir/small.json");
    c->start(rq, [keep = c, gate, done](Expected<HttpResponse> r) mutable {
      gate.wait();
      const int s = r ? r->status : -1;
      keep.reset();  // the last reference: the client is destroyed on its own thread
      done->set_value(s);
    });
    c.reset();
    released.set_value();
    QCOMPARE(status.get(), 200);
    // A second client works as before: nothing global was torn down with the first.
    auto again = makeClient();
    auto r = get(*again, nginx_->url("dir/small.json"));
    QVERIFY(r && r->status == 200);
  }

  void inflatesGzipBodies() {
    auto c = makeClient();
    HttpRequest rq;
    rq.url = nginx_->url("gz/dir/small.json");
    auto r = c->fetch(rq);
    QVERIFY(r);
    QCOMPARE(r->header("Content-Encoding"), std::string("gzip"));
    QCOMPARE(asString(r->body), std::string(R"({"zarr_format": 2})"));
  }

  void runsAtMostNPerHostAndVisibleFirst() {
    std::mutex m;
    std::vector<std::string> order;
    int inFlight = 0, peak = 0;
    FaultServer server([&](const SeenRequest& rq, int) {
      {
        std::lock_guard lock(m);
        order.push_back(rq.target);
        peak = std::max(peak, ++inFlight);
      }
      // The first two requests hold both slots until well after the later ones queue up, and
      // free them at different times: with two connections, two slots freeing at once would
      // let the server see the next two requests in either order.
      std::this_thread::sleep_for(rq.target == "/bulk0"   ? 250ms
                                  : rq.target == "/bulk1" ? 500ms
                                                          : 20ms);
      {
        std::lock_guard lock(m);
        --inFlight;
      }
      return Reply{httpReply(200, rq.target)};
    });
    auto o = fastOptions();
    o.maxConnectionsPerHost = 2;
    auto c = makeClient(o);
    std::vector<std::future<Expected<HttpResponse>>> results;
    auto launch = [&](const std::string& path, Priority p) {
      HttpRequest rq;
      rq.url = server.url(path);
      rq.priority = p;
      auto pr = std::make_shared<std::promise<Expected<HttpResponse>>>();
      results.push_back(pr->get_future());
      c->start(rq, [pr](Expected<HttpResponse> r) { pr->set_value(std::move(r)); });
    };
    for (int i = 0; i < 8; ++i)
      launch("bulk" + std::to_string(i), Priority::Background);
    std::this_thread::sleep_for(10ms);
    launch("prefetch", Priority::Prefetch);
    launch("visible", Priority::Visible);
    for (auto& f : results)
      QVERIFY(f.get());
    QVERIFY(peak <= 2);
    QCOMPARE(c->stats().peakInFlight, 2);
    auto pos = [&](const std::string& t) {
      return std::find(order.begin(), order.end(), t) - order.begin();
    };
    QVERIFY(pos("/visible") < pos("/prefetch"));
    QVERIFY(pos("/visible") <= 3);  // only the bulk requests already running came first
    QVERIFY(pos("/prefetch") < pos("/bulk7"));
  }

  void cancellingFreesTheSlotAtOnce() {
    FaultServer server([&](const SeenRequest& rq, int) {
      if (rq.target == "/hang") return Reply{"", 0, 0ms, Reply::End::Stall};
      return Reply{httpReply(200, "fast")};
    });
    auto o = fastOptions();
    o.maxConnectionsPerHost = 1;
    o.readTimeout = 30s;
    auto c = makeClient(o);
    HttpRequest hang;
    hang.url = server.url("hang");
    std::promise<Expected<HttpResponse>> hung;
    auto call = c->start(hang, [&](Expected<HttpResponse> r) { hung.set_value(std::move(r)); });
    std::this_thread::sleep_for(100ms);
    HttpRequest fast;
    fast.url = server.url("fast");
    std::promise<Expected<HttpResponse>> quick;
    c->start(fast, [&](Expected<HttpResponse> r) { quick.set_value(std::move(r)); });
    auto qf = quick.get_future();
    QCOMPARE(qf.wait_for(200ms), std::future_status::timeout);  // the only slot is taken
    const auto t0 = std::chrono::steady_clock::now();
    call->cancel();
    auto h = hung.get_future().get();
    QVERIFY(!h);
    QCOMPARE(h.error().code, Errc::Cancelled);
    auto q = qf.get();
    QVERIFY(q && asString(q->body) == "fast");
    QVERIFY(std::chrono::steady_clock::now() - t0 < 1s);
    // A stop token cancels a blocking fetch too.
    std::stop_source stop;
    std::thread canceller([&] {
      std::this_thread::sleep_for(100ms);
      stop.request_stop();
    });
    auto r = c->fetch(hang, stop.get_token());
    canceller.join();
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Cancelled);
  }

  void retriesServerErrorsHonouringRetryAfter() {
    FaultServer server([&](const SeenRequest&, int i) {
      if (i == 0) return Reply{httpReply(503, "busy", "Retry-After: 1\r\n")};
      if (i == 1) return Reply{httpReply(500, "oops")};
      if (i == 2) return Reply{httpReply(429, "slow down", "Retry-After: 0\r\n")};
      return Reply{httpReply(200, "finally")};
    });
    auto c = makeClient();
    const auto t0 = std::chrono::steady_clock::now();
    auto r = get(*c, server.url("x"));
    QVERIFY(r);
    QCOMPARE(asString(r->body), std::string("finally"));
    QVERIFY(std::chrono::steady_clock::now() - t0 >= 1s);
    QCOMPARE(server.seen().size(), std::size_t(4));
    QCOMPARE(c->stats().retries, std::uint64_t(3));
    // Past maxRetries the last status is the error.
    FaultServer down([&](const SeenRequest&, int) { return Reply{httpReply(502, "down")}; });
    auto o = fastOptions();
    o.maxRetries = 2;
    auto c2 = makeClient(o);
    auto e = get(*c2, down.url("x"));
    QVERIFY(!e);
    QCOMPARE(e.error().code, Errc::Network);
    QVERIFY2(e.error().message.find("HTTP 502") != std::string::npos, e.error().message.c_str());
    QVERIFY(e.error().message.find("after 3 attempts") != std::string::npos);
    QCOMPARE(down.seen().size(), std::size_t(3));
  }

  void resumesAfterAResetMidBody() {
    const std::string body = pattern(200000, 2);
    FaultServer server([&](const SeenRequest& rq, int i) {
      Reply r{rangeReply(rq, body, "ETag: \"v1\"\r\n")};
      if (i == 0) {
        r.cutAfter = 120000;
        r.end = Reply::End::Reset;
      }
      return r;
    });
    auto c = makeClient();
    auto r = get(*c, server.url("blob"));
    QVERIFY(r);
    QVERIFY(asString(r->body) == body);
    const auto seen = server.seen();
    QCOMPARE(seen.size(), std::size_t(2));
    QVERIFY(seen[1].header("Range").rfind("bytes=", 0) == 0);
    QVERIFY(seen[1].header("Range") != "bytes=0-");
    QCOMPARE(c->stats().resumes, std::uint64_t(1));
    // A ranged request resumes inside its own window.
    FaultServer server2([&](const SeenRequest& rq, int i) {
      Reply r{rangeReply(rq, body, "ETag: \"v1\"\r\n")};
      if (i == 0) {
        r.cutAfter = 3000;
        r.end = Reply::End::Reset;
      }
      return r;
    });
    auto part = get(*c, server2.url("blob"), HttpByteRange{5000, 60000, false});
    QVERIFY(part);
    QVERIFY(asString(part->body) == body.substr(5000, 60000));
  }

  void detectsAChangedObjectWhileResuming() {
    const std::string v1 = pattern(100000, 3), v2 = pattern(100000, 4);
    FaultServer server([&](const SeenRequest& rq, int i) {
      Reply r{rangeReply(rq, i == 0 ? v1 : v2, i == 0 ? "ETag: \"v1\"\r\n" : "ETag: \"v2\"\r\n")};
      if (i == 0) {
        r.cutAfter = 50000;
        r.end = Reply::End::Reset;
      }
      return r;
    });
    auto c = makeClient();
    auto r = get(*c, server.url("blob"));
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Corrupt);
    QVERIFY(r.error().message.find("changed on the server") != std::string::npos);
  }

  void slowBodiesFinishAndStalledOnesRetry() {
    const std::string body = pattern(30000, 5);
    FaultServer server([&](const SeenRequest& rq, int i) {
      Reply r{rangeReply(rq, body)};
      if (rq.target == "/slow") {
        r.pieceSize = 3000;
        r.pieceDelay = 100ms;  // 1 s in all, each gap well inside the read timeout
      } else if (i == 0 || (rq.target == "/stall" && server.seen().size() == 1)) {
        r.cutAfter = 1000;
        r.end = Reply::End::Stall;
      }
      return r;
    });
    auto o = fastOptions();
    o.readTimeout = 400ms;
    auto c = makeClient(o);
    auto stalled = get(*c, server.url("stall"));
    QVERIFY(stalled);
    QVERIFY(asString(stalled->body) == body);
    auto slow = get(*c, server.url("slow"));
    QVERIFY(slow);
    QVERIFY(asString(slow->body) == body);
  }

  void wrongContentLengthsAreCaught() {
    const std::string body = pattern(5000, 6);
    FaultServer shortBody([&](const SeenRequest& rq, int i) {
      if (i == 0)  // declares more than it sends, then closes
        return Reply{httpReply(200, body.substr(0, 3000), "Content-Length: 5000\r\n"), 0, 0ms,
                     Reply::End::Close};
      return Reply{rangeReply(rq, body)};
    });
    auto c = makeClient();
    auto r = get(*c, shortBody.url("x"));
    QVERIFY(r);
    QVERIFY(asString(r->body) == body);
    FaultServer longBody([&](const SeenRequest&, int) {
      return Reply{httpReply(200, body, "Content-Length: 4000\r\n"), 0, 0ms, Reply::End::Close};
    });
    auto bad = get(*c, longBody.url("x"));
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Corrupt);
    QVERIFY2(bad.error().message.find("longer than its declared length") != std::string::npos,
             bad.error().message.c_str());
  }

  void truncatedGzipIsRetried() {
    const std::string text(50000, 'a');
    const std::string gz = gzipOf(text + pattern(1000, 7));
    FaultServer server([&](const SeenRequest&, int i) {
      const std::string payload = i == 0 ? gz.substr(0, gz.size() / 2) : gz;
      return Reply{httpReply(200, payload, "Content-Encoding: gzip\r\n")};
    });
    auto c = makeClient();
    auto r = get(*c, server.url("x"));
    QVERIFY(r);
    QVERIFY(asString(r->body) == text + pattern(1000, 7));
    QCOMPARE(server.seen().size(), std::size_t(2));
    QCOMPARE(server.seen()[0].header("Accept-Encoding"), std::string("gzip"));
  }

  void enormousHeadersAreAnError() {
    FaultServer server([&](const SeenRequest&, int) {
      return Reply{httpReply(200, "x", "X-Junk: " + std::string(200000, 'j') + "\r\n")};
    });
    auto c = makeClient();
    auto r = get(*c, server.url("x"));
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Corrupt);
    QVERIFY(r.error().message.find("headers exceed") != std::string::npos);
  }

  void followsRedirectsWithinLimits() {
    auto c = makeClient();
    auto r = get(*c, nginx_->url("redir/dir/small.json"));
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->url, nginx_->url("dir/small.json"));
    auto loop = get(*c, nginx_->url("loop"));
    QVERIFY(!loop);
    QVERIFY2(loop.error().message.find("redirect loop") != std::string::npos,
             loop.error().message.c_str());
    FaultServer chain([&](const SeenRequest& rq, int) {
      return Reply{httpReply(302, "", "Location: " + rq.target + "x\r\n")};
    });
    auto many = get(*c, chain.url("a"));
    QVERIFY(!many);
    QVERIFY(many.error().message.find("too many redirects") != std::string::npos);
    QCOMPARE(chain.seen().size(), std::size_t(6));
  }

  void badUrlsFailCleanly() {
    auto c = makeClient();
    for (const char* bad : {"ftp://example.org/x", "http//nope", "http://bad host/"}) {
      auto r = get(*c, bad);
      QVERIFY(!r);
      QCOMPARE(r.error().code, Errc::InvalidArgument);
      QVERIFY(r.error().message.find(bad) != std::string::npos);
    }
    auto o = fastOptions();
    o.maxRetries = 1;
    auto c2 = makeClient(o);
    auto refused = get(*c2, "http://127.0.0.1:" + std::to_string(freeLoopbackPort()) + "/x");
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Errc::Network);
    QVERIFY(refused.error().message.find("connecting to 127.0.0.1") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_http_client.moc"
