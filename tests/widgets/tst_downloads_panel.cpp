// The Downloads panel against nginx: a fixture OME-Zarr tree downloaded from the panel shows
// bytes, rate and ETA while it runs (and a status-bar line), pauses and resumes from its
// buttons, and ends with the files on disk equal to the served ones; Cancel stops a job and
// leaves no finished file behind.
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QtTest>

#include <filesystem>
#include <set>

#include "data/thread_pool.h"
#include "tests/fixtures/remote/test_servers.h"
#include "widgets/downloads_panel.h"

using namespace tessera;
using namespace tessera::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "downloads_panel";
const fs::path kWww = kWork / "www";

struct RowParts {
  QProgressBar* bar = nullptr;
  QLabel* detail = nullptr;
  QPushButton* pause = nullptr;
  QPushButton* cancel = nullptr;
};

RowParts row(const widgets::DownloadsPanel& panel, int id) {
  auto* box = panel.findChild<QWidget*>(QStringLiteral("download%1").arg(id));
  if (!box) return {};
  return {box->findChild<QProgressBar*>("progress"), box->findChild<QLabel*>("detail"),
          box->findChild<QPushButton*>("pause"), box->findChild<QPushButton*>("cancel")};
}
}  // namespace

class DownloadsPanelTest : public QObject {
  Q_OBJECT
  std::unique_ptr<NginxServer> nginx_;
  std::shared_ptr<data::HttpClient> client_;
  std::unique_ptr<data::ThreadPool> pool_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " + kWww.string();
    QCOMPARE(std::system(gen.c_str()), 0);
    NginxServer::Options opt;
    // nginx sends limit_rate bytes per started second: 6 KB makes each 8 KB chunk take about a
    // second, so the ~90 objects need several seconds, long enough to watch, pause and cancel.
    opt.extraServerConfig = "location /slow/ { limit_rate 6k; alias " + kWww.string() + "/; }\n";
    nginx_ = std::make_unique<NginxServer>(kWww, kWork / "nginx", opt);
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

  void downloadsAZarrTreeWithProgressPauseAndResume() {
    widgets::DownloadsPanel panel;
    panel.resize(520, 300);
    panel.show();
    QSignalSpy status(&panel, &widgets::DownloadsPanel::statusTextChanged);
    QSignalSpy finished(&panel, &widgets::DownloadsPanel::downloadFinished);
    const fs::path out = kWork / "out";
    const QString url = QString::fromStdString(nginx_->url("slow/img04.ome.zarr"));
    panel.startDownload(client_, *pool_, url, QString::fromStdString(out.string()), {},
                        "img04 fixture");
    QCOMPARE(panel.activeCount(), 1);
    const RowParts r = row(panel, 0);
    QVERIFY(r.bar && r.detail && r.pause && r.cancel);

    // "<done> of <total>, <rate>/s, ETA m:ss" with real numbers, and a growing bar.
    const QRegularExpression running(
        R"(^(\d+(\.\d)? (B|KiB|MiB)) of (\d+(\.\d)? (B|KiB|MiB)|\d+ files), )"
        R"((\d+(\.\d)?) (B|KiB|MiB)/s, ETA \d+:\d\d$)");
    QTRY_VERIFY_WITH_TIMEOUT(running.match(r.detail->text()).hasMatch() &&
                                 !r.detail->text().startsWith("0 B") &&
                                 !r.detail->text().contains(" 0 B/s"),
                             10000);
    const int firstValue = r.bar->value();
    QTRY_VERIFY_WITH_TIMEOUT(r.bar->value() > firstValue, 5000);
    QVERIFY(r.bar->value() < 1000);
    QRegularExpression statusLine(R"(^1 download\(s\), \d+%, \d+(\.\d)? (B|KiB|MiB)/s$)");
    QVERIFY(!status.isEmpty());
    QVERIFY2(statusLine.match(status.last()[0].toString()).hasMatch(),
             qPrintable(status.last()[0].toString()));
    panel.grab().save(QString::fromStdString((kWork / "running.png").string()));

    r.pause->click();
    QTRY_VERIFY_WITH_TIMEOUT(r.detail->text().startsWith("paused at "), 3000);
    QCOMPARE(r.pause->text(), QString("Resume"));
    QTest::qWait(300);  // the stopped requests report back and their partial bytes drop out
    const QString held = r.detail->text();
    const int heldValue = r.bar->value();
    QTest::qWait(600);
    QCOMPARE(r.detail->text(), held);  // nothing moves while paused
    QCOMPARE(r.bar->value(), heldValue);
    panel.grab().save(QString::fromStdString((kWork / "paused.png").string()));

    r.pause->click();
    QTRY_COMPARE_WITH_TIMEOUT(r.pause->text(), QString("Pause"), 3000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(finished[0][0].toString(), url);
    const fs::path got = out / "img04.ome.zarr";
    QCOMPARE(finished[0][1].toString(), QString::fromStdString(got.string()));
    QCOMPARE(r.bar->value(), 1000);
    QVERIFY(r.detail->text().startsWith("done: "));
    QVERIFY(!r.pause->isEnabled() && !r.cancel->isEnabled());
    QCOMPARE(panel.activeCount(), 0);
    QCOMPARE(status.last()[0].toString(), QString());  // the status bar line clears
    const auto want = treeFiles(kWww / "img04.ome.zarr");
    QCOMPARE(treeFiles(got), want);
    for (const auto& f : want)
      QVERIFY2(readText(got / f) == readText(kWww / "img04.ome.zarr" / f), f.c_str());
  }

  void cancelStopsTheJob() {
    widgets::DownloadsPanel panel;
    panel.show();
    QSignalSpy finished(&panel, &widgets::DownloadsPanel::downloadFinished);
    QSignalSpy failed(&panel, &widgets::DownloadsPanel::downloadFailed);
    const fs::path out = kWork / "out-cancel";
    panel.startDownload(client_, *pool_, QString::fromStdString(nginx_->url("slow/img04.ome.zarr")),
                        QString::fromStdString(out.string()));
    const RowParts r = row(panel, 0);
    QTRY_VERIFY_WITH_TIMEOUT(r.bar->value() > 0, 10000);
    r.cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(panel.activeCount(), 0, 5000);
    QVERIFY2(r.detail->text().contains("cancelled"), qPrintable(r.detail->text()));
    QVERIFY(!r.cancel->isEnabled());
    QCOMPARE(finished.size(), 0);
    QCOMPARE(failed.size(), 0);  // cancelling is not a failure
    // Only whole files were renamed into place, and interrupted chunks left no .part behind.
    for (const auto& f : treeFiles(out)) {
      QVERIFY2(!f.ends_with(".part"), f.c_str());
      // The durability marker stays until a run finishes its sync (see data/remote).
      if (f.ends_with(".unsynced")) continue;
      QVERIFY(readText(out / f) == readText(kWww / f));
    }
  }
};

QTEST_MAIN(DownloadsPanelTest)
#include "tst_downloads_panel.moc"
