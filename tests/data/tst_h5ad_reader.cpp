// H5adFile against real anndata files (0.5 legacy, 0.7.8, 0.8, 0.11.4) cross-checked value for
// value with what Debian's anndata reads (tests/fixtures/anndata/reference_dump.py), plus
// deliberately broken files that must give clear errors.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/anndata/h5ad_reader.h"
#include "data/anndata/h5ad_writer.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(TESSERA_TEST_DATA_DIR) / "anndata";

nlohmann::json runPython(const QStringList& args) {
  QProcess py;
  py.start(TESSERA_PYTHON, args);
  if (!py.waitForFinished(120000)) return {};
  if (py.exitCode() != 0) qWarning("python: %s", py.readAllStandardError().constData());
  return nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
}

nlohmann::json reference(const fs::path& file) {
  return runPython({QString::fromStdString((kFixtures / "reference_dump.py").string()),
                    QString::fromStdString(file.string())});
}

// Copies `fixture` to the work dir and applies an h5py edit `code` (with `f` open r+).
fs::path breakCopy(const char* fixture, const char* name, const char* code) {
  const fs::path dir = fs::path(TESSERA_TEST_WORK_DIR) / "h5ad_reader";
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

bool sameNumber(const nlohmann::json& ref, double v) {
  if (ref.is_null()) return std::isnan(v);
  const double r = ref.get<double>();
  return std::abs(r - v) <= 1e-6 * std::max(1.0, std::abs(r));
}

}  // namespace

class TestH5adReader : public QObject {
  Q_OBJECT

  void expectError(const fs::path& p, Errc code, const char* needle) {
    auto f = H5adFile::open(p);
    QVERIFY(!f.has_value());
    QCOMPARE(f.error().code, code);
    const std::string& m = f.error().message;
    QVERIFY2(m.find(p.string()) != std::string::npos, m.c_str());
    QVERIFY2(m.find(needle) != std::string::npos, m.c_str());
  }

 private slots:
  void matchesAnndata_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("layout");
    QTest::newRow("legacy 0.5") << "pbmc68k_reduced_v0.5.h5ad"
                                << "legacy";
    QTest::newRow("0.7.8") << "v0.7.8.h5ad"
                           << "0.7";
    QTest::newRow("0.8 rich") << "v0.8_rich.h5ad"
                              << "0.8+";
    QTest::newRow("0.11.4") << "v0.11.4.h5ad"
                            << "0.8+";
  }

  void matchesAnndata() {
    QFETCH(QString, file);
    QFETCH(QString, layout);
    const fs::path p = kFixtures / file.toStdString();
    const nlohmann::json ref = reference(p);
    QVERIFY2(ref.is_object(), "reference_dump.py failed");
    auto f = H5adFile::open(p);
    QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
    QCOMPARE(QString::fromStdString(f->layout()), layout);
    QCOMPARE(f->nObs(), ref["n_obs"].get<std::int64_t>());
    QCOMPARE(f->nVars(), ref["n_vars"].get<std::int64_t>());
    QCOMPARE(f->obsNames(), ref["obs_names"].get<std::vector<std::string>>());
    QCOMPARE(f->varNames(), ref["var_names"].get<std::vector<std::string>>());

    std::vector<std::string> order;
    for (const auto& c : f->obsColumns())
      order.push_back(c.name);
    QCOMPARE(order, ref["obs_order"].get<std::vector<std::string>>());
    for (const auto& c : f->obsColumns()) {
      const auto& rc = ref["obs"][c.name];
      const std::string ctx = file.toStdString() + " obs/" + c.name;
      QVERIFY2(rc["kind"].get<std::string>() == columnKindName(c.kind), ctx.c_str());
      if (c.kind == ColumnKind::Categorical) {
        QCOMPARE(c.categories, rc["categories"].get<std::vector<std::string>>());
        QCOMPARE(c.ordered, rc["ordered"].get<bool>());
        QCOMPARE(c.colors, rc["colors"].get<std::vector<std::string>>());
        auto codes = f->readObsCodes(c.name);
        QVERIFY2(codes.has_value(), codes ? "" : codes.error().message.c_str());
        QCOMPARE(*codes, rc["codes"].get<std::vector<std::int32_t>>());
      } else if (c.kind == ColumnKind::String) {
        auto v = f->readObsStrings(c.name);
        QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
        QCOMPARE(*v, rc["values"].get<std::vector<std::string>>());
      } else {
        auto v = f->readObsNumbers(c.name);
        QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
        QCOMPARE(v->size(), rc["values"].size());
        for (std::size_t i = 0; i < v->size(); ++i)
          QVERIFY2(sameNumber(rc["values"][i], (*v)[i]), ctx.c_str());
      }
    }
    for (const auto& c : f->varColumns())
      QCOMPARE(std::string(columnKindName(c.kind)), ref["var_kinds"][c.name].get<std::string>());

    QCOMPARE(f->obsm().size(), ref["obsm"].size());
    for (const auto& m : f->obsm()) {
      const auto& rm = ref["obsm"][m.key];
      QCOMPARE(m.rows, rm["shape"][0].get<std::int64_t>());
      QCOMPARE(m.cols, rm["shape"][1].get<std::int64_t>());
      QCOMPARE(m.readable, rm.contains("values"));
      if (!m.readable) continue;
      auto mat = f->readObsm(m.key);
      QVERIFY2(mat.has_value(), mat ? "" : mat.error().message.c_str());
      QCOMPARE(mat->values.size(), rm["values"].size());
      for (std::size_t i = 0; i < mat->values.size(); ++i)
        QVERIFY(sameNumber(rm["values"][i], mat->values[i]));
    }

    QCOMPARE(f->X().has_value(), ref["has_X"].get<bool>());
    for (const auto& [g, values] : ref["genes"].items()) {
      auto col = f->readGene(std::stoll(g));
      QVERIFY2(col.has_value(), col ? "" : col.error().message.c_str());
      QCOMPARE(col->size(), values.size());
      for (std::size_t i = 0; i < col->size(); ++i)
        QVERIFY(sameNumber(values[i], (*col)[i]));
    }
    QCOMPARE(f->hasRawX(), ref["raw"].get<bool>());
    auto layers = f->layers();
    std::sort(layers.begin(), layers.end());
    QCOMPARE(layers, ref["layers"].get<std::vector<std::string>>());
  }

  void readsLegacyCompoundObs() {
    auto f = H5adFile::open(kFixtures / "pbmc68k_reduced_v0.5.h5ad");
    QVERIFY(f.has_value());
    const ColumnInfo* louvain = f->obsColumn("louvain");
    QVERIFY(louvain && louvain->kind == ColumnKind::Categorical);
    QCOMPARE(louvain->categories.size(), std::size_t(11));
    QCOMPARE(louvain->colors.front(), std::string("#023fa5"));
    auto labels = f->readObsStrings("bulk_labels");
    QVERIFY(labels.has_value());
    QCOMPARE(labels->size(), std::size_t(700));
    QCOMPARE(f->X()->encoding, MatrixEncoding::Dense);
    QVERIFY(f->hasRawX() && f->hasRawVar());
    QCOMPARE(f->obsm().size(), std::size_t(2));
    const auto& uns = f->unsKeys();
    QVERIFY(std::find(uns.begin(), uns.end(), "louvain_categories") == uns.end());
    QVERIFY(std::find(uns.begin(), uns.end(), "louvain_colors") != uns.end());
  }

  void reads07ReferencedCategoriesThroughLzf() {
    auto f = H5adFile::open(kFixtures / "v0.7.8.h5ad");
    QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
    const ColumnInfo* c = f->obsColumn("cat_ordered");
    QVERIFY(c && c->kind == ColumnKind::Categorical && c->ordered);
    QCOMPARE(f->X()->encoding, MatrixEncoding::Csr);
    auto gene = f->readGene(f->varNames()[5]);
    QVERIFY2(gene.has_value(), gene ? "" : gene.error().message.c_str());
  }

  void readsNullableColumnsAsNaN() {
    auto f = H5adFile::open(kFixtures / "v0.8_rich.h5ad");
    QVERIFY(f.has_value());
    QCOMPARE(f->obsColumn("maybe_int")->kind, ColumnKind::NullableInteger);
    auto v = f->readObsNumbers("maybe_int");
    QVERIFY(v.has_value());
    QCOMPARE((*v)[0], 1.0);
    QVERIFY(std::isnan((*v)[1]));
    QVERIFY(f->obsColumn("grade")->colors.empty());  // stale palette of the wrong length
    QCOMPARE(f->X()->encoding, MatrixEncoding::Csc);
    QCOMPARE(f->layers(), std::vector<std::string>{"counts"});
  }

  void readsStringColumnsWrittenByWriteH5ad() {
    const fs::path p = fs::path(TESSERA_TEST_WORK_DIR) / "h5ad_reader" / "written.h5ad";
    fs::create_directories(p.parent_path());
    fs::remove(p);
    AnnDataWrite a;
    a.obsNames = {"a", "b"};
    a.varNames = {"g"};
    a.X = CsrMatrix{2, 1, {0, 1, 1}, {0}, {4.5f}};
    a.obs.push_back({"note", std::vector<std::string>{"x\xC3\xA9", ""}});
    a.obs.push_back({"flag", std::vector<bool>{false, true}});
    a.obs.push_back({"c", CategoricalColumn{{1, -1}, {"p", "q"}, false, {"#111111", "#222222"}}});
    QVERIFY(writeH5ad(p, a).has_value());
    auto f = H5adFile::open(p);
    QVERIFY2(f.has_value(), f ? "" : f.error().message.c_str());
    QCOMPARE(*f->readObsStrings("note"), (std::vector<std::string>{"x\xC3\xA9", ""}));
    QCOMPARE(*f->readObsNumbers("flag"), (std::vector<double>{0, 1}));
    QCOMPARE(*f->readObsStrings("c"), (std::vector<std::string>{"q", ""}));
    QCOMPARE(f->obsColumn("c")->colors, (std::vector<std::string>{"#111111", "#222222"}));
    QCOMPARE(*f->readGene(0), (std::vector<float>{4.5f, 0.0f}));
  }

  void summaryListsKindsAndShapes() {
    auto f = H5adFile::open(kFixtures / "v0.8_rich.h5ad");
    QVERIFY(f.has_value());
    const nlohmann::json s = f->summary();
    QCOMPARE(s["n_obs"].get<int>(), 12);
    QCOMPARE(s["n_vars"].get<int>(), 9);
    QCOMPARE(s["kind"].get<std::string>(), std::string("table"));
    QCOMPARE(s["X"]["storage"].get<std::string>(), std::string("csc"));
    QCOMPARE(s["X"]["dtype"].get<std::string>(), std::string("float32"));
    QCOMPARE(s["obs"]["leiden"]["kind"].get<std::string>(), std::string("categorical"));
    QCOMPARE(s["obsm"]["X_umap"], nlohmann::json::array({12, 2}));
    QVERIFY(s["uns"].is_array());
    QCOMPARE(s["raw"]["X"].get<bool>(), true);
    auto none = H5adFile::open(kFixtures / "v0.11.4.h5ad");
    QVERIFY(none.has_value());
    QVERIFY(none->summary()["X"].is_null());
  }

  void rejectsNonHdf5AndMissingFiles() {
    const fs::path p = fs::path(TESSERA_TEST_WORK_DIR) / "h5ad_reader" / "text.h5ad";
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "not hdf5\n";
    expectError(p, Errc::Corrupt, "not an HDF5 file");
    expectError(p.parent_path() / "nope.h5ad", Errc::NotFound, "no such file");
  }

  void rejectsBrokenFilesNamingThePath() {
    expectError(breakCopy("v0.8_rich.h5ad", "no_var.h5ad", "del f['var']"), Errc::NotFound, "/var");
    expectError(breakCopy("v0.8_rich.h5ad", "bad_indptr.h5ad",
                          "del f['X/indptr']\nf['X/indptr'] = np.zeros(4, dtype='i4')"),
                Errc::Corrupt, "/X/indptr");
    expectError(breakCopy("v0.8_rich.h5ad", "weird_enc.h5ad",
                          "f['X'].attrs['encoding-type'] = 'weird_matrix'"),
                Errc::Unsupported, "weird_matrix");
    expectError(breakCopy("v0.8_rich.h5ad", "short_col.h5ad",
                          "del f['obs/frac']\nf['obs/frac'] = np.zeros(3)"),
                Errc::Corrupt, "/obs/frac");
    expectError(breakCopy("v0.8_rich.h5ad", "bad_obsm.h5ad",
                          "del f['obsm/X_umap']\nf['obsm/X_umap'] = np.zeros((5, 2))"),
                Errc::Corrupt, "/obsm/X_umap");
  }

  void rejectsXShapeAndIndptrOrderNamingTheField() {
    // X's shape disagrees with obs/var: refused at open, naming /X and both lengths.
    expectError(
        breakCopy("v0.8_rich.h5ad", "x_shape.h5ad", "f['X'].attrs['shape'] = np.array([13, 9])"),
        Errc::Corrupt, ":/X: shape 13x9 does not match 12 obs x 9 vars");
    // indptr of the right length but not monotonic: refused at open or on the first read.
    const fs::path p = breakCopy("v0.8_rich.h5ad", "unsorted_indptr.h5ad",
                                 "d = f['X/indptr'][:]\nd[3], d[4] = d[4], d[3]\n"
                                 "f['X/indptr'][:] = d");
    auto f = H5adFile::open(p);
    Error e;
    if (f) {
      auto g = f->readGene(1);
      QVERIFY(!g.has_value());
      e = g.error();
    } else {
      e = f.error();
    }
    QCOMPARE(e.code, Errc::Corrupt);
    QVERIFY2(e.message.find(p.string() + ":/X/indptr") != std::string::npos, e.message.c_str());
    QVERIFY2(e.message.find("monoton") != std::string::npos, e.message.c_str());
  }

  void rejectsOutOfRangeIndicesOnRead() {
    const fs::path p =
        breakCopy("v0.8_rich.h5ad", "bad_indices.h5ad",
                  "d = f['X/indices'][:]\nd[:] = 99\ndel f['X/indices']\nf['X/indices'] = d");
    auto f = H5adFile::open(p);
    QVERIFY(f.has_value());
    auto g = f->readGene(1);
    QVERIFY(!g.has_value());
    QCOMPARE(g.error().code, Errc::Corrupt);
    QVERIFY2(g.error().message.find("/X/indices") != std::string::npos, g.error().message.c_str());
    QVERIFY(!f->readGene(9).has_value());
    QCOMPARE(f->readGene(9).error().code, Errc::InvalidArgument);
  }
};

QTEST_GUILESS_MAIN(TestH5adReader)
#include "tst_h5ad_reader.moc"
