// Annotations in the window: drawing with the Annotate toolbar by mouse events on the view,
// undo/redo, moving by drag and vertex editing, the Annotations panel (rename, hide, delete,
// zoom to), measurements in the Measurements panel with CSV, and Export View/Copy View from
// the File menu drawing the annotations.
#include <QApplication>
#include <QClipboard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "app/core/app_context.h"
#include "app/gui/annotations_controller.h"
#include "app/gui/figure_actions.h"
#include "app/gui/main_window.h"
#include "render/figure_export.h"
#include "widgets/annotation_tool.h"
#include "widgets/annotations_panel.h"
#include "widgets/image_view.h"
#include "widgets/measurements_panel.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

class AnnotationsViewTest : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;
  app::AnnotationsController* ann_ = nullptr;

  // Logical window position of world point (x, y).
  QPoint at(double x, double y) {
    double sx = 0, sy = 0;
    window_->imageView()->camera().worldToScreen(x, y, sx, sy);
    const double dpr = window_->imageView()->glWindow()->devicePixelRatio();
    return QPoint(qRound(sx / dpr), qRound(sy / dpr));
  }
  void drag(double x0, double y0, double x1, double y1) {
    auto* w = window_->imageView()->glWindow();
    QTest::mousePress(w, Qt::LeftButton, {}, at(x0, y0));
    for (int i = 1; i <= 5; ++i) {
      const QPoint p = at(x0 + (x1 - x0) * i / 5, y0 + (y1 - y0) * i / 5);
      QMouseEvent move(QEvent::MouseMove, p, w->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, {});
      QCoreApplication::sendEvent(w, &move);
    }
    QTest::mouseRelease(w, Qt::LeftButton, {}, at(x1, y1));
  }
  void useTool(const char* name) {
    auto* a = window_->findChild<QAction*>(QStringLiteral("annotate%1").arg(name));
    QVERIFY(a);
    a->trigger();
  }

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    ctx_ = std::make_unique<app::AppContext>(512);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({"demo"});
    QVERIFY(opened.wait(600000));
    ann_ = window_->findChild<app::AnnotationsController*>();
    QVERIFY(ann_);
    QTest::qWait(300);
  }

  void drawsUndoesAndRedoes() {
    useTool("Rectangle");
    drag(2000, 2000, 3000, 2600);
    QCOMPARE(ann_->annotations().size(), std::size_t{1});
    const auto& a = ann_->annotations()[0];
    QCOMPARE(a.kind, data::AnnotationKind::Rectangle);
    const auto b = data::annotationBounds(a);
    QVERIFY2(std::abs(b.x0 - 2000) < 20 && std::abs(b.x1 - 3000) < 20, "rectangle corners");
    useTool("Ellipse");
    drag(4000, 4000, 4800, 4500);
    useTool("Line");
    drag(500, 500, 1500, 500);
    QCOMPARE(ann_->annotations().size(), std::size_t{3});
    QVERIFY(std::abs(data::annotationLength(ann_->annotations()[2]) - 1000) < 20);
    window_->model().undo();
    QCOMPARE(ann_->annotations().size(), std::size_t{2});
    window_->model().redo();
    QCOMPARE(ann_->annotations().size(), std::size_t{3});
    // Polygon by clicks, closed with Enter; a point by a click.
    useTool("Polygon");
    auto* w = window_->imageView()->glWindow();
    for (auto [x, y] : {std::pair{6000.0, 1000.0}, {7000.0, 1200.0}, {6500.0, 2000.0}})
      QTest::mouseClick(w, Qt::LeftButton, {}, at(x, y));
    QTest::keyClick(w, Qt::Key_Return);
    useTool("Point");
    QTest::mouseClick(w, Qt::LeftButton, {}, at(100, 7000));
    QCOMPARE(ann_->annotations().size(), std::size_t{5});
    QCOMPARE(ann_->annotations()[3].kind, data::AnnotationKind::Polygon);
    QCOMPARE(ann_->annotations()[3].polygons[0].outer.size(), std::size_t{3});
  }

  void movesAndEditsVertices() {
    useTool("Select");
    const auto before = data::annotationBounds(ann_->annotations()[0]);
    drag(2500, 2300, 2700, 2400);  // inside the rectangle: moves it by (200, 100)
    const auto after = data::annotationBounds(ann_->annotations()[0]);
    QVERIFY(std::abs(after.x0 - before.x0 - 200) < 15 && std::abs(after.y0 - before.y0 - 100) < 15);
    QCOMPARE(ann_->selected(), 0);
    // Drag a corner of the selected rectangle.
    const auto p = ann_->annotations()[0].points[1];
    drag(p.x, p.y, p.x + 300, p.y + 300);
    QVERIFY(std::abs(ann_->annotations()[0].points[1].x - (p.x + 300)) < 15);
    window_->model().undo();
    QVERIFY(std::abs(ann_->annotations()[0].points[1].x - p.x) < 1e-9);
  }

  void panelRenamesHidesDeletesAndZooms() {
    auto* table = ann_->panel()->table();
    QCOMPARE(table->rowCount(), 5);
    table->sortItems(0, Qt::AscendingOrder);
    QTableWidgetItem* rect = nullptr;
    for (int r = 0; r < table->rowCount(); ++r)
      if (table->item(r, 0)->data(Qt::UserRole).toInt() == 0) rect = table->item(r, 0);
    QVERIFY(rect);
    rect->setText("Gland");
    QCOMPARE(ann_->annotations()[0].name, std::string("Gland"));
    for (int r = 0; r < table->rowCount(); ++r)
      if (table->item(r, 0)->data(Qt::UserRole).toInt() == 1)
        table->item(r, 0)->setCheckState(Qt::Unchecked);
    QVERIFY(!ann_->annotations()[1].visible);
    ann_->zoomTo(0);
    const auto& cam = window_->imageView()->camera();
    const auto b = data::annotationBounds(ann_->annotations()[0]);
    QVERIFY(std::abs(cam.centerX() - (b.x0 + b.x1) / 2) < 1);
    emit ann_->panel()->deleteRequested(4);
    QCOMPARE(ann_->annotations().size(), std::size_t{4});
    window_->model().undo();
    QCOMPARE(ann_->annotations().size(), std::size_t{5});
  }

  void measuresIntoThePanel() {
    QSignalSpy done(ann_, &app::AnnotationsController::measured);
    ann_->measurements()->findChild<QSpinBox*>()->setValue(2);
    QVERIFY(done.wait(120000));
    auto* table = ann_->measurements()->table();
    QCOMPARE(table->rowCount(), 3);  // rectangle, ellipse, polygon
    const QString csv = ann_->measurements()->csv();
    QVERIFY2(csv.startsWith("Name,Class,Area (px)"), qPrintable(csv.left(80)));
    QVERIFY(csv.contains("Gland"));
    QCOMPARE(csv.count('\n'), 4);
  }

  void exportViewDrawsTheAnnotations() {
    app::FigureChoice c;
    c.width = 2400;  // larger than the Xvfb screen
    c.height = qRound(2400.0 * window_->imageView()->camera().viewportHeight() /
                      window_->imageView()->camera().viewportWidth());
    c.backing = true;
    c.title = "Gland";
    auto with = app::currentViewFigure(*window_, c, ann_->annotations());
    auto without = app::currentViewFigure(*window_, c, {});
    auto a = render::renderFigure(window_->current()->image, ctx_->cache, with);
    auto b = render::renderFigure(window_->current()->image, ctx_->cache, without);
    QVERIFY(a && b);
    QCOMPARE(a->width, 2400);
    // The rectangle's outline (yellow by default) is in one and not the other.
    std::size_t yellowA = 0, yellowB = 0;
    for (std::size_t i = 0; i < a->rgb.size(); i += 3) {
      yellowA += a->rgb[i] > 230 && a->rgb[i + 1] > 190 && a->rgb[i + 2] < 60;
      yellowB += b->rgb[i] > 230 && b->rgb[i + 1] > 190 && b->rgb[i + 2] < 60;
    }
    QVERIFY2(yellowA > yellowB + 1000,
             qPrintable(QStringLiteral("%1 vs %2").arg(yellowA).arg(yellowB)));
    auto* copy = window_->findChild<QAction*>();
    Q_UNUSED(copy);
    for (auto* act : window_->findChildren<QAction*>())
      if (act->text() == QStringLiteral("&Copy View")) act->trigger();
    const QImage img = QApplication::clipboard()->image();
    QCOMPARE(img.width(), window_->imageView()->camera().viewportWidth());
  }

  void classAndDescriptionAreEdits() {
    auto* table = ann_->panel()->table();
    auto classOf = [&](int index) -> QTableWidgetItem* {
      for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, 1)->data(Qt::UserRole).toInt() == index) return table->item(r, 1);
      return nullptr;
    };
    classOf(0)->setText("Tumour");
    QCOMPARE(ann_->annotations()[0].classification.name, std::string("Tumour"));
    QCOMPARE(window_->model().undoLabel(), std::string("Set class"));
    const auto tumourColour = ann_->annotations()[0].classification.color;
    ann_->setClass(2, "Tumour");  // a class in use brings its colour
    QCOMPARE(ann_->annotations()[2].classification.color, tumourColour);
    window_->model().undo();
    QVERIFY(ann_->annotations()[2].classification.name.empty());
    ann_->describe(0, "Crypt with **goblet** cells");
    QCOMPARE(ann_->annotations()[0].description, std::string("Crypt with **goblet** cells"));
    window_->model().undo();
    QVERIFY(ann_->annotations()[0].description.empty());
    window_->model().redo();
  }

  void savedAndOpenedWithTheSession() {
    const auto before = ann_->annotations();
    QCOMPARE(before[0].classification.name, std::string("Tumour"));
    QTemporaryDir dir;
    const QString file = dir.filePath("annotated.tessera");
    QVERIFY(window_->saveSessionTo(file));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const auto j = nlohmann::json::parse(f.readAll().toStdString());
    QCOMPARE(j["annotations"].size(), before.size());
    QCOMPARE(j["annotations"][0]["properties"]["name"].get<std::string>(), std::string("Gland"));
    QCOMPARE(j["annotations"][0]["properties"]["classification"]["name"].get<std::string>(),
             std::string("Tumour"));
    QCOMPARE(j["annotations"][0]["properties"]["description"].get<std::string>(),
             std::string("Crypt with **goblet** cells"));
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({"demo"});  // a new session: no annotations
    QVERIFY(opened.wait(600000));
    QVERIFY(ann_->annotations().empty());
    window_->openInputs({file});
    QVERIFY(opened.wait(600000));
    QVERIFY(ann_->annotations() == before);
    QVERIFY(!window_->model().canUndo());
  }

  void cleanupTestCase() { window_.reset(); }
};

QTEST_MAIN(AnnotationsViewTest)
#include "tst_annotations_view.moc"
