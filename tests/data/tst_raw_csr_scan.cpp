// XReader::readGene on a CSR X beneath HDF5 (raw_csr_scan.h): files written by h5py with
// contiguous int32 indices and float32 data take the raw, parallel scan and give the same
// columns as the scan through HDF5, over several parts and with a cell that stores one gene
// twice; chunked gzip and int64 indices fall back to HDF5; an index out of range names the file
// and the entry; a file that shrinks after it was opened is an error, not a crash; a stop
// request cancels.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/expression/x_reader.h"
#include "data/thread_pool.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

// 2,000 cells x 400 genes at 75 % density: 600k entries, three blocks of the scan.
constexpr const char* kWriter = R"PY(
import json, sys
import h5py, numpy as np, scipy.sparse as sp
out = sys.argv[1]
rng = np.random.default_rng(7)
n, g = 2000, 400
m = sp.random(n, g, density=0.75, format="csr", random_state=rng, dtype=np.float32)
m.data = np.round(m.data * 10, 1).astype(np.float32) + 0.5
# Cell 5 stores gene 7 twice (scipy keeps duplicates until summed); the last entry wins.
indptr, indices, data = m.indptr.astype(np.int64), m.indices.copy(), m.data.copy()
at = indptr[6]
indices = np.insert(indices, at, 7)
data = np.insert(data, at, np.float32(42.0))
indptr[6:] += 1
def write(name, idx_dtype=np.int32, **kw):
    with h5py.File(f"{out}/{name}", "w") as f:
        x = f.create_group("X")
        x.attrs.create("encoding-type", "csr_matrix", dtype=h5py.string_dtype())
        x.attrs.create("encoding-version", "0.1.0", dtype=h5py.string_dtype())
        x.attrs["shape"] = np.array([n, g], dtype=np.int64)
        x.create_dataset("data", data=data, **kw)
        x.create_dataset("indices", data=indices.astype(idx_dtype), **kw)
        x.create_dataset("indptr", data=indptr)
write("raw.h5ad")
write("gzip.h5ad", chunks=(65536,), compression="gzip")
write("int64.h5ad", idx_dtype=np.int64)
bad = indices.copy()
bad[300000] = g + 5
indices, saved = bad, indices
write("bad.h5ad")
indices = saved
dense = sp.csr_matrix((data, indices, indptr), shape=(n, g)).toarray()
dense[5, 7] = 42.0  # toarray sums duplicates; Tessera keeps the last
json.dump({str(j): dense[:, j].tolist() for j in (0, 7, 399)}, open(f"{out}/expected.json", "w"))
)PY";

class TstRawCsrScan : public QObject {
  Q_OBJECT
  fs::path dir_;
  nlohmann::json expected_;
  ThreadPool pool_{2};

  XReader open(const char* name) {
    auto x = probeXMatrix(dir_ / name);
    if (!x) qFatal("%s", x.error().message.c_str());
    auto r = XReader::open(*x);
    if (!r) qFatal("%s", r.error().message.c_str());
    return std::move(*r);
  }

  void compareExpected(XReader& r, Executor* workers) {
    for (const auto& [gene, column] : expected_.items()) {
      auto got = r.readGene(std::stoll(gene), {}, workers);
      QVERIFY2(got.has_value(), got ? "" : got.error().message.c_str());
      QCOMPARE(got->size(), column.size());
      for (std::size_t i = 0; i < column.size(); ++i)
        QCOMPARE((*got)[i], column[i].get<float>());
    }
  }

 private slots:
  void initTestCase() {
    dir_ = fs::path(TESSERA_TEST_WORK_DIR) / "raw_csr_scan";
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kWriter, QString::fromStdString(dir_.string())});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    std::ifstream in(dir_ / "expected.json");
    expected_ = nlohmann::json::parse(in);
  }

  void rawScanEqualsTheScanThroughHdf5() {
    XReader r = open("raw.h5ad");
    QVERIFY(r.scansRaw());
    compareExpected(r, &pool_);
    compareExpected(r, nullptr);  // no workers: the calling thread does every part
    for (std::int64_t g = 0; g < r.matrix().cols; g += 13) {
      auto raw = r.readGene(g, {}, &pool_);
      auto viaHdf5 = r.readGenes(g, g + 1);
      QVERIFY(raw && viaHdf5);
      QCOMPARE(*raw, viaHdf5->denseColumn(0));
    }
  }

  void otherLayoutsReadThroughHdf5() {
    for (const char* name : {"gzip.h5ad", "int64.h5ad"}) {
      XReader r = open(name);
      QVERIFY2(!r.scansRaw(), name);
      compareExpected(r, &pool_);
    }
  }

  void anIndexOutOfRangeNamesTheFileAndEntry() {
    XReader r = open("bad.h5ad");
    QVERIFY(r.scansRaw());
    auto got = r.readGene(3, {}, &pool_);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Corrupt);
    const std::string& m = got.error().message;
    QVERIFY2(m.find("bad.h5ad:/X/indices: index 405 at entry 300000 outside [0, 400)") !=
                 std::string::npos,
             m.c_str());
  }

  void aFileThatShrankIsAnError() {
    const fs::path copy = dir_ / "shrinking.h5ad";
    fs::copy_file(dir_ / "raw.h5ad", copy, fs::copy_options::overwrite_existing);
    XReader r = open("shrinking.h5ad");
    QVERIFY(r.scansRaw());
    fs::resize_file(copy, fs::file_size(copy) / 2);
    auto got = r.readGene(399, {}, &pool_);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Corrupt);
    QVERIFY2(got.error().message.find("shrinking.h5ad") != std::string::npos,
             got.error().message.c_str());
  }

  void aStopCancels() {
    XReader r = open("raw.h5ad");
    std::stop_source stop;
    stop.request_stop();
    auto got = r.readGene(0, stop.get_token(), &pool_);
    QVERIFY(!got);
    QCOMPARE(got.error().code, Errc::Cancelled);
  }
};

}  // namespace

QTEST_GUILESS_MAIN(TstRawCsrScan)
#include "tst_raw_csr_scan.moc"
