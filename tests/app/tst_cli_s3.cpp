// s3:// URLs through the real `tessera` executable, signed with AWS environment variables or
// a profile file, against the loopback S3 server that verifies signatures with botocore:
// `export` of a signed OME-Zarr gives the same values as the local copy, `info` and `fetch`
// work, `presign` prints a URL the server accepts, and a wrong secret or a missing bucket is
// a one-line error with exit code 2.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "tests/fixtures/remote/test_servers.h"
#include "tests/support/run_process.h"
#include "tests/support/s3_test_server.h"

using namespace tessera::testing;
using tessera::test::runProgram;
using tessera::test::runTessera;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "cli_s3";
const fs::path kBuckets = kWork / "buckets";
}  // namespace

class TestCliS3 : public QObject {
  Q_OBJECT
  std::unique_ptr<S3TestServer> server_;

  void useEnvironment(const std::string& secret) {
    qputenv("AWS_ACCESS_KEY_ID", server_->options().accessKey.c_str());
    qputenv("AWS_SECRET_ACCESS_KEY", secret.c_str());
    qputenv("AWS_ENDPOINT_URL", server_->endpoint().c_str());
    qputenv("AWS_REGION", "us-east-1");
  }

 private slots:
  void initTestCase() {
    qputenv("http_proxy", "");
    qputenv("https_proxy", "");
    for (const char* v : {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3",
                          "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"})
      qunsetenv(v);
    fs::remove_all(kWork);
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " +
                            (kBuckets / "lab").string();
    QCOMPARE(std::system(gen.c_str()), 0);
    server_ = std::make_unique<S3TestServer>(kBuckets, kWork, S3TestServer::Options{});
    if (!server_->ok()) QSKIP("the loopback S3 server needs python3-botocore");
  }

  void exportsASignedZarrEqualToTheLocalCopy() {
    useEnvironment(server_->options().secretKey);
    const QString remote = QString::fromStdString((kWork / "remote.ome.tif").string());
    const QString local = QString::fromStdString((kWork / "local.ome.tif").string());
    auto r = runTessera({"export", "s3://lab/img04.ome.zarr", "--region", "10,20,300,250",
                         "--level", "0", "--compression", "none", "--out", remote});
    QVERIFY2(r.code == 0, r.err.constData());
    auto l = runTessera(
        {"export", QString::fromStdString((kBuckets / "lab" / "img04.ome.zarr").string()),
         "--region", "10,20,300,250", "--level", "0", "--compression", "none", "--out", local});
    QVERIFY2(l.code == 0, l.err.constData());
    // Values compared by an independent reader.
    auto cmp = runProgram(TESSERA_PYTHON,
                          {"-c",
                           "import sys, tifffile, numpy\n"
                           "a, b = tifffile.imread(sys.argv[1]), tifffile.imread(sys.argv[2])\n"
                           "print(a.shape, a.dtype, int(a.sum()))\n"
                           "sys.exit(0 if a.shape == b.shape and a.dtype == b.dtype and "
                           "numpy.array_equal(a, b) and a.any() else 1)\n",
                           remote, local});
    QVERIFY2(cmp.code == 0, (cmp.out + cmp.err).constData());
    auto info = runTessera({"info", "s3://lab/img04.ome.zarr"});
    QVERIFY2(info.code == 0, info.err.constData());
    QVERIFY(info.out.contains("300") || info.out.contains("400"));
  }

  void fetchesByS3UrlWithAProfileFile() {
    qunsetenv("AWS_ACCESS_KEY_ID");
    qunsetenv("AWS_SECRET_ACCESS_KEY");
    qunsetenv("AWS_ENDPOINT_URL");
    const fs::path creds = kWork / "credentials", config = kWork / "config";
    std::ofstream(creds) << "[lab]\naws_access_key_id = " << server_->options().accessKey
                         << "\naws_secret_access_key = " << server_->options().secretKey << "\n";
    std::ofstream(config) << "[profile lab]\nregion = us-east-1\nendpoint_url = "
                          << server_->endpoint() << "\n";
    qputenv("AWS_SHARED_CREDENTIALS_FILE", creds.string().c_str());
    qputenv("AWS_CONFIG_FILE", config.string().c_str());
    qputenv("AWS_PROFILE", "lab");
    const fs::path out = kWork / "fetched";
    auto r = runTessera(
        {"fetch", "s3://lab/img04.ome.zarr", "--out", QString::fromStdString(out.string())});
    QVERIFY2(r.code == 0, r.err.constData());
    const fs::path src = kBuckets / "lab" / "img04.ome.zarr";
    QCOMPARE(treeFiles(out / "img04.ome.zarr"), treeFiles(src));
    for (const auto& f : treeFiles(src))
      QVERIFY(readText(out / "img04.ome.zarr" / f) == readText(src / f));

    auto p = runTessera({"presign", "s3://lab/img04.ome.zarr/.zattrs", "--expires", "600"});
    QVERIFY2(p.code == 0, p.err.constData());
    const QString url = QString::fromUtf8(p.out).trimmed();
    QVERIFY(url.startsWith(
        QString::fromStdString(server_->endpoint() + "/lab/img04.ome.zarr/.zattrs?")));
    QVERIFY(url.contains("X-Amz-Expires=600"));
    QVERIFY(!url.contains(QString::fromStdString(server_->options().secretKey)));
    auto curl = runProgram("curl", {"-s", "-f", url});
    QCOMPARE(curl.code, 0);
    QCOMPARE(curl.out.toStdString(), readText(src / ".zattrs"));
    qunsetenv("AWS_PROFILE");
    qunsetenv("AWS_SHARED_CREDENTIALS_FILE");
    qunsetenv("AWS_CONFIG_FILE");
  }

  void wrongSecretAndMissingBucketExitWithTwo() {
    useEnvironment("not-the-secret");
    auto r = runTessera({"info", "s3://lab/img04.ome.zarr"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("check the secret key"), r.err.constData());
    QVERIFY(!r.err.contains("not-the-secret"));
    useEnvironment(server_->options().secretKey);
    auto m = runTessera({"info", "s3://nobucket/x.zarr"});
    QCOMPARE(m.code, 2);
    QVERIFY2(m.err.contains("no such bucket"), m.err.constData());
    auto bad = runTessera({"presign", "s3://lab/x", "--expires", "9999999"});
    QCOMPARE(bad.code, 2);
  }
};

QTEST_GUILESS_MAIN(TestCliS3)
#include "tst_cli_s3.moc"
