// `tessera fetch` as a user runs it, against nginx on loopback: a killed (SIGKILL) download
// resumes with a Range request and ends with identical bytes; OME-Zarr trees and a whole HCS
// plate enumerated from its metadata; exit codes for bad arguments, missing files, checksum
// mismatches and keys that would escape --out.
#include <signal.h>
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/fixtures/remote/test_servers.h"

using namespace tessera::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "cli_fetch";
const fs::path kWww = kWork / "www";

struct Run {
  int code = -1;
  QString out, err;
};

Run runTessera(const QStringList& args, int timeoutMs = 120000) {
  QProcess p;
  p.start(qEnvironmentVariable("TESSERA_EXE"), args);
  p.waitForFinished(timeoutMs);
  Run r;
  r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
  r.out = QString::fromUtf8(p.readAllStandardOutput());
  r.err = QString::fromUtf8(p.readAllStandardError());
  return r;
}
}  // namespace

class TestCliFetch : public QObject {
  Q_OBJECT
  std::unique_ptr<NginxServer> nginx_;
  std::string big_;

 private slots:
  void initTestCase() {
    qputenv("http_proxy", "");
    qputenv("https_proxy", "");
    fs::remove_all(kWork);
    fs::create_directories(kWww);
    std::mt19937 rng(11);
    big_.resize(24 * 1024 * 1024);
    for (auto& c : big_)
      c = static_cast<char>(rng());
    std::ofstream(kWww / "big.bin", std::ios::binary) << big_;
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " +
                            (kWww / "tree").string();
    QCOMPARE(std::system(gen.c_str()), 0);
    const std::string plates = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                               "/tests/fixtures/remote/make_plate_fixtures.py " +
                               (kWww / "tree").string();
    QCOMPARE(std::system(plates.c_str()), 0);
    fs::create_directories(kWww / "evil.zarr");
    std::ofstream(kWww / "evil.zarr/.zgroup") << R"({"zarr_format": 2})";
    std::ofstream(kWww / "evil.zarr/.zattrs")
        << R"({"multiscales": [{"version": "0.4", "datasets": [{"path": "../../escaped"}]}]})";
    NginxServer::Options opt;
    opt.extraServerConfig = "location /slow/ { limit_rate 6m; alias " + kWww.string() + "/; }\n";
    nginx_ = std::make_unique<NginxServer>(kWww, kWork / "nginx", opt);
    QVERIFY2(nginx_->ok(), nginx_->errorLog().c_str());
  }
  void cleanupTestCase() { nginx_.reset(); }

  void resumesAfterSigkillToIdenticalBytes() {
    const fs::path out = kWork / "out-kill";
    const QString url = QString::fromStdString(nginx_->url("slow/big.bin"));
    QProcess p;
    p.start(qEnvironmentVariable("TESSERA_EXE"),
            {"fetch", url, "--out", QString::fromStdString(out.string())});
    QVERIFY(p.waitForStarted());
    const fs::path part = out / "big.bin.part";
    QTRY_VERIFY_WITH_TIMEOUT(fs::exists(part) && fs::file_size(part) > 3'000'000, 20000);
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    p.waitForFinished();
    QCOMPARE(p.exitStatus(), QProcess::CrashExit);
    QVERIFY(!fs::exists(out / "big.bin"));
    const auto partial = fs::file_size(part);
    QVERIFY(partial < big_.size());
    const auto logBefore = nginx_->accessLog().size();
    auto r = runTessera({"fetch", url, "--out", QString::fromStdString(out.string())});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("verified"));
    QVERIFY(readText(out / "big.bin") == big_);
    QVERIFY(!fs::exists(part));
    const std::string log = nginx_->accessLog().substr(logBefore);
    QVERIFY2(log.find("\"bytes=" + std::to_string(partial) + "-\"") != std::string::npos,
             log.c_str());
  }

  void fetchesAnOmeZarrTreeAndVerifiesChecksums() {
    const fs::path out = kWork / "out-tree";
    auto r = runTessera({"fetch", QString::fromStdString(nginx_->url("tree/img05.ome.zarr")),
                         "--out", QString::fromStdString(out.string()), "--parallel", "4"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("absent on the server"));
    for (const auto& e : fs::recursive_directory_iterator(kWww / "tree/img05.ome.zarr"))
      if (e.is_regular_file()) {
        const auto rel = fs::relative(e.path(), kWww / "tree");
        QVERIFY2(readText(out / rel) == readText(e.path()), rel.c_str());
      }
    auto sum = runTessera({"fetch", QString::fromStdString(nginx_->url("big.bin")), "--out",
                           QString::fromStdString((kWork / "out-sum").string()), "--sha256",
                           QString(64, 'b')});
    QCOMPARE(sum.code, 2);
    QVERIFY(sum.err.contains("sha256"));
    QVERIFY(!fs::exists(kWork / "out-sum/big.bin"));
  }

  // An HCS plate (inside a bioformats2raw container) fetched from its root URL: every row,
  // well, field, level and chunk is enumerated from metadata, and the copy opens offline.
  void fetchesAWholePlateFromItsRoot() {
    const fs::path out = kWork / "out-plate";
    auto r = runTessera({"fetch", QString::fromStdString(nginx_->url("tree/plate.ome.zarr")),
                         "--out", QString::fromStdString(out.string())});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("verified"));
    int files = 0;
    for (const auto& e : fs::recursive_directory_iterator(kWww / "tree/plate.ome.zarr"))
      if (e.is_regular_file()) {
        const auto rel = fs::relative(e.path(), kWww / "tree");
        QVERIFY2(readText(out / rel) == readText(e.path()), rel.c_str());
        ++files;
      }
    int copied = 0;
    for (const auto& e : fs::recursive_directory_iterator(out / "plate.ome.zarr"))
      copied += e.is_regular_file() ? 1 : 0;
    QCOMPARE(copied, files);
    QVERIFY(fs::exists(out / "plate.ome.zarr/B/2/1/1/.zarray"));  // last well, field, level
    QVERIFY(fs::exists(out / "plate.ome.zarr/OME/METADATA.ome.xml"));
    auto info = runTessera({"info", QString::fromStdString((out / "plate.ome.zarr").string())});
    QVERIFY2(info.code == 0, qPrintable(info.err));
    // The plate opens on its first well's first field (A/1/0), full resolution first.
    QVERIFY2(info.out.contains("A/1/0/0 shape [2,70,90]"), qPrintable(info.out));
  }

  void badInputExitsWithTwo() {
    QCOMPARE(runTessera({"fetch"}).code, 2);
    QCOMPARE(runTessera({"fetch", "http://127.0.0.1:1/x"}).code, 2);  // no --out
    auto scheme = runTessera({"fetch", "ftp://example.org/x", "--out", "/tmp/x"});
    QCOMPARE(scheme.code, 2);
    QVERIFY(scheme.err.contains("scheme ftp is not supported"));
    auto missing = runTessera({"fetch", QString::fromStdString(nginx_->url("nope.h5ad")), "--out",
                               QString::fromStdString((kWork / "out-missing").string())});
    QCOMPARE(missing.code, 2);
    QVERIFY(missing.err.contains("404"));
    const fs::path out = kWork / "out-evil/inner";
    auto evil = runTessera({"fetch", QString::fromStdString(nginx_->url("evil.zarr")), "--out",
                            QString::fromStdString(out.string())});
    QCOMPARE(evil.code, 2);
    QVERIFY2(evil.err.contains("refusing to save"), qPrintable(evil.err));
    QVERIFY(!fs::exists(kWork / "out-evil/escaped"));
    QVERIFY(!fs::exists(kWork / "escaped"));
  }
};

QTEST_GUILESS_MAIN(TestCliFetch)
#include "tst_cli_fetch.moc"
