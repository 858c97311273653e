// Plain images (PNG, JPEG, BMP) through decodeImageFile: values against numpy-written fixtures,
// channel split and colours, 16-bit kept, alpha dropped with a warning, magic-byte probing, bad
// files, and the background pyramid (on-demand tiles equal built ones; progress reported).
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "data/image_open.h"
#include "data/plain/plain_image_source.h"
#include "data/thread_pool.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using tessera::test::freshDir;
using tessera::test::readFileBytes;
using tessera::test::runPython;

namespace {

/// Every tile of (level, channel) assembled into one plane, row-major.
std::vector<std::uint8_t> readPlane(const TileSource& src, int level, std::int64_t c) {
  const auto& l = src.info().levels[static_cast<std::size_t>(level)];
  const std::size_t esz = dtypeSize(src.info().dtype);
  std::vector<std::uint8_t> plane(static_cast<std::size_t>(l.shape[kX] * l.shape[kY]) * esz);
  for (std::int64_t r = 0; r < tileRows(l); ++r)
    for (std::int64_t col = 0; col < tileCols(l); ++col) {
      auto t = src.readTile({level, 0, c, 0, r, col}, {});
      if (!t) qFatal("%s", t.error().message.c_str());
      for (int y = 0; y < t->height; ++y)
        std::memcpy(plane.data() + ((r * l.chunk[kY] + y) * l.shape[kX] + col * l.chunk[kX]) * esz,
                    t->data.data() + static_cast<std::size_t>(y) * t->width * esz,
                    static_cast<std::size_t>(t->width) * esz);
    }
  return plane;
}

}  // namespace

class TestPlainImage : public QObject {
  Q_OBJECT
  fs::path dir_;
  nlohmann::json manifest_;

  const nlohmann::json& entry(const std::string& file) {
    for (const auto& e : manifest_["images"])
      if (e["file"] == file) return e;
    qFatal("no fixture %s", file.c_str());
  }

 private slots:
  void initTestCase() {
    dir_ = freshDir("plain_fixtures");
    bool ok = false;
    runPython({QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/plain/make_plain_fixtures.py"),
               QString::fromStdString(dir_.string())},
              &ok);
    QVERIFY2(ok, "make_plain_fixtures.py failed");
    std::ifstream in(dir_ / "manifest.json");
    manifest_ = nlohmann::json::parse(in);
  }

  void valuesEqualTheWrittenArrays_data() {
    QTest::addColumn<QString>("file");
    for (const char* f : {"rgb8.png", "grey16.png", "rgb16.png", "rgba8.png", "grey8.png",
                          "rgb24.bmp", "palette4.png", "grey2.png", "greyalpha8.png",
                          "grey8pal.bmp", "pal4.bmp", "bgra32.bmp", "rgb565.bmp"})
      QTest::newRow(f) << f;
  }
  void valuesEqualTheWrittenArrays() {
    QFETCH(QString, file);
    const auto& e = entry(file.toStdString());
    auto src = openImage((dir_ / file.toStdString()).string());
    QVERIFY2(src.has_value(), src ? "" : src.error().message.c_str());
    const ImageInfo& info = (*src)->info();
    QCOMPARE(std::string(dtypeName(info.dtype)), e["dtype"].get<std::string>());
    QCOMPARE(info.levels.size(), std::size_t{1});
    QCOMPARE(info.levels[0].shape[kC], e["channels"].get<std::int64_t>());
    QCOMPARE(info.height(), e["height"].get<std::int64_t>());
    QCOMPARE(info.width(), e["width"].get<std::int64_t>());
    const auto raw = readFileBytes(dir_ / e["raw"].get<std::string>());
    const std::size_t planeBytes = raw.size() / e["channels"].get<std::size_t>();
    for (std::int64_t c = 0; c < info.levels[0].shape[kC]; ++c) {
      const auto plane = readPlane(**src, 0, c);
      QCOMPARE(plane.size(), planeBytes);
      QVERIFY2(std::equal(plane.begin(), plane.end(), raw.begin() + c * planeBytes),
               ("channel " + std::to_string(c)).c_str());
    }
    if (info.channels.size() == 3) {
      QCOMPARE(info.channels[0].name, std::string("red"));
      QCOMPARE(info.channels[0].color, 0xFF0000u);
      QCOMPARE(info.channels[1].color, 0x00FF00u);
      QCOMPARE(info.channels[2].name, std::string("blue"));
      QCOMPARE(info.channels[2].color, 0x0000FFu);
    }
    const bool alpha = file == "rgba8.png" || file == "greyalpha8.png" || file == "bgra32.bmp";
    QCOMPARE(info.warnings.size(), std::size_t{alpha ? 1u : 0u});
    if (alpha) QVERIFY(info.warnings[0].find("alpha channel ignored") != std::string::npos);
  }

  void probesByMagicBytesNotExtension() {
    QCOMPARE(probePlainImage((dir_ / "grey8.data").string()), 60);
    QCOMPARE(probePlainImage((dir_ / "not_an_image.png").string()), 0);
    const ImageFormat* f = bestImageFormat((dir_ / "grey8.data").string());
    QVERIFY(f);
    QCOMPARE(f->name, std::string("plain image"));
    auto src = openImage((dir_ / "grey8.data").string());
    QVERIFY(src.has_value());
    QCOMPARE((*src)->info().format, std::string("png"));
    auto text = openImage((dir_ / "not_an_image.png").string());
    QVERIFY(!text);
    QCOMPARE(text.error().code, Errc::Unsupported);
  }

  void truncatedFileIsACorruptErrorNamingIt() {
    const std::string path = (dir_ / "truncated.png").string();
    auto src = PlainImageSource::open(path);
    QVERIFY(!src);
    QCOMPARE(src.error().code, Errc::Corrupt);
    QVERIFY2(src.error().message.starts_with(path + ": damaged or truncated PNG"),
             src.error().message.c_str());
    const std::string bmp = (dir_ / "truncated.bmp").string();
    auto cut = PlainImageSource::open(bmp);
    QVERIFY(!cut);
    QCOMPARE(cut.error().code, Errc::Corrupt);
    QVERIFY2(cut.error().message.starts_with(bmp + ": damaged BMP (the pixel data is cut short)"),
             cut.error().message.c_str());
    const std::string rle = (dir_ / "rle8.bmp").string();
    auto compressed = PlainImageSource::open(rle);
    QVERIFY(!compressed);
    QCOMPARE(compressed.error().code, Errc::Unsupported);
    QVERIFY2(compressed.error().message.starts_with(rle + ": a compressed BMP"),
             compressed.error().message.c_str());
    auto missing = PlainImageSource::open((dir_ / "nope.png").string());
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, Errc::NotFound);
  }

  // JPEG is lossy and no OpenCV-free JPEG writer is at hand: OpenCV writes flat colour blocks
  // at quality 100 and the decoded channels must give back each block's red, green and blue.
  void jpegSplitsIntoRedGreenBlue() {
    const fs::path path = dir_ / "blocks.jpg";
    cv::Mat bgr(64, 96, CV_8UC3);
    const cv::Vec3b colours[3] = {{0, 0, 200}, {0, 180, 0}, {160, 0, 0}};  // BGR: red, green, blue
    for (int y = 0; y < bgr.rows; ++y)
      for (int x = 0; x < bgr.cols; ++x)
        bgr.at<cv::Vec3b>(y, x) = colours[x / 32];
    QVERIFY(cv::imwrite(path.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 100}));
    auto src = openImage(path.string());
    QVERIFY2(src.has_value(), src ? "" : src.error().message.c_str());
    QCOMPARE((*src)->info().format, std::string("jpeg"));
    QCOMPARE((*src)->info().channels.size(), std::size_t{3});
    const int expect[3][3] = {{200, 0, 0}, {0, 180, 0}, {0, 0, 160}};  // block -> r, g, b
    for (int c = 0; c < 3; ++c) {
      const auto plane = readPlane(**src, 0, c);
      for (int block = 0; block < 3; ++block) {
        const int v = plane[static_cast<std::size_t>(32 * 96 + block * 32 + 16)];
        QVERIFY2(std::abs(v - expect[block][c]) <= 4,
                 ("channel " + std::to_string(c) + " block " + std::to_string(block) + " = " +
                  std::to_string(v))
                     .c_str());
      }
    }
  }

  // Grey JPEG stays one channel; a JPEG cut short is an error, not an image half grey (libjpeg
  // only warns and fills the rest).
  void greyJpegAndTruncatedJpeg() {
    const fs::path path = dir_ / "grey.jpg";
    // Big enough that half the file is scan data, not the headers.
    cv::Mat grey(400, 480, CV_8UC1, cv::Scalar(123));
    QVERIFY(cv::imwrite(path.string(), grey, {cv::IMWRITE_JPEG_QUALITY, 100}));
    auto src = PlainImageSource::open(path.string());
    QVERIFY2(src.has_value(), src ? "" : src.error().message.c_str());
    QCOMPARE((*src)->info().channels.size(), std::size_t{1});
    const auto plane = readPlane(**src, 0, 0);
    QVERIFY(std::abs(int(plane[200 * 480 + 240]) - 123) <= 1);

    cv::Mat noise(400, 480, CV_8UC1);
    cv::randu(noise, 0, 256);
    QVERIFY(cv::imwrite(path.string(), noise, {cv::IMWRITE_JPEG_QUALITY, 100}));
    const auto bytes = readFileBytes(path);
    const fs::path cut = dir_ / "cut.jpg";
    std::ofstream(cut, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size() / 2));
    auto bad = PlainImageSource::open(cut.string());
    QVERIFY(!bad);
    QCOMPARE(bad.error().code, Errc::Corrupt);
    QVERIFY2(bad.error().message.starts_with(cut.string() + ": truncated JPEG"),
             bad.error().message.c_str());
  }

  void largeImageGetsAPyramidBuiltInTheBackground() {
    const auto& e = entry("big_grey8.png");
    auto opened = PlainImageSource::open((dir_ / "big_grey8.png").string());
    QVERIFY2(opened.has_value(), opened ? "" : opened.error().message.c_str());
    auto src = *opened;
    const auto& levels = src->info().levels;
    QCOMPARE(levels.size(), e["levels"].size() + 1);
    QCOMPARE(src->builtLevels(), 1);
    // Before the build: coarse tiles are computed on demand and already equal the reference.
    for (std::size_t k = 1; k < levels.size(); ++k) {
      const auto& ref = e["levels"][k - 1];
      QCOMPARE(levels[k].shape[kY], ref["height"].get<std::int64_t>());
      QCOMPARE(levels[k].shape[kX], ref["width"].get<std::int64_t>());
      QCOMPARE(levels[k].scale[kX], double(1 << k));
      if (k >= 3) {
        const auto want = readFileBytes(dir_ / ref["raw"].get<std::string>());
        QVERIFY2(readPlane(*src, static_cast<int>(k), 0) == want,
                 ("level " + std::to_string(k)).c_str());
      }
    }
    ThreadPool pool(2);
    std::mutex m;
    std::vector<double> seen;
    src->buildPyramid(pool, [&](double f) {
      std::lock_guard lock(m);
      seen.push_back(f);
    });
    src->buildPyramid(pool);  // a second call is a no-op
    pool.waitIdle();
    QCOMPARE(src->builtLevels(), static_cast<int>(levels.size()));
    QVERIFY(seen.size() >= 2);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.back(), 1.0);
    for (std::size_t k = 1; k < levels.size(); ++k) {
      const auto want = readFileBytes(dir_ / e["levels"][k - 1]["raw"].get<std::string>());
      QVERIFY2(readPlane(*src, static_cast<int>(k), 0) == want,
               ("built level " + std::to_string(k)).c_str());
    }
  }

  void smallImageHasOneLevelAndBuildReportsDone() {
    auto src = PlainImageSource::open((dir_ / "rgb8.png").string());
    QVERIFY(src.has_value());
    ThreadPool pool(1);
    double last = 0;
    (*src)->buildPyramid(pool, [&](double f) { last = f; });
    QCOMPARE(last, 1.0);
    QCOMPARE((*src)->builtLevels(), 1);
  }
};

QTEST_GUILESS_MAIN(TestPlainImage)
#include "tst_plain_image.moc"
