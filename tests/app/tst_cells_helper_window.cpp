// The window's defence around HDF5 (app/cells/cells_helper.h): a cell table is read by the
// helper process before the window reads it. When the helper crashes, or refuses a damaged
// file, the window names the file and keeps the image it showed.
//
// The crash is made by a stand-in helper (a script that kills itself with SIGSEGV, run through
// TESSERA_EXE as the real helper is): no damaged file is known to crash Tessera's HDF5 reading
// any more, and the window must survive whatever does. The damaged file is a crash regression
// (tests/fuzz/regressions/hdf5), which the real helper now refuses with exit 2.
#include <QApplication>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/gui/main_window.h"
#include "widgets/image_view.h"

using namespace tessera;

namespace {
const QString kImage = QStringLiteral(TESSERA_TEST_DATA_DIR "/ome-zarr/blobs_v04.ome.zarr");
const QString kDamaged =
    QStringLiteral(TESSERA_SOURCE_DIR "/tests/fuzz/regressions/hdf5/h5hg_read_bitflip_1.h5ad");
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/cells_helper_window");

// A copy of the damaged table under `name`, so that each case reads a file of its own.
QString damagedCopy(const QString& name) {
  const QString path = kWork + "/" + name;
  QFile::remove(path);
  return QFile::copy(kDamaged, path) ? path : QString();
}
}  // namespace

class CellsHelperWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test-cells-helper");
    QSettings().remove("datasets");
    QDir().mkpath(kWork);
    realHelper_ = qEnvironmentVariable("TESSERA_EXE");
    QVERIFY2(!realHelper_.isEmpty(), "TESSERA_EXE names the tessera executable");
    ctx_ = std::make_unique<app::AppContext>(256);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1000, 700);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({kImage});
    QVERIFY(opened.wait(120000));
    QVERIFY(window_->current());
    QCOMPARE(QString::fromStdString(window_->current()->input), kImage);
  }

  void aCrashingHelperIsReportedAndTheImageStays() {
    const QString script = kWork + "/crashing-helper.sh";
    QFile f(script);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("#!/bin/sh\nkill -SEGV $$\n");
    f.close();
    QVERIFY(f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    qputenv("TESSERA_EXE", script.toUtf8());
    const QString table = damagedCopy("crashes-the-helper.h5ad");
    QVERIFY(!table.isEmpty());
    QSignalSpy failed(window_.get(), &app::MainWindow::openFailed);
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({table});
    const bool reported = failed.wait(120000);
    qputenv("TESSERA_EXE", realHelper_.toUtf8());
    QVERIFY(reported);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(table), qPrintable(message));
    QVERIFY2(message.contains("crashed the HDF5 helper process"), qPrintable(message));
    QCOMPARE(opened.count(), 0);
    QCOMPARE(QString::fromStdString(window_->current()->input), kImage);
    QVERIFY(window_->imageView()->layer().info() != nullptr);
  }

  void aDamagedTableIsRefusedByTheHelperAndTheImageStays() {
    const QString table = damagedCopy("damaged.h5ad");
    QVERIFY(!table.isEmpty());
    QSignalSpy failed(window_.get(), &app::MainWindow::openFailed);
    window_->openInputs({table});
    QVERIFY(failed.wait(120000));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(table), qPrintable(message));
    QVERIFY2(!message.contains("crashed"), qPrintable(message));
    QCOMPARE(QString::fromStdString(window_->current()->input), kImage);
  }

  void cleanupTestCase() {
    window_.reset();
    ctx_.reset();
  }

 private:
  QString realHelper_;
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;
};

QTEST_MAIN(CellsHelperWindowTest)
#include "tst_cells_helper_window.moc"
