// Remote images through HttpStore and openImage(URL), served by a real nginx on loopback:
// every tile equals the local copy (NGFF 0.4, sharded 0.5, OME-TIFF), missing chunks are the
// fill value, status mapping, HTML error pages, disk cache with offline mode and revalidation.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "data/image_open.h"
#include "data/remote/http_store.h"
#include "data/remote/remote_context.h"
#include "tests/fixtures/remote/test_servers.h"

using namespace tessera::data;
using namespace tessera::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "remote_store";
const fs::path kWww = kWork / "www";

HttpClientOptions fastOptions() {
  HttpClientOptions o;
  o.proxy = ProxySettings{};
  o.backoffBase = 10ms;
  o.backoffMax = 50ms;
  o.readTimeout = 2s;
  o.maxRetries = 2;
  return o;
}

int countIn(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// Every tile of every level, channel, t and z of `remote` equals `local`.
void compareAllTiles(const TileSource& local, const TileSource& remote, int minTiles = 8) {
  const ImageInfo& a = local.info();
  const ImageInfo& b = remote.info();
  QCOMPARE(b.levels.size(), a.levels.size());
  QCOMPARE(b.dtype, a.dtype);
  QCOMPARE(b.channels.size(), a.channels.size());
  int tiles = 0;
  for (std::size_t l = 0; l < a.levels.size(); ++l) {
    const LevelInfo& L = a.levels[l];
    QCOMPARE(b.levels[l].shape, L.shape);
    for (std::int64_t t = 0; t < L.shape[kT]; ++t)
      for (std::int64_t c = 0; c < L.shape[kC]; ++c)
        for (std::int64_t z = 0; z < L.shape[kZ]; ++z)
          for (std::int64_t r = 0; r < tileRows(L); ++r)
            for (std::int64_t col = 0; col < tileCols(L); ++col) {
              const TileKey key{static_cast<int>(l), t, c, z, r, col};
              auto x = local.readTile(key, {});
              auto y = remote.readTile(key, {});
              QVERIFY(x);
              QVERIFY2(y, y ? "" : y.error().message.c_str());
              QCOMPARE(y->width, x->width);
              QCOMPARE(y->height, x->height);
              QVERIFY(y->data == x->data);
              ++tiles;
            }
  }
  QVERIFY(tiles >= minTiles);
}
}  // namespace

class TestRemoteStore : public QObject {
  Q_OBJECT
  std::unique_ptr<NginxServer> nginx_;
  std::shared_ptr<HttpClient> client_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " + kWww.string();
    QCOMPARE(std::system(gen.c_str()), 0);
    fs::copy_file(fs::path(TESSERA_TEST_DATA_DIR) / "ome-tiff/multi-channel.ome.tif",
                  kWww / "multi-channel.ome.tif");
    std::ofstream(kWww / "index.html") << "<!DOCTYPE html><html><body>Welcome</body></html>";
    // A group whose level-0 array metadata is an HTML page served with status 200.
    fs::create_directories(kWww / "htmlarray.zarr/0");
    fs::copy_file(kWww / "img04.ome.zarr/.zgroup", kWww / "htmlarray.zarr/.zgroup");
    fs::copy_file(kWww / "img04.ome.zarr/.zattrs", kWww / "htmlarray.zarr/.zattrs");
    fs::create_directories(kWww / "htmlarray.zarr/1");
    fs::copy_file(kWww / "img04.ome.zarr/1/.zarray", kWww / "htmlarray.zarr/1/.zarray");
    std::ofstream(kWww / "htmlarray.zarr/0/.zarray") << "\n<html><body>Sign in</body></html>";
    NginxServer::Options opt;
    opt.extraServerConfig =
        "location /spa/ { try_files $uri /index.html; }\n"
        "location /private/ { return 403; }\n"
        "location /broken/ { return 500; }\n";
    nginx_ = std::make_unique<NginxServer>(kWww, kWork / "nginx", opt);
    QVERIFY2(nginx_->ok(), nginx_->errorLog().c_str());
    client_ = *HttpClient::create(fastOptions());
    setRemoteContext({client_, nullptr, false});
  }
  void cleanupTestCase() {
    setRemoteContext({});
    nginx_.reset();
  }

  void remoteNgff04EqualsLocalTileForTile() {
    auto local = openImage((kWww / "img04.ome.zarr").string());
    auto remote = openImage(nginx_->url("img04.ome.zarr"));
    QVERIFY(local);
    QVERIFY2(remote, remote ? "" : remote.error().message.c_str());
    QCOMPARE((*remote)->info().format, (*local)->info().format);
    QCOMPARE((*remote)->info().channels[1].name, std::string("CD3"));
    compareAllTiles(**local, **remote);
    // The zero region's chunks do not exist: the server said 404 and the tile is zeros.
    QVERIFY(nginx_->accessLog().find(" 404 \"GET /img04.ome.zarr/0/0/0/0 ") != std::string::npos);
    auto t = (*remote)->readTile({0, 0, 0, 0, 0, 0}, {});
    QVERIFY(t && std::all_of(t->data.begin(), t->data.end(), [](auto v) { return v == 0; }));
    // Opening by the URL of the group's metadata file works too.
    QVERIFY(openImage(nginx_->url("img04.ome.zarr/.zattrs")));
  }

  void remoteShardedNgff05EqualsLocalWithRangeReads() {
    auto local = openImage((kWww / "img05.ome.zarr").string());
    auto remote = openImage(nginx_->url("img05.ome.zarr/"));
    QVERIFY(local);
    QVERIFY2(remote, remote ? "" : remote.error().message.c_str());
    QCOMPARE((*remote)->info().format, std::string("ome-zarr 0.5"));
    compareAllTiles(**local, **remote);
    const std::string log = nginx_->accessLog();
    QVERIFY(countIn(log, "GET /img05.ome.zarr/0/c/0/1/1 HTTP/1.1\" \"bytes=") >= 2);
    QVERIFY(countIn(log, "\"bytes=-") >= 1);  // the shard index at the end: a suffix range
  }

  void remoteOmeTiffEqualsLocal() {
    auto local = openImage((kWww / "multi-channel.ome.tif").string());
    auto remote = openImage(nginx_->url("multi-channel.ome.tif"));
    QVERIFY(local);
    QVERIFY2(remote, remote ? "" : remote.error().message.c_str());
    QCOMPARE((*remote)->info().format, std::string("ome-tiff"));
    compareAllTiles(**local, **remote, 2);
  }

  void keepsConnectionsAlive() {
    const auto before = client_->stats();
    auto remote = openImage(nginx_->url("img04.ome.zarr"));
    QVERIFY(remote);
    for (int i = 0; i < 20; ++i)
      QVERIFY((*remote)->readTile({0, 0, 1, 0, 2, i % 7}, {}));
    const auto after = client_->stats();
    QVERIFY(after.requests - before.requests >= 20);
    QVERIFY(after.connections - before.connections <= 2);
  }

  void storeMapsStatusesToErrors() {
    auto store = *HttpStore::open(client_, nginx_->url("img04.ome.zarr"));
    auto missing = store->read("0/0/0/0");
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    QVERIFY(missing.error().message.find("/img04.ome.zarr/0/0/0/0: HTTP 404") != std::string::npos);
    auto priv = (*HttpStore::open(client_, nginx_->url("private")))->read("x/.zarray");
    QCOMPARE(priv.error().code, Errc::NotFound);  // 403 on S3 means "no such key" for anonymous
    auto broken = (*HttpStore::open(client_, nginx_->url("broken")))->read("0/0/0");
    QVERIFY(!broken);
    QCOMPARE(broken.error().code, Errc::Network);
    QVERIFY(broken.error().message.find("HTTP 500") != std::string::npos);
    auto size = store->size(".zattrs");
    QVERIFY(size);
    QCOMPARE(*size, std::uint64_t(fs::file_size(kWww / "img04.ome.zarr/.zattrs")));
    auto beyond = store->readRange(".zattrs", *size - 4, 100);
    QVERIFY(!beyond);
    QCOMPARE(beyond.error().code, Errc::Corrupt);
    QVERIFY(store->exists(".zgroup"));
    QVERIFY(!store->exists("nope/.zarray"));
    QCOMPARE(store->list("").error().code, Errc::Unsupported);
  }

  void htmlPagesWhereMetadataWasExpectedAreClearErrors() {
    auto spa = openImage(nginx_->url("spa/some.zarr"));
    QVERIFY(!spa);
    QCOMPARE(spa.error().code, Errc::Corrupt);
    QVERIFY2(spa.error().message.find("server sent an HTML page") != std::string::npos,
             spa.error().message.c_str());
    auto arr = openImage(nginx_->url("htmlarray.zarr"));
    QVERIFY(!arr);
    QVERIFY2(arr.error().message.find("0/.zarray") != std::string::npos &&
                 arr.error().message.find("HTML page") != std::string::npos,
             arr.error().message.c_str());
  }

  void badUrlsAreClearErrors() {
    auto ftp = openImage("ftp://example.org/a.zarr");
    QVERIFY(!ftp);
    QCOMPARE(ftp.error().code, Errc::InvalidArgument);
    QVERIFY(ftp.error().message.find("scheme ftp is not supported") != std::string::npos);
    auto missing = openImage(nginx_->url("absent.zarr"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
    QVERIFY(missing.error().message.find("absent.zarr") != std::string::npos);
    const std::string closed = "http://127.0.0.1:" + std::to_string(freeLoopbackPort()) + "/x.zarr";
    auto refused = openImage(closed);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, Errc::Network);
    QVERIFY(refused.error().message.find("127.0.0.1") != std::string::npos);
  }

  void diskCacheServesOfflineAndRevalidates() {
    auto cache = *DiskCache::open(kWork / "cache");
    HttpStoreOptions online;
    online.cache = cache;
    auto store = *HttpStore::open(client_, nginx_->url("img04.ome.zarr"), online);
    auto chunk = store->read("0/0/2/3");
    QVERIFY(chunk);
    auto range = store->readRange("0/0/2/3", 10, 20);
    QVERIFY(range);
    const int before = countIn(nginx_->accessLog(), "GET /img04.ome.zarr/0/0/2/3 ");
    HttpStoreOptions offline = online;
    offline.offline = true;
    auto off = *HttpStore::open(client_, nginx_->url("img04.ome.zarr"), offline);
    QVERIFY(*off->read("0/0/2/3") == *chunk);
    QVERIFY(*off->readRange("0/0/2/3", 10, 20) == *range);
    auto notCached = off->read("0/0/2/4");
    QVERIFY(!notCached);
    QVERIFY(notCached.error().message.find("offline") != std::string::npos);
    QCOMPARE(countIn(nginx_->accessLog(), "GET /img04.ome.zarr/0/0/2/3 "), before);
    // Stale entries are revalidated: nginx answers 304 and the cached bytes are served.
    HttpStoreOptions stale = online;
    stale.revalidateAfter = 0s;
    auto again = *HttpStore::open(client_, nginx_->url("img04.ome.zarr"), stale);
    QVERIFY(*again->read("0/0/2/3") == *chunk);
    QVERIFY(nginx_->accessLog().find(" 304 \"GET /img04.ome.zarr/0/0/2/3 ") != std::string::npos);
  }

  void faultsNeverLeaveACorruptCacheEntry() {
    std::string body(100000, '\0');
    for (std::size_t i = 0; i < body.size(); ++i)
      body[i] = static_cast<char>(i * 7 + 3);
    FaultServer server([&](const SeenRequest& rq, int i) {
      Reply r{rangeReply(rq, body, "ETag: \"e\"\r\n")};
      if (rq.target == "/always-short") {
        r = Reply{httpReply(200, body.substr(0, 500), "Content-Length: 100000\r\n"), 0, 0ms,
                  Reply::End::Close};
      } else if (i % 2 == 0) {
        r.cutAfter = 40000;
        r.end = Reply::End::Reset;
      }
      return r;
    });
    auto cache = *DiskCache::open(kWork / "cache-faults");
    HttpStoreOptions opt;
    opt.cache = cache;
    auto store = *HttpStore::open(client_, server.url(), opt);
    auto got = store->read("resumed");
    QVERIFY(got);
    QVERIFY(std::string(got->begin(), got->end()) == body);
    auto entry = cache->get(server.url("resumed"));
    QVERIFY(entry);
    QVERIFY(entry->body == *got);
    auto bad = store->read("always-short");
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Network);
    QVERIFY(!cache->get(server.url("always-short")));
    QVERIFY(!fs::exists(cache->entryPath(server.url("always-short"))));
  }
};

QTEST_GUILESS_MAIN(TestRemoteStore)
#include "tst_remote_store.moc"
