// The archive browser against nginx serving an S3 ListObjectsV2 bucket (static XML pages chosen
// by prefix and continuation token): the browse root lists both pages, a prefix folder expands
// into its own listing, and the user's choice of "open streaming" or "download" comes out as
// the matching signal with the object's URL.
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>
#include <QtTest>

#include <filesystem>

#include "data/thread_pool.h"
#include "tests/fixtures/remote/test_servers.h"
#include "tests/support/s3_test_server.h"
#include "widgets/archive_browser.h"

using namespace tessera;
using namespace tessera::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "archive_browser";
const fs::path kBucket = fs::path(TESSERA_TEST_DATA_DIR) / "remote/s3_bucket";

QTreeWidgetItem* child(QTreeWidgetItem* parent, const QString& name) {
  for (int i = 0; i < parent->childCount(); ++i)
    if (parent->child(i)->text(0) == name) return parent->child(i);
  return nullptr;
}

QStringList childNames(QTreeWidgetItem* parent) {
  QStringList out;
  for (int i = 0; i < parent->childCount(); ++i)
    out << parent->child(i)->text(0);
  return out;
}
}  // namespace

class ArchiveBrowserTest : public QObject {
  Q_OBJECT
  std::unique_ptr<NginxServer> nginx_;
  std::shared_ptr<data::HttpClient> client_;
  std::unique_ptr<data::ThreadPool> pool_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork / "www");
    NginxServer::Options opt;
    // S3 answers the listing of every prefix at the bucket URL; pick the page by query.
    opt.extraHttpConfig =
        "map $args $s3page {\n"
        "  default missing.xml;\n"
        "  \"~continuation-token=page%2F2%3D\" zarr-page2.xml;\n"
        "  \"~prefix=zarr%2Fplates%2F\" plates.xml;\n"
        "  \"~prefix=zarr%2F(&|$)\" zarr-page1.xml;\n"
        "}\n";
    opt.extraServerConfig =
        "location = /bucket/ { rewrite ^ /s3-listing/$s3page last; }\n"
        "location /s3-listing/ { internal; types { } default_type application/xml; alias " +
        kBucket.string() + "/; }\n";
    nginx_ = std::make_unique<NginxServer>(kWork / "www", kWork / "nginx", opt);
    QVERIFY2(nginx_->ok(), nginx_->errorLog().c_str());
    data::HttpClientOptions o;
    o.proxy = data::ProxySettings{};
    client_ = *data::HttpClient::create(o);
    pool_ = std::make_unique<data::ThreadPool>(2);
  }
  void cleanupTestCase() {
    pool_.reset();
    nginx_.reset();
  }

  void browsesABucketAndEmitsTheChosenAction() {
    data::Catalog catalog;
    data::CatalogBrowseRoot root;
    root.id = "test-bucket";
    root.title = "Test bucket";
    root.type = "s3";
    root.endpoint = nginx_->url().substr(0, nginx_->url().size() - 1);
    root.bucket = "bucket";
    root.prefix = "zarr/";
    catalog.browse.push_back(root);
    widgets::ArchiveBrowser browser;
    browser.setServices(client_, pool_.get());
    browser.setCatalog(catalog);
    browser.resize(700, 500);
    browser.show();
    auto* tree = browser.findChild<QTreeWidget*>("archiveTree");
    auto* open = browser.findChild<QPushButton*>("openStreaming");
    auto* download = browser.findChild<QPushButton*>("download");
    auto* status = browser.findChild<QLabel*>("status");
    QVERIFY(tree && open && download && status);
    QSignalSpy opened(&browser, &widgets::ArchiveBrowser::openRequested);
    QSignalSpy downloads(&browser, &widgets::ArchiveBrowser::downloadRequested);

    QTreeWidgetItem* browse = tree->topLevelItem(1);
    QCOMPARE(browse->text(0), QString("Browse archives"));
    QTreeWidgetItem* bucket = browse->child(0);
    QCOMPARE(bucket->text(0), QString("Test bucket"));
    bucket->setExpanded(true);
    // Both pages: folders, then objects, page by page.
    QTRY_COMPARE_WITH_TIMEOUT(
        childNames(bucket), QStringList({"plates/", "README.txt", "img04.ome.zarr/", "table.h5ad"}),
        5000);
    QCOMPARE(status->text(), QString("4 entries"));
    QCOMPARE(child(bucket, "table.h5ad")->text(3), QString("6.0 MiB"));
    const QString log = QString::fromStdString(nginx_->accessLog());
    QVERIFY2(log.contains("continuation-token=page%2F2%3D"), qPrintable(log));

    // A prefix folder lists its own level.
    QTreeWidgetItem* plates = child(bucket, "plates/");
    QCOMPARE(plates->childIndicatorPolicy(), QTreeWidgetItem::ShowIndicator);
    plates->setExpanded(true);
    QTRY_COMPARE_WITH_TIMEOUT(childNames(plates), QStringList({"plate.ome.zarr/"}), 5000);
    // A zarr group is a dataset: it does not expand further.
    QTreeWidgetItem* plate = child(plates, "plate.ome.zarr/");
    QVERIFY(plate->childIndicatorPolicy() != QTreeWidgetItem::ShowIndicator);

    const QString base = QString::fromStdString(nginx_->url("bucket/zarr/"));
    tree->setCurrentItem(plate);
    QVERIFY(open->isEnabled());
    QVERIFY(download->isEnabled());
    open->click();
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][0].toString(), base + "plates/plate.ome.zarr/");
    QCOMPARE(downloads.size(), 0);
    download->click();
    QCOMPARE(downloads.size(), 1);
    QCOMPARE(downloads[0][0].toString(), base + "plates/plate.ome.zarr/");
    QCOMPARE(downloads[0][2].toString(), QString("plate.ome.zarr/"));

    // A table cannot stream: only "download" is offered.
    tree->setCurrentItem(child(bucket, "table.h5ad"));
    QVERIFY(!open->isEnabled());
    QVERIFY(download->isEnabled());
    download->click();
    QCOMPARE(downloads.size(), 2);
    QCOMPARE(downloads[1][0].toString(), base + "table.h5ad");
    // Double-clicking a streamable entry opens it.
    emit tree->itemDoubleClicked(child(bucket, "img04.ome.zarr/"), 0);
    QCOMPARE(opened.size(), 2);
    QCOMPARE(opened[1][0].toString(), base + "img04.ome.zarr/");
    QVERIFY(!browser.grab().isNull());
    browser.grab().save(QString::fromStdString((kWork / "archive_browser.png").string()));
  }

  void listingErrorsShowInThePanel() {
    data::Catalog catalog;
    data::CatalogBrowseRoot root;
    root.title = "Missing bucket";
    root.type = "s3";
    root.endpoint = nginx_->url().substr(0, nginx_->url().size() - 1);
    root.bucket = "nobucket";
    catalog.browse.push_back(root);
    widgets::ArchiveBrowser browser;
    browser.setServices(client_, pool_.get());
    browser.setCatalog(catalog);
    auto* status = browser.findChild<QLabel*>("status");
    QTreeWidgetItem* item =
        browser.findChild<QTreeWidget*>("archiveTree")->topLevelItem(1)->child(0);
    item->setExpanded(true);
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("nobucket"), 5000);
    QVERIFY2(status->text().contains("404") || status->text().contains("Not Found"),
             qPrintable(status->text()));
    QCOMPARE(item->childCount(), 0);
  }

  // A private bucket typed as s3://bucket/prefix lists through signed requests (the server
  // refuses unsigned ones), page after page, and its objects come out as s3:// URLs.
  void browsesAPrivateBucketWithTheProfile() {
    const fs::path buckets = kWork / "buckets";
    for (int i = 0; i < 5; ++i) {
      fs::create_directories(buckets / "lab" / "study" / ("img" + std::to_string(i) + ".zarr"));
      std::ofstream(buckets / "lab" / "study" / ("img" + std::to_string(i) + ".zarr") / ".zattrs")
          << "{}";
    }
    std::ofstream(buckets / "lab" / "study" / "table.h5ad") << "x";
    S3TestServer::Options o;
    o.pageSize = 2;
    S3TestServer server(buckets, kWork, o);
    if (!server.ok()) QSKIP("the loopback S3 server needs python3-botocore");
    data::AwsProfile profile;
    profile.name = "lab";
    profile.credentials = {o.accessKey, o.secretKey, ""};
    profile.endpointUrl = server.endpoint();
    auto signer = std::make_shared<data::S3Signer>(profile);
    data::HttpClientOptions co;
    co.proxy = data::ProxySettings{};
    co.signer = signer;
    widgets::ArchiveBrowser browser;
    browser.setServices(*data::HttpClient::create(co), pool_.get());
    browser.setCatalog({});
    QSignalSpy opened(&browser, &widgets::ArchiveBrowser::openRequested);
    QSignalSpy downloads(&browser, &widgets::ArchiveBrowser::downloadRequested);
    auto* status = browser.findChild<QLabel*>("status");
    QVERIFY(!browser.browseBucket("s3:///nobucket", signer));
    QVERIFY(browser.browseBucket("s3://lab/study", signer));
    auto* tree = browser.findChild<QTreeWidget*>("archiveTree");
    QTreeWidgetItem* root = tree->topLevelItem(1)->child(0);
    QCOMPARE(root->text(0), QString("s3://lab/study/"));
    QTRY_COMPARE_WITH_TIMEOUT(root->childCount(), 6, 20000);
    QCOMPARE(status->text(), QString("6 entries"));
    QTreeWidgetItem* zarr = child(root, "img3.zarr/");
    QVERIFY(zarr);
    tree->setCurrentItem(zarr);
    browser.findChild<QPushButton*>("openStreaming")->click();
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened[0][0].toString(), QString("s3://lab/study/img3.zarr/"));
    tree->setCurrentItem(child(root, "table.h5ad"));
    browser.findChild<QPushButton*>("download")->click();
    QCOMPARE(downloads.size(), 1);
    QCOMPARE(downloads[0][0].toString(), QString("s3://lab/study/table.h5ad"));
  }
};

QTEST_MAIN(ArchiveBrowserTest)
#include "tst_archive_browser.moc"
