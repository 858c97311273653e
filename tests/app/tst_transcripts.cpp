// Xenium transcripts in a real window under Xvfb: opening the generated Xenium folder shows
// its morphology image, its cells and, loaded in the background, its transcripts coloured by
// gene; the Transcripts panel's gene filter leaves only the chosen gene's transcripts at their
// pixels; a load can be cancelled.
#include <QApplication>
#include <QDockWidget>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>
#include <filesystem>

#include "app/cells/cells_linker.h"
#include "app/cells/transcripts_layer.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "app/gui/transcripts_panel.h"
#include "widgets/channel_panel.h"
#include "widgets/image_view.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {
const fs::path kRun = fs::path(TESSERA_TEST_WORK_DIR) / "xenium-gui" / "run";

int distance(QColor a, std::uint32_t rgb) {
  return std::abs(a.red() - int((rgb >> 16) & 255)) + std::abs(a.green() - int((rgb >> 8) & 255)) +
         std::abs(a.blue() - int(rgb & 255));
}

QImage nextFrame(widgets::ImageView* view) {
  QSignalSpy frame(view, &widgets::ImageView::frameRendered);
  view->requestRender();
  frame.wait(5000);
  QTest::qWait(50);
  return view->grabFrame();
}
}  // namespace

class TranscriptsTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-transcripts");
    fs::remove_all(kRun.parent_path());
    QProcess py;
    py.start(TESSERA_PYTHON, {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/xenium/make_xenium.py",
                              QString::fromStdString(kRun.string()), "4000"});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    ctx_ = std::make_unique<app::AppContext>(256);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  void filteringToOneGeneShowsOnlyItsTranscripts() {
    auto* layer = window_->cells()->transcripts();
    QSignalSpy loaded(layer, &app::TranscriptsLayer::loaded);
    window_->openInputs({QString::fromStdString(kRun.string())});
    QVERIFY(loaded.wait(120000));
    QCOMPARE(loaded.at(0).at(0).toLongLong(), 4000);
    const auto* d = layer->data();
    QVERIFY(d);
    QCOMPARE(d->genes.size(), std::size_t{8});
    auto* panel = window_->findChild<app::TranscriptsPanel*>();
    QVERIFY(panel);
    QCOMPARE(panel->list()->count(), 8);
    // Sorted by name, each with its colour's code behind it.
    QVERIFY(panel->list()->item(0)->text().startsWith("ACTA2"));
    QVERIFY(panel->list()->item(7)->text().startsWith("VIM"));
    // The morphology image, the cells and the transcripts each have a Channels row.
    QCOMPARE(window_->channelPanel()->overlayCount(), 2);

    // Typing filters the list.
    QTest::keyClicks(panel->search(), "cd");
    int shownRows = 0;
    for (int i = 0; i < panel->list()->count(); ++i)
      shownRows += !panel->list()->item(i)->isHidden();
    QCOMPARE(shownRows, 1);  // CD3E
    panel->search()->clear();

    auto* view = window_->imageView();
    // A screenshot of the whole window, every gene shown, to look at.
    if (auto* dock = qobject_cast<QDockWidget*>(panel->parentWidget())) dock->raise();
    view->fit();
    nextFrame(view);
    QTest::qWait(300);
    QGuiApplication::primaryScreen()->grabWindow(0).save(
        QString::fromStdString((kRun.parent_path() / "window.png").string()));
    view->centerOn(320, 240, 2.0);  // the 640 x 480 morphology image; sprites 9.4 px wide
    const QImage all = nextFrame(view);
    // One gene: its transcripts keep their colour, every other one vanishes.
    const std::size_t keep = 1;  // the second gene of the file
    panel->showOnly({QString::fromStdString(d->genes[keep])});
    QCOMPARE(layer->shownGenes().size(), d->genes.size());
    for (std::size_t g = 0; g < d->genes.size(); ++g)
      QCOMPARE(bool(layer->shownGenes()[g]), g == keep);
    const QImage filtered = nextFrame(view);
    layer->setVisible(false);
    const QImage none = nextFrame(view);
    layer->setVisible(true);
    filtered.save(QString::fromStdString((kRun.parent_path() / "filtered.png").string()));

    const auto& cam = view->camera();
    const double radius = d->diameterPx / 2;
    const std::uint32_t keepRgb = app::TranscriptsLayer::geneColor(keep);
    int kept = 0, hidden = 0, allDrawn = 0;
    for (std::size_t i = 0; i < d->code.size(); ++i) {
      double sx, sy;
      cam.worldToScreen(d->x[i], d->y[i], sx, sy);
      if (sx < 2 || sy < 2 || sx >= all.width() - 2 || sy >= all.height() - 2) continue;
      if (sx > all.width() - 300 && sy < 320) continue;  // under the legend
      if (sx < 200 && sy > all.height() - 60) continue;  // under the scale bar
      const QPoint p{int(sx), int(sy)};
      if (static_cast<std::size_t>(d->code[i]) == keep) {
        QVERIFY2(distance(filtered.pixelColor(p), keepRgb) < 12,
                 qPrintable(QString("kept transcript %1 at %2,%3: %4")
                                .arg(i)
                                .arg(p.x())
                                .arg(p.y())
                                .arg(filtered.pixelColor(p).name())));
        ++kept;
        continue;
      }
      // A hidden transcript far from any kept one shows what lies under it.
      bool nearKept = false;
      for (std::size_t j = 0; j < d->code.size() && !nearKept; ++j)
        nearKept = static_cast<std::size_t>(d->code[j]) == keep &&
                   std::hypot(d->x[j] - d->x[i], d->y[j] - d->y[i]) < radius + 2;
      if (nearKept) continue;
      QVERIFY2(filtered.pixelColor(p) == none.pixelColor(p),
               qPrintable(QString("hidden transcript %1 at %2,%3").arg(i).arg(p.x()).arg(p.y())));
      allDrawn +=
          distance(all.pixelColor(p),
                   app::TranscriptsLayer::geneColor(static_cast<std::size_t>(d->code[i]))) < 12;
      ++hidden;
    }
    QVERIFY2(kept > 100 && hidden > 500, qPrintable(QString("%1 %2").arg(kept).arg(hidden)));
    // Unfiltered, most of those places showed some transcript's gene colour.
    QVERIFY2(allDrawn > hidden / 3, qPrintable(QString("%1 of %2").arg(allDrawn).arg(hidden)));

    panel->showAll(true);
    QVERIFY(layer->shownGenes().empty());
  }

  void loadingCanBeCancelled() {
    auto* layer = window_->cells()->transcripts();
    auto* panel = window_->findChild<app::TranscriptsPanel*>();
    QSignalSpy canceled(layer, &app::TranscriptsLayer::canceled);
    QSignalSpy loaded(layer, &app::TranscriptsLayer::loaded);
    layer->load(kRun / "transcripts.csv.gz", {});
    QVERIFY(layer->loading());
    QVERIFY(!panel->cancelButton()->isHidden());
    panel->cancelButton()->click();
    QCOMPARE(canceled.count(), 1);
    QVERIFY(!layer->loading());
    QVERIFY(!layer->data());
    QTest::qWait(1500);  // the worker's late result is dropped
    QCOMPARE(loaded.count(), 0);
  }

  void loadingShowsItsPercentage() {
    auto* layer = window_->cells()->transcripts();
    auto* panel = window_->findChild<app::TranscriptsPanel*>();
    QSignalSpy progress(layer, &app::TranscriptsLayer::progress);
    QSignalSpy loaded(layer, &app::TranscriptsLayer::loaded);
    layer->load(kRun / "transcripts.csv.gz", {});
    QVERIFY(!panel->progressBar()->isHidden());
    QCOMPARE(panel->progressBar()->maximum(), 100);  // a percentage, not a busy bar
    QCOMPARE(panel->progressBar()->value(), 0);
    panel->grab().save(QStringLiteral(TESSERA_TEST_WORK_DIR "/transcripts_progress.png"));
    QVERIFY(loaded.wait(60000));
    QVERIFY(!progress.isEmpty());
    int last = -1;
    for (const auto& args : progress) {
      QVERIFY(args.at(0).toInt() > last);
      last = args.at(0).toInt();
    }
    QCOMPARE(last, 100);
  }

  void cleanupTestCase() {
    window_.reset();
    ctx_.reset();
  }
};

QTEST_MAIN(TranscriptsTest)
#include "tst_transcripts.moc"
