// The image format registry: probe ranking, error messages and the `tessera info --json` shape.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "data/image_open.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR);
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "image_open";
}  // namespace

class TestImageOpen : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork / "plain_group.zarr");
    std::ofstream(kWork / "plain_group.zarr/.zgroup") << R"({"zarr_format": 2})";
    std::ofstream(kWork / "notes.txt") << "not an image";
    fs::create_directories(kWork / "empty_dir");
  }

  void registryListsReaders() {
    std::vector<std::string> names;
    for (const auto& f : imageFormats())
      names.push_back(f.name);
    QCOMPARE(names, (std::vector<std::string>{"ome-zarr", "n5", "zarr-array", "tiff",
                                              "plain image", "whole-slide (OpenSlide)"}));
  }

  void probePicksTheConfidentReader() {
    const std::string zarr = (kFixtures / "ome-zarr/blobs_v04.ome.zarr").string();
    const std::string tiff = (kFixtures / "ome-tiff/multi-channel.ome.tif").string();
    QVERIFY(bestImageFormat(zarr));
    QCOMPARE(bestImageFormat(zarr)->name, std::string("ome-zarr"));
    QCOMPARE(bestImageFormat(tiff)->name, std::string("tiff"));
    for (const auto& f : imageFormats()) {
      if (f.name == "tiff") QCOMPARE(f.probe(zarr), 0);
      if (f.name == "ome-zarr") QCOMPARE(f.probe(tiff), 0);
    }
    auto z = openImage(zarr);
    QVERIFY(z);
    QCOMPARE((*z)->info().format, std::string("ome-zarr 0.4"));
    auto t = openImage(tiff);
    QVERIFY(t);
    QCOMPARE((*t)->info().format, std::string("ome-tiff"));
  }

  void tiffNamedOmeIsMoreConfidentThanPlain() {
    fs::copy_file(kFixtures / "ome-tiff/multi-channel.ome.tif", kWork / "renamed.tif",
                  fs::copy_options::overwrite_existing);
    const ImageFormat* tiff = nullptr;
    for (const auto& f : imageFormats())
      if (f.name == "tiff") tiff = &f;
    QVERIFY(tiff);
    QVERIFY(tiff->probe((kFixtures / "ome-tiff/multi-channel.ome.tif").string()) >
            tiff->probe((kWork / "renamed.tif").string()));
    auto t = openImage((kWork / "renamed.tif").string());
    QVERIFY(t);  // the content decides the format, not the name
    QCOMPARE((*t)->info().format, std::string("ome-tiff"));
  }

  void opensZarrThroughItsMetadataFile() {
    auto src = openImage((kFixtures / "ome-zarr/blobs_v05.ome.zarr/zarr.json").string());
    QVERIFY(src);
    QCOMPARE((*src)->info().format, std::string("ome-zarr 0.5"));
  }

  void unknownPathIsNotFound() {
    const std::string p = (kWork / "nope.ome.zarr").string();
    auto src = openImage(p);
    QVERIFY(!src);
    QCOMPARE(src.error().code, Errc::NotFound);
    QCOMPARE(src.error().message, p + ": no such file or directory");
  }

  void unopenableInputIsUnsupported_data() {
    QTest::addColumn<QString>("path");
    QTest::newRow("text file") << QString::fromStdString((kWork / "notes.txt").string());
    QTest::newRow("plain zarr group")
        << QString::fromStdString((kWork / "plain_group.zarr").string());
    QTest::newRow("empty directory") << QString::fromStdString((kWork / "empty_dir").string());
  }
  void unopenableInputIsUnsupported() {
    QFETCH(QString, path);
    auto src = openImage(path.toStdString());
    QVERIFY(!src);
    QCOMPARE(src.error().code, Errc::Unsupported);
    QVERIFY2(src.error().message.starts_with(path.toStdString() + ": "),
             src.error().message.c_str());
  }

  void jsonHasTheInfoShape() {
    auto src = openImage((kFixtures / "ome-zarr/blobs_v04.ome.zarr").string());
    QVERIFY(src);
    const nlohmann::json got = imageInfoToJson((*src)->info());
    const nlohmann::json want = nlohmann::json::parse(R"({
      "kind": "image", "format": "ome-zarr 0.4", "axes": ["c", "y", "x"], "dtype": "float64",
      "levels": [{"path": "0", "shape": [3, 12, 12], "chunks": [3, 12, 12],
                  "scale": [1.0, 1.0, 1.0], "translation": [0.0, 0.0, 0.0],
                  "codec": "blosc"}],
      "axes_guessed": false,
      "channels": [{"name": "0", "color": "0000FF", "window": null, "visible": true},
                   {"name": "1", "color": "00FF00", "window": null, "visible": true},
                   {"name": "2", "color": "FF0000", "window": null, "visible": true}],
      "labels": []})");
    QVERIFY2(got == want, got.dump().c_str());
  }

  void jsonFollowsStoredAxesAndAddsPlateAndWarnings() {
    ImageInfo info;
    info.format = "ome-zarr 0.4";
    info.storedAxes = {"t", "z", "y", "x"};
    LevelInfo l;
    l.path = "A/1/0/0";
    l.shape = {2, 1, 5, 60, 70};
    l.chunk = {1, 1, 1, 32, 32};
    l.scale = {3, 1, 2, 0.5, 0.25};
    info.levels.push_back(l);
    ChannelInfo ch;
    ch.name = "DAPI";
    ch.color = 0x0000FF;
    ch.window = std::array<double, 2>{10, 200};
    ch.visible = false;
    info.channels.push_back(ch);
    info.plate = PlateInfo{"p", {"A"}, {"1"}, {PlateWell{"A/1", 0, 0, {"0"}}}, 1, "A/1/0"};
    info.warnings = {"something odd"};
    const nlohmann::json j = imageInfoToJson(info);
    QCOMPARE(j["levels"][0]["shape"], nlohmann::json({2, 5, 60, 70}));
    QCOMPARE(j["levels"][0]["scale"], nlohmann::json({3.0, 2.0, 0.5, 0.25}));
    QCOMPARE(j["channels"][0]["window"], nlohmann::json({10.0, 200.0}));
    QCOMPARE(j["channels"][0]["visible"], nlohmann::json(false));
    QCOMPARE(j["plate"]["wells"][0]["path"], nlohmann::json("A/1"));
    QCOMPARE(j["plate"]["opened"], nlohmann::json("A/1/0"));
    QCOMPARE(j["warnings"], nlohmann::json({"something odd"}));
  }
};

QTEST_GUILESS_MAIN(TestImageOpen)
#include "tst_image_open.moc"
