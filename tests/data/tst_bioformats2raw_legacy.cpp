// bioformats2raw before 0.3 wrote no container group: `METADATA.ome.xml` beside `data.zarr/`,
// whose groups 0, 1, ... are the series. Written at test time with python3-zarr
// (tests/fixtures/ome/make_bioformats2raw_legacy.py); the folder
// opens like the newer layout (series listed, any one by --series), and data.zarr alone still
// opens.
#include <QProcess>
#include <QtTest>

#include <filesystem>

#include "data/image_open.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "bioformats2raw_legacy" / "export";

}  // namespace

class TestBioformats2rawLegacy : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    fs::remove_all(kDir);
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_bioformats2raw_legacy.py",
              QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    QVERIFY(fs::exists(kDir / "METADATA.ome.xml") && !fs::exists(kDir / ".zgroup"));
  }

  void folderOpensAsItsSeries() {
    auto img = openImage(kDir.string());
    QVERIFY2(img.has_value(), img ? "" : img.error().message.c_str());
    const ImageInfo& info = (*img)->info();
    QCOMPARE(info.width(), std::int64_t(48));
    QCOMPARE(info.height(), std::int64_t(32));
    QCOMPARE(info.series.size(), std::size_t(2));
    QCOMPARE(info.seriesIndex, std::size_t(0));
    auto tile = (*img)->readTile({}, {});
    QVERIFY2(tile.has_value(), tile ? "" : tile.error().message.c_str());

    ImageSelection second;
    second.series = 1;
    auto img1 = openImage(kDir.string(), second);
    QVERIFY2(img1.has_value(), img1 ? "" : img1.error().message.c_str());
    QCOMPARE((*img1)->info().width(), std::int64_t(20));
    QCOMPARE((*img1)->info().seriesIndex, std::size_t(1));

    ImageSelection third;
    third.series = 2;
    auto none = openImage(kDir.string(), third);
    QVERIFY(!none.has_value());
    QVERIFY2(none.error().message.find("METADATA.ome.xml: no series 2") != std::string::npos,
             none.error().message.c_str());
  }

  void dataZarrAloneStillOpens() {
    auto img = openImage((kDir / "data.zarr").string());
    QVERIFY2(img.has_value(), img ? "" : img.error().message.c_str());
    QCOMPARE((*img)->info().width(), std::int64_t(48));
  }
};

QTEST_GUILESS_MAIN(TestBioformats2rawLegacy)
#include "tst_bioformats2raw_legacy.moc"
