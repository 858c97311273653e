// Story mode in the window, driven as a user would: Help ▸ Demo Story opens the built-in story;
// presenter mode pages through it with Right/Left and Page Down/Up key events, and after each
// animated move the camera and the layers equal the waypoint's; Space reveals a waypoint's
// hidden channel; locked, the view ignores zoom keys until Explore; Esc restores the window.
// The Story panel's add, edit, move and delete are undoable model edits saved in the session,
// and File ▸ Export Story Handout writes one page per waypoint. Each waypoint in presenter mode
// is written to the test work folder to look at.
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "app/cells/cells_linker.h"
#include "app/cells/cells_overlay.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "app/gui/story_actions.h"
#include "app/gui/story_presenter.h"
#include "data/session/waypoint.h"
#include "tests/support/run_process.h"
#include "tests/support/view_wait.h"
#include "widgets/image_view.h"
#include "widgets/story_panel.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

namespace {

const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/story_window");

// The window with the image view's GL frame painted in (grab() leaves the GL window blank).
void shoot(app::MainWindow* w, const QString& name) {
  QDir().mkpath(kWork);
  QPixmap shot = w->grab();
  auto* view = w->imageView();
  QImage frame = view->grabFrame();
  frame.setDevicePixelRatio(view->devicePixelRatioF());
  QPainter p(&shot);
  p.drawImage(view->mapTo(w, QPoint(0, 0)), frame);
  p.end();
  shot.save(kWork + "/" + name + ".png");
}

}  // namespace

class StoryWindowTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> w_;
  app::StoryController* story_ = nullptr;

  // The camera and the layers are the waypoint's once the move has landed.
  void checkAt(int index, bool revealed) {
    const auto& s = w_->model().session();
    const auto& wp = s.waypoints[static_cast<std::size_t>(index)];
    const auto target = story_->targetView(wp);
    const auto& cam = w_->imageView()->camera();
    QVERIFY(std::abs(cam.centerX() - target.centerX) < 1e-6 * target.width);
    QVERIFY(std::abs(cam.centerY() - target.centerY) < 1e-6 * target.width);
    QVERIFY2(std::abs(cam.visibleWorld().width() - target.width) < 1e-6 * target.width,
             qPrintable(QString::number(cam.visibleWorld().width())));
    if (wp.width > 0) QCOMPARE(target.width, wp.width);
    const auto want = data::applyWaypoint(s, static_cast<std::size_t>(index), revealed).session;
    const auto* image = s.firstLayer(data::LayerKind::Image);
    const auto* wantImage = want.firstLayer(data::LayerKind::Image);
    QVERIFY(image->channels == wantImage->channels);
    const auto* cells = s.firstLayer(data::LayerKind::Cells);
    const auto* wantCells = want.firstLayer(data::LayerKind::Cells);
    QCOMPARE(cells->visible, wantCells->visible);
    QCOMPARE(cells->cells.colorKind, wantCells->cells.colorKind);
    QCOMPARE(cells->cells.colorName, wantCells->cells.colorName);
    // What the view draws follows the model.
    const auto& displays = w_->imageView()->layer().displays();
    for (std::size_t c = 0; c < displays.size(); ++c)
      QCOMPARE(displays[c].visible, image->channels[c].visible);
  }

  bool press(int key, int expectIndex) {
    QSignalSpy arrived(story_, &app::StoryController::arrived);
    QTest::keyClick(w_->imageView()->glWindow(), static_cast<Qt::Key>(key));
    // A move without a distance (a reveal) lands at once, inside the key press.
    if (arrived.isEmpty() && !arrived.wait(5000)) return false;
    return arrived.last().at(0).toInt() == expectIndex;
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    ctx_ = std::make_unique<app::AppContext>(512);
    w_ = std::make_unique<app::MainWindow>(*ctx_);
    w_->resize(1400, 900);
    w_->show();
    QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
    story_ = w_->findChild<app::StoryController*>();
    QVERIFY(story_);
  }

  void demoStoryOpensFromTheHelpMenu() {
    QAction* demo = nullptr;
    for (auto* a : w_->menuBar()->findChildren<QAction*>())
      if (a->text() == "&Demo Story") demo = a;
    QVERIFY(demo);
    QSignalSpy opened(w_.get(), &app::MainWindow::datasetOpened);
    QSignalSpy cells(w_.get(), &app::MainWindow::cellsLoaded);
    demo->trigger();
    QVERIFY(opened.wait(600000));
    QVERIFY(cells.count() > 0 || cells.wait(120000));
    QTest::qWait(200);
    QCOMPARE(w_->model().session().waypoints.size(), 4u);
    QCOMPARE(story_->panel()->list()->count(), 4);
    QVERIFY(story_->dock()->isVisible());
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "0-story-panel");
  }

  void presenterPagesThroughTheStory() {
    auto* presenter = story_->presenter();
    const auto before = w_->model().session().layers;
    const auto viewBefore = story_->currentView();
    const double zoomBefore = w_->imageView()->camera().zoom();
    QSignalSpy arrived(story_, &app::StoryController::arrived);
    presenter->start(0);
    QVERIFY(arrived.count() > 0 || arrived.wait(5000));
    QVERIFY(presenter->active());
    QVERIFY(w_->isFullScreen());
    QVERIFY(!w_->menuBar()->isVisible());
    QVERIFY(presenter->sidePanel()->isVisible());
    QVERIFY(presenter->narration()->toPlainText().contains("section of gut mucosa"));
    checkAt(0, false);
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "1-overview");

    // Right: the gland, with PanCK hidden until revealed.
    QVERIFY(press(Qt::Key_Right, 1));
    checkAt(1, false);
    QVERIFY(presenter->narration()->toPlainText().contains("A gland"));
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "2-gland-question");
    QVERIFY(press(Qt::Key_Space, 1));
    QVERIFY(presenter->revealed());
    checkAt(1, true);
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "2-gland-revealed");

    // Locked: the view's zoom keys do nothing until Explore.
    const auto held = story_->currentView();
    QTest::keyClick(w_->imageView()->glWindow(), Qt::Key_Plus);
    QTest::mouseClick(w_->imageView(), Qt::LeftButton);
    QVERIFY(story_->currentView() == held);
    presenter->setLocked(false);
    QTest::keyClick(w_->imageView()->glWindow(), Qt::Key_Plus);
    QVERIFY(story_->currentView().width < held.width);

    // Page Down: the T-cell zone coloured by CD3E, locked again.
    QVERIFY(press(Qt::Key_PageDown, 2));
    QVERIFY(presenter->locked());
    checkAt(2, false);
    QTRY_COMPARE_WITH_TIMEOUT(w_->cells()->imageOverlay()->legend().title, std::string("CD3E"),
                              30000);
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "3-t-cell-zone");

    // The lasso with its cells selected.
    QVERIFY(press(Qt::Key_Right, 3));
    checkAt(3, false);
    QTRY_VERIFY_WITH_TIMEOUT(w_->cells()->session().selection().size() > 900, 10000);
    QVERIFY(testing::waitViewComplete(w_->imageView()));
    shoot(w_.get(), "4-lasso");
    QVERIFY(!press(Qt::Key_Right, 4));  // the last waypoint: nowhere further

    QVERIFY(press(Qt::Key_Left, 2));
    checkAt(2, false);
    QVERIFY(press(Qt::Key_PageUp, 1));
    checkAt(1, false);

    QTest::keyClick(w_->imageView()->glWindow(), Qt::Key_Escape);
    QVERIFY(!presenter->active());
    QVERIFY(w_->menuBar()->isVisible());
    QVERIFY(!presenter->sidePanel()->isVisible());
    QVERIFY(w_->model().session().layers == before);
    const auto after = story_->currentView();
    QVERIFY(std::abs(after.centerX - viewBefore.centerX) < 1e-6 * viewBefore.width);
    QCOMPARE(w_->imageView()->camera().zoom(), zoomBefore);
  }

  void panelEditsAreUndoableAndSaved() {
    auto& model = w_->model();
    auto* panel = story_->panel();
    panel->setCurrent(3);
    panel->addButton()->click();
    QCOMPARE(model.session().waypoints.size(), 5u);
    QCOMPARE(model.undoLabel(), std::string("Add waypoint"));
    QCOMPARE(panel->current(), 4);
    const auto& added = model.session().waypoints[4];
    QCOMPARE(added.centerX, w_->imageView()->camera().centerX());
    QVERIFY(added.layers == model.session().layers);

    panel->titleEdit()->setText("The end");
    QTest::keyClick(panel->titleEdit(), Qt::Key_Return);
    QCOMPARE(model.session().waypoints[4].title, std::string("The end"));
    QCOMPARE(panel->list()->item(4)->text(), QString("5. The end"));
    panel->setCurrent(0);
    panel->addButton()->click();
    QCOMPARE(model.session().waypoints.size(), 6u);  // Add after the first
    model.undo();
    QCOMPARE(model.session().waypoints.size(), 5u);
    model.undo();
    QCOMPARE(model.session().waypoints[4].title, std::string("Waypoint 5"));
    model.redo();
    QCOMPARE(panel->list()->item(4)->text(), QString("5. The end"));

    const auto first = model.session().waypoints[0].title;
    panel->setCurrent(0);
    for (auto* b : panel->findChildren<QPushButton*>())
      if (b->text() == "Down") b->click();
    QCOMPARE(model.session().waypoints[1].title, first);
    model.undo();
    QCOMPARE(model.session().waypoints[0].title, first);

    QTemporaryDir dir;
    const QString file = dir.filePath("story.tessera");
    QVERIFY(w_->saveSessionTo(file));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j["waypoints"].size(), 5u);
    QCOMPARE(j["waypoints"][4]["title"].get<std::string>(), std::string("The end"));
    QCOMPARE(j["waypoints"][1]["reveal"].get<std::string>(), std::string("PanCK"));

    panel->setCurrent(4);
    for (auto* b : panel->findChildren<QPushButton*>())
      if (b->text() == "Delete") b->click();
    QCOMPARE(model.session().waypoints.size(), 4u);
    QCOMPARE(model.undoLabel(), std::string("Delete waypoint"));
  }

  void handoutExportsFromTheWindow() {
    QTemporaryDir dir;
    const QString pdf = dir.filePath("handout.pdf");
    QSignalSpy done(story_, &app::StoryController::handoutFinished);
    story_->exportHandout(pdf);
    QVERIFY(done.count() > 0 || done.wait(300000));
    QVERIFY2(done.last().at(1).toString().isEmpty(), qPrintable(done.last().at(1).toString()));
    QVERIFY(QFile::exists(pdf));
    QVERIFY(!QFile::exists(pdf + ".part"));
    if (QStandardPaths::findExecutable("pdfinfo").isEmpty())
      QSKIP("pdfinfo (poppler-utils) is not installed");
    const auto r = test::runProgram("pdfinfo", {pdf});
    QVERIFY2(QString::fromUtf8(r.out).contains(QRegularExpression("Pages:\\s+4\n")),
             r.out.constData());
    // Each page's view has the window view's aspect, 1600 px wide.
    const auto& cam = w_->imageView()->camera();
    const double aspect = std::clamp(
        double(std::max(1, cam.viewportHeight())) / std::max(1, cam.viewportWidth()), 0.25, 0.75);
    const auto images = test::runProgram("pdfimages", {"-list", pdf});
    const auto row = QRegularExpression("\\n\\s*1\\s+0\\s+image\\s+(\\d+)\\s+(\\d+)")
                         .match(QString::fromUtf8(images.out));
    QVERIFY2(row.hasMatch(), images.out.constData());
    QCOMPARE(row.captured(1).toInt(), 1600);
    QCOMPARE(row.captured(2).toInt(), int(std::lround(1600 * aspect)));
  }
};

QTEST_MAIN(StoryWindowTest)
#include "tst_story_window.moc"
