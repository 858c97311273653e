// The main window's status bar follows the Downloads panel: a download started in the window
// (on AppContext::jobPool, against nginx) shows "1 download(s), N%, rate" while it runs, and
// the line clears with a "Downloaded <path>" message when it ends.
#include <QLabel>
#include <QRegularExpression>
#include <QStatusBar>
#include <QtTest>

#include <filesystem>

#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "data/remote/remote_context.h"
#include "tests/fixtures/remote/test_servers.h"
#include "widgets/downloads_panel.h"

using namespace tessera;
using namespace tessera::testing;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "downloads_status";

// The status bar's permanent label whose text matches `re`, if any.
QLabel* statusLabel(QStatusBar* bar, const QRegularExpression& re) {
  for (auto* l : bar->findChildren<QLabel*>())
    if (re.match(l->text()).hasMatch()) return l;
  return nullptr;
}
}  // namespace

class DownloadsStatusTest : public QObject {
  Q_OBJECT
 private slots:
  void statusBarFollowsDownloads() {
    fs::remove_all(kWork);
    const std::string gen = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                            "/tests/fixtures/remote/make_remote_fixtures.py " +
                            (kWork / "www").string();
    QCOMPARE(std::system(gen.c_str()), 0);
    NginxServer::Options opt;
    // About a second per 8 KB chunk (nginx grants limit_rate bytes per started second).
    opt.extraServerConfig =
        "location /slow/ { limit_rate 6k; alias " + (kWork / "www").string() + "/; }\n";
    NginxServer nginx(kWork / "www", kWork / "nginx", opt);
    QVERIFY2(nginx.ok(), nginx.errorLog().c_str());
    data::HttpClientOptions o;
    o.proxy = data::ProxySettings{};
    auto client = *data::HttpClient::create(o);

    app::AppContext ctx(256);
    app::MainWindow window(ctx);
    window.show();
    auto* panel = window.findChild<widgets::DownloadsPanel*>();
    QVERIFY(panel);
    const fs::path out = kWork / "out";
    panel->startDownload(client, ctx.jobPool,
                         QString::fromStdString(nginx.url("slow/img04.ome.zarr")),
                         QString::fromStdString(out.string()));
    const QRegularExpression running(R"(^1 download\(s\), \d+%, \d+(\.\d)? (B|KiB|MiB)/s$)");
    QTRY_VERIFY_WITH_TIMEOUT(statusLabel(window.statusBar(), running) != nullptr, 10000);
    QLabel* label = statusLabel(window.statusBar(), running);
    QTRY_VERIFY_WITH_TIMEOUT(panel->activeCount() == 0, 60000);
    QCOMPARE(label->text(), QString());
    QVERIFY2(window.statusBar()->currentMessage().startsWith("Downloaded "),
             qPrintable(window.statusBar()->currentMessage()));
    QVERIFY(fs::exists(out / "img04.ome.zarr/0/.zarray"));
  }
};

QTEST_MAIN(DownloadsStatusTest)
#include "tst_downloads_status.moc"
