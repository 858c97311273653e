// Download jobs against nginx: an OME-Zarr tree enumerated from metadata arrives byte for byte
// (absent chunks stay absent), single files with size/sha256 checks, resume from a partial file
// with a Range request, pause/resume, cancel, a full disk, and keys that would escape the output
// folder.
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "data/image_open.h"
#include "data/remote/download.h"
#include "data/thread_pool.h"
#include "tests/fixtures/remote/test_servers.h"

using namespace tessera::data;
using namespace tessera::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "download_manager";
const fs::path kWww = kWork / "www";

}  // namespace

class TestDownloadManager : public QObject {
  Q_OBJECT
  std::unique_ptr<NginxServer> nginx_;
  std::shared_ptr<HttpClient> client_;
  std::unique_ptr<ThreadPool> pool_;
  std::string big_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " + kWww.string();
    QCOMPARE(std::system(gen.c_str()), 0);
    const std::string plates = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                               "/tests/fixtures/remote/make_plate_fixtures.py " + kWww.string();
    QCOMPARE(std::system(plates.c_str()), 0);
    std::mt19937 rng(9);
    big_.resize(6 * 1024 * 1024);
    for (auto& c : big_)
      c = static_cast<char>(rng());
    std::ofstream(kWww / "table.h5ad", std::ios::binary) << big_;
    std::ofstream(kWww / "medium.bin", std::ios::binary) << big_.substr(0, 1'500'000);
    NginxServer::Options opt;
    opt.extraServerConfig = "location /slow/ { limit_rate 1m; alias " + kWww.string() + "/; }\n";
    nginx_ = std::make_unique<NginxServer>(kWww, kWork / "nginx", opt);
    QVERIFY2(nginx_->ok(), nginx_->errorLog().c_str());
    HttpClientOptions o;
    o.proxy = ProxySettings{};
    o.backoffBase = 10ms;
    client_ = *HttpClient::create(o);
    pool_ = std::make_unique<ThreadPool>(1);
  }
  void cleanupTestCase() {
    pool_.reset();
    nginx_.reset();
  }

  void refusesKeysThatEscapeTheFolder() {
    for (const char* bad : {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a\\b", ""}) {
      auto r = safeJoin("/data/out", bad);
      QVERIFY2(!r, bad);
      QCOMPARE(r.error().code, Errc::InvalidArgument);
    }
    QVERIFY(safeJoin("/data/out", "../x").error().message.find("refusing to save \"../x\"") !=
            std::string::npos);
    QCOMPARE(*safeJoin("/data/out", "a.zarr/0/.zarray"), fs::path("/data/out/a.zarr/0/.zarray"));
  }

  void plansAZarrTreeFromMetadataAlone() {
    auto plan = planDownload(*client_, nginx_->url("img05.ome.zarr"));
    QVERIFY2(plan, plan ? "" : plan.error().message.c_str());
    QVERIFY(plan->zarr);
    QCOMPARE(plan->name, std::string("img05.ome.zarr"));
    std::set<std::string> rels;
    for (const auto& i : plan->items)
      rels.insert(i.relPath);
    // Every file on the server is planned (shards: 2 channels x 3 x 3 at level 0, ...).
    for (const auto& f : treeFiles(kWww / "img05.ome.zarr"))
      QVERIFY2(rels.count("img05.ome.zarr/" + f), f.c_str());
    QVERIFY(rels.count("img05.ome.zarr/0/c/0/0/0"));  // planned although absent (all fill)
  }

  void downloadsAZarrTreeByteForByte() {
    const fs::path out = kWork / "out-zarr";
    std::vector<DownloadProgress> seen;
    std::mutex m;
    auto job = Download::start(client_, *pool_, nginx_->url("img04.ome.zarr"), out, "", {},
                               [&](const DownloadProgress& p) {
                                 std::lock_guard lock(m);
                                 seen.push_back(p);
                               });
    auto r = job->wait();
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QCOMPARE(*r, out / "img04.ome.zarr");
    const auto want = treeFiles(kWww / "img04.ome.zarr");
    QCOMPARE(treeFiles(*r), want);
    for (const auto& f : want)
      QVERIFY(readText(*r / f) == readText(kWww / "img04.ome.zarr" / f));
    const auto p = job->progress();
    QCOMPARE(p.state, DownloadState::Done);
    QVERIFY(p.filesMissing > 0);
    QCOMPARE(p.filesDone + p.filesMissing, p.filesTotal);
    std::uint64_t bytes = 0;
    for (const auto& f : want)
      bytes += fs::file_size(kWww / "img04.ome.zarr" / f);
    QCOMPARE(p.bytesDone, bytes);
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back().state, DownloadState::Done);
    // A second run finds everything in place and fetches no chunk again.
    const auto before = nginx_->accessLog().size();
    QVERIFY(Download::start(client_, *pool_, nginx_->url("img04.ome.zarr"), out)->wait());
    const std::string log = nginx_->accessLog().substr(before);
    QVERIFY(log.find("GET /img04.ome.zarr/0/0/2/3 ") == std::string::npos);
  }

  // bioformats2raw series and HCS plates are enumerated from metadata (every row, well, field,
  // level and chunk, OME/METADATA.ome.xml, labels): the copy equals the served tree and opens
  // offline with the same pixels as the remote original.
  void downloadsPlatesAndSeriesFromMetadata_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("plate");
    QTest::newRow("plate") << "plate.ome.zarr" << true;
    QTest::newRow("bioformats2raw") << "series.ome.zarr" << false;
  }
  void downloadsPlatesAndSeriesFromMetadata() {
    QFETCH(QString, name);
    QFETCH(bool, plate);
    const std::string n = name.toStdString();
    const fs::path out = kWork / "out-containers";
    auto job = Download::start(client_, *pool_, nginx_->url(n), out);
    auto r = job->wait();
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    const auto want = treeFiles(kWww / n);
    QCOMPARE(treeFiles(*r), want);
    for (const auto& f : want)
      QVERIFY2(readText(*r / f) == readText(kWww / n / f), f.c_str());
    QVERIFY(job->progress().filesMissing > 0);  // zero chunks absent on the server
    auto local = openImage(r->string());
    QVERIFY2(local, local ? "" : local.error().message.c_str());
    auto remote = openImage(nginx_->url(n));
    QVERIFY2(remote, remote ? "" : remote.error().message.c_str());
    QCOMPARE((*local)->info().levels.size(), std::size_t(2));
    QCOMPARE((*local)->info().levels[0].shape, (*remote)->info().levels[0].shape);
    for (const TileKey key :
         {TileKey{0, 0, 0, 0, 0, 0}, TileKey{0, 0, 1, 0, 0, 1}, TileKey{1, 0, 1, 0, 0, 0}}) {
      auto a = (*local)->readTile(key, {});
      auto b = (*remote)->readTile(key, {});
      QVERIFY(a && b);
      QVERIFY(a->data == b->data);
    }
    if (plate)
      QVERIFY((*local)->info().plate.has_value());
    else
      QCOMPARE((*local)->info().series.size(), std::size_t(2));
  }

  // A plate's metadata is read a level at a time with requests in parallel, not one by one;
  // every file on the server is planned (plus the chunks that are absent: fill value).
  void plansAPlateWithParallelMetadataRequests() {
    HttpClientOptions o;
    o.proxy = ProxySettings{};
    auto fresh = *HttpClient::create(o);
    const auto logBefore = nginx_->accessLog().size();
    auto plan = planDownload(*fresh, nginx_->url("plate.ome.zarr"));
    QVERIFY2(plan, plan ? "" : plan.error().message.c_str());
    std::set<std::string> rels;
    for (const auto& i : plan->items)
      QVERIFY2(rels.insert(i.relPath).second, i.relPath.c_str());  // each once
    for (const auto& f : treeFiles(kWww / "plate.ome.zarr"))
      QVERIFY2(rels.count("plate.ome.zarr/" + f), f.c_str());
    QVERIFY(rels.count("plate.ome.zarr/A/1/0/0/0/0/0"));  // all zero: absent, still planned
    QVERIFY(fresh->stats().peakInFlight >= 4);
    // Only v2 keys are asked for below a v2 root: no zarr.json probe per group.
    const std::string log = nginx_->accessLog().substr(logBefore);
    QVERIFY(log.find("/plate.ome.zarr/A/1/.zattrs") != std::string::npos);
    QVERIFY(log.find("/plate.ome.zarr/A/1/zarr.json") == std::string::npos);
  }

  void verifiesSizeAndSha256OfSingleFiles() {
    auto good = *sha256OfFile(kWww / "table.h5ad");
    auto ok = Download::start(client_, *pool_, nginx_->url("table.h5ad"), kWork / "out-file", good)
                  ->wait();
    QVERIFY(ok);
    QVERIFY(readText(*ok) == big_);
    const std::string wrong(64, 'a');
    auto bad = Download::start(client_, *pool_, nginx_->url("table.h5ad"), kWork / "out-bad", wrong)
                   ->wait();
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Corrupt);
    QVERIFY(bad.error().message.find("sha256") != std::string::npos);
    QVERIFY(!fs::exists(kWork / "out-bad/table.h5ad"));
    QVERIFY(!fs::exists(kWork / "out-bad/table.h5ad.part"));
    auto missing =
        Download::start(client_, *pool_, nginx_->url("nothing.h5ad"), kWork / "out-x")->wait();
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
  }

  void namesTheFileWhenTheDiskIsFull() {
    // /dev/full fails every write with ENOSPC: the user must read which file and why, not
    // "cancelled by the receiver" (what the HTTP client alone can say).
    const fs::path out = kWork / "out-full";
    fs::create_directories(out);
    fs::create_symlink("/dev/full", out / "table.h5ad.part");
    auto r = Download::start(client_, *pool_, nginx_->url("table.h5ad"), out)->wait();
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Io);
    QVERIFY2(r.error().message.find((out / "table.h5ad.part").string()) != std::string::npos,
             r.error().message.c_str());
    QVERIFY2(r.error().message.find(std::strerror(ENOSPC)) != std::string::npos,
             r.error().message.c_str());
    QVERIFY(!fs::exists(out / "table.h5ad"));
  }

  void resumesAPartialFileWithARange() {
    const fs::path out = kWork / "out-resume";
    // A first run that was interrupted: HEAD validators recorded, half the bytes on disk.
    QVERIFY(Download::start(client_, *pool_, nginx_->url("table.h5ad"), out)->wait());
    const std::string meta = [&] {
      HttpRequest head;
      head.method = HttpRequest::Method::Head;
      head.url = nginx_->url("table.h5ad");
      auto h = *client_->fetch(head);
      return nlohmann::json{{"url", head.url},
                            {"etag", h.header("ETag")},
                            {"last_modified", h.header("Last-Modified")},
                            {"size", *h.totalLength}}
          .dump();
    }();
    fs::remove(out / "table.h5ad");
    std::ofstream(out / "table.h5ad.part", std::ios::binary) << big_.substr(0, 2'500'000);
    std::ofstream(out / "table.h5ad.part.json") << meta;
    auto r = Download::start(client_, *pool_, nginx_->url("table.h5ad"), out)->wait();
    QVERIFY(r);
    QVERIFY(readText(*r) == big_);
    QVERIFY(nginx_->accessLog().find("\"GET /table.h5ad HTTP/1.1\" \"bytes=2500000-\"") !=
            std::string::npos);
    QVERIFY(!fs::exists(out / "table.h5ad.part.json"));
    // A partial file whose validators no longer match starts over.
    fs::remove(out / "table.h5ad");
    std::ofstream(out / "table.h5ad.part", std::ios::binary) << std::string(1000, 'x');
    std::ofstream(out / "table.h5ad.part.json") << nlohmann::json{{"etag", "\"old\""}}.dump();
    auto again = Download::start(client_, *pool_, nginx_->url("table.h5ad"), out)->wait();
    QVERIFY(again && readText(*again) == big_);
  }

  void pausesResumesAndCancels() {
    const fs::path out = kWork / "out-pause";
    auto job = Download::start(client_, *pool_, nginx_->url("slow/table.h5ad"), out);
    QTRY_VERIFY_WITH_TIMEOUT(job->progress().bytesDone > 500'000, 10000);
    job->pause();
    QCOMPARE(job->progress().state, DownloadState::Paused);
    std::this_thread::sleep_for(300ms);
    const auto held = job->progress().bytesDone;
    std::this_thread::sleep_for(300ms);
    QCOMPARE(job->progress().bytesDone, held);  // nothing moves while paused
    QVERIFY(fs::exists(out / "table.h5ad.part"));
    job->resume();
    auto r = job->wait();
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QVERIFY(readText(*r) == big_);
    // Resuming at once, before the paused requests reported back, loses nothing either.
    auto quick = Download::start(client_, *pool_, nginx_->url("slow/img04.ome.zarr"),
                                 kWork / "out-quick-pause");
    QTRY_VERIFY_WITH_TIMEOUT(quick->progress().bytesDone > 0, 10000);
    quick->pause();
    quick->resume();
    auto q = quick->wait();
    QVERIFY2(q, q ? "" : q.error().message.c_str());
    for (const auto& f : treeFiles(kWww / "img04.ome.zarr"))
      QVERIFY(readText(*q / f) == readText(kWww / "img04.ome.zarr" / f));
    auto cancelled =
        Download::start(client_, *pool_, nginx_->url("slow/table.h5ad"), kWork / "out-cancel");
    QTRY_VERIFY_WITH_TIMEOUT(cancelled->progress().bytesDone > 100'000, 10000);
    cancelled->cancel();
    auto c = cancelled->wait();
    QVERIFY(!c);
    QCOMPARE(c.error().code, Errc::Cancelled);
    QVERIFY(!fs::exists(kWork / "out-cancel/table.h5ad"));
  }

  // Two downloads on a two-thread pool (the size of AppContext::jobPool) leave it free: a job
  // posted while both are transferring runs at once, and both still finish byte for byte.
  void downloadsDoNotHoldPoolThreads() {
    ThreadPool jobPool(2);
    auto a = Download::start(client_, jobPool, nginx_->url("slow/medium.bin"), kWork / "out-a");
    auto b = Download::start(client_, jobPool, nginx_->url("slow/medium.bin"), kWork / "out-b");
    QTRY_VERIFY_WITH_TIMEOUT(a->progress().bytesDone > 100'000 && b->progress().bytesDone > 100'000,
                             10000);
    std::atomic<int> ran{0};
    for (int i = 0; i < 4; ++i)
      jobPool.post([&] { ++ran; });
    QTRY_COMPARE_WITH_TIMEOUT(ran.load(), 4, 1000);
    QCOMPARE(a->progress().state, DownloadState::Running);
    QCOMPARE(b->progress().state, DownloadState::Running);
    auto ra = a->wait(), rb = b->wait();
    QVERIFY2(ra, ra ? "" : ra.error().message.c_str());
    QVERIFY2(rb, rb ? "" : rb.error().message.c_str());
    QVERIFY(readText(*ra) == big_.substr(0, 1'500'000));
    QVERIFY(readText(*rb) == big_.substr(0, 1'500'000));
    jobPool.waitIdle();
  }
};

QTEST_GUILESS_MAIN(TestDownloadManager)
#include "tst_download_manager.moc"
