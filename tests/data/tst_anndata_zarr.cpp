// AnnData zarr (v2 by anndata 0.8 write_zarr; v3 by a spec-following generator) read into a
// CellTable, value for value against anndata.read_zarr (tests/fixtures/cells/make_anndata_zarr.py),
// plus broken copies that must fail with the store key and the field.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/anndata/zarr_anndata.h"
#include "data/local_store.h"
#include "data/zarr/zarr_strings.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "anndata_zarr";

// Label of cell i in a column that may be categorical (v2: anndata 0.8 turns strings into
// categoricals on write) or a string column (v3 fixture).
std::string labelOf(const CellColumn& c, std::size_t i) {
  if (c.kind == CellColumnKind::String) return c.strings[i];
  return c.codes[i] < 0 ? "" : c.categories[c.codes[i]];
}

}  // namespace

class TestAnnDataZarr : public QObject {
  Q_OBJECT
  json expected_;

 private slots:
  void initTestCase() {
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/cells/make_anndata_zarr.py",
              QString::fromStdString(kDir.string())});
    QVERIFY(py.waitForFinished(300000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    std::ifstream in(kDir / "expected.json");
    expected_ = json::parse(in, nullptr, false);
    QVERIFY(expected_.is_object());
  }

  void matchesAnndata_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("v2 csr") << "v2_csr.zarr";
    QTest::newRow("v2 dense") << "v2_dense.zarr";
    QTest::newRow("v2 csc") << "v2_csc.zarr";
    QTest::newRow("v3 csr (vlen-utf8 strings)") << "v3_csr.zarr";
  }

  void matchesAnndata() {
    QFETCH(QString, name);
    auto t = openAnnDataZarr(kDir / name.toStdString());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("anndata-zarr"));
    QCOMPARE(t->cellIds, expected_["ids"].get<std::vector<std::string>>());
    QCOMPARE(t->geneNames, expected_["genes"].get<std::vector<std::string>>());
    QCOMPARE(t->geneIds, expected_["gene_ids"].get<std::vector<std::string>>());

    const CellColumn* cl = t->column("cluster");
    QVERIFY(cl && cl->kind == CellColumnKind::Categorical);
    QCOMPARE(cl->categories, expected_["cluster_categories"].get<std::vector<std::string>>());
    QCOMPARE(cl->codes, expected_["cluster_codes"].get<std::vector<std::int32_t>>());
    QCOMPARE(cl->codes[3], -1);
    QCOMPARE(cl->colors, expected_["colors"].get<std::vector<std::string>>());

    const CellColumn* score = t->column("score");
    QVERIFY(score && score->kind == CellColumnKind::Numeric);
    QCOMPARE(score->numbers, expected_["score"].get<std::vector<double>>());
    const CellColumn* ng = t->column("n_genes");
    QVERIFY(ng && ng->kind == CellColumnKind::Numeric);
    const auto ngExp = expected_["n_genes"].get<std::vector<int>>();
    for (std::size_t i = 0; i < ngExp.size(); ++i)
      QCOMPARE(ng->numbers[i], double(ngExp[i]));
    const CellColumn* db = t->column("is_doublet");
    QVERIFY(db && db->kind == CellColumnKind::Bool);
    const auto dbExp = expected_["is_doublet"].get<std::vector<int>>();
    for (std::size_t i = 0; i < dbExp.size(); ++i)
      QCOMPARE(db->numbers[i], double(dbExp[i]));
    const CellColumn* lb = t->column("label");
    QVERIFY(lb);
    const auto lbExp = expected_["label"].get<std::vector<std::string>>();
    for (std::size_t i = 0; i < lbExp.size(); ++i)
      QCOMPARE(labelOf(*lb, i), lbExp[i]);
    const CellColumn* nl = t->column("count_nullable");
    QVERIFY(nl && nl->kind == CellColumnKind::Numeric);
    for (std::size_t i = 0; i < nl->numbers.size(); ++i) {
      const json& e = expected_["count_nullable"][i];
      if (e.is_null())
        QVERIFY(std::isnan(nl->numbers[i]));
      else
        QCOMPARE(nl->numbers[i], e.get<double>());
    }

    QVERIFY(t->genes);
    for (std::size_t g = 0; g < t->geneNames.size(); ++g) {
      auto col = t->genes->readGene(static_cast<std::int64_t>(g));
      QVERIFY2(col.has_value(), col ? "" : col.error().message.c_str());
      const auto exp = expected_["X_columns"][g].get<std::vector<double>>();
      QCOMPARE(col->size(), exp.size());
      for (std::size_t i = 0; i < exp.size(); ++i)
        QCOMPARE((*col)[i], static_cast<float>(exp[i]));
    }
    QVERIFY(!t->genes->readGene(99).has_value());

    QVERIFY(t->hasSpatial());
    const auto sp = expected_["spatial"];
    for (std::size_t i = 0; i < t->x.size(); ++i) {
      QCOMPARE(t->x[i], sp[i][0].get<double>());
      QCOMPARE(t->y[i], sp[i][1].get<double>());
    }
    QCOMPARE(t->toImage, Affine2D::scale(0.25, 0.25));
    QCOMPARE(t->affineSource, std::string("uns/spatial/lib1/scalefactors/tissue_hires_scalef"));
    QVERIFY(t->spotRadius && *t->spotRadius == 45.0);
    const Embedding* umap = nullptr;
    for (const auto& e : t->embeddings)
      if (e.key == "X_umap") umap = &e;
    QVERIFY(umap && umap->cols == 2);
    for (std::size_t i = 0; i < t->cellIds.size(); ++i)
      QCOMPARE(umap->values[2 * i + 1], static_cast<float>(expected_["umap"][i][1].get<double>()));
  }

  void readsVlenUtf8DirectlyIncludingNonAscii() {
    auto s = readZarrStrings(LocalStore(kDir / "v3_csr.zarr"), "obs/label");
    QVERIFY(s.has_value());
    QCOMPARE(s->size(), std::size_t(37));
    QCOMPARE((*s)[6], std::string("lbl-\xC3\xA9"
                                  "1"));
    QVERIFY(isZarrStringArray(LocalStore(kDir / "v2_csr.zarr"), "obs/_index"));
    QVERIFY(!isZarrStringArray(LocalStore(kDir / "v2_csr.zarr"), "obs/score"));
  }

  void badInputNamesFileAndField_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("needle");
    QTest::newRow("shape") << "bad_shape.zarr"
                           << "bad_shape.zarr/X: X shape attribute [38,11] disagrees";
    QTest::newRow("encoding") << "bad_encoding.zarr"
                              << "unknown encoding-type \"csr_matrix_v9\"";
    QTest::newRow("indptr") << "bad_indptr.zarr"
                            << "bad_indptr.zarr/X/indptr: not monotonic";
    QTest::newRow("indices") << "bad_indices.zarr"
                             << "bad_indices.zarr/X/indices: index 16 out of range";
  }

  void badInputNamesFileAndField() {
    QFETCH(QString, name);
    QFETCH(QString, needle);
    auto t = openAnnDataZarr(kDir / name.toStdString());
    std::string msg;
    if (t) {
      // Out-of-range indices surface when the column index is built on the first gene read.
      QVERIFY(t->genes);
      auto g = t->genes->readGene(0);
      QVERIFY(!g.has_value());
      msg = g.error().message;
    } else {
      msg = t.error().message;
    }
    QVERIFY2(msg.find(needle.toStdString()) != std::string::npos, msg.c_str());
  }

  void missingSpatialFallsBackToEmbeddingOnly() {
    auto t = openAnnDataZarr(kDir / "no_spatial.zarr");
    QVERIFY(t.has_value());
    QVERIFY(!t->hasSpatial());
    QCOMPARE(t->messages.size(), std::size_t(1));
    QVERIFY2(t->messages[0].find("no_spatial.zarr: no spatial coordinates") != std::string::npos,
             t->messages[0].c_str());
  }

  void notAnAnnDataIsRefused() {
    auto t = openAnnDataZarr(kDir / "v2_csr.zarr" / "obs");
    QVERIFY(!t.has_value());
    QVERIFY2(t.error().message.find("unknown encoding-type \"dataframe\"") != std::string::npos,
             t.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestAnnDataZarr)
#include "tst_anndata_zarr.moc"
