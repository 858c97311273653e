// Variable-length strings in chunked datasets (unfiltered, gzip, lzf: how h5py writes string
// columns) are checked against their heap before HDF5 follows them: intact ones read back, a
// reference to a heap object that does not exist is refused with one line naming the dataset
// instead of reaching HDF5's unchecked H5HG_read. String attributes and compact datasets, whose
// references sit in the object header (versions 1 and 2), get the same check: a heap collection
// HDF5 would loop forever loading (found by fuzz_hdf5) is refused at once, with one line.
// Strings the reader takes from the checked heap bytes itself equal h5py's reading of them,
// and so do those it leaves to HDF5 (unwritten chunks). Files from make_damaged_strings.py.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "data/anndata/h5ad_reader.h"
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

// A fuzz regression (tests/fuzz/regressions/hdf5/NAME): its path, and the message H5adFile
// refused it with ("" when it opened, or was refused other than as damaged).
std::pair<fs::path, std::string> refusalOf(const char* name) {
  const fs::path path = fs::path(TESSERA_SOURCE_DIR) / "tests/fuzz/regressions/hdf5" / name;
  auto f = H5adFile::open(path);
  if (f || f.error().code != Errc::Corrupt) return {path, ""};
  return {path, f.error().message};
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

  void stringsEqualH5py_data() {
    QTest::addColumn<QString>("name");
    for (const char* k : {"contiguous", "chunked_gzip", "unwritten_chunks"})
      QTest::newRow(k) << QString(k);
  }
  void stringsEqualH5py() {
    QFETCH(QString, name);
    const std::string base = "read_" + name.toStdString();
    auto s = readS(base + ".h5");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    const auto want = nlohmann::json::parse(std::ifstream(kDir / (base + ".json")))
                          .get<std::vector<std::string>>();
    QCOMPARE(s->size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i)
      QCOMPARE(s->at(i), want[i]);
    if (want.size() == 3000) {  // the awkward ones are there
      QCOMPARE(s->at(0), std::string());
      QCOMPARE(s->at(5), std::string("h\u00e9llo \u4e16\u754c"));
      QCOMPARE(s->at(6).size(), 5000u);
    } else {
      QCOMPARE(s->at(1), std::string("cell-2"));
      QCOMPARE(s->at(9), std::string());  // a fill value
    }
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

  void intactHeaderStringsRead_data() {
    QTest::addColumn<QString>("header");
    QTest::newRow("v1") << "v1";
    QTest::newRow("v2") << "v2";
  }
  void intactHeaderStringsRead() {
    QFETCH(QString, header);
    auto file = h5::openReadOnly(kDir / ("attr_intact_" + header.toStdString() + ".h5"));
    QVERIFY(file.has_value());
    QCOMPARE(h5::stringAttr(file->get(), "encoding-type").value_or("?"), std::string("anndata"));
    const auto order = h5::stringArrayAttr(file->get(), "column-order");
    QVERIFY(order.has_value());
    QCOMPARE(*order, (std::vector<std::string>{"leiden", "n_genes"}));
    QCOMPARE(h5::takeDamage(), std::string());
    auto c = h5::open(file->get(), "c", "c");
    QVERIFY(c.has_value());
    auto strings = h5::readStrings(c->get(), "c");
    QVERIFY2(strings.has_value(), strings ? "" : strings.error().message.c_str());
    QCOMPARE(*strings, (std::vector<std::string>{"ab", "cde", "f"}));
  }

  void damagedHeaderStringsAreRefused_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("why");
    for (const char* header : {"v1", "v2"}) {
      QTest::newRow(("freespace0 " + std::string(header)).c_str())
          << QString("attr_freespace0_%1.h5").arg(header) << "heap free space of a wrong size";
      QTest::newRow(("badindex " + std::string(header)).c_str())
          << QString("attr_badindex_%1.h5").arg(header) << "points to no heap object";
    }
  }
  void damagedHeaderStringsAreRefused() {
    QFETCH(QString, name);
    QFETCH(QString, why);
    auto file = h5::openReadOnly(kDir / name.toStdString());
    QVERIFY(file.has_value());
    QVERIFY(!h5::stringAttr(file->get(), "encoding-type").has_value());
    const std::string damage = h5::takeDamage();
    QVERIFY2(damage.starts_with("encoding-type: damaged string storage (") &&
                 damage.find(why.toStdString()) != std::string::npos,
             damage.c_str());
    QCOMPARE(h5::takeDamage(), std::string());  // taken once
    if (why.startsWith("heap free")) {          // the compact dataset shares the collection
      auto c = h5::open(file->get(), "c", "c");
      QVERIFY(c.has_value());
      auto strings = h5::readStrings(c->get(), "c");
      QVERIFY(!strings.has_value());
      QVERIFY2(strings.error().message.find("c: damaged string storage (heap free space") == 0,
               strings.error().message.c_str());
    }
  }

  // A header continued in other chunks: every attribute is found and checked.
  void continuedHeaders_data() {
    QTest::addColumn<QString>("header");
    QTest::newRow("v1") << "v1";
    QTest::newRow("v2") << "v2";
  }
  void continuedHeaders() {
    QFETCH(QString, header);
    auto intact = h5::openReadOnly(kDir / ("attr_many_" + header.toStdString() + ".h5"));
    QVERIFY(intact.has_value());
    auto g = h5::open(intact->get(), "g", "g");
    QVERIFY(g.has_value());
    QCOMPARE(h5::stringAttr(g->get(), "encoding-version").value_or("?"), std::string("0.1.0"));
    QCOMPARE(h5::stringArrayAttr(g->get(), "a5").value_or(std::vector<std::string>{}).size(), 20u);
    QCOMPARE(h5::takeDamage(), std::string());
    auto damaged =
        h5::openReadOnly(kDir / ("attr_many_freespace0_" + header.toStdString() + ".h5"));
    QVERIFY(damaged.has_value());
    auto dg = h5::open(damaged->get(), "g", "g");
    QVERIFY(dg.has_value());
    QVERIFY(!h5::stringAttr(dg->get(), "encoding-version").has_value());
    QVERIFY(h5::takeDamage().starts_with("encoding-version: damaged string storage"));
  }

  // The h5ad found by fuzz_hdf5 (tests/fuzz/regressions/hdf5): a damaged file, said so.
  void fuzzFoundAttributeHangIsRefused() {
    const auto [path, message] = refusalOf("h5hg_attribute_free_space_hang.h5ad");
    QCOMPARE(QString::fromStdString(message),
             QString::fromStdString(path.string() +
                                    ": encoding-type: damaged string storage (heap free space "
                                    "of a wrong size)"));
  }

  // Found by fuzz_hdf5: an attribute message whose dataspace size runs past the message, so
  // HDF5 would copy the value from beyond it (a heap overflow under ASan, a quiet over-read
  // without). Refused before H5Aexists decodes it.
  void fuzzFoundAttributeValuePastItsMessageIsRefused() {
    const auto [path, message] = refusalOf("h5o_attr_value_past_message.h5ad");
    QVERIFY2(message.starts_with(path.string() + ": "), message.c_str());
    QVERIFY2(message.find("an attribute value runs past its message") != std::string::npos,
             message.c_str());
  }
};

QTEST_APPLESS_MAIN(TestHdf5StringChecks)
#include "tst_hdf5_string_checks.moc"
