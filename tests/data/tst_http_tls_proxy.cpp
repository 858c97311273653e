// HttpClient over TLS and through proxies, against nginx on loopback: certificate
// verification (refused by default, accepted with the CA trusted, host name checked, no
// https→http downgrade, opt-in insecure), plain http proxies, CONNECT tunnels for https, basic
// auth from the proxy URL, and no_proxy.
#include <QtTest>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/remote/http_client.h"
#include "data/remote/url.h"
#include "tests/fixtures/remote/test_servers.h"
#include "tests/support/connect_proxy.h"
#include "tests/support/http_test_client.h"

using namespace tessera::data;
using namespace tessera::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "http_tls_proxy";

bool runOk(const std::string& cmd) {
  return std::system(cmd.c_str()) == 0;
}
}  // namespace

class TestHttpTlsProxy : public QObject {
  Q_OBJECT
  std::string big_;
  std::unique_ptr<NginxServer> tls_;  ///< self-signed for "localhost", started on first use
  std::string cert_;

  // nginx over TLS with a fresh self-signed certificate for localhost (its CA is cert_).
  bool startTls() {
    if (tls_) return tls_->ok();
    const fs::path dir = kWork / "tls";
    fs::create_directories(dir);
    const std::string key = (dir / "key.pem").string();
    cert_ = (dir / "cert.pem").string();
    if (!runOk("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
               "-addext subjectAltName=DNS:localhost -keyout " +
               key + " -out " + cert_ + " >/dev/null 2>&1"))
      return false;
    NginxServer::Options opt;
    opt.certFile = cert_;
    opt.keyFile = key;
    opt.extraServerConfig = "location = /to-http { return 302 http://localhost:1/x; }\n";
    tls_ = std::make_unique<NginxServer>(kWork / "www", kWork / "nginx-tls", opt);
    return tls_->ok();
  }

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork / "www/dir");
    big_ = pattern(3 * 1024 * 1024 + 17, 1);
    std::ofstream(kWork / "www/big.bin", std::ios::binary) << big_;
    std::ofstream(kWork / "www/dir/small.json") << R"({"zarr_format": 2})";
  }
  void cleanupTestCase() { tls_.reset(); }

  void proxySettingsHonourNoProxy() {
    ProxySettings p{"http://proxy:3128", "proxy2:8080", "localhost, .internal.org,10.0.0.1:80"};
    QCOMPARE(p.proxyFor("http", "example.org"), std::string("http://proxy:3128"));
    QCOMPARE(p.proxyFor("https", "example.org"), std::string("http://proxy2:8080"));
    QCOMPARE(p.proxyFor("http", "localhost"), std::string());
    QCOMPARE(p.proxyFor("http", "a.internal.org"), std::string());
    QCOMPARE(p.proxyFor("http", "internal.org"), std::string());
    QCOMPARE(p.proxyFor("http", "notinternal.org"), std::string("http://proxy:3128"));
    QCOMPARE(p.proxyFor("http", "10.0.0.1"), std::string());
    QCOMPARE((ProxySettings{"http://p:1", "", "*"}.proxyFor("http", "x")), std::string());
  }

  void goesThroughAnHttpProxy() {
    FaultServer proxy([&](const SeenRequest& rq, int) { return Reply{httpReply(200, rq.target)}; });
    auto o = fastOptions();
    o.proxy = ProxySettings{proxy.url(), "", "localhost"};
    auto c = makeClient(o);
    auto r = get(*c, "http://data.example.org:8080/a/b.zarr/.zattrs");
    QVERIFY(r);
    QCOMPARE(asString(r->body), std::string("http://data.example.org:8080/a/b.zarr/.zattrs"));
    QCOMPARE(proxy.seen()[0].header("Host"), std::string("data.example.org:8080"));
  }

  void tlsVerifiesUnlessTheCaIsTrusted() {
    QVERIFY(startTls());
    const NginxServer& tls = *tls_;
    const std::string& cert = cert_;
    const std::string url = tls.url("dir/small.json", "localhost");
    auto plain = makeClient();
    auto refused = get(*plain, url);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.find("certificate not trusted") != std::string::npos,
             refused.error().message.c_str());
    auto o = fastOptions();
    o.caFile = cert;
    auto trusting = makeClient(o);
    auto ok = get(*trusting, url);
    QVERIFY2(ok, ok ? "" : ok.error().message.c_str());
    QCOMPARE(asString(ok->body), std::string(R"({"zarr_format": 2})"));
    // The name must match too: the certificate is for localhost, not 127.0.0.1.
    auto wrongName = get(*trusting, tls.url("dir/small.json"));
    QVERIFY(!wrongName);
    QVERIFY(wrongName.error().message.find("TLS handshake failed") != std::string::npos);
    auto downgrade = get(*trusting, tls.url("to-http", "localhost"));
    QVERIFY(!downgrade);
    QVERIFY(downgrade.error().message.find("https to http") != std::string::npos);
    auto io = fastOptions();
    io.insecure = true;
    auto insecure = makeClient(io);
    QVERIFY(get(*insecure, tls.url("dir/small.json")));
    auto badCa = fastOptions();
    badCa.caFile = (kWork / "missing.pem").string();
    auto noClient = HttpClient::create(badCa);
    QVERIFY(!noClient);
    QVERIFY(noClient.error().message.find("missing.pem") != std::string::npos);
  }

  // https through a CONNECT proxy in front of the TLS nginx: the tunnel carries the bytes
  // (verified end to end against the trusted CA); no_proxy bypasses the proxy.
  void httpsTunnelsThroughAConnectProxy() {
    QVERIFY(startTls());
    ConnectProxy proxy;
    auto o = fastOptions();
    o.caFile = cert_;
    o.proxy = ProxySettings{"", proxy.url(), ""};
    auto c = makeClient(o);
    auto r = get(*c, tls_->url("big.bin", "localhost"));
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QCOMPARE(r->status, 200);
    QVERIFY(asString(r->body) == big_);
    auto range = get(*c, tls_->url("big.bin", "localhost"), HttpByteRange{5000, 100, false});
    QVERIFY(range && asString(range->body) == big_.substr(5000, 100));
    const auto seen = proxy.seen();
    QCOMPARE(seen.size(), std::size_t(1));  // one tunnel, kept alive for the second request
    QCOMPARE(seen[0].requestLine,
             "CONNECT localhost:" + std::to_string(tls_->port()) + " HTTP/1.1");
    QVERIFY(proxy.bytesDown() > big_.size());  // TLS records: more than the payload
    o.proxy = ProxySettings{"", proxy.url(), "localhost"};
    auto direct = makeClient(o);
    auto d = get(*direct, tls_->url("big.bin", "localhost"));
    QVERIFY(d && asString(d->body) == big_);
    QCOMPARE(proxy.seen().size(), std::size_t(1));
  }

  // Credentials in the proxy URL (http_proxy=http://user:pass@host:port, percent-decoded)
  // become Proxy-Authorization: Basic on CONNECT and on proxied http requests; a 407 names
  // the cause without printing the password.
  void proxyBasicAuthFromTheProxyUrl() {
    QVERIFY(startTls());
    const std::string expected = "Basic " + QByteArray("alice:s3cr%t").toBase64().toStdString();
    ConnectProxy proxy(expected);
    auto o = fastOptions();
    o.caFile = cert_;
    o.proxy = ProxySettings{"", proxy.url(), ""};
    auto anonymous = get(*makeClient(o), tls_->url("dir/small.json", "localhost"));
    QVERIFY(!anonymous);
    QVERIFY2(anonymous.error().message.find("407") != std::string::npos,
             anonymous.error().message.c_str());
    o.proxy = ProxySettings{"", proxy.url("alice:wrong"), ""};
    auto wrong = get(*makeClient(o), tls_->url("dir/small.json", "localhost"));
    QVERIFY(!wrong);
    QVERIFY(wrong.error().message.find("wrong") == std::string::npos);
    o.proxy = ProxySettings{"", proxy.url("alice:s3cr%25t"), ""};
    auto ok = get(*makeClient(o), tls_->url("dir/small.json", "localhost"));
    QVERIFY2(ok, ok ? "" : ok.error().message.c_str());
    QCOMPARE(asString(ok->body), std::string(R"({"zarr_format": 2})"));
    QCOMPARE(proxy.seen().back().authorization, expected);

    // Plain http through a proxy named by the environment.
    FaultServer plain([&](const SeenRequest& rq, int) {
      return Reply{httpReply(200, rq.header("Proxy-Authorization"))};
    });
    const std::string env = "http://bob:pa%3Ass@127.0.0.1:" + std::to_string(plain.port());
    ::setenv("http_proxy", env.c_str(), 1);
    ::unsetenv("no_proxy");
    ::unsetenv("NO_PROXY");
    auto fromEnv = fastOptions();
    fromEnv.proxy.reset();
    auto viaEnv = get(*makeClient(fromEnv), "http://data.example.org/x.zarr/.zattrs");
    ::unsetenv("http_proxy");
    QVERIFY2(viaEnv, viaEnv ? "" : viaEnv.error().message.c_str());
    QCOMPARE(asString(viaEnv->body), "Basic " + QByteArray("bob:pa:ss").toBase64().toStdString());
    QCOMPARE(plain.seen()[0].target, std::string("http://data.example.org/x.zarr/.zattrs"));
    QCOMPARE(urlUserInfo(env), std::string("bob:pa:ss"));
    QCOMPARE(withoutUserInfo(env), "http://127.0.0.1:" + std::to_string(plain.port()));
  }
};

QTEST_GUILESS_MAIN(TestHttpTlsProxy)
#include "tst_http_tls_proxy.moc"
