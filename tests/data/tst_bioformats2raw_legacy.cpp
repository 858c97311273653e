// bioformats2raw before 0.3 wrote no container group: `METADATA.ome.xml` beside `data.zarr/`,
// whose groups 0, 1, ... are the series. Written at test time with python3-zarr; the folder
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

const char* const kWriter = R"(
import os, sys, zarr, numpy as np
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "METADATA.ome.xml"), "w").write(
    '<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
    '<Image ID="Image:0" Name="first"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" '
    'SizeX="48" SizeY="32" SizeZ="1" SizeC="2" SizeT="1"/></Image>'
    '<Image ID="Image:1" Name="second"><Pixels ID="Pixels:1" DimensionOrder="XYZCT" Type="uint16" '
    'SizeX="20" SizeY="10" SizeZ="1" SizeC="1" SizeT="1"/></Image></OME>')
root = zarr.open_group(os.path.join(out, "data.zarr"), mode="w")
root.attrs["bioformats2raw.layout"] = 3
for s, shape in enumerate([(1, 2, 1, 32, 48), (1, 1, 1, 10, 20)]):
    g = root.create_group(str(s))
    g.attrs["multiscales"] = [{"version": "0.1", "datasets": [{"path": "0"}]}]
    a = np.arange(np.prod(shape), dtype=np.uint16).reshape(shape) + s * 1000
    g.create_dataset("0", data=a, chunks=(1, 1, 1, 16, 16))
)";
}  // namespace

class TestBioformats2rawLegacy : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    fs::remove_all(kDir);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kWriter, QString::fromStdString(kDir.string())});
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
