// Variable-length strings in chunked datasets (unfiltered, gzip, lzf: how h5py writes string
// columns) are checked against their heap before HDF5 follows them: intact ones read back, a
// reference to a heap object that does not exist is refused with one line naming the dataset
// instead of reaching HDF5's unchecked H5HG_read. Files from make_damaged_strings.py.
#include <QProcess>
#include <QtTest>

#include <filesystem>

#include "data/anndata/hdf5_read.h"
#include "data/anndata/lzf_filter.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "hdf5_string_checks";

Expected<std::vector<std::string>> readS(const std::string& name) {
  const fs::path path = kDir / name;
  auto file = h5::openReadOnly(path);
  if (!file) return std::unexpected(file.error());
  const std::string where = path.string() + ":/s";
  auto ds = h5::open(file->get(), "s", where);
  if (!ds) return std::unexpected(ds.error());
  return h5::readStrings(ds->get(), where);
}
}  // namespace

class TestHdf5StringChecks : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QVERIFY(h5::registerLzfFilter());  // as the h5ad reader does before reading
    fs::remove_all(kDir);
    QProcess py;
    py.start(TESSERA_PYTHON, {TESSERA_SOURCE_DIR "/tests/data/make_damaged_strings.py",
                              QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
  }

  void intactChunkedStringsRead_data() {
    QTest::addColumn<QString>("kind");
    for (const char* k : {"plain", "gzip", "lzf", "shuffle"})
      QTest::newRow(k) << QString(k);
  }
  void intactChunkedStringsRead() {
    QFETCH(QString, kind);
    auto s = readS("intact_" + kind.toStdString() + ".h5");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    QCOMPARE(s->size(), 10u);
    QCOMPARE(s->at(1), std::string("cell-1"));
    QCOMPARE(s->at(9), std::string("cell-9"));
  }

  void damagedChunkedStringsAreRefused_data() {
    QTest::addColumn<QString>("kind");
    for (const char* k : {"plain", "gzip", "lzf"})
      QTest::newRow(k) << QString(k);
  }
  void damagedChunkedStringsAreRefused() {
    QFETCH(QString, kind);
    const std::string name = "damaged_" + kind.toStdString() + ".h5";
    auto s = readS(name);
    QVERIFY(!s.has_value());
    QVERIFY(s.error().code == Errc::Corrupt);
    QVERIFY2(s.error().message.find(name + ":/s: damaged string storage (string 1 ") !=
                 std::string::npos,
             s.error().message.c_str());
  }
};

QTEST_APPLESS_MAIN(TestHdf5StringChecks)
#include "tst_hdf5_string_checks.moc"
