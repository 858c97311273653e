// The bytes codecs on their own: round trips, the CRC-32C check values, exact-size decoding
// and bounded decoding of inputs that claim (or expand to) more than the caller allows.
#include <QtTest>
#include <string_view>

#include "data/codecs/codec.h"

using namespace tessera::data;

namespace {

Bytes sample(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i)
    b[i] = static_cast<std::uint8_t>((i / 3) % 17 + (i % 5));
  return b;
}

std::span<const std::uint8_t> ascii(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

class TestCodecs : public QObject {
  Q_OBJECT
 private slots:
  void roundTripsEveryCodec_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<int>("size");
    const char* names[] = {"none", "blosc-lz4", "blosc-zstd-bit", "zstd", "zlib",
                           "gzip", "lz4",       "crc32c"};
    for (int w = 0; w < 8; ++w)
      for (int n : {0, 1, 1000, 1 << 20})
        QTest::newRow((std::string(names[w]) + " " + std::to_string(n)).c_str()) << w << n;
  }
  void roundTripsEveryCodec() {
    QFETCH(int, which);
    QFETCH(int, size);
    const BytesCodecPtr codecs[] = {makeNullCodec(),
                                    makeBloscCodec({"lz4", 5, 1, 2, 0}),
                                    makeBloscCodec({"zstd", 3, 2, 4, 0}),
                                    makeZstdCodec(3),
                                    makeZlibCodec(5),
                                    makeGzipCodec(5),
                                    makeLz4Codec(),
                                    makeCrc32cCodec()};
    const auto& c = codecs[which];
    const Bytes in = sample(static_cast<std::size_t>(size));
    auto enc = c->encode(in);
    QVERIFY2(enc.has_value(), enc ? "" : enc.error().message.c_str());
    Bytes out(in.size());
    auto r = c->decodeInto(*enc, out);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QVERIFY(out == in);
    auto bounded = c->decode(*enc, in.size());
    QVERIFY(bounded.has_value());
    QVERIFY(*bounded == in);
    if (!in.empty()) {
      // One byte short of the real size: exact decoding and bounded decoding both refuse.
      Bytes small(in.size() - 1);
      QCOMPARE(c->decodeInto(*enc, small).error().code, Errc::Corrupt);
      QCOMPARE(c->decode(*enc, in.size() - 1).error().code, Errc::Corrupt);
    }
  }

  void crc32cMatchesCheckValues() {
    QCOMPARE(crc32c(ascii("123456789")), 0xE3069283u);
    QCOMPARE(crc32c(ascii("")), 0u);
    // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
    const Bytes zeros(32, 0), ones(32, 0xFF);
    QCOMPARE(crc32c(zeros), 0x8A9136AAu);
    QCOMPARE(crc32c(ones), 0x62A8AB43u);
    Bytes inc(32);
    for (int i = 0; i < 32; ++i)
      inc[i] = static_cast<std::uint8_t>(i);
    QCOMPARE(crc32c(inc), 0x46DD794Eu);
    // Incremental use gives the same value as one pass.
    const auto s = ascii("123456789");
    QCOMPARE(crc32c(s.subspan(4), crc32c(s.first(4))), 0xE3069283u);
  }

  void refusesDecompressionBombs() {
    const Bytes zeros(8 << 20, 0);
    for (const auto& c : {makeZlibCodec(9), makeGzipCodec(9), makeZstdCodec(3), makeLz4Codec(),
                          makeBloscCodec({"lz4", 5, 1, 1, 0})}) {
      auto enc = c->encode(zeros);
      QVERIFY(enc.has_value());
      QVERIFY(enc->size() < zeros.size() / 100);
      auto r = c->decode(*enc, 1 << 20);
      QVERIFY2(!r.has_value(), c->name());
      QCOMPARE(r.error().code, Errc::Corrupt);
      QVERIFY(r.error().message.rfind(c->name(), 0) == 0);
    }
  }

  void rejectsGarbage() {
    const Bytes junk(100, 0x5A);
    Bytes out(400);
    for (const auto& c : {makeZlibCodec(1), makeGzipCodec(1), makeZstdCodec(1), makeLz4Codec(),
                          makeBloscCodec(), makeCrc32cCodec()}) {
      QCOMPARE(c->decodeInto(junk, out).error().code, Errc::Corrupt);
      QCOMPARE(c->decode(junk, 400).error().code, Errc::Corrupt);
      QCOMPARE(c->decodeInto({}, out).error().code, Errc::Corrupt);
    }
  }
};

QTEST_GUILESS_MAIN(TestCodecs)
#include "tst_codecs.moc"
