// TenxH5File against Cell Ranger 3 and 1.2 matrices, cross-checked value for value with h5py +
// scipy (tests/fixtures/tenx/reference_dump.py), plus broken copies that must fail clearly.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/tenx/tenx_h5.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "tenx";

nlohmann::json runPython(const QStringList& args) {
  QProcess py;
  py.start(TESSERA_PYTHON, args);
  if (!py.waitForFinished(120000)) return {};
  if (py.exitCode() != 0) qWarning("python: %s", py.readAllStandardError().constData());
  return nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
}

// Copies `fixture` to the work dir and applies an h5py edit `code` (with `f` open r+).
fs::path breakCopy(const char* fixture, const char* name, const char* code) {
  const fs::path dir = fs::path(TESSERA_TEST_WORK_DIR) / "tenx_h5";
  fs::create_directories(dir);
  const fs::path out = dir / name;
  fs::remove(out);
  fs::copy_file(kFixtures / fixture, out);
  const QString script = QString(
                             "import h5py, numpy as np, sys\n"
                             "f = h5py.File(sys.argv[1], 'r+')\n%1\nf.close()\n"
                             "print('{}')\n")
                             .arg(code);
  runPython({"-c", script, QString::fromStdString(out.string())});
  return out;
}

}  // namespace

class TestTenxH5 : public QObject {
  Q_OBJECT

 private slots:
  void matchesH5py_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("v3") << "v3_filtered_feature_bc_matrix.h5";
    QTest::newRow("legacy") << "legacy_filtered_gene_bc_matrices_h5.h5";
  }

  void matchesH5py() {
    QFETCH(QString, file);
    const fs::path p = kFixtures / file.toStdString();
    const nlohmann::json ref =
        runPython({QString::fromStdString((kFixtures / "reference_dump.py").string()),
                   QString::fromStdString(p.string())});
    QVERIFY2(ref.is_object(), "reference_dump.py failed");
    auto f = TenxH5File::open(p);
    QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
    QCOMPARE(f->version(), ref["version"].get<std::string>());
    QCOMPARE(f->nFeatures(), ref["n_features"].get<std::int64_t>());
    QCOMPARE(f->nBarcodes(), ref["n_barcodes"].get<std::int64_t>());
    QCOMPARE(f->nnz(), ref["nnz"].get<std::int64_t>());
    QCOMPARE(f->barcodes(), ref["barcodes"].get<std::vector<std::string>>());
    const auto ids = ref["ids"].get<std::vector<std::string>>();
    const auto names = ref["names"].get<std::vector<std::string>>();
    const auto types = ref["types"].get<std::vector<std::string>>();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      QCOMPARE(f->features()[i].id, ids[i]);
      QCOMPARE(f->features()[i].name, names[i]);
      QCOMPARE(f->features()[i].featureType, types[i]);
    }
    for (const auto& [i, values] : ref["features"].items()) {
      auto v = f->readFeature(std::stoll(i));
      QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
      QCOMPARE(std::vector<double>(v->begin(), v->end()), values.get<std::vector<double>>());
    }
    for (const auto& [j, values] : ref["barcode_counts"].items()) {
      auto v = f->readBarcode(std::stoll(j));
      QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
      QCOMPARE(std::vector<double>(v->begin(), v->end()), values.get<std::vector<double>>());
    }
  }

  void readsLegacyGenomeGroup() {
    auto f = TenxH5File::open(kFixtures / "legacy_filtered_gene_bc_matrices_h5.h5");
    QVERIFY(f.has_value());
    QCOMPARE(f->genomes(), std::vector<std::string>{"hg19_chr21"});
    QCOMPARE(f->features().front().genome, std::string("hg19_chr21"));
    auto other = TenxH5File::open(kFixtures / "legacy_filtered_gene_bc_matrices_h5.h5", "mm10");
    QVERIFY(!other.has_value());
    QCOMPARE(other.error().code, Errc::NotFound);
  }

  void findsFeaturesByIdOrName() {
    auto f = TenxH5File::open(kFixtures / "v3_filtered_feature_bc_matrix.h5");
    QVERIFY(f.has_value());
    const TenxFeature& ft = f->features()[10];
    auto byId = f->readFeature(ft.id);
    auto byName = f->readFeature(ft.name);
    auto byIndex = f->readFeature(10);
    QVERIFY(byId && byName && byIndex);
    QCOMPARE(*byId, *byIndex);
    QVERIFY(!f->readFeature(std::string("NO_SUCH_GENE")).has_value());
    QVERIFY(!f->readBarcode(f->nBarcodes()).has_value());
  }

  void summaryDescribesTheMatrix() {
    auto f = TenxH5File::open(kFixtures / "v3_filtered_feature_bc_matrix.h5");
    QVERIFY(f.has_value());
    const nlohmann::json s = f->summary();
    QCOMPARE(s["format"].get<std::string>(), std::string("10x-h5"));
    QCOMPARE(s["n_features"].get<int>(), 507);
    QCOMPARE(s["n_barcodes"].get<int>(), 1107);
    QCOMPARE(s["genomes"], nlohmann::json::array({"GRCh38_chr21"}));
    QCOMPARE(s["feature_types"], nlohmann::json::array({"Gene Expression"}));
  }

  void rejectsBrokenFilesNamingThePath() {
    auto expectError = [](const fs::path& p, Errc code, const char* needle, bool onOpen) {
      auto f = TenxH5File::open(p);
      Error e;
      if (onOpen) {
        QVERIFY(!f.has_value());
        e = f.error();
      } else {
        QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
        auto v = f->readFeature(0);
        QVERIFY(!v.has_value());
        e = v.error();
      }
      QCOMPARE(e.code, code);
      QVERIFY2(e.message.find(p.string()) != std::string::npos, e.message.c_str());
      QVERIFY2(e.message.find(needle) != std::string::npos, e.message.c_str());
    };
    const char* v3 = "v3_filtered_feature_bc_matrix.h5";
    expectError(breakCopy(v3, "short_indptr.h5",
                          "d = f['matrix/indptr'][:-1]\ndel f['matrix/indptr']\n"
                          "f['matrix/indptr'] = d"),
                Errc::Corrupt, "/matrix/indptr", true);
    expectError(breakCopy(v3, "no_features.h5", "del f['matrix/features']"), Errc::NotFound,
                "/matrix/features", true);
    expectError(breakCopy(v3, "big_index.h5",
                          "d = f['matrix/indices'][:]\nd[5] = 10**6\ndel f['matrix/indices']\n"
                          "f['matrix/indices'] = d"),
                Errc::Corrupt, "/matrix/indices", false);
    expectError(breakCopy(v3, "not10x.h5", "del f['matrix']\nf['x'] = np.zeros(3)"),
                Errc::Unsupported, "neither", true);
  }
};

QTEST_GUILESS_MAIN(TestTenxH5)
#include "tst_tenx_h5.moc"
