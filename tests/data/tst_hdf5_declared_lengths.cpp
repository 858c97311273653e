// Lengths HDF5 1.10 allocates before it reads what they measure, damaged to run past the end of
// the file, are refused before HDF5 sees them: a damaged one asked for gigabytes for a file of a
// few kilobytes (found by fuzz_hdf5). Object headers: a group's (an h5ad's obs, a 10x file's
// matrix), the root group's and version 2 headers, each refused with one line naming the file
// and the object; intact headers of both versions still open. Chunk records of a two-level
// chunk index: a read of the dataset is refused naming it, an intact one reads every value.
// Files from make_damaged_lengths.py, copies of the fixtures or h5py files with one length
// changed.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <optional>

#include "data/anndata/h5ad_reader.h"
#include "data/anndata/hdf5_read.h"
#include "data/tenx/tenx_h5.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "hdf5_declared_lengths";
const std::string kPastEnd = "damaged object header (chunk past the end of the file)";

std::string pathOf(const char* name) {
  return (kDir / name).string();
}
}  // namespace

class TestHdf5DeclaredLengths : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    fs::remove_all(kDir);
    QProcess py;
    py.start(TESSERA_PYTHON, {TESSERA_SOURCE_DIR "/tests/data/make_damaged_lengths.py",
                              TESSERA_SOURCE_DIR, QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
  }

  void h5adGroupHeaderPastTheEndIsRefused() {
    auto f = H5adFile::open(pathOf("anndata_obs.h5ad"));
    QVERIFY(!f);
    QCOMPARE(f.error().code, Errc::Corrupt);
    QCOMPARE(f.error().message, pathOf("anndata_obs.h5ad") + ": obs: " + kPastEnd);
  }

  void rootGroupHeaderPastTheEndIsRefusedBeforeOpening() {
    auto f = H5adFile::open(pathOf("anndata_root.h5ad"));
    QVERIFY(!f);
    QCOMPARE(f.error().code, Errc::Corrupt);
    QCOMPARE(f.error().message,
             pathOf("anndata_root.h5ad") + ": damaged HDF5 file (root group: " + kPastEnd + ")");
  }

  void tenxGroupHeaderPastTheEndIsRefused() {
    auto f = TenxH5File::open(pathOf("tenx_matrix.h5"));
    QVERIFY(!f);
    QCOMPARE(f.error().code, Errc::Corrupt);
    QCOMPARE(f.error().message, pathOf("tenx_matrix.h5") + ": matrix: " + kPastEnd);
  }

  // Version 2 headers ("OHDR", libver="latest") are read as HDF5 reads them: the intact group
  // is there, the damaged one is absent and its damage noted.
  void version2Headers() {
    auto intact = h5::openReadOnly(pathOf("v2_obs.h5"));
    QVERIFY(intact.has_value());
    h5::takeDamage();
    QVERIFY(h5::exists(intact->get(), "obs"));
    QCOMPARE(h5::objectType(intact->get(), "obs"), H5O_TYPE_GROUP);
    QCOMPARE(h5::takeDamage(), std::string());

    auto damaged = h5::openReadOnly(pathOf("v2_obs_damaged.h5"));
    QVERIFY(damaged.has_value());
    QVERIFY(!h5::exists(damaged->get(), "obs"));
    QCOMPARE(h5::objectType(damaged->get(), "obs"), H5O_TYPE_UNKNOWN);
    QCOMPARE(h5::takeDamage(), "obs: " + kPastEnd);
  }

  void chunkRecordPastTheEndIsRefused() {
    auto intact = h5::openReadOnly(pathOf("chunks.h5"));
    QVERIFY(intact.has_value());
    auto d = h5::open(intact->get(), "d", "d");
    QVERIFY(d.has_value());
    auto values = h5::readNumbers<float>(d->get(), "d");
    QVERIFY2(values.has_value(), values ? "" : values.error().message.c_str());
    QCOMPARE(values->size(), 100000u);
    QCOMPARE(values->back(), 99999.0f / 10);

    auto damaged = h5::openReadOnly(pathOf("chunks_damaged.h5"));
    QVERIFY(damaged.has_value());
    auto dd = h5::open(damaged->get(), "d", pathOf("chunks_damaged.h5") + ":/d");
    QVERIFY(dd.has_value());
    // The first chunks are intact, but the check covers the whole index before any read.
    auto first = h5::readNumbers<float>(dd->get(), pathOf("chunks_damaged.h5") + ":/d", 0, 10);
    QVERIFY(!first);
    QCOMPARE(first.error().code, Errc::Corrupt);
    QCOMPARE(first.error().message,
             pathOf("chunks_damaged.h5") +
                 ":/d: damaged dataset (a chunk of 4294967295 bytes past the end of the file)");
  }

  // HDF5 divides by each chunk dimension when it opens a dataset: a 0 is refused before.
  void chunkDimensionZeroIsRefusedBeforeOpening() {
    auto file = h5::openReadOnly(pathOf("chunk_dim0.h5"));
    QVERIFY(file.has_value());
    h5::takeDamage();
    auto d = h5::open(file->get(), "d", "d");
    QVERIFY(!d);
    QCOMPARE(h5::takeDamage(), std::string("d: damaged object header (a chunk dimension of 0)"));
  }

  // HDF5 allocates a whole chunk to read into: chunk dimensions the file cannot hold are refused.
  void hugeChunkDimensionsAreRefused() {
    auto file = h5::openReadOnly(pathOf("chunk_huge.h5"));
    QVERIFY(file.has_value());
    auto d = h5::open(file->get(), "d", "d");
    QVERIFY(d.has_value());
    auto values = h5::readNumbers<float>(d->get(), "d", 0, 10);
    QVERIFY(!values);
    QCOMPARE(values.error().code, Errc::Corrupt);
    QCOMPARE(values.error().message,
             std::string("d: damaged dataset (chunks larger than the file can hold)"));
  }

  // HDF5 sizes chunk buffers by the layout's element size and copies by the datatype's.
  void chunkElementSizeMustBeTheTypes() {
    auto file = h5::openReadOnly(pathOf("chunk_element_size.h5"));
    QVERIFY(file.has_value());
    auto d = h5::open(file->get(), "d", "d");
    QVERIFY(d.has_value());
    auto values = h5::readNumbers<float>(d->get(), "d");
    QVERIFY(!values);
    QCOMPARE(values.error().code, Errc::Corrupt);
    QCOMPARE(values.error().message,
             std::string("d: damaged dataset (chunks of 1-byte elements, but its type's are 4 "
                         "bytes)"));
  }

  // A chunk stored without a size-changing filter must hold exactly one chunk: HDF5 reads it
  // into a buffer of its stored size and copies a whole chunk out.
  void unfilteredChunkOfTheWrongSizeIsRefused() {
    for (const char* intact : {"chunks_plain.h5", "chunks_shuffle_fletcher.h5"}) {
      auto file = h5::openReadOnly(pathOf(intact));
      QVERIFY(file.has_value());
      auto d = h5::open(file->get(), "d", "d");
      QVERIFY(d.has_value());
      auto values = h5::readNumbers<float>(d->get(), intact);
      QVERIFY2(values.has_value(), values ? "" : values.error().message.c_str());
      QCOMPARE(values->back(), 99999.0f / 10);
    }
    auto file = h5::openReadOnly(pathOf("chunks_plain_damaged.h5"));
    QVERIFY(file.has_value());
    auto d = h5::open(file->get(), "d", "d");
    QVERIFY(d.has_value());
    auto values = h5::readNumbers<float>(d->get(), "d", 0, 10);
    QVERIFY(!values);
    QCOMPARE(values.error().message,
             std::string("d: damaged dataset (an unfiltered chunk of 200 bytes, not 400)"));
  }

  // Found by fuzz_hdf5: a 10x file that opens (indptr is read on demand) but whose indptr chunk
  // has every filter skipped and 2,168 bytes for a 640,000-byte chunk.
  void fuzzFoundUnfilteredShortChunkIsRefusedOnRead() {
    const std::string path = TESSERA_SOURCE_DIR
        "/tests/fuzz/regressions/hdf5/h5d_scatgath_read_unfiltered_chunk_short.h5";
    auto file = h5::openReadOnly(path);
    QVERIFY(file.has_value());
    auto indptr = h5::open(file->get(), "matrix/indptr", path + ":/matrix/indptr");
    QVERIFY(indptr.has_value());
    auto values = h5::readNumbers<std::int64_t>(indptr->get(), path + ":/matrix/indptr");
    QVERIFY(!values);
    QCOMPARE(values.error().message,
             path + ":/matrix/indptr: damaged dataset (an unfiltered chunk of 2168 bytes, not " +
                 "640000)");
  }

  // The chunk indexes of libver="latest" pass the check and read every value.
  void latestChunkIndexesRead_data() {
    QTest::addColumn<QString>("index");
    for (const char* i : {"fixed_array", "extensible_array", "btree2", "single_chunk"})
      QTest::newRow(i) << QString(i);
  }
  void latestChunkIndexesRead() {
    QFETCH(QString, index);
    const std::string path = pathOf(("latest_" + index.toStdString() + ".h5").c_str());
    auto file = h5::openReadOnly(path);
    QVERIFY(file.has_value());
    auto d = h5::open(file->get(), "d", path + ":/d");
    QVERIFY(d.has_value());
    auto values = h5::readNumbers<float>(d->get(), path + ":/d");
    QVERIFY2(values.has_value(), values ? "" : values.error().message.c_str());
    QCOMPARE(values->size(), 20000u);
    for (std::size_t i = 0; i < values->size(); i += 997)
      QCOMPARE((*values)[i], static_cast<float>(i) / 10);
    QCOMPARE(values->back(), 19999.0f / 10);
  }

  // The fixtures these were made from open: the check refuses only what is past the end.
  void intactFixturesOpen() {
    auto h5ad =
        H5adFile::open(fs::path(TESSERA_SOURCE_DIR) / "tests/fixtures/anndata/v0.11.4.h5ad");
    QVERIFY2(h5ad.has_value(), h5ad ? "" : h5ad.error().message.c_str());
    auto tenx = TenxH5File::open(fs::path(TESSERA_SOURCE_DIR) /
                                 "tests/fixtures/tenx/v3_filtered_feature_bc_matrix.h5");
    QVERIFY2(tenx.has_value(), tenx ? "" : tenx.error().message.c_str());
  }

  // Found by fuzz_hdf5 (tests/fuzz/regressions/hdf5), the first two in CI: refused as damaged,
  // naming the file.
  void fuzzFoundLengthsAreRefused_data() {
    QTest::addColumn<QString>("name");
    for (const char* n :
         {"h5c_protect_header_length_21g.h5ad", "h5c_protect_header_length_8g.h5ad",
          "h5d_chunk_set_info_fpe.h5", "h5d_select_read_element_size_mismatch.h5",
          "h5a_read_vlen_declared_9_bytes.h5ad", "h5mm_strdup_datatype_member_name.h5ad",
          "h5mm_strdup_dataset_datatype_name.h5ad", "h5t_bit_copy_precision_past_element.h5",
          "h5c_protect_continuation_after_layout.h5ad"})
      QTest::newRow(n) << QString(n);
  }
  void fuzzFoundLengthsAreRefused() {
    QFETCH(QString, name);
    const fs::path path =
        fs::path(TESSERA_SOURCE_DIR) / "tests/fuzz/regressions/hdf5" / name.toStdString();
    // As the app opens them: .h5ad by the AnnData reader, .h5 by the 10x reader.
    std::optional<Error> error;
    if (name.endsWith(".h5ad")) {
      if (auto f = H5adFile::open(path); !f) error = f.error();
    } else if (auto f = TenxH5File::open(path); !f) {
      error = f.error();
    }
    QVERIFY(error.has_value());
    const Error& e = *error;
    QCOMPARE(e.code, Errc::Corrupt);
    QVERIFY2(e.message.starts_with(path.string() + ":"), e.message.c_str());
  }
};

QTEST_APPLESS_MAIN(TestHdf5DeclaredLengths)
#include "tst_hdf5_declared_lengths.moc"
