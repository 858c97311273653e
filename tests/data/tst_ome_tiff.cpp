// OmeTiffSource against tifffile: fixtures are written by tests/fixtures/ome/make_tiff_fixtures.py
// at test time, read back by tifffile and compared value for value. Compressions tifffile
// cannot write without imagecodecs (LZW, zstd, JPEG, PackBits) are written here with libtiff.
#include <tiffio.h>

#include <QProcess>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "data/local_store.h"
#include "data/tiff/ome_tiff_source.h"
#include "tests/support/read_level.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "ome_tiff";

std::shared_ptr<OmeTiffSource> openOrFail(const fs::path& p) {
  auto src = OmeTiffSource::open(std::make_shared<LocalStore>(p), "");
  if (!src) qWarning("%s", src.error().message.c_str());
  return src ? *src : nullptr;
}

// A smooth 8-bit ramp (JPEG-friendly) written as a single-channel TIFF with libtiff.
bool writeLibtiff(const fs::path& p, std::uint16_t compression, bool tiled, int w, int h,
                  std::vector<std::uint8_t>& pixels, bool predictor = false) {
  pixels.resize(static_cast<std::size_t>(w * h));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      pixels[static_cast<std::size_t>(y * w + x)] =
          static_cast<std::uint8_t>((x + 2 * y) / 3 % 256);
  TIFF* tif = TIFFOpen(p.c_str(), "w");
  if (!tif) return false;
  TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
  if (predictor) TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
  if (compression == COMPRESSION_JPEG) TIFFSetField(tif, TIFFTAG_JPEGQUALITY, 95);
  bool ok = true;
  if (tiled) {
    const int tw = 64, th = 64;
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, tw);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, th);
    std::vector<std::uint8_t> buf(static_cast<std::size_t>(tw * th));
    for (int ty = 0; ty < h; ty += th)
      for (int tx = 0; tx < w; tx += tw) {
        std::fill(buf.begin(), buf.end(), 0);
        for (int y = 0; y < th && ty + y < h; ++y)
          for (int x = 0; x < tw && tx + x < w; ++x)
            buf[static_cast<std::size_t>(y * tw + x)] =
                pixels[static_cast<std::size_t>((ty + y) * w + tx + x)];
        ok = ok && TIFFWriteTile(tif, buf.data(), static_cast<std::uint32_t>(tx),
                                 static_cast<std::uint32_t>(ty), 0, 0) >= 0;
      }
  } else {
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 16);
    std::vector<std::uint8_t> row(static_cast<std::size_t>(w));  // the predictor encodes in place
    for (int y = 0; y < h; ++y) {
      std::memcpy(row.data(), pixels.data() + y * w, row.size());
      ok = ok && TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0) >= 0;
    }
  }
  TIFFClose(tif);
  return ok;
}

}  // namespace

class TestOmeTiff : public QObject {
  Q_OBJECT
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork);
    // Bio-Formats-style files in place of the GPL QuPath samples (make_cells_like.py).
    const QString work = QString::fromStdString(kWork.string());
    QProcess cells;
    cells.start(TESSERA_PYTHON,
                {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_cells_like.py", work});
    QVERIFY(cells.waitForFinished(120000));
    QVERIFY2(cells.exitCode() == 0, cells.readAllStandardError().constData());
    QStringList args{QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/ome/make_tiff_fixtures.py",
                     work, QString(TESSERA_TEST_DATA_DIR) + "/ome-tiff/multi-channel.ome.tif"};
    for (const char* name : {"cells-2c.ome.tif", "cells-2z.ome.tif"})
      args << QString::fromStdString((kWork / name).string());
    QProcess py;
    py.start(TESSERA_PYTHON, args);
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    std::ifstream f(kWork / "manifest.json");
    manifest_ = nlohmann::json::parse(f);
  }

  void readsSameValuesAsTifffile_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < manifest_.size(); ++i)
      QTest::newRow(manifest_[i]["name"].get<std::string>().c_str()) << static_cast<int>(i);
  }
  void readsSameValuesAsTifffile() {
    QFETCH(int, index);
    const auto& e = manifest_[static_cast<std::size_t>(index)];
    auto src = openOrFail(kWork / e["file"].get<std::string>());
    QVERIFY(src);
    QCOMPARE(std::string(dtypeName(src->info().dtype)), e["dtype"].get<std::string>());
    QCOMPARE(src->info().levels.size(), e["levels"].size());
    for (std::size_t l = 0; l < e["levels"].size(); ++l) {
      const auto& want = e["levels"][l];
      for (int s = 0; s < 5; ++s)
        QCOMPARE(src->info().levels[l].shape[static_cast<std::size_t>(s)],
                 want["shape"][static_cast<std::size_t>(s)].get<std::int64_t>());
      const Bytes got = readLevel(*src, static_cast<int>(l));
      const Bytes expected = slurp(kWork / want["raw"].get<std::string>());
      QCOMPARE(got.size(), expected.size());
      QVERIFY2(got == expected, ("level " + std::to_string(l) + " differs").c_str());
    }
  }

  void pyramidMetadataFromOmeXmlAndSubIfds() {
    auto src = openOrFail(kWork / "pyramid.ome.tif");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.format, std::string("ome-tiff"));
    QCOMPARE(info.storedAxes, (std::vector<std::string>{"c", "y", "x"}));
    QCOMPARE(info.channels.size(), std::size_t(2));
    QCOMPARE(info.channels[0].name, std::string("DAPI"));
    QCOMPARE(info.channels[1].name, std::string("GFP"));
    QCOMPARE(info.spaceUnit, std::string("micrometer"));
    QCOMPARE(info.levels[0].chunk[kX], std::int64_t(128));
    QCOMPARE(info.levels[0].scale[kX], 0.25);
    QCOMPARE(info.levels[1].scale[kX], 0.5);
    QCOMPARE(info.levels[2].scale[kY], 1.0);
  }

  void strippedFileIsServedAsVirtualTiles() {
    auto src = openOrFail(kWork / "stripped.ome.tif");
    QVERIFY(src);
    const LevelInfo& L = src->info().levels[0];
    QCOMPARE(L.chunk[kY], std::int64_t(512));
    auto tile = src->readTile({0, 1, 1, 0, 0, 0}, {});
    QVERIFY(tile);
    QCOMPARE(tile->width, 500);
    QCOMPARE(tile->height, 300);
  }

  void realMultiChannelSample() {
    auto src = openOrFail(fs::path(TESSERA_TEST_DATA_DIR) / "ome-tiff/multi-channel.ome.tif");
    QVERIFY(src);
    const ImageInfo& info = src->info();
    QCOMPARE(info.format, std::string("ome-tiff"));
    QCOMPARE(info.dtype, DType::I8);
    QCOMPARE(info.width(), std::int64_t(439));
    QCOMPARE(info.height(), std::int64_t(167));
    QCOMPARE(info.levels[0].shape[kC], std::int64_t(3));
    QCOMPARE(info.channels[2].name, std::string("Channel 2"));
    QVERIFY(info.warnings.empty());
  }

  void bioFormatsStyleSamples() {
    auto t = openOrFail(kWork / "cells-2t.ome.tif");  // LZW: tifffile cannot read it here
    QVERIFY(t);
    QCOMPARE(t->info().levels[0].shape[kT], std::int64_t(2));
    QCOMPARE(t->info().levels[0].scale[kX], 0.25);
    auto a = t->readTile({0, 0, 0, 0, 0, 0}, {}), b = t->readTile({0, 1, 0, 0, 0, 0}, {});
    QVERIFY(a && b);
    QCOMPARE(a->width, 93);
    const Bytes planes = slurp(kWork / "cells-2t.raw");  // the planes as written
    QCOMPARE(a->data, Bytes(planes.begin(), planes.begin() + planes.size() / 2));
    QCOMPARE(b->data, Bytes(planes.begin() + planes.size() / 2, planes.end()));
    auto z = openOrFail(kWork / "cells-2z.ome.tif");  // TiffData names a renamed file
    QVERIFY(z);
    QCOMPARE(z->info().levels[0].shape[kZ], std::int64_t(2));
    QVERIFY(z->info().warnings.empty());
  }

  void libtiffCompressions_data() {
    QTest::addColumn<int>("compression");
    QTest::addColumn<bool>("tiled");
    QTest::addColumn<bool>("predictor");
    QTest::addColumn<int>("tolerance");
    QTest::newRow("lzw-tiled") << int(COMPRESSION_LZW) << true << false << 0;
    QTest::newRow("lzw-stripped-predictor") << int(COMPRESSION_LZW) << false << true << 0;
    QTest::newRow("deflate-predictor") << int(COMPRESSION_ADOBE_DEFLATE) << true << true << 0;
    QTest::newRow("packbits") << int(COMPRESSION_PACKBITS) << false << false << 0;
    QTest::newRow("zstd") << int(COMPRESSION_ZSTD) << true << false << 0;
    QTest::newRow("jpeg") << int(COMPRESSION_JPEG) << true << false << 6;
  }
  void libtiffCompressions() {
    QFETCH(int, compression);
    QFETCH(bool, tiled);
    QFETCH(bool, predictor);
    QFETCH(int, tolerance);
    if (!TIFFIsCODECConfigured(static_cast<std::uint16_t>(compression)))
      QSKIP("codec not in this libtiff");
    const fs::path p = kWork / ("codec_" + std::string(QTest::currentDataTag()) + ".tif");
    std::vector<std::uint8_t> pixels;
    QVERIFY(writeLibtiff(p, static_cast<std::uint16_t>(compression), tiled, 300, 170, pixels,
                         predictor));
    auto src = openOrFail(p);
    QVERIFY(src);
    QCOMPARE(src->info().format, std::string("tiff"));
    const Bytes got = readLevel(*src, 0);
    QCOMPARE(got.size(), pixels.size());
    int worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i)
      worst = std::max(worst, std::abs(int(got[i]) - int(pixels[i])));
    QVERIFY2(worst <= tolerance, ("max difference " + std::to_string(worst)).c_str());
  }

  void concurrentReadersAgree() {
    auto src = openOrFail(kWork / "pyramid.ome.tif");
    QVERIFY(src);
    const Bytes reference = readLevel(*src, 0);
    std::vector<Bytes> results(6);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < results.size(); ++i)
      threads.emplace_back([&, i] { results[i] = readLevel(*src, 0); });
    for (auto& t : threads)
      t.join();
    for (const auto& r : results)
      QVERIFY(r == reference);
  }

  void cancelledBeforeDecoding() {
    auto src = openOrFail(kWork / "pyramid.ome.tif");
    QVERIFY(src);
    std::stop_source stop;
    stop.request_stop();
    auto tile = src->readTile({0, 0, 0, 0, 0, 0}, stop.get_token());
    QVERIFY(!tile);
    QCOMPARE(tile.error().code, Errc::Cancelled);
  }

  void dimensionOrderMustNameZCTOnce() {
    // "XYC^T" indexed planes with T's stride twice and read past the plane table (fuzz_tiff).
    Bytes bytes = slurp(kWork / "int32.ome.tif");
    const std::string key = "DimensionOrder=\"";
    auto at = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
    QVERIFY(at != bytes.end());
    std::memcpy(&*(at + static_cast<std::ptrdiff_t>(key.size())), "XYC^T", 5);
    const fs::path bad = kWork / "bad_order.ome.tif";
    std::ofstream(bad, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    // A TIFF whose OME-XML is broken is still a TIFF: read plain, and say why.
    auto src = OmeTiffSource::open(std::make_shared<LocalStore>(bad), "");
    QVERIFY(src);
    QCOMPARE((*src)->info().format, std::string("tiff"));
    const auto& w = (*src)->info().warnings;
    QVERIFY(std::any_of(w.begin(), w.end(), [](const std::string& m) {
      return m.find("bad_order.ome.tif") != std::string::npos &&
             m.find("DimensionOrder \"XYC^T\"") != std::string::npos &&
             m.find("read as a plain TIFF") != std::string::npos;
    }));
    QVERIFY((*src)->readTile({}, {}).has_value());
  }

  void badTilesAndFilesAreErrors() {
    auto src = openOrFail(kWork / "int32.ome.tif");
    QVERIFY(src);
    QCOMPARE(src->readTile({0, 0, 0, 0, 9, 0}, {}).error().code, Errc::InvalidArgument);
    QCOMPARE(src->readTile({3, 0, 0, 0, 0, 0}, {}).error().code, Errc::InvalidArgument);

    const fs::path notTiff = kWork / "not_a.tif";
    std::ofstream(notTiff) << "hello, not a tiff";
    auto bad = OmeTiffSource::open(std::make_shared<LocalStore>(notTiff), "");
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.find("not_a.tif") != std::string::npos,
             bad.error().message.c_str());

    const fs::path truncated = kWork / "truncated.tif";
    const Bytes whole = slurp(kWork / "int32.ome.tif");
    std::ofstream(truncated, std::ios::binary)
        .write(reinterpret_cast<const char*>(whole.data()), 5000);
    auto cut = OmeTiffSource::open(std::make_shared<LocalStore>(truncated), "");
    if (cut) {  // header readable: the pixels are not
      auto tile = (*cut)->readTile({0, 0, 0, 0, 1, 1}, {});
      QVERIFY(!tile);
      QVERIFY2(tile.error().message.find("truncated.tif") != std::string::npos,
               tile.error().message.c_str());
    } else {
      QVERIFY2(cut.error().message.find("truncated.tif") != std::string::npos,
               cut.error().message.c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestOmeTiff)
#include "tst_ome_tiff.moc"
