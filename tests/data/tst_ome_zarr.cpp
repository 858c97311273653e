// OmeZarrSource: generated fixtures (tests/fixtures/ome/make_ome_zarr_fixtures.py, zarr-python
// 2.13 for v2, hand-written v3) and the real blobs samples, compared value for value with what
// zarr-python (or, for v0.5, numcodecs) reads.
#include <QProcess>
#include <QtTest>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/image_open.h"
#include "data/local_store.h"
#include "data/ome/ome_zarr_source.h"
#include "tests/support/read_level.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "ome_zarr";
const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "ome-zarr";

/// A Store that forwards to a LocalStore but cannot list (like plain HTTP): proves the reader
/// depends on the Store interface only.
class NoListStore final : public Store {
 public:
  explicit NoListStore(fs::path root) : inner_(std::move(root)) {}
  std::string describe() const override { return inner_.describe(); }
  Expected<Bytes> read(std::string_view k) const override { return inner_.read(k); }
  Expected<Bytes> readRange(std::string_view k, std::uint64_t o, std::uint64_t n) const override {
    return inner_.readRange(k, o, n);
  }
  Expected<Bytes> readSuffix(std::string_view k, std::uint64_t n) const override {
    return inner_.readSuffix(k, n);
  }
  bool exists(std::string_view k) const override { return inner_.exists(k); }
  Expected<std::uint64_t> size(std::string_view k) const override { return inner_.size(k); }
  Expected<std::vector<std::string>> list(std::string_view) const override {
    return fail(Errc::Unsupported, "no listing");
  }

 private:
  LocalStore inner_;
};

fs::path fixturePath(const std::string& name) {
  if (name.starts_with("blobs_")) return kFixtures / (name + ".ome.zarr");
  if (name == "spatialdata") return kWork / "spatialdata.zarr";
  return kWork / (name + ".ome.zarr");
}

Expected<std::shared_ptr<OmeZarrSource>> openDir(const fs::path& p, const std::string& path = "") {
  return OmeZarrSource::open(std::make_shared<LocalStore>(p), path);
}

std::shared_ptr<OmeZarrSource> openOrFail(const std::string& name) {
  auto src = openDir(fixturePath(name));
  if (!src) qWarning("%s", src.error().message.c_str());
  return src ? *src : nullptr;
}

bool mentions(const Error& e, const std::string& what) {
  return e.message.find(what) != std::string::npos;
}

}  // namespace

class TestOmeZarr : public QObject {
  Q_OBJECT
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_ome_zarr_fixtures.py",
              QString::fromStdString(kWork.string()),
              QString::fromStdString((kFixtures / "blobs_v04.ome.zarr").string()),
              QString::fromStdString((kFixtures / "blobs_v05.ome.zarr").string())});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    std::ifstream f(kWork / "manifest.json");
    manifest_ = nlohmann::json::parse(f);
  }

  void readsSameValuesAsZarrPython_data() {
    QTest::addColumn<QString>("name");
    for (const auto& [name, levels] : manifest_.items())
      QTest::newRow(name.c_str()) << QString::fromStdString(name);
  }
  void readsSameValuesAsZarrPython() {
    QFETCH(QString, name);
    const auto& levels = manifest_[name.toStdString()];
    auto src = openOrFail(name.toStdString());
    QVERIFY(src);
    QCOMPARE(src->info().levels.size(), levels.size());
    for (std::size_t l = 0; l < levels.size(); ++l) {
      QCOMPARE(std::string(dtypeName(src->info().dtype)), levels[l]["dtype"].get<std::string>());
      for (std::size_t s = 0; s < 5; ++s)
        QCOMPARE(src->info().levels[l].shape[s], levels[l]["shape"][s].get<std::int64_t>());
      const Bytes got = readLevel(*src, static_cast<int>(l));
      const Bytes want = slurp(kWork / levels[l]["raw"].get<std::string>());
      QCOMPARE(got.size(), want.size());
      QVERIFY2(got == want, ("level " + std::to_string(l) + " differs").c_str());
    }
  }

  void mapsAxesAndScalesOf2dImage() {
    auto src = openOrFail("img2d");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.format, std::string("ome-zarr 0.4"));
    QCOMPARE(info.storedAxes, (std::vector<std::string>{"y", "x"}));
    QCOMPARE(info.spaceUnit, std::string("micrometer"));
    QCOMPARE(info.levels[0].chunk[kY], std::int64_t(32));
    QCOMPARE(info.levels[0].chunk[kX], std::int64_t(48));
    QCOMPARE(info.levels[0].scale[kX], 0.5);
    QCOMPARE(info.levels[1].scale[kX], 1.0);
    QCOMPARE(info.channels.size(), std::size_t(1));
    QCOMPARE(info.channels[0].name, std::string("Channel 0"));
    QCOMPARE(info.channels[0].color, 0xFFFFFFu);
    QVERIFY(!info.channels[0].window);
  }

  void composesLevelAndGlobalTransforms() {
    auto src = openOrFail("img3d");
    QVERIFY(src);
    const auto& L0 = src->info().levels[0];
    const auto& L1 = src->info().levels[1];
    QCOMPARE(L0.scale[kZ], 2.0);
    QCOMPARE(L0.scale[kY], 1.0);
    QCOMPARE(L0.translation[kY], 20.0);
    QCOMPARE(L0.translation[kX], 40.0);
    QCOMPARE(L1.scale[kX], 2.0);
    QCOMPARE(L1.translation[kY], 20.5);
  }

  void readsOmeroChannels() {
    auto src = openOrFail("img3d");
    QVERIFY(src);
    const ChannelInfo& ch = src->info().channels.at(0);
    QCOMPARE(ch.name, std::string("nuclei"));
    QCOMPARE(ch.color, 0x00FF00u);
    QVERIFY(ch.window && (*ch.window)[0] == 10 && (*ch.window)[1] == 500);
    QVERIFY(ch.range && (*ch.range)[1] == 65535);
    QVERIFY(!ch.visible);
    QVERIFY(ch.inverted);
    auto five = openOrFail("img5d");
    QVERIFY(five);
    const auto& chs = five->info().channels;
    QCOMPARE(chs.size(), std::size_t(3));
    QCOMPARE(chs[0].name, std::string("0"));
    QCOMPARE(chs[2].name, std::string("2.5"));
    QCOMPARE(chs[1].color, 0x00FF00u);
    QCOMPARE(five->info().storedAxes, (std::vector<std::string>{"t", "c", "z", "y", "x"}));
  }

  void listsLabels() {
    auto src = openOrFail("img5d");
    QVERIFY(src);
    QCOMPARE(src->info().labels, (std::vector<std::string>{"cells", "nuclei"}));
    // image-label colours and properties by label value; the malformed entry and the listed
    // but absent "nuclei" group become warnings, not failures.
    const auto& images = src->info().labelImages;
    QCOMPARE(int(images.size()), 2);
    QCOMPARE(images[0].name, std::string("cells"));
    QCOMPARE(images[0].colors.size(), std::size_t(2));
    QCOMPARE(images[0].colors.at(1), 0xFF0000FFu);
    QCOMPARE(images[0].colors.at(2), 0x0080FF80u);
    QCOMPARE(images[0].properties.at(1).at("class"), std::string("tumour"));
    QCOMPARE(images[0].properties.at(1).at("area"), std::string("120"));
    QCOMPARE(images[0].properties.at(2).at("class"), std::string("stroma"));
    const auto& warnings = src->info().warnings;
    QVERIFY(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
      return w.find("colour entry skipped") != std::string::npos;
    }));
    QVERIFY(std::any_of(warnings.begin(), warnings.end(), [](const std::string& w) {
      return w.find("nuclei") != std::string::npos;
    }));
    const auto j = imageInfoToJson(src->info());
    QCOMPARE(j["label_images"][0]["colors"]["2"].get<std::string>(), std::string("0080FF80"));
    auto label = openDir(kWork / "img5d.ome.zarr", "labels/cells");
    QVERIFY(label);
    QCOMPARE((*label)->info().dtype, DType::I32);
  }

  void opensBioformats2rawSeriesZero() {
    auto src = openOrFail("b2r");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.series, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(info.levels[0].path, std::string("0/0"));
    QVERIFY(!info.warnings.empty());
    auto tile = src->readTile({0, 0, 0, 0, 0, 0}, {});  // a missing chunk: fill value "0"
    QVERIFY(tile);
    QVERIFY(tile->data == Bytes(tile->data.size(), 0));
  }

  void opensFirstFieldOfPlate() {
    auto src = openOrFail("plate");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QVERIFY(info.plate);
    QCOMPARE(info.plate->name, std::string("test plate"));
    QCOMPARE(info.plate->rows, (std::vector<std::string>{"A", "B"}));
    QCOMPARE(info.plate->columns, (std::vector<std::string>{"1", "2"}));
    QCOMPARE(info.plate->wells.size(), std::size_t(3));
    QCOMPARE(info.plate->wells[2].path, std::string("B/1"));
    QCOMPARE(info.plate->wells[2].row, 1);
    QCOMPARE(info.plate->wells[0].fields, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(info.plate->fieldCount, 2);
    QCOMPARE(info.plate->openedImage, std::string("A/1/0"));
    auto well = openDir(kWork / "plate.ome.zarr", "B/1");
    QVERIFY(well);
    QCOMPARE((*well)->info().levels[0].path, std::string("B/1/0/0"));
  }

  void opensFirstSpatialDataImage() {
    auto src = openOrFail("spatialdata");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.series, (std::vector<std::string>{"images/a_image", "images/b_image"}));
    QCOMPARE(info.levels[0].path, std::string("images/a_image/s0"));
    QCOMPARE(info.format, std::string("ome-zarr 0.4"));
    QCOMPARE(info.levels[0].scale[kX], 0.5);
    QCOMPARE(info.levels[1].scale[kX], 1.0);
    QCOMPARE(info.channels[1].color, 0x00FF00u);  // default sequence: blue, green, red
  }

  void opensOlderNgffWithWarning() {
    auto v03 = openOrFail("v03");
    QVERIFY(v03);
    QCOMPARE(v03->info().format, std::string("ome-zarr 0.3"));
    QVERIFY(!v03->info().warnings.empty());
    QCOMPARE(v03->info().levels[1].scale[kX], 2.0);  // inferred from the shapes
    auto v01 = openOrFail("v01");
    QVERIFY(v01);
    QCOMPARE(v01->info().storedAxes, (std::vector<std::string>{"t", "c", "z", "y", "x"}));
    QVERIFY(!v01->info().warnings.empty());
  }

  void readsNgff05() {
    auto src = openOrFail("v05");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.format, std::string("ome-zarr 0.5"));
    QCOMPARE(info.channels[0].name, std::string("DAPI"));
    QCOMPARE(info.channels[0].color, 0x0000FFu);
    QVERIFY(info.channels[0].window && (*info.channels[0].window)[1] == 1000);
    QCOMPARE(info.channels[1].color, 0xFFFF00u);
    QCOMPARE(info.levels[0].scale[kY], 0.75);
    auto blobs = openOrFail("blobs_v05");
    QVERIFY(blobs);
    QCOMPARE(blobs->info().format, std::string("ome-zarr 0.5"));
    QCOMPARE(blobs->info().channels[2].name, std::string("2"));
    QCOMPARE(blobs->info().dtype, DType::F64);
    auto v04 = openOrFail("blobs_v04");
    QVERIFY(v04);
    QCOMPARE(v04->info().format, std::string("ome-zarr 0.4"));
  }

  void worksThroughAnyStore() {
    auto src = OmeZarrSource::open(std::make_shared<NoListStore>(kWork / "img5d.ome.zarr"), "");
    QVERIFY(src);
    QVERIFY(readLevel(**src, 1) == slurp(kWork / "img5d.L1.raw"));
  }

  void cancelledBeforeDecoding() {
    auto src = openOrFail("img5d");
    QVERIFY(src);
    std::stop_source stop;
    stop.request_stop();
    auto tile = src->readTile({0, 0, 0, 0, 0, 0}, stop.get_token());
    QVERIFY(!tile);
    QCOMPARE(tile.error().code, Errc::Cancelled);
    QCOMPARE(src->readTile({0, 0, 3, 0, 0, 0}, {}).error().code, Errc::InvalidArgument);
  }

  void badInputIsAClearError() {
    auto json = openDir(kWork / "bad_json.ome.zarr");
    QVERIFY(!json);
    QCOMPARE(json.error().code, Errc::Corrupt);
    QVERIFY2(mentions(json.error(), "bad_json.ome.zarr/.zattrs"), json.error().message.c_str());

    auto level = openDir(kWork / "missing_level.ome.zarr");
    QVERIFY(!level);
    QVERIFY2(
        mentions(level.error(), "missing_level.ome.zarr") && mentions(level.error(), "level \"1\""),
        level.error().message.c_str());

    auto axis = openDir(kWork / "bad_axis.ome.zarr");
    QVERIFY(!axis);
    QCOMPARE(axis.error().code, Errc::Unsupported);
    QVERIFY2(
        mentions(axis.error(), "wavelength") && mentions(axis.error(), "bad_axis.ome.zarr/.zattrs"),
        axis.error().message.c_str());

    auto none = openDir(kWork);
    QVERIFY(!none);
    QCOMPARE(none.error().code, Errc::NotFound);
  }
};

QTEST_GUILESS_MAIN(TestOmeZarr)
#include "tst_ome_zarr.moc"
