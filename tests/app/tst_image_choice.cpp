// Choosing one image of a container, end to end: the window's Images dock re-opens the plate
// field or series picked in it (off the GUI thread, through openInputs), and the CLI's
// --series/--well/--field options reach info, export and render. Fixtures come from
// tests/fixtures/ome/make_ome_zarr_fixtures.py (zarr-python) and make_multifile_tiff.py.
#include <QApplication>
#include <QDockWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/core/app_context.h"
#include "app/gui/main_window.h"
#include "data/image_open.h"
#include "widgets/image_picker.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "image_choice";
const QString kScripts = QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/";

struct Run {
  int code = -1;
  QByteArray out, err;
};

Run runTessera(const QStringList& args) {
  QProcess p;
  p.start(qEnvironmentVariable("TESSERA_EXE"), args);
  Run r;
  if (!p.waitForFinished(120000)) return r;
  r.code = p.exitCode();
  r.out = p.readAllStandardOutput();
  r.err = p.readAllStandardError();
  return r;
}

data::Bytes firstTile(const data::TileSource& src) {
  auto t = src.readTile({0, 0, 0, 0, 0, 0}, {});
  return t ? t->data : data::Bytes{};
}

QString path(const std::string& rel) {
  return QString::fromStdString((kWork / rel).string());
}

}  // namespace

class TestImageChoice : public QObject {
  Q_OBJECT
  std::unique_ptr<app::AppContext> ctx_;
  std::unique_ptr<app::MainWindow> window_;

 private slots:
  void initTestCase() {
    QApplication::setOrganizationName("tessera-test");
    fs::remove_all(kWork);
    const QString blobs = QString(TESSERA_TEST_DATA_DIR) + "/ome-zarr/";
    for (const QStringList& args :
         {QStringList{kScripts + "make_ome_zarr_fixtures.py", path("zarr"),
                      blobs + "blobs_v04.ome.zarr", blobs + "blobs_v05.ome.zarr"},
          QStringList{kScripts + "make_multifile_tiff.py", path("tiff")}}) {
      QProcess py;
      py.start(TESSERA_PYTHON, args);
      QVERIFY(py.waitForFinished(300000));
      QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    }
    ctx_ = std::make_unique<app::AppContext>(256);
    window_ = std::make_unique<app::MainWindow>(*ctx_);
    window_->resize(1400, 900);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }

  void windowPickerOpensTheChosenField() {
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({path("zarr/plate.ome.zarr")});
    QVERIFY(opened.wait(60000));
    widgets::ImagePicker* picker = window_->imagePicker();
    auto* dock = qobject_cast<QDockWidget*>(picker->parentWidget());
    QVERIFY(dock && dock->isVisible());
    QCOMPARE(window_->current()->image->info().plate->openedImage, std::string("A/1/0"));
    QTest::qWait(300);
    window_->grab().save(path("plate_window.png"));

    QVERIFY(picker->selectWell("A/2"));
    QVERIFY(picker->selectField(1));
    picker->choose();
    QVERIFY(opened.wait(60000));
    const auto& image = *window_->current()->image;
    QCOMPARE(image.info().plate->openedImage, std::string("A/2/1"));
    auto direct = data::openImage((kWork / "zarr/plate.ome.zarr/A/2/1").string());
    QVERIFY(direct);
    QVERIFY(firstTile(image) == firstTile(**direct));
    QVERIFY(dock->isVisible());
    QCOMPARE(picker->selection().well, std::string("A/2"));

    // A single image hides the dock again.
    window_->openInputs({path("zarr/img3d.ome.zarr")});
    QVERIFY(opened.wait(60000));
    QVERIFY(!dock->isVisible());
  }

  void windowPickerOpensTheChosenSeries() {
    QSignalSpy opened(window_.get(), &app::MainWindow::datasetOpened);
    window_->openInputs({path("tiff/two_images.ome.tif")});
    QVERIFY(opened.wait(60000));
    widgets::ImagePicker* picker = window_->imagePicker();
    QCOMPARE(window_->current()->image->info().dtype, data::DType::U8);
    QVERIFY(picker->selectSeries(1));
    picker->choose();
    QVERIFY(opened.wait(60000));
    QCOMPARE(window_->current()->image->info().dtype, data::DType::F32);
    QCOMPARE(window_->current()->image->info().seriesIndex, std::size_t(1));
  }

  void infoJsonListsSeriesAndPlate() {
    auto r = runTessera({"info", path("zarr/b2r.ome.zarr"), "--json"});
    QCOMPARE(r.code, 0);
    auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["series"].size(), std::size_t(2));
    QCOMPARE(j["series"][1]["shape"], nlohmann::json({1, 1, 1, 16, 16}));
    QCOMPARE(j["series_index"].get<int>(), 0);

    r = runTessera({"info", path("zarr/b2r.ome.zarr"), "--json", "--series", "1"});
    QCOMPARE(r.code, 0);
    j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["levels"][0]["shape"], nlohmann::json({1, 16, 16}));
    QCOMPARE(j["series_index"].get<int>(), 1);

    r = runTessera({"info", path("zarr/plate.ome.zarr"), "--json", "--well", "B1", "--field", "1"});
    QCOMPARE(r.code, 0);
    j = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(!j.contains("series"));
    QCOMPARE(j["plate"]["opened"].get<std::string>(), std::string("B/1/1"));
    QCOMPARE(j["plate"]["wells"].size(), std::size_t(3));
    for (const auto& w : j["plate"]["wells"])
      QCOMPARE(w["fields"], nlohmann::json({"0", "1"}));

    r = runTessera({"info", path("zarr/plate.ome.zarr"), "--well", "C/9"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("no well \"C/9\""), r.err.constData());
    r = runTessera({"info", path("zarr/b2r.ome.zarr"), "--series", "x"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--series expects a non-negative index"));
  }

  // export --well/--field writes the chosen field's values (read back through Tessera, and
  // equal to the field opened by its own path).
  void exportAndRenderTakeTheSelection() {
    const QString out = path("field.ome.tif");
    auto r = runTessera({"export", path("zarr/plate.ome.zarr"), "--well", "B/1", "--field", "1",
                         "--region", "0,0,20,24", "--out", out});
    QVERIFY2(r.code == 0, r.err.constData());
    auto back = data::openImage(out.toStdString());
    auto direct = data::openImage((kWork / "zarr/plate.ome.zarr/B/1/1").string());
    QVERIFY(back && direct);
    QVERIFY(firstTile(**back) == firstTile(**direct));

    r = runTessera({"export", path("tiff/two_images.ome.tif"), "--series", "1", "--region",
                    "0,0,12,16", "--out", path("second.ome.tif")});
    QVERIFY2(r.code == 0, r.err.constData());
    auto second = data::openImage(path("second.ome.tif").toStdString());
    QVERIFY(second);
    QCOMPARE((*second)->info().dtype, data::DType::F32);
    QCOMPARE((*second)->info().levels[0].shape[data::kC], 3);

    r = runTessera(
        {"render", path("tiff/two_images.ome.tif"), "--series", "1", "--out", path("second.png")});
    QVERIFY2(r.code == 0, r.err.constData());
    QImage second2(path("second.png"));
    QVERIFY(!second2.isNull());
    QVERIFY(second2.width() < second2.height());  // 12 wide, 16 high (series 0 is 32x24)
  }

  void cleanupTestCase() {
    window_.reset();
    ctx_.reset();
  }
};

QTEST_MAIN(TestImageChoice)
#include "tst_image_choice.moc"
