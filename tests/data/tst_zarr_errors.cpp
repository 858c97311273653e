// Bad zarr input must come back as a clear Error naming the store and key, never a crash or a
// runaway allocation: malformed JSON, unknown codecs and dtypes, truncated or corrupt chunks,
// wrong decoded sizes, bad shard indexes and absurd shapes.
#include <QtTest>
#include <cstring>
#include <nlohmann/json.hpp>
#include <tuple>

#include "data/codecs/codec.h"
#include "data/local_store.h"
#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_strings.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path root() {
  return fs::path(TESSERA_TEST_WORK_DIR) / "zarr_errors";
}

void put(const std::string& key, const std::string& text) {
  writeFileBytes(root() / key, text.data(), text.size());
}
void put(const std::string& key, const Bytes& bytes) {
  writeFileBytes(root() / key, bytes.data(), bytes.size());
}

json zarray(json compressor, std::string dtype = "<u2") {
  return {{"zarr_format", 2}, {"shape", {10, 10}},        {"chunks", {5, 5}},
          {"dtype", dtype},   {"compressor", compressor}, {"fill_value", 0},
          {"order", "C"},     {"filters", nullptr}};
}

json zarrJson(json codecs, std::string dtype = "uint16", json shape = {10, 10},
              json chunks = {5, 5}) {
  return {{"zarr_format", 3},
          {"node_type", "array"},
          {"shape", shape},
          {"data_type", dtype},
          {"chunk_grid", {{"name", "regular"}, {"configuration", {{"chunk_shape", chunks}}}}},
          {"chunk_key_encoding", {{"name", "default"}}},
          {"fill_value", 0},
          {"codecs", codecs}};
}

const json kLe = {{"name", "bytes"}, {"configuration", {{"endian", "little"}}}};

Bytes chunkBytes(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>(i * 7);
  return b;
}

void putLe64(Bytes& b, std::uint64_t v) {
  for (int i = 0; i < 8; ++i)
    b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

class TestZarrErrors : public QObject {
  Q_OBJECT
  std::shared_ptr<LocalStore> store_;

  // Opens `path` and reads chunk (0, 0); returns the first error.
  Error firstError(const std::string& path) {
    auto arr = ZarrArray::open(store_, path);
    if (!arr) return arr.error();
    std::vector<std::int64_t> idx((*arr)->shape().size(), 0);
    auto c = (*arr)->readChunk(idx);
    if (!c) return c.error();
    return Error{Errc::InvalidArgument, "no error"};
  }

  void expectError(const std::string& path, Errc code, const std::string& keyInMessage,
                   const std::string& alsoInMessage = {}) {
    const Error e = firstError(path);
    const std::string msg = errcName(e.code) + std::string(": ") + e.message;
    qInfo("%s", msg.c_str());  // the log doubles as a catalogue of user-facing messages
    QVERIFY2(e.code == code, msg.c_str());
    QVERIFY2(e.message.find((root() / keyInMessage).string()) != std::string::npos, msg.c_str());
    QVERIFY2(e.message.find(alsoInMessage) != std::string::npos, msg.c_str());
  }

 private slots:
  void initTestCase() {
    fs::remove_all(root());
    fs::create_directories(root());
    store_ = std::make_shared<LocalStore>(root());
  }

  void malformedJson() {
    put("badjson_v2/.zarray", std::string("{\"zarr_format\": 2, \"shape\": [10,"));
    expectError("badjson_v2", Errc::Corrupt, "badjson_v2/.zarray", "malformed JSON");
    put("badjson_v3/zarr.json", std::string("not json at all"));
    expectError("badjson_v3", Errc::Corrupt, "badjson_v3/zarr.json", "malformed JSON");
    put("badtypes/.zarray", json{{"zarr_format", 2}, {"shape", "ten"}}.dump());
    expectError("badtypes", Errc::Corrupt, "badtypes/.zarray", "shape");
    put("missingkey/zarr.json", json{{"zarr_format", 3}, {"node_type", "array"}}.dump());
    expectError("missingkey", Errc::Corrupt, "missingkey/zarr.json");
    put("badzattrs/.zarray", zarray(nullptr).dump());
    put("badzattrs/.zattrs", std::string("{"));
    expectError("badzattrs", Errc::Corrupt, "badzattrs/.zattrs", "malformed JSON");
    put("badzmeta/.zmetadata", std::string("[1,2"));
    QCOMPARE(
        readZarrAttributes(*std::make_shared<LocalStore>(root() / "badzmeta"), "").error().code,
        Errc::Corrupt);
  }

  // AnnData string arrays whose metadata hold other JSON types where strings or objects go:
  // refused with the key named, never thrown past the reader.
  void stringArraysWithFieldsOfAnotherType() {
    put("str_v2_filter/.zarray", json{{"zarr_format", 2},
                                      {"shape", {3}},
                                      {"chunks", {3}},
                                      {"dtype", "|O"},
                                      {"compressor", nullptr},
                                      {"filters", {{{"id", 5}}}}}
                                     .dump());
    put("str_v3_grid/zarr.json", json{{"zarr_format", 3},
                                      {"node_type", "array"},
                                      {"data_type", "string"},
                                      {"shape", {3}},
                                      {"chunk_grid", 5},
                                      {"codecs", {{{"name", "vlen-utf8"}}}}}
                                     .dump());
    put("str_v3_codec/zarr.json", json{{"zarr_format", 3},
                                       {"node_type", "array"},
                                       {"data_type", "string"},
                                       {"shape", {3}},
                                       {"chunk_grid", {{"configuration", {{"chunk_shape", {3}}}}}},
                                       {"chunk_key_encoding", {{"name", 7}}},
                                       {"codecs", {{{"name", {1}}}}}}
                                      .dump());
    put("str_v3_array/zarr.json", std::string("[1, 2]"));
    for (const auto& [dir, file, what] :
         {std::tuple{"str_v2_filter", ".zarray", "filter '?'"},
          std::tuple{"str_v3_grid", "zarr.json", "chunk_shape"},
          std::tuple{"str_v3_codec", "zarr.json", "codec '?'"},
          std::tuple{"str_v3_array", "zarr.json", "not a JSON object"}}) {
      const auto r = readZarrStrings(*store_, dir);
      QVERIFY2(!r, dir);
      const std::string where = (root() / dir / file).string();
      QVERIFY2(r.error().message.find(where) != std::string::npos &&
                   r.error().message.find(what) != std::string::npos,
               r.error().message.c_str());
    }
  }

  void unknownCodecsAndTypes() {
    put("zfpy/.zarray", zarray({{"id", "zfpy"}, {"mode", 4}}).dump());
    expectError("zfpy", Errc::Unsupported, "zfpy/.zarray", "zfpy");
    put("lzma_raw/.zarray", zarray({{"id", "lzma"}, {"format", 3}}).dump());
    expectError("lzma_raw", Errc::Unsupported, "lzma_raw/.zarray", "format 3");
    put("complex_v2/.zarray", zarray(nullptr, "<c8").dump());
    expectError("complex_v2", Errc::Unsupported, "complex_v2/.zarray", "<c8");
    put("object_v2/.zarray", zarray(nullptr, "|O").dump());
    expectError("object_v2", Errc::Unsupported, "object_v2/.zarray");
    put("foo_v3/zarr.json", zarrJson({kLe, {{"name", "foo"}}}).dump());
    expectError("foo_v3", Errc::Unsupported, "foo_v3/zarr.json", "foo");
    put("complex_v3/zarr.json", zarrJson({kLe}, "complex64").dump());
    expectError("complex_v3", Errc::Unsupported, "complex_v3/zarr.json", "complex64");
    put("nobytes_v3/zarr.json", zarrJson({{{"name", "gzip"}}}).dump());
    expectError("nobytes_v3", Errc::Corrupt, "nobytes_v3/zarr.json");
    put("badtranspose/zarr.json",
        zarrJson({{{"name", "transpose"}, {"configuration", {{"order", {0, 0}}}}}, kLe}).dump());
    expectError("badtranspose", Errc::Corrupt, "badtranspose/zarr.json", "permutation");
    put("badfill/.zarray", [] {
      auto z = zarray(nullptr);
      z["fill_value"] = "NaN";  // NaN for an integer type
      return z.dump();
    }());
    expectError("badfill", Errc::Corrupt, "badfill/.zarray", "NaN");
  }

  void truncatedAndCorruptChunks() {
    const Bytes raw = chunkBytes(50);
    auto blosc = makeBloscCodec({"lz4", 5, 1, 2, 0})->encode(raw);
    QVERIFY(blosc.has_value());
    const json bloscCfg = {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}};

    put("truncated/.zarray", zarray(bloscCfg).dump());
    put("truncated/0.0", Bytes(blosc->begin(), blosc->begin() + blosc->size() / 2));
    expectError("truncated", Errc::Corrupt, "truncated/0.0", "blosc");

    put("shortheader/.zarray", zarray(bloscCfg).dump());
    put("shortheader/0.0", Bytes(blosc->begin(), blosc->begin() + 7));
    expectError("shortheader", Errc::Corrupt, "shortheader/0.0", "blosc");

    // A header that declares 2 GB decoded: refused before anything of that size is allocated.
    Bytes huge = *blosc;
    huge[4] = 0xFF, huge[5] = 0xFF, huge[6] = 0xFF, huge[7] = 0x7F;
    put("bloscsize/.zarray", zarray(bloscCfg).dump());
    put("bloscsize/0.0", huge);
    expectError("bloscsize", Errc::Corrupt, "bloscsize/0.0", "blosc");

    Bytes garbage(64, 0xAB);
    put("bloscgarbage/.zarray", zarray(bloscCfg).dump());
    put("bloscgarbage/0.0", garbage);
    expectError("bloscgarbage", Errc::Corrupt, "bloscgarbage/0.0", "blosc");

    // Valid streams that decode to the wrong size.
    auto zlib = makeZlibCodec(1)->encode(chunkBytes(30));
    put("zlibsize/.zarray", zarray({{"id", "zlib"}, {"level", 1}}).dump());
    put("zlibsize/0.0", *zlib);
    expectError("zlibsize", Errc::Corrupt, "zlibsize/0.0", "zlib");
    auto zlibBig = makeZlibCodec(1)->encode(chunkBytes(5000));
    put("zlibbig/.zarray", zarray({{"id", "zlib"}, {"level", 1}}).dump());
    put("zlibbig/0.0", *zlibBig);
    expectError("zlibbig", Errc::Corrupt, "zlibbig/0.0", "zlib");
    auto zstd = makeZstdCodec(1)->encode(chunkBytes(40));
    put("zstdsize/.zarray", zarray({{"id", "zstd"}, {"level", 1}}).dump());
    put("zstdsize/0.0", *zstd);
    expectError("zstdsize", Errc::Corrupt, "zstdsize/0.0", "zstd");
    put("zstdtrunc/.zarray", zarray({{"id", "zstd"}, {"level", 1}}).dump());
    auto zstdOk = makeZstdCodec(1)->encode(raw);
    put("zstdtrunc/0.0", Bytes(zstdOk->begin(), zstdOk->end() - 3));
    expectError("zstdtrunc", Errc::Corrupt, "zstdtrunc/0.0", "zstd");
    auto gz = makeGzipCodec(1)->encode(raw);
    put("gziptrunc/.zarray", zarray({{"id", "gzip"}, {"level", 1}}).dump());
    put("gziptrunc/0.0", Bytes(gz->begin(), gz->end() - 6));
    expectError("gziptrunc", Errc::Corrupt, "gziptrunc/0.0", "gzip");
    Bytes lz4 = *makeLz4Codec()->encode(raw);
    lz4[3] = 0x7F;  // declares ~2 GB
    put("lz4size/.zarray", zarray({{"id", "lz4"}, {"acceleration", 1}}).dump());
    put("lz4size/0.0", lz4);
    expectError("lz4size", Errc::Corrupt, "lz4size/0.0", "lz4");
    put("rawsize/.zarray", zarray(nullptr).dump());
    put("rawsize/0.0", chunkBytes(49));
    expectError("rawsize", Errc::Corrupt, "rawsize/0.0", "49");

    Bytes crc = *makeCrc32cCodec()->encode(raw);
    crc[10] ^= 1;
    put("crcbad/zarr.json", zarrJson({kLe, {{"name", "crc32c"}}}).dump());
    put("crcbad/c/0/0", crc);
    expectError("crcbad", Errc::Corrupt, "crcbad/c/0/0", "crc32c");
  }

  void badShardIndexes() {
    // 10x10 uint16 array, one shard of 10x10, inner chunks 5x5 stored raw; index [bytes] only.
    const json codecs = {{{"name", "sharding_indexed"},
                          {"configuration",
                           {{"chunk_shape", {5, 5}},
                            {"codecs", {kLe}},
                            {"index_codecs", {kLe}},
                            {"index_location", "end"}}}}};
    auto shard = [](std::uint64_t off0, std::uint64_t n0) {
      Bytes b = chunkBytes(50);
      putLe64(b, off0);
      putLe64(b, n0);
      for (int i = 0; i < 3; ++i) {
        putLe64(b, ~std::uint64_t{0});
        putLe64(b, ~std::uint64_t{0});
      }
      return b;
    };
    put("shardpast/zarr.json", zarrJson(codecs, "uint16", {10, 10}, {10, 10}).dump());
    put("shardpast/c/0/0", shard(100, 50));  // the shard has 114 bytes
    expectError("shardpast", Errc::Corrupt, "shardpast/c/0/0", "past the end");
    put("shardhuge/zarr.json", zarrJson(codecs, "uint16", {10, 10}, {10, 10}).dump());
    put("shardhuge/c/0/0", shard(0, std::uint64_t{1} << 60));
    expectError("shardhuge", Errc::Corrupt, "shardhuge/c/0/0");
    put("shardshort/zarr.json", zarrJson(codecs, "uint16", {10, 10}, {10, 10}).dump());
    put("shardshort/c/0/0", chunkBytes(20));
    expectError("shardshort", Errc::Corrupt, "shardshort/c/0/0", "index");
    put("shardwrongsize/zarr.json", zarrJson(codecs, "uint16", {10, 10}, {10, 10}).dump());
    put("shardwrongsize/c/0/0", shard(0, 30));
    expectError("shardwrongsize", Errc::Corrupt, "shardwrongsize/c/0/0", "inner chunk 0");
    json uneven = codecs;
    uneven[0]["configuration"]["chunk_shape"] = {3, 5};
    put("sharduneven/zarr.json", zarrJson(uneven, "uint16", {10, 10}, {10, 10}).dump());
    expectError("sharduneven", Errc::Corrupt, "sharduneven/zarr.json", "divide");
  }

  void absurdShapes() {
    // Chunks of 2^62 elements: refused at open, nothing allocated.
    auto big = zarray(nullptr);
    big["shape"] = {std::int64_t{1} << 62};
    big["chunks"] = {std::int64_t{1} << 62};
    put("hugechunk/.zarray", big.dump());
    expectError("hugechunk", Errc::Unsupported, "hugechunk/.zarray", "too large");
    // A 2^62-element array with small chunks opens; a whole read is refused, a chunk is fine.
    auto sparse = zarray(nullptr);
    sparse["shape"] = {std::int64_t{1} << 31, std::int64_t{1} << 31};
    sparse["chunks"] = {16, 16};
    put("sparse/.zarray", sparse.dump());
    auto arr = ZarrArray::open(store_, "sparse");
    QVERIFY(arr.has_value());
    const std::int64_t zero[2] = {0, 0};
    auto all = (*arr)->readRegion(zero, (*arr)->shape());
    QVERIFY(!all.has_value());
    QCOMPARE(all.error().code, Errc::InvalidArgument);
    QVERIFY(all.error().message.find("sparse") != std::string::npos);
    const std::int64_t far[2] = {(std::int64_t{1} << 27) - 1, 5};
    QVERIFY((*arr)->readChunk(far).has_value());
    const std::int64_t overflowStart[2] = {std::int64_t{1} << 62, 0};
    const std::int64_t one[2] = {1, 1};
    QCOMPARE((*arr)->readRegion(overflowStart, one).error().code, Errc::InvalidArgument);
    const std::int64_t negative[2] = {-1, 0};
    QCOMPARE((*arr)->readRegion(negative, one).error().code, Errc::InvalidArgument);
    QCOMPARE((*arr)->readChunk(std::span<const std::int64_t>(one, 1)).error().code,
             Errc::InvalidArgument);
    auto neg = zarray(nullptr);
    neg["shape"] = {-5, 10};
    put("negshape/.zarray", neg.dump());
    expectError("negshape", Errc::Corrupt, "negshape/.zarray", "shape");
    auto rank = zarray(nullptr);
    rank["chunks"] = {5};
    put("rankmismatch/.zarray", rank.dump());
    expectError("rankmismatch", Errc::Corrupt, "rankmismatch/.zarray", "rank");
    // Shard index with 2^40 entries: refused at open.
    const json manyInner = {{{"name", "sharding_indexed"},
                             {"configuration", {{"chunk_shape", {1, 1}}, {"codecs", {kLe}}}}}};
    put("hugeindex/zarr.json",
        zarrJson(manyInner, "uint16", {1 << 20, 1 << 20}, {1 << 20, 1 << 20}).dump());
    expectError("hugeindex", Errc::Unsupported, "hugeindex/zarr.json");
  }
};

QTEST_GUILESS_MAIN(TestZarrErrors)
#include "tst_zarr_errors.moc"
