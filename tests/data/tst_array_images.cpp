// Bare zarr arrays and N5 containers opened as images, checked against other implementations:
// make_array_fixtures.py writes stores with zarr-python (zarr v2 in every numcodecs compressor
// Tessera reads, groups, N5 through zarr.N5Store) and by hand from the N5 and zarr v3 specs
// (bzip2, xz and lz4-java block streams with block headers, cropped and padded edge blocks,
// the n5-viewer and BigDataViewer layouts, broken blocks); every pixel of every level read
// through openImage must equal the source array. Also: derived pyramids for big single-level
// arrays, the same stores over HTTP, and the new codecs on their own.
#include <QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/arrays/built_pyramid.h"
#include "data/codecs/codec.h"
#include "data/export/region_export.h"
#include "data/image_open.h"
#include "data/remote/http_client.h"
#include "data/remote/remote_context.h"
#include "data/thread_pool.h"
#include "tests/fixtures/remote/test_servers.h"
#include "tests/fixtures/zarr/zarr_test_support.h"
#include "tests/support/read_level.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const int kFixtureVersion = 7;  // keep in step with VERSION in make_array_fixtures.py

fs::path fixtureDir() {
  return fs::path(TESSERA_TEST_WORK_DIR) / "array_image_fixtures";
}

std::string axesOf(const ImageInfo& info) {
  std::string out;
  for (const auto& a : info.storedAxes)
    out += a;
  return out;
}

ImageSelection selectionOf(const nlohmann::json& e) {
  ImageSelection sel;
  if (e.contains("select_axes")) sel.axes = e["select_axes"];
  if (e.contains("select_series")) sel.series = e["select_series"].get<int>();
  return sel;
}

std::string rowName(const nlohmann::json& e, std::size_t i) {
  return std::to_string(i) + " " + e["path"].get<std::string>() + " [" +
         e["writer"].get<std::string>() + ", " + e["codec"].get<std::string>() + "]";
}

}  // namespace

class TestArrayImages : public QObject {
  Q_OBJECT
  nlohmann::json manifest_;

 private slots:
  void initTestCase() {
    // Derived pyramids are cached under XDG_CACHE_HOME; keep them in the test's work dir.
    const auto cache = fs::path(TESSERA_TEST_WORK_DIR) / "array_images_cache";
    fs::remove_all(cache);
    qputenv("XDG_CACHE_HOME", QByteArray::fromStdString(cache.string()));
    manifest_ = generatedManifest(
        QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/n5/make_array_fixtures.py"),
        fixtureDir(), kFixtureVersion);
    QVERIFY2(manifest_.is_object(), "fixture generator failed");
  }

  void storesEqualTheirSource_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < manifest_["stores"].size(); ++i)
      QTest::newRow(rowName(manifest_["stores"][i], i).c_str()) << static_cast<int>(i);
  }
  void storesEqualTheirSource() {
    QFETCH(int, index);
    const auto& e = manifest_["stores"][static_cast<std::size_t>(index)];
    const std::string expect = e["expect"];
    const fs::path where = fixtureDir() / e["path"].get<std::string>();
    auto src = openImage(where.string(), selectionOf(e));
    if (expect != "ok" && expect != "tile") {
      QVERIFY2(!src, "opened a store that should be refused");
      QVERIFY2(src.error().message.find(expect) != std::string::npos, src.error().message.c_str());
      QVERIFY2(src.error().message.find(where.string()) != std::string::npos,
               "the error does not name the store");
      return;
    }
    QVERIFY2(src, src ? "" : src.error().message.c_str());
    const ImageInfo& info = (*src)->info();
    QCOMPARE(info.format, std::string(e["kind"] == "n5" ? "n5" : "zarr-array"));
    QCOMPARE(axesOf(info), e["axes"].get<std::string>());
    QCOMPARE(info.axesGuessed, e["guessed"].get<bool>());
    if (e.contains("series")) QCOMPARE(info.series.size(), e["series"].get<std::size_t>());
    if (e.contains("stack")) {  // BigDataViewer timepoints as t, setups as channels
      QCOMPARE(info.levels[0].shape[kT], e["stack"][0].get<std::int64_t>());
      QCOMPARE(info.levels[0].shape[kC], e["stack"][1].get<std::int64_t>());
    }
    if (e.contains("channels"))
      for (std::size_t c = 0; c < e["channels"].size(); ++c)
        QCOMPARE(info.channels[c].name, e["channels"][c].get<std::string>());
    if (expect == "tile") {
      // The broken block fails alone, named; its neighbours read.
      const auto bad = e["bad_tile"];
      auto tile = (*src)->readTile(
          {0, 0, 0, 0, bad[0].get<std::int64_t>(), bad[1].get<std::int64_t>()}, {});
      QVERIFY(!tile);
      QVERIFY2(tile.error().message.find(e["error"].get<std::string>()) != std::string::npos,
               tile.error().message.c_str());
      if (e.value("neighbours_read", true)) QVERIFY((*src)->readTile({0, 0, 0, 0, 0, 1}, {}));
      return;
    }
    const auto& levels = e["levels"];
    if (!e.contains("derived_levels")) QCOMPARE(info.levels.size(), levels.size());
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const auto got = readLevel(**src, static_cast<int>(k));
      const auto want = slurp(fixtureDir() / levels[k]["raw"].get<std::string>());
      QVERIFY2(!want.empty(), "reference missing");
      QVERIFY2(got == want, ("level " + std::to_string(k) + " differs from the source").c_str());
    }
    if (e.contains("level_codecs"))
      for (std::size_t k = 0; k < e["level_codecs"].size(); ++k)
        QCOMPARE(info.levels[k].codec, e["level_codecs"][k].get<std::string>());
    else if (e["kind"] == "n5")
      QCOMPARE(info.levels[0].codec, e["codec"].get<std::string>() == "blosc"
                                         ? std::string("blosc/lz4")
                                         : e["codec"].get<std::string>());
  }

  // `tessera export`'s writer over these sources: the OME-TIFF it writes of the whole of level
  // 0 at the last t and z (every channel) reads back equal to that plane of the source.
  void exportEqualsTheSource_data() {
    QTest::addColumn<int>("index");
    for (std::size_t i = 0; i < manifest_["stores"].size(); ++i) {
      const auto& e = manifest_["stores"][i];
      if (e["expect"] == "ok" && !e.contains("derived_levels"))
        QTest::newRow(rowName(e, i).c_str()) << static_cast<int>(i);
    }
  }
  void exportEqualsTheSource() {
    QFETCH(int, index);
    const auto& e = manifest_["stores"][static_cast<std::size_t>(index)];
    auto src = openImage((fixtureDir() / e["path"].get<std::string>()).string(), selectionOf(e));
    QVERIFY2(src, src ? "" : src.error().message.c_str());
    const LevelInfo& l0 = (*src)->info().levels[0];
    RegionExportRequest request;
    request.width = l0.shape[kX];
    request.height = l0.shape[kY];
    request.t = l0.shape[kT] - 1;
    request.z = l0.shape[kZ] - 1;
    const auto out =
        workDir("array_images_export") / ("export-" + std::to_string(index) + ".ome.tif");
    auto done = exportRegion(**src, request, out);
    QVERIFY2(done, done ? "" : done.error().message.c_str());
    auto back = openImage(out.string());
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE((*back)->info().dtype, (*src)->info().dtype);
    // The source's (t, c, z, y, x) reference cut to that t and z, channel after channel.
    const auto all = slurp(fixtureDir() / e["levels"][0]["raw"].get<std::string>());
    const std::size_t plane =
        static_cast<std::size_t>(l0.shape[kY] * l0.shape[kX]) * dtypeSize((*src)->info().dtype);
    Bytes want;
    for (std::int64_t c = 0; c < l0.shape[kC]; ++c) {
      const auto at =
          static_cast<std::size_t>((request.t * l0.shape[kC] + c) * l0.shape[kZ] + request.z) *
          plane;
      QVERIFY(at + plane <= all.size());
      want.insert(want.end(), all.begin() + static_cast<std::ptrdiff_t>(at),
                  all.begin() + static_cast<std::ptrdiff_t>(at + plane));
    }
    QVERIFY(readLevel(**back, 0) == want);
  }

  // info --json carries the format, the guessed axes and each level's codec.
  void infoJsonNamesFormatAxesAndCodecs() {
    auto src = openImage((fixtureDir() / "n5/n5-viewer.n5").string());
    QVERIFY2(src, src ? "" : src.error().message.c_str());
    const auto j = imageInfoToJson((*src)->info());
    QCOMPARE(j["format"].get<std::string>(), std::string("n5"));
    QCOMPARE(j["axes"], nlohmann::json({"y", "x"}));
    QCOMPARE(j["levels"][1]["codec"].get<std::string>(), std::string("xz"));
    QCOMPARE(j["levels"][0]["scale"], nlohmann::json({0.5, 0.5}));
    QCOMPARE((*src)->info().spaceUnit, std::string("um"));
    // n5-viewer channel groups take the root's pixelResolution and scales.
    auto channels = openImage((fixtureDir() / "n5/n5-viewer-channels.n5").string());
    QVERIFY(channels);
    const auto c = imageInfoToJson((*channels)->info());
    QCOMPARE(c["axes"], nlohmann::json({"c", "y", "x"}));
    QCOMPARE(c["levels"][0]["scale"], nlohmann::json({1.0, 0.25, 0.25}));
    QCOMPARE(c["levels"][2]["scale"], nlohmann::json({1.0, 1.0, 1.0}));
    QCOMPARE(c["levels"][2]["codec"].get<std::string>(), std::string("raw"));
    auto rgb = openImage((fixtureDir() / "zarr/rgb.zarr").string());
    QVERIFY(rgb);
    const auto k = imageInfoToJson((*rgb)->info());
    QCOMPARE(k["format"].get<std::string>(), std::string("zarr-array"));
    QCOMPARE(k["axes_guessed"].get<bool>(), true);
    QCOMPARE(k["levels"][0]["codec"].get<std::string>(), std::string("zstd"));
  }

  void badAxesAreNamed() {
    const auto gray = (fixtureDir() / "zarr/gray-zlib.zarr").string();
    ImageSelection sel;
    sel.axes = "tczyx";
    auto wrongRank = openImage(gray, sel);
    QVERIFY(!wrongRank);
    QCOMPARE(wrongRank.error().code, Errc::InvalidArgument);
    QVERIFY2(wrongRank.error().message.find("2 dimensions") != std::string::npos,
             wrongRank.error().message.c_str());
    sel.axes = "yq";
    auto unknown = openImage(gray, sel);
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().message.find("'q'") != std::string::npos,
             unknown.error().message.c_str());
    sel.axes = "xy";  // transposed view: width and height swap
    auto swapped = openImage(gray, sel);
    QVERIFY(swapped);
    QCOMPARE((*swapped)->info().width(), std::int64_t{70});
    QCOMPARE((*swapped)->info().height(), std::int64_t{90});
  }

  // A single-level array over 4096 px gets levels at once; coarse tiles are computed on demand,
  // then the build writes them into the cache, with the same values, and a reopen reuses it.
  void bigArraysGetABuiltPyramid() {
    const auto wide = (fixtureDir() / "zarr/wide.zarr").string();
    auto src = openImage(wide);
    QVERIFY2(src, src ? "" : src.error().message.c_str());
    auto built = std::dynamic_pointer_cast<BuiltPyramidSource>(*src);
    QVERIFY(built);
    QCOMPARE(built->info().levels.size(), std::size_t{5});
    QCOMPARE(built->builtLevels(), 1);
    const auto want = slurp(fixtureDir() / "wide-1.raw");
    QVERIFY(readLevel(*built, 1) == want);
    const auto coarsest = readLevel(*built, 4);
    QVERIFY(!coarsest.empty());
    {
      ThreadPool pool(2);
      std::atomic<double> last{0};
      built->buildPyramid(pool, [&](double f) { last = f; });
      QTRY_COMPARE_WITH_TIMEOUT(built->builtLevels(), 5, 120000);
      QTRY_COMPARE_WITH_TIMEOUT(last.load(), 1.0, 10000);
    }
    QVERIFY(fs::exists(built->cacheDir() / "complete"));
    QVERIFY(readLevel(*built, 1) == want);
    QVERIFY(readLevel(*built, 4) == coarsest);
    auto again = openImage(wide);
    QVERIFY(again);
    QCOMPARE(std::dynamic_pointer_cast<BuiltPyramidSource>(*again)->builtLevels(), 5);
  }

  // The same readers over HTTP: N5 (BigDataViewer probed by name, as HTTP cannot list), a bare
  // zarr array and a bare zarr pyramid group.
  void storesOpenOverHttp() {
    HttpClientOptions options;
    options.proxy = ProxySettings{};
    auto client = HttpClient::create(options);
    QVERIFY(client);
    setRemoteContext({*client, nullptr, false});
    tessera::testing::NginxServer nginx(fixtureDir(),
                                        fixtureDir().parent_path() / "array_images_nginx");
    QVERIFY2(nginx.ok(), nginx.errorLog().c_str());
    for (const auto& [path, raw] :
         {std::pair{std::string("n5/hand-lz4.n5/gray"), std::string("gray.raw")},
          {"n5/bdv.n5", "bdv-s0.raw"},
          {"n5/bdv-ragged.n5", "bdv-ragged-0.raw"},
          {"n5/bdv-padded.n5", "bdv-padded.raw"},
          {"n5/n5-viewer-channels.n5", "n5-viewer-channels-0.raw"},
          {"n5/n5-viewer.n5", "gray.raw"},
          {"zarr/gray-bz2.zarr", "gray.raw"},
          {"zarr/pyramid-group.zarr", "gray.raw"}}) {
      auto src = openImage(nginx.url(path));
      QVERIFY2(src, (path + ": " + (src ? "" : src.error().message)).c_str());
      QVERIFY2(readLevel(**src, 0) == slurp(fixtureDir() / raw), path.c_str());
    }
    auto bdv = openImage(nginx.url("n5/bdv.n5"));
    QVERIFY(bdv);
    // Probed by name: two setups at two timepoints, stacked as over a listing store.
    QCOMPARE((*bdv)->info().series.size(), std::size_t{0});
    QCOMPARE((*bdv)->info().levels.size(), std::size_t{2});
    QCOMPARE((*bdv)->info().levels[0].shape[kT], std::int64_t{2});
    QCOMPARE((*bdv)->info().levels[0].shape[kC], std::int64_t{2});
    QVERIFY(readLevel(**bdv, 1) == slurp(fixtureDir() / "bdv-s1.raw"));
  }

  void codecsRoundTripAndRefuseDamage() {
    QCOMPARE(xxhash32({}, 0), 0x02CC5D05u);
    const std::string abc = "abc";
    QCOMPARE(xxhash32({reinterpret_cast<const std::uint8_t*>(abc.data()), 3}, 0), 0x32D153FFu);
    Bytes data(200000);
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<std::uint8_t>((i * 7) % 251 + (i / 1000));
    for (const auto& codec : {makeBzip2Codec(), makeXzCodec(), makeLz4BlockStreamCodec()}) {
      auto enc = codec->encode(data);
      QVERIFY2(enc, codec->name());
      Bytes back(data.size());
      QVERIFY2(codec->decodeInto(*enc, back), codec->name());
      QVERIFY(back == data);
      auto sized = codec->decode(*enc, data.size());
      QVERIFY(sized && *sized == data);
      Bytes small(data.size() - 1);
      QVERIFY2(!codec->decodeInto(*enc, small), codec->name());  // decodes to more
      const Bytes cut(enc->begin(), enc->begin() + static_cast<std::ptrdiff_t>(enc->size() / 2));
      auto truncated = codec->decodeInto(cut, back);
      QVERIFY2(!truncated, codec->name());
      QCOMPARE(truncated.error().code, Errc::Corrupt);
    }
    auto enc = makeLz4BlockStreamCodec()->encode(data);
    (*enc)[17] ^= 1;  // first block's checksum
    Bytes back(data.size());
    auto r = makeLz4BlockStreamCodec()->decodeInto(*enc, back);
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("checksum") != std::string::npos, r.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestArrayImages)
#include "tst_array_images.moc"
