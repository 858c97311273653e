// ZarrWriter against zarr-python 2.13 as the independent reference: metadata text must match
// byte for byte and every array we write must read back value for value in python.
#include <QtTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>

#include "data/zarr/zarr_writer.h"
#include "tests/fixtures/zarr/zarr_test_support.h"

using namespace tessera::data;
using namespace tessera::test;
namespace fs = std::filesystem;

namespace {

const QString kFixtures = QStringLiteral(TESSERA_SOURCE_DIR "/tests/fixtures/zarr/");

// Deterministic, non-trivial values of the given dtype for the whole array (C order).
std::vector<std::uint8_t> makeValues(DType t, std::size_t count) {
  std::vector<std::uint8_t> out(count * dtypeSize(t));
  for (std::size_t i = 0; i < count; ++i) {
    const double v = static_cast<double>((i * 37 + 11) % 251) - (dtypeIsSigned(t) ? 100 : 0);
    void* p = out.data() + i * dtypeSize(t);
    switch (t) {
      case DType::Bool:
        *static_cast<std::uint8_t*>(p) = i % 3 == 0;
        break;
      case DType::U8:
        *static_cast<std::uint8_t*>(p) = static_cast<std::uint8_t>(v);
        break;
      case DType::I8:
        // Kept in int8's range: converting 150 to int8 is undefined (UBSan flags it).
        *static_cast<std::int8_t*>(p) = static_cast<std::int8_t>(std::fmod(v, 128.0));
        break;
      case DType::U16:
        *static_cast<std::uint16_t*>(p) = static_cast<std::uint16_t>(v * 200);
        break;
      case DType::I16:
        *static_cast<std::int16_t*>(p) = static_cast<std::int16_t>(v * 100);
        break;
      case DType::U32:
        *static_cast<std::uint32_t*>(p) = static_cast<std::uint32_t>(v * 1e6);
        break;
      case DType::I32:
        *static_cast<std::int32_t*>(p) = static_cast<std::int32_t>(v * 1e6);
        break;
      case DType::U64:
        *static_cast<std::uint64_t*>(p) = static_cast<std::uint64_t>(v) << 40;
        break;
      case DType::I64:
        *static_cast<std::int64_t*>(p) = static_cast<std::int64_t>(v) << 40;
        break;
      case DType::F32:
        *static_cast<float*>(p) = static_cast<float>(v / 7);
        break;
      case DType::F64:
        *static_cast<double*>(p) = v / 7;
        break;
      case DType::F16:
        break;
    }
  }
  return out;
}

// Cuts chunk `idx` (padded with zeros at the edges) out of a 2-d C-order array.
std::vector<std::uint8_t> chunkOf(const std::vector<std::uint8_t>& all, std::int64_t rows,
                                  std::int64_t cols, std::int64_t cr, std::int64_t cc,
                                  std::int64_t i, std::int64_t j, std::size_t es) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(cr * cc) * es, 0);
  for (std::int64_t r = 0; r < cr && i * cr + r < rows; ++r)
    for (std::int64_t c = 0; c < cc && j * cc + c < cols; ++c)
      std::memcpy(&out[static_cast<std::size_t>(r * cc + c) * es],
                  &all[static_cast<std::size_t>((i * cr + r) * cols + j * cc + c) * es], es);
  return out;
}

Expected<void> writeAll(const ZarrWriter& w, const std::vector<std::uint8_t>& all) {
  const auto& o = w.options();
  const std::size_t es = dtypeSize(o.dtype);
  for (std::int64_t i = 0; i * o.chunks[0] < o.shape[0]; ++i)
    for (std::int64_t j = 0; j * o.chunks[1] < o.shape[1]; ++j) {
      const std::int64_t idx[2] = {i, j};
      auto r = w.writeChunk(
          idx, chunkOf(all, o.shape[0], o.shape[1], o.chunks[0], o.chunks[1], i, j, es));
      if (!r) return r;
    }
  return {};
}

nlohmann::json readWithPython(const fs::path& array, const fs::path& raw) {
  bool ok = false;
  const QByteArray out = runPython(
      {kFixtures + "read_zarr.py", QString::fromStdString(array), QString::fromStdString(raw)},
      &ok);
  if (!ok) return nullptr;
  return nlohmann::json::parse(out.toStdString(), nullptr, false);
}

const char* compressorName(ZarrCompressor c) {
  switch (c) {
    case ZarrCompressor::None:
      return "none";
    case ZarrCompressor::BloscLz4:
      return "blosc";
    case ZarrCompressor::Zstd:
      return "zstd";
    case ZarrCompressor::Zlib:
      return "zlib";
  }
  return "?";
}

}  // namespace

class TestZarrWriter : public QObject {
  Q_OBJECT
 private slots:
  void zarrayMatchesZarrPythonByteForByte_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<int>("compressor");
    QTest::addColumn<char>("sep");
    QTest::addColumn<double>("fill");
    QTest::newRow("u2 blosc /") << int(DType::U16) << int(ZarrCompressor::BloscLz4) << '/' << 0.0;
    QTest::newRow("f4 blosc . nan")
        << int(DType::F32) << int(ZarrCompressor::BloscLz4) << '.' << std::nan("");
    QTest::newRow("f8 zstd / 1.5") << int(DType::F64) << int(ZarrCompressor::Zstd) << '/' << 1.5;
    QTest::newRow("i2 zlib . -3") << int(DType::I16) << int(ZarrCompressor::Zlib) << '.' << -3.0;
    QTest::newRow("u1 none /") << int(DType::U8) << int(ZarrCompressor::None) << '/' << 7.0;
    QTest::newRow("bool blosc /") << int(DType::Bool) << int(ZarrCompressor::BloscLz4) << '/'
                                  << 0.0;
  }
  void zarrayMatchesZarrPythonByteForByte() {
    QFETCH(int, dtype);
    QFETCH(int, compressor);
    QFETCH(char, sep);
    QFETCH(double, fill);
    const fs::path dir = freshDir("writer_zarray");
    ZarrWriteOptions o{{5, 7}, {2, 3}, DType(dtype), ZarrCompressor(compressor), sep, fill};
    QVERIFY(ZarrWriter::create(dir / "ours", o).has_value());
    bool ok = false;
    runPython({kFixtures + "make_reference_zarray.py", QString::fromStdString(dir / "ref"),
               QString::fromStdString(numpyTypestr(DType(dtype))), QString(QChar(sep)),
               compressorName(ZarrCompressor(compressor)), QString::number(fill), "5", "7", "--",
               "2", "3"},
              &ok);
    QVERIFY(ok);
    const auto ours = readFileBytes(dir / "ours" / ".zarray");
    const auto ref = readFileBytes(dir / "ref" / ".zarray");
    QCOMPARE(QByteArray(reinterpret_cast<const char*>(ours.data()), qsizetype(ours.size())),
             QByteArray(reinterpret_cast<const char*>(ref.data()), qsizetype(ref.size())));
  }

  void roundTripsThroughZarrPython_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<int>("compressor");
    QTest::addColumn<char>("sep");
    const DType types[] = {DType::Bool, DType::U8,  DType::I8,  DType::U16, DType::I16, DType::U32,
                           DType::I32,  DType::U64, DType::I64, DType::F32, DType::F64};
    for (DType t : types)
      QTest::newRow((std::string(dtypeName(t)) + " blosc").c_str())
          << int(t) << int(ZarrCompressor::BloscLz4) << '/';
    QTest::newRow("u2 zstd .") << int(DType::U16) << int(ZarrCompressor::Zstd) << '.';
    QTest::newRow("f4 zlib /") << int(DType::F32) << int(ZarrCompressor::Zlib) << '/';
    QTest::newRow("i4 none .") << int(DType::I32) << int(ZarrCompressor::None) << '.';
  }
  void roundTripsThroughZarrPython() {
    QFETCH(int, dtype);
    QFETCH(int, compressor);
    QFETCH(char, sep);
    const fs::path dir = freshDir("writer_roundtrip");
    const DType t = DType(dtype);
    ZarrWriteOptions o{{37, 53}, {16, 20}, t, ZarrCompressor(compressor), sep, 0};
    const nlohmann::json attrs = {{"name", "demo"}, {"n", 3}};
    auto w = ZarrWriter::create(dir / "a", o, attrs);
    QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
    const auto all = makeValues(t, 37 * 53);
    auto r = writeAll(*w, all);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    const auto info = readWithPython(dir / "a", dir / "a.raw");
    QVERIFY(info.is_object());
    QCOMPARE(info["shape"], nlohmann::json({37, 53}));
    QCOMPARE(info["attrs"], attrs);
    QVERIFY(readFileBytes(dir / "a.raw") == all);
  }

  void writesChunksConcurrently() {
    const fs::path dir = freshDir("writer_concurrent");
    ZarrWriteOptions o{{64, 64}, {8, 8}, DType::U16, ZarrCompressor::BloscLz4, '/', 0};
    auto w = ZarrWriter::create(dir / "a", o);
    QVERIFY(w.has_value());
    const auto all = makeValues(DType::U16, 64 * 64);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int k = 0; k < 4; ++k)
      threads.emplace_back([&, k] {
        for (std::int64_t c = k; c < 64; c += 4) {
          const std::int64_t idx[2] = {c / 8, c % 8};
          if (!w->writeChunk(idx, chunkOf(all, 64, 64, 8, 8, idx[0], idx[1], 2))) ++failures;
        }
      });
    for (auto& th : threads)
      th.join();
    QCOMPARE(failures.load(), 0);
    for (const auto& e : fs::recursive_directory_iterator(dir))
      QVERIFY2(e.path().string().find(".tmp.") == std::string::npos, "temp file left behind");
    QVERIFY(readWithPython(dir / "a", dir / "a.raw").is_object());
    QVERIFY(readFileBytes(dir / "a.raw") == all);
  }

  void writesGroupReadableByZarrPython() {
    const fs::path dir = freshDir("writer_group");
    const nlohmann::json attrs = {{"multiscales", {{{"version", "0.4"}}}}};
    QVERIFY(writeZarrGroup(dir / "g", attrs).has_value());
    bool ok = false;
    const QByteArray out =
        runPython({"-c",
                   "import zarr,json,sys; g=zarr.open_group(sys.argv[1],mode='r'); "
                   "print(json.dumps(dict(g.attrs)))",
                   QString::fromStdString(dir / "g")},
                  &ok);
    QVERIFY(ok);
    QCOMPARE(nlohmann::json::parse(out.toStdString()), attrs);
    QCOMPARE(
        QByteArray(reinterpret_cast<const char*>(readFileBytes(dir / "g" / ".zgroup").data()), 24),
        QByteArray("{\n    \"zarr_format\": 2\n}"));
  }

  void rejectsWrongChunkSizeAndIndex() {
    const fs::path dir = freshDir("writer_bad");
    ZarrWriteOptions o{{10, 10}, {4, 4}, DType::U16, ZarrCompressor::BloscLz4, '/', 0};
    auto w = ZarrWriter::create(dir / "a", o);
    QVERIFY(w.has_value());
    std::vector<std::uint8_t> small(10);
    const std::int64_t ok[2] = {0, 0};
    const std::int64_t past[2] = {3, 0};
    const std::int64_t rank1[1] = {0};
    std::vector<std::uint8_t> full(32);
    QCOMPARE(w->writeChunk(ok, small).error().code, Errc::InvalidArgument);
    QCOMPARE(w->writeChunk(past, full).error().code, Errc::InvalidArgument);
    QCOMPARE(w->writeChunk(rank1, full).error().code, Errc::InvalidArgument);
    ZarrWriteOptions bad{{10, 10}, {0, 4}, DType::U16, ZarrCompressor::None, '/', 0};
    QCOMPARE(ZarrWriter::create(dir / "b", bad).error().code, Errc::InvalidArgument);
  }
};

QTEST_GUILESS_MAIN(TestZarrWriter)
#include "tst_zarr_writer.moc"
