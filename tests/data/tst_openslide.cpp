// Whole-slide images through OpenSlide: a pyramidal tiled generic TIFF written by tifffile
// opens as an RGB pyramid whose pixels equal tifffile's, with the physical pixel size; the
// probe ranks it above the plain TIFF reader but leaves OME-TIFFs and non-slides alone.
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/image_open.h"
#include "data/slide/openslide_source.h"
#include "data/thread_pool.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using tessera::test::freshDir;
using tessera::test::readFileBytes;
using tessera::test::runPython;

class TestOpenSlide : public QObject {
  Q_OBJECT
  fs::path dir_;
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    dir_ = freshDir("slide_fixture");
    bool ok = false;
    runPython({QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/slide/make_slide_fixture.py"),
               QString::fromStdString(dir_.string())},
              &ok);
    QVERIFY2(ok, "make_slide_fixture.py failed");
    std::ifstream in(dir_ / "manifest.json");
    manifest_ = nlohmann::json::parse(in);
  }

  void genericTiffOpensAsRgbPyramidEqualToTifffile() {
    const std::string path = (dir_ / "slide.tif").string();
    QCOMPARE(probeOpenSlide(path), 70);
    const ImageFormat* f = bestImageFormat(path);
    QVERIFY(f);
    QCOMPARE(f->name, std::string("whole-slide (OpenSlide)"));
    auto opened = openImage(path);
    QVERIFY2(opened.has_value(), opened ? "" : opened.error().message.c_str());
    const TileSource& src = **opened;
    const ImageInfo& info = src.info();
    QCOMPARE(info.format, std::string("openslide generic-tiff"));
    QCOMPARE(info.dtype, DType::U8);
    QCOMPARE(info.spaceUnit, std::string("micrometer"));
    QCOMPARE(info.channels.size(), std::size_t{3});
    QCOMPARE(info.channels[0].color, 0xFF0000u);
    QCOMPARE(info.channels[2].color, 0x0000FFu);
    QCOMPARE(info.levels.size(), manifest_["levels"].size());

    // Read all tiles of every level and channel on two workers at once.
    ThreadPool pool(2);
    for (std::size_t k = 0; k < info.levels.size(); ++k) {
      const auto& l = info.levels[k];
      const auto& ref = manifest_["levels"][k];
      QCOMPARE(l.shape[kY], ref["height"].get<std::int64_t>());
      QCOMPARE(l.shape[kX], ref["width"].get<std::int64_t>());
      QCOMPARE(l.shape[kC], 3);
      QVERIFY(std::abs(l.scale[kX] - 0.5 * double(1 << k)) < 1e-9);
      QVERIFY(std::abs(l.scale[kY] - 0.5 * double(1 << k)) < 1e-9);
      const auto want = readFileBytes(dir_ / ref["raw"].get<std::string>());  // y, x, rgb
      const std::int64_t w = l.shape[kX];
      std::mutex m;
      std::int64_t mismatches = 0, tiles = 0;
      std::string firstError;
      for (std::int64_t c = 0; c < 3; ++c)
        for (std::int64_t r = 0; r < tileRows(l); ++r)
          for (std::int64_t col = 0; col < tileCols(l); ++col)
            pool.post([&, c, r, col, k] {
              auto t = src.readTile({static_cast<int>(k), 0, c, 0, r, col}, {});
              std::lock_guard lock(m);
              ++tiles;
              if (!t) {
                firstError = t.error().message;
                ++mismatches;
                return;
              }
              for (int y = 0; y < t->height; ++y)
                for (int x = 0; x < t->width; ++x) {
                  const std::int64_t gy = r * l.chunk[kY] + y, gx = col * l.chunk[kX] + x;
                  if (t->data[static_cast<std::size_t>(y * t->width + x)] !=
                      want[static_cast<std::size_t>((gy * w + gx) * 3 + c)])
                    ++mismatches;
                }
            });
      pool.waitIdle();
      QVERIFY2(mismatches == 0, (std::to_string(mismatches) + " mismatches at level " +
                                 std::to_string(k) + " " + firstError)
                                    .c_str());
      QCOMPARE(tiles, 3 * tileRows(l) * tileCols(l));
    }
  }

  void badTileRequestsAreErrors() {
    auto src = OpenSlideSource::open((dir_ / "slide.tif").string());
    QVERIFY(src.has_value());
    QCOMPARE((*src)->vendor(), std::string("generic-tiff"));
    auto t = (*src)->readTile({0, 0, 3, 0, 0, 0}, {});
    QVERIFY(!t);
    QCOMPARE(t.error().code, Errc::InvalidArgument);
    t = (*src)->readTile({0, 0, 0, 0, 99, 0}, {});
    QVERIFY(!t);
    std::stop_source stop;
    stop.request_stop();
    t = (*src)->readTile({0, 0, 0, 0, 0, 0}, stop.get_token());
    QVERIFY(!t);
    QCOMPARE(t.error().code, Errc::Cancelled);
  }

  void probeLeavesOmeTiffAndNonSlidesToOtherReaders() {
    QCOMPARE(probeOpenSlide((dir_ / "manifest.json").string()), 0);
    QCOMPARE(probeOpenSlide((dir_ / "missing.svs").string()), 0);
    const std::string ome = TESSERA_TEST_DATA_DIR "/ome-tiff/multi-channel.ome.tif";
    const ImageFormat* f = bestImageFormat(ome);
    QVERIFY(f);
    QCOMPARE(f->name, std::string("tiff"));
    auto bad = OpenSlideSource::open((dir_ / "manifest.json").string());
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Unsupported);
  }
};

QTEST_GUILESS_MAIN(TestOpenSlide)
#include "tst_openslide.moc"
