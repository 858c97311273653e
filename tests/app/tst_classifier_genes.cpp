// The Cell Classifier over a table whose gene values cannot be read (every chunk of its X is
// damaged): labelling two classes starts a training that needs the genes as features; the read
// fails, and the dock says what failed and is idle again (not "training" for ever), and the
// next label tries again and fails the same way.
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include "app/cells/cells_data.h"
#include "app/cells/cells_linker.h"
#include "app/cells/cells_session.h"
#include "app/core/app_context.h"
#include "app/gui/classifier_controller.h"
#include "app/gui/main_window.h"
#include "app/gui/model_actions.h"
#include "tests/support/run_process.h"
#include "widgets/classifier_panel.h"

using namespace tessera;

using test::runPython;

namespace {
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/classifier_genes");
}  // namespace

class ClassifierGenesTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork);
    const QString dir = QString(TESSERA_SOURCE_DIR) + "/tests/app/";
    QVERIFY(runPython({dir + "make_nuclei_fixture.py", kWork}));
    QVERIFY(
        runPython({dir + "make_bad_genes_table.py", kWork + "/truth.csv", kWork + "/bad.h5ad"}));
  }

  void failedGeneReadEndsTheTraining() {
    app::AppContext ctx(256);
    app::MainWindow w(ctx);
    w.resize(1000, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy opened(&w, &app::MainWindow::datasetOpened);
    QSignalSpy cells(&w, &app::MainWindow::cellsLoaded);
    w.openInputs({kWork + "/nuclei.ome.tif", kWork + "/bad.h5ad"});
    QVERIFY(opened.wait(120000));
    QVERIFY(cells.count() > 0 || cells.wait(120000));
    const auto data = w.cells()->session().data();
    QVERIFY(data);
    QCOMPARE(data->size(), std::int64_t{120});
    QVERIFY(data->expression);
    auto* classifier = w.modelActions()->classifier();
    QVERIFY(classifier->panel()->liveBox());
    QSignalSpy failed(classifier, &app::ClassifierController::trainingFailed);
    QSignalSpy trained(classifier, &app::ClassifierController::trained);
    classifier->labelCells({0, 1, 2, 3}, "A");
    classifier->labelCells({4, 5, 6, 7}, "B");  // two classes: Live trains, reading the genes
    QVERIFY(failed.wait(60000));
    const QString why = failed.at(0).at(0).toString();
    QVERIFY2(why.startsWith("Cannot train: reading the genes for the features failed: "),
             qPrintable(why));
    QVERIFY2(why.contains("bad.h5ad"), qPrintable(why));  // the engine's error names the file
    QVERIFY(!classifier->busy());
    QCOMPARE(classifier->panel()->statusLabel()->text(), why);
    QCOMPARE(trained.count(), 0);
    QVERIFY(!data->table->column("classifier"));
    // Idle: the next label trains again (and fails again) instead of waiting behind a training
    // that never ends.
    const auto before = failed.count();
    classifier->labelCells({8}, "A");
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() > before, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!classifier->busy(), 10000);
    QVERIFY2(failed.last().at(0).toString().startsWith("Cannot train: reading the genes"),
             qPrintable(failed.last().at(0).toString()));
    QCOMPARE(trained.count(), 0);
  }
};

QTEST_MAIN(ClassifierGenesTest)
#include "tst_classifier_genes.moc"
