// ImagePicker: lists the series of a bioformats2raw container and the wells/fields of an HCS
// plate (fixtures from tests/fixtures/ome/make_ome_zarr_fixtures.py, zarr-python), and what it
// emits opens the chosen image: its values equal those of the field opened by its own path.
#include <QComboBox>
#include <QListWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>
#include <filesystem>

#include "data/image_open.h"
#include "widgets/image_picker.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "image_picker";
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "ome-zarr";

std::shared_ptr<data::TileSource> openOrFail(const fs::path& p,
                                             const data::ImageSelection& select = {}) {
  auto src = data::openImage(p.string(), select);
  if (!src) qWarning("%s", src.error().message.c_str());
  return src ? *src : nullptr;
}

data::Bytes firstTile(const data::TileSource& src, std::int64_t c = 0) {
  auto t = src.readTile({0, 0, c, 0, 0, 0}, {});
  return t ? t->data : data::Bytes{};
}

}  // namespace

Q_DECLARE_METATYPE(tessera::data::ImageSelection)

class TestImagePicker : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    qRegisterMetaType<data::ImageSelection>();
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_ome_zarr_fixtures.py",
              QString::fromStdString(kWork.string()),
              QString::fromStdString((kFixtures / "blobs_v04.ome.zarr").string()),
              QString::fromStdString((kFixtures / "blobs_v05.ome.zarr").string())});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
  }

  void plateGridPicksWellAndField() {
    const fs::path plate = kWork / "plate.ome.zarr";
    auto first = openOrFail(plate);
    QVERIFY(first);
    widgets::ImagePicker picker;
    picker.setInfo(first->info());
    QVERIFY(picker.hasChoice());
    QTableWidget* grid = picker.plateGrid();
    QCOMPARE(grid->rowCount(), 2);
    QCOMPARE(grid->columnCount(), 2);
    QCOMPARE(grid->verticalHeaderItem(1)->text(), QString("B"));
    // Wells A/1, A/2 and B/1 are present and selectable; B/2 is not; A/1 (shown) is current.
    QVERIFY(grid->item(0, 1)->flags() & Qt::ItemIsSelectable);
    QVERIFY(grid->item(1, 0)->flags() & Qt::ItemIsSelectable);
    QVERIFY(!(grid->item(1, 1)->flags() & Qt::ItemIsSelectable));
    QVERIFY(grid->item(0, 0)->background() != grid->item(0, 1)->background());
    QCOMPARE(grid->item(0, 1)->text(), QString("2"));  // fields per well
    QCOMPARE(picker.fieldBox()->count(), 2);

    QVERIFY(!picker.selectWell("B/2"));
    QVERIFY(picker.selectWell("B/1"));
    QVERIFY(picker.selectField(1));
    QSignalSpy chosen(&picker, &widgets::ImagePicker::imageChosen);
    picker.choose();
    QCOMPARE(chosen.count(), 1);
    const auto sel = chosen.takeFirst().at(0).value<data::ImageSelection>();
    QCOMPARE(sel.well, std::string("B/1"));
    QCOMPARE(sel.field, std::optional<int>(1));

    auto picked = openOrFail(plate, sel);
    QVERIFY(picked);
    QCOMPARE(picked->info().plate->openedImage, std::string("B/1/1"));
    QCOMPARE(picked->info().plate->openedWell, 2);
    auto direct = openOrFail(plate / "B" / "1" / "1");
    QVERIFY(direct);
    QVERIFY(!firstTile(*picked).empty());
    QVERIFY(firstTile(*picked) == firstTile(*direct));
    QVERIFY(firstTile(*picked) != firstTile(*first));

    // The re-opened plate shows B/1 field 1 as current.
    picker.setInfo(picked->info());
    QCOMPARE(picker.fieldBox()->currentIndex(), 1);
    QCOMPARE(picker.selection().well, std::string("B/1"));
  }

  void seriesListPicksSeries() {
    const fs::path b2r = kWork / "b2r.ome.zarr";
    auto first = openOrFail(b2r);
    QVERIFY(first);
    widgets::ImagePicker picker;
    picker.setInfo(first->info());
    QVERIFY(picker.hasChoice());
    QCOMPARE(picker.seriesList()->count(), 2);
    QVERIFY(picker.seriesList()->item(1)->text().contains("16×16"));
    QVERIFY(picker.seriesList()->item(0)->text().contains("2 ch"));
    QVERIFY(picker.selectSeries(1));
    QSignalSpy chosen(&picker, &widgets::ImagePicker::imageChosen);
    picker.seriesList()->itemDoubleClicked(picker.seriesList()->item(1));
    QCOMPARE(chosen.count(), 1);
    const auto sel = chosen.takeFirst().at(0).value<data::ImageSelection>();
    QCOMPARE(sel.series, std::optional<int>(1));
    auto picked = openOrFail(b2r, sel);
    QVERIFY(picked);
    QCOMPARE(picked->info().levels[0].shape, (data::Shape5{1, 1, 1, 16, 16}));
    QCOMPARE(picked->info().seriesIndex, std::size_t(1));
    auto direct = openOrFail(b2r / "1");
    QVERIFY(direct);
    QVERIFY(firstTile(*picked) == firstTile(*direct));
  }

  void singleImageOffersNoChoice() {
    auto src = openOrFail(kWork / "img3d.ome.zarr");
    QVERIFY(src);
    widgets::ImagePicker picker;
    picker.setInfo(src->info());
    QVERIFY(!picker.hasChoice());
  }
};

QTEST_MAIN(TestImagePicker)
#include "tst_image_picker.moc"
