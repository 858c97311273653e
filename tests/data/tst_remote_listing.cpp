// Archive browsing: S3 ListObjectsV2 pages (parsing, pagination through a scripted server,
// malformed answers), BioImage Archive file lists, and the shipped catalog's schema.
#include <QtTest>

#include <filesystem>
#include <set>

#include "data/remote/archive_listing.h"
#include "data/remote/catalog.h"
#include "tests/fixtures/remote/test_servers.h"

using namespace tessera::data;
using namespace tessera::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "remote";
}

class TestRemoteListing : public QObject {
  Q_OBJECT

 private slots:
  void parsesAnS3Page() {
    const std::string xml = readText(kFixtures / "s3_list_page1.xml");
    auto page = parseS3ListPage(xml, "https://uk1s3.embassy.ebi.ac.uk", "idr", "page1");
    QVERIFY2(page, page ? "" : page.error().message.c_str());
    QVERIFY(page->truncated);
    QCOMPARE(page->nextToken, std::string("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="));
    QCOMPARE(page->entries.size(), std::size_t(3));
    QVERIFY(page->entries[0].folder);
    QCOMPARE(page->entries[0].name, std::string("idr0062A/"));
    QCOMPARE(page->entries[0].url,
             std::string("https://uk1s3.embassy.ebi.ac.uk/idr/zarr/v0.4/idr0062A/"));
    const ArchiveEntry& f = page->entries[2];
    QVERIFY(!f.folder);
    QCOMPARE(f.key, std::string("zarr/v0.4/README.txt"));
    QCOMPARE(f.size, std::uint64_t(1234));
    QCOMPARE(f.etag, std::string("\"9b2cf535f27731c974343645a3985328\""));
  }

  void followsContinuationTokens() {
    FaultServer s3([](const SeenRequest& rq, int) {
      const bool second = rq.target.find("continuation-token=") != std::string::npos;
      const bool tokenOk =
          rq.target.find(
              "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D") !=
          std::string::npos;
      if (second && !tokenOk) return Reply{httpReply(400, "bad token")};
      return Reply{
          httpReply(200, readText(kFixtures / (second ? "s3_list_page2.xml" : "s3_list_page1.xml")),
                    "Content-Type: application/xml\r\n")};
    });
    HttpClientOptions o;
    o.proxy = ProxySettings{};
    auto client = *HttpClient::create(o);
    auto all = listS3(*client, s3.url(), "idr", "zarr/v0.4/");
    QVERIFY2(all, all ? "" : all.error().message.c_str());
    QCOMPARE(all->size(), std::size_t(5));
    QCOMPARE(all->back().key, std::string("zarr/v0.4/index & notes.json"));
    QCOMPARE(all->back().url, s3.url() + "idr/zarr/v0.4/index%20%26%20notes.json");
    const auto seen = s3.seen();
    QCOMPARE(seen.size(), std::size_t(2));
    QVERIFY(seen[0].target.find("list-type=2") != std::string::npos);
    QVERIFY(seen[0].target.find("prefix=zarr%2Fv0.4%2F") != std::string::npos);
    QVERIFY(seen[0].target.find("delimiter=%2F") != std::string::npos);
  }

  void rejectsMalformedListings() {
    for (const char* bad :
         {"<html><body>Access denied</body></html>", "<ListBucketResult><Contents>",
          "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
          "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"}) {
      auto r = parseS3ListPage(bad, "https://h", "b", "https://h/b/?list-type=2");
      QVERIFY2(!r, bad);
      QCOMPARE(r.error().code, Errc::Corrupt);
      QVERIFY(r.error().message.find("https://h/b/?list-type=2") != std::string::npos);
    }
  }

  void parsesBioImageArchiveFileLists() {
    QCOMPARE(*bioImageArchiveFilesUrl("S-BIAD1234"),
             std::string("https://ftp.ebi.ac.uk/biostudies/fire/S-BIAD/234/S-BIAD1234/Files/"));
    QCOMPARE(*bioImageArchiveFilesUrl("S-BIAD7"),
             std::string("https://ftp.ebi.ac.uk/biostudies/fire/S-BIAD/7/S-BIAD7/Files/"));
    QVERIFY(!bioImageArchiveFilesUrl("S-BSST1"));
    QVERIFY(!bioImageArchiveFilesUrl("S-BIAD../x"));
    std::uint64_t total = 0;
    auto files = parseBioImageArchiveFiles(readText(kFixtures / "bia_files.json"), "S-BIAD1234",
                                           &total, "bia_files.json");
    QVERIFY(files);
    QCOMPARE(total, std::uint64_t(3));
    QCOMPARE(files->size(), std::size_t(3));
    QVERIFY((*files)[0].folder);
    QCOMPARE((*files)[1].size, std::uint64_t(52428800));
    QCOMPARE((*files)[2].url, std::string("https://ftp.ebi.ac.uk/biostudies/fire/S-BIAD/234/"
                                          "S-BIAD1234/Files/tables/cells.h5ad"));
    QVERIFY(!parseBioImageArchiveFiles("{\"x\": 1}", "S-BIAD1", nullptr, "w"));
    // A "type" that is not a string is not a folder (nlohmann's value() would throw).
    const auto odd = parseBioImageArchiveFiles(R"({"files":[{"path":"a.tif","type":5}]})",
                                               "S-BIAD1", nullptr, "w");
    QVERIFY(odd && odd->size() == 1 && !odd->front().folder);
  }

  void shippedCatalogIsValidAndCoversTheArchives() {
    const fs::path file = fs::path(TESSERA_SOURCE_DIR) / "resources/catalog.json";
    auto c = parseCatalog(readText(file), file.string());
    QVERIFY2(c, c ? "" : c.error().message.c_str());
    // Every entry states its size; CATALOG.md says why the shipped ones are unknown (null).
    const std::string md = readText(fs::path(TESSERA_SOURCE_DIR) / "resources/CATALOG.md");
    for (const auto& d : c->datasets)
      if (!d.sizeBytes) QVERIFY(md.find("`null` (\"unknown\")") != std::string::npos);
    std::set<std::string> archives;
    for (const auto& d : c->datasets)
      archives.insert(d.archive);
    for (const char* a : {"IDR (EBI S3)", "EBI NGFF challenge (EBI S3)", "scverse example data",
                          "Single Cell Expression Atlas (EMBL-EBI)"})
      QVERIFY2(archives.count(a), a);
    bool s3 = false, bia = false;
    for (const auto& b : c->browse) {
      s3 = s3 || b.type == "s3";
      bia = bia || b.type == "bioimage-archive";
    }
    QVERIFY(s3 && bia);
  }

  void catalogErrorsNameTheEntry() {
    auto bad = parseCatalog(R"({"version": 1, "datasets": [{"id": "x", "title": "t",
      "archive": "a", "licence": "l", "kind": "h5ad", "urls": ["http://insecure/x"], "size_bytes": null}]})",
                            "catalog.json");
    QVERIFY(!bad);
    QCOMPARE(bad.error().message,
             std::string("catalog.json: datasets[0] (x): http://insecure/x is not https"));
    QCOMPARE(parseCatalog(R"({"version": 2})", "c").error().code, Errc::Unsupported);
    // The schema: size_bytes present (a count or null), string fields, no unknown keys.
    const auto entry = [](const std::string& extra) {
      return R"({"version": 1, "datasets": [{"id": "x", "title": "t", "archive": "a",
        "licence": "l", "kind": "h5ad", "urls": ["https://h/x.h5ad"])" +
             extra + "}]}";
    };
    auto sized = parseCatalog(entry(R"(, "size_bytes": 1234)"), "c");
    QVERIFY(sized && sized->datasets[0].sizeBytes == 1234u);
    auto unknownSize = parseCatalog(entry(R"(, "size_bytes": null)"), "c");
    QVERIFY(unknownSize && !unknownSize->datasets[0].sizeBytes);
    const std::pair<const char*, const char*> badEntries[] = {
        {"", "size_bytes is required"},
        {R"(, "size_bytes": -1)", "size_bytes is required"},
        {R"(, "size_bytes": "12 MB")", "size_bytes is required"},
        {R"(, "size_bytes": 1, "size": 1)", "unknown key \"size\""},
        {R"(, "size_bytes": 1, "sha256": 5)", "sha256 must be a string"},
        {R"(, "size_bytes": 1, "streamable": "yes")", "streamable must be true or false"}};
    for (const auto& [extra, why] : badEntries) {
      auto r = parseCatalog(entry(extra), "catalog.json");
      QVERIFY2(!r, extra);
      QVERIFY2(r.error().message.find(why) != std::string::npos, r.error().message.c_str());
      QVERIFY(r.error().message.find("catalog.json: datasets[0] (x)") != std::string::npos);
    }
    QVERIFY(!parseCatalog(R"({"version": 1, "dataset": []})", "c"));
    QVERIFY(!parseCatalog(
        R"({"version": 1, "browse": [{"id": "b", "title": "t", "type": "s3", "endpoint":
        "https://h", "bucket": "x", "region": "eu"}]})",
        "c"));
  }
};

QTEST_GUILESS_MAIN(TestRemoteListing)
#include "tst_remote_listing.moc"
