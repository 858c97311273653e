// GzipBlockReader on lines longer than a block: before the fix a block with no line break
// made next() call itself with no progress until the stack overflowed (SIGSEGV on a
// transcripts or cells .csv.gz holding one line over 8 MiB). Now the block grows until it holds
// a line break, and a line longer than 16 blocks is refused naming the file.
#include <zlib.h>

#include <QtTest>

#include <filesystem>
#include <string>

#include "data/spatial/gzip_lines.h"
#include "data/spatial/transcripts.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kBlock = 1 << 16;  // GzipBlockReader's smallest block

fs::path writeGzip(const std::string& name, const std::string& text) {
  const fs::path p = fs::path(TESSERA_TEST_WORK_DIR) / name;
  gzFile f = gzopen(p.c_str(), "wb1");
  if (!f) return {};
  const bool ok =
      gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size());
  return gzclose(f) == Z_OK && ok ? p : fs::path();
}

// Every block of `p` read with the smallest block size, concatenated; an error when a block
// other than the last does not end with a line break.
Expected<std::string> readAll(const fs::path& p, int& blocks) {
  auto r = GzipBlockReader::open(p, kBlock);
  if (!r) return std::unexpected(r.error());
  std::string all;
  blocks = 0;
  for (;;) {
    auto b = (*r)->next();
    if (!b) return std::unexpected(b.error());
    if (b->empty()) return all;
    if (!all.empty() && all.back() != '\n')
      return fail(Errc::Corrupt, "block " + std::to_string(blocks) + " ends inside a line");
    all += *b;
    ++blocks;
  }
}
}  // namespace

class TestGzipLines : public QObject {
  Q_OBJECT

 private slots:
  void lineLongerThanABlockIsOneBlock_data() {
    QTest::addColumn<std::size_t>("longLine");
    QTest::newRow("just over one block") << kBlock + 1;
    QTest::newRow("three blocks") << 3 * kBlock + 17;
    // The carry after the header is longer than a block already: no inflating was needed to
    // fill the block, and the old reader recursed at once.
    QTest::newRow("ten blocks") << 10 * kBlock;
  }
  void lineLongerThanABlockIsOneBlock() {
    QFETCH(std::size_t, longLine);
    const std::string text =
        "header\n" + std::string(longLine, 'a') + "\nshort\n" + std::string(longLine, 'b');
    const fs::path p = writeGzip("gzip_lines_long.csv.gz", text);
    QVERIFY(!p.empty());
    int blocks = 0;
    auto all = readAll(p, blocks);
    QVERIFY2(all.has_value(), all ? "" : all.error().message.c_str());
    QCOMPARE(all->size(), text.size());
    QVERIFY(*all == text);
    QVERIFY(blocks >= 2);
  }

  void lineLongerThanSixteenBlocksIsRefused() {
    const fs::path p = writeGzip("gzip_lines_huge.csv.gz", "h\n" + std::string(17 * kBlock, 'x'));
    QVERIFY(!p.empty());
    int blocks = 0;
    auto all = readAll(p, blocks);
    QVERIFY(!all.has_value());
    QCOMPARE(all.error().code, Errc::Corrupt);
    QVERIFY2(all.error().message.find(p.string()) != std::string::npos,
             all.error().message.c_str());
    QVERIFY2(all.error().message.find("a line longer than") != std::string::npos,
             all.error().message.c_str());
  }

  // The transcripts reader streams in 8 MiB blocks: a 9 MiB gene name is read, not a crash.
  void transcriptsWithALineOverABlockStream() {
    const std::string text =
        "feature_name,x_location,y_location\n" + std::string(9 << 20, 'g') + ",1.5,2.5\nG2,3,4\n";
    const fs::path p = writeGzip("gzip_lines_long_transcripts.csv.gz", text);
    QVERIFY(!p.empty());
    for (const bool streamed : {true, false}) {
      auto t = loadTranscriptsCsvGz(p, nullptr, {},
                                    streamed ? std::optional<std::size_t>(0) : std::nullopt);
      QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
      QCOMPARE(t->size(), std::size_t(2));
      QCOMPARE(t->geneNames.size(), std::size_t(2));
      QCOMPARE(t->x[1], 3.0f);
    }
  }
};

QTEST_MAIN(TestGzipLines)
#include "tst_gzip_lines.moc"
