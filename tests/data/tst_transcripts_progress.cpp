// loadTranscriptsCsvGz's progress callback, on a generated transcripts.csv.gz of ~13 MB of text
// (more than one 8 MB block): both the whole-file and the streamed path report rising byte
// counts that end at their total, and the rows are all read.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <vector>

#include "data/spatial/transcripts.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kFile = fs::path(TESSERA_TEST_WORK_DIR) / "transcripts_progress.csv.gz";
constexpr int kRows = 700000;
}  // namespace

class TestTranscriptsProgress : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QProcess py;
    py.start(TESSERA_PYTHON,
             {"-c",
              "import gzip,sys\n"
              "n=int(sys.argv[2])\n"
              "rows=['feature_name,x_location,y_location,qv']+"
              "['G%d,%d.25,%d.5,30' % (i % 50, i % 1000, i // 1000) for i in range(n)]\n"
              "open(sys.argv[1],'wb').write(gzip.compress(('\\n'.join(rows)+'\\n').encode(),1))\n",
              QString::fromStdString(kFile.string()), QString::number(kRows)});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
  }

  void progressRisesToItsTotal_data() {
    QTest::addColumn<bool>("streamed");
    QTest::newRow("whole file") << false;
    QTest::newRow("streamed") << true;
  }

  void progressRisesToItsTotal() {
    QFETCH(bool, streamed);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    auto t = loadTranscriptsCsvGz(
        kFile, nullptr, {}, streamed ? std::optional<std::size_t>(0) : std::nullopt,
        [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); });
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->size(), std::size_t(kRows));
    QVERIFY(calls.size() >= 2);  // more than one block
    const std::uint64_t total = calls.back().second;
    QVERIFY(total > 0);
    QCOMPARE(calls.back().first, total);
    if (streamed)
      QCOMPARE(total, std::uint64_t(fs::file_size(kFile)));
    else
      QVERIFY(total > fs::file_size(kFile));  // inflated bytes
    for (std::size_t i = 0; i < calls.size(); ++i) {
      QCOMPARE(calls[i].second, total);
      QVERIFY(calls[i].first <= total);
      if (i) QVERIFY(calls[i].first >= calls[i - 1].first);
    }
    QVERIFY(calls.front().first < total);
  }
};

QTEST_MAIN(TestTranscriptsProgress)
#include "tst_transcripts_progress.moc"
