// AnnData layouts other anndata versions write (tests/fixtures/cells/make_table_formats.py):
// nullable-integer / -boolean / -string-array columns and a nullable-string-array obs and var
// index in h5ad, zarr v2 and zarr v3; the pre-0.7 zarr layout (arrays of records, h5sparse X);
// X's layout in every table summary; broken copies that must fail naming the file and problem;
// and every real table under tests/fixtures, which must open.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/cells/cells_open.h"
#include "data/spatial/spatialdata_tables.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kDir = fs::path(TESSERA_TEST_WORK_DIR) / "table_formats";

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// Numbers of a nullable column as the reference prints them: null where masked.
json numbersOrNull(const CellColumn& c) {
  json out = json::array();
  for (double v : c.numbers)
    out.push_back(std::isnan(v) ? json() : json(static_cast<long long>(v)));
  return out;
}

json stringsOrNull(const CellColumn& c) {
  json out = json::array();
  for (const auto& s : c.strings)
    out.push_back(s.empty() ? json() : json(s));
  return out;
}

bool runPython(const QStringList& args, QByteArray* out = nullptr) {
  QProcess py;
  py.start(TESSERA_PYTHON, args);
  if (!py.waitForFinished(300000) || py.exitCode() != 0) {
    qWarning("%s", py.readAllStandardError().constData());
    return false;
  }
  if (out) *out = py.readAllStandardOutput();
  return true;
}

}  // namespace

class TestTableFormats : public QObject {
  Q_OBJECT
  json exp_;

 private slots:
  void initTestCase() {
    fs::remove_all(kDir);
    QByteArray out;
    QVERIFY(runPython({QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/cells/make_table_formats.py",
                       QString::fromStdString(kDir.string())},
                      &out));
    exp_ = json::parse(out.toStdString(), nullptr, false);
    QVERIFY(exp_.is_object());
    // The other generated table formats, for everyRealTableOpens.
    const QString fx = QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/";
    QVERIFY(runPython({fx + "spatialdata/make_spatialdata.py",
                       QString::fromStdString((kDir / "sd_v2.zarr").string())}));
    QVERIFY(runPython({fx + "spatialdata/make_spatialdata_v3.py",
                       QString::fromStdString((kDir / "sd_v3.zarr").string())}));
    QVERIFY(runPython(
        {fx + "xenium/make_xenium.py", QString::fromStdString((kDir / "xenium").string()), "200"}));
  }

  void nullableColumnsAndIndex_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("format");
    QTest::newRow("h5ad") << "nullable.h5ad"
                          << "h5ad";
    QTest::newRow("zarr v2") << "nullable_v2.zarr"
                             << "anndata-zarr";
    QTest::newRow("zarr v3") << "nullable_v3.zarr"
                             << "anndata-zarr";
  }

  // The index with a masked name reads "" there; masked numbers are NaN, masked strings "".
  void nullableColumnsAndIndex() {
    QFETCH(QString, name);
    QFETCH(QString, format);
    auto t = openCells((kDir / name.toStdString()).string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, format.toStdString());
    QCOMPARE(t->cellIds, exp_["ids"].get<std::vector<std::string>>());
    QCOMPARE(t->geneNames, exp_["genes"].get<std::vector<std::string>>());
    const CellColumn* count = t->column("count");
    const CellColumn* flag = t->column("flag");
    const CellColumn* note = t->column("note");
    QVERIFY(count && flag && note);
    QCOMPARE(count->kind, CellColumnKind::Numeric);
    QCOMPARE(flag->kind, CellColumnKind::Bool);
    QCOMPARE(note->kind, CellColumnKind::String);
    QCOMPARE(numbersOrNull(*count), exp_["count"]);
    QCOMPARE(numbersOrNull(*flag), exp_["flag"]);
    QCOMPARE(stringsOrNull(*note), exp_["note"]);
    for (std::int64_t g = 0; g < 4; ++g) {
      auto v = t->genes->readGene(g);
      QVERIFY(v.has_value());
      for (std::size_t i = 0; i < v->size(); ++i)
        QCOMPARE(double((*v)[i]), exp_["X_columns"][g][i].get<double>());
    }
    const json s = cellTableSummary(*t);
    QCOMPARE(s["X"]["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(s["X"]["dtype"].get<std::string>(), std::string("float32"));
    QCOMPARE(s["X"]["shape"], json({9, 4}));
    QCOMPARE(s["X"]["nnz"].get<int>(), 28);
  }

  // anndata < 0.7 wrote obs/var/obsm as record arrays: read as anndata.read_zarr does.
  void legacyZarrReadsAsAnndata() {
    auto t = openCells((kDir / "legacy_v06.zarr").string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("anndata-zarr"));
    QCOMPARE(t->cellIds, exp_["legacy_ids"].get<std::vector<std::string>>());
    QCOMPARE(t->geneNames, exp_["genes"].get<std::vector<std::string>>());
    const json& l = exp_["legacy"];
    const CellColumn* counts = t->column("n_counts");
    QVERIFY(counts && counts->kind == CellColumnKind::Numeric);
    QCOMPARE(counts->numbers, l["n_counts"].get<std::vector<double>>());
    const CellColumn* louvain = t->column("louvain");
    QVERIFY(louvain && louvain->kind == CellColumnKind::Categorical);
    QCOMPARE(louvain->categories, (std::vector<std::string>{"0", "1", "2"}));
    QCOMPARE(std::vector<int>(louvain->codes.begin(), louvain->codes.end()),
             l["louvain"].get<std::vector<int>>());
    const CellColumn* sample = t->column("sample");
    QVERIFY(sample && sample->kind == CellColumnKind::String);
    QCOMPARE(sample->strings, l["sample"].get<std::vector<std::string>>());
    const CellColumn* ok = t->column("is_ok");
    QVERIFY(ok && ok->kind == CellColumnKind::Bool);
    QCOMPARE(std::vector<int>(ok->numbers.begin(), ok->numbers.end()),
             l["is_ok"].get<std::vector<int>>());
    QVERIFY(t->hasSpatial());
    for (std::size_t i = 0; i < t->x.size(); ++i) {
      QCOMPARE(t->x[i], exp_["spatial"][i][0].get<double>());
      QCOMPARE(t->y[i], exp_["spatial"][i][1].get<double>());
    }
    const Embedding* umap = nullptr;
    for (const auto& e : t->embeddings)
      if (e.key == "X_umap") umap = &e;
    QVERIFY(umap && umap->cols == 2);
    for (std::size_t i = 0; i < 9; ++i)
      QCOMPARE(double(umap->values[2 * i + 1]), l["umap"][i][1].get<double>());
    auto g2 = t->genes->readGene(2);
    QVERIFY(g2.has_value());
    for (std::size_t i = 0; i < g2->size(); ++i)
      QCOMPARE(double((*g2)[i]), exp_["X_columns"][2][i].get<double>());
    QVERIFY(std::any_of(t->messages.begin(), t->messages.end(), [](const std::string& m) {
      return contains(m, "written by anndata before 0.7");
    }));
    const json s = cellTableSummary(*t);
    QCOMPARE(s["X"]["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(s["X"]["shape"], json({9, 4}));
  }

  // A table that does not fit fails with one error naming the file (store key) and the problem.
  void badTablesNameFileAndProblem() {
    const fs::path bad = kDir / "bad";
    fs::remove_all(bad);
    fs::create_directories(bad);
    for (const char* n : {"legacy_v06.zarr", "nullable_v2.zarr", "nullable_v3.zarr"})
      fs::copy(kDir / n, bad / n, fs::copy_options::recursive);
    QVERIFY(runPython(
        {"-c",
         "import sys, json, zarr, numpy as np\n"
         "d = sys.argv[1]\n"
         "zarr.open_group(d + '/legacy_v06.zarr/uns', mode='r+')['louvain_categories'] = "
         "np.array(['0', '1'], dtype='<U1')\n"
         "m = zarr.open_group(d + '/nullable_v2.zarr/obs/count', mode='r+')\n"
         "m.create_dataset('mask', data=np.zeros(3, bool), overwrite=True)\n"
         "zarr.consolidate_metadata(d + '/nullable_v2.zarr')\n"
         "p = d + '/nullable_v3.zarr/obs/_index/zarr.json'\n"
         "j = json.load(open(p)); j['attributes']['encoding-type'] = 'nullable-string-array-v9'\n"
         "json.dump(j, open(p, 'w'))\n",
         QString::fromStdString(bad.string())}));
    auto legacy = openCells((bad / "legacy_v06.zarr").string());
    QVERIFY(!legacy.has_value());
    QCOMPARE(legacy.error().code, Errc::Corrupt);
    QVERIFY2(contains(legacy.error().message,
                      "legacy_v06.zarr/obs: field \"louvain\" has code 2 "
                      "outside 2 categories"),
             legacy.error().message.c_str());
    auto mask = openCells((bad / "nullable_v2.zarr").string());
    QVERIFY(!mask.has_value());
    QVERIFY2(contains(mask.error().message, "nullable_v2.zarr/obs/count/mask: 3 entries"),
             mask.error().message.c_str());
    auto index = openCells((bad / "nullable_v3.zarr").string());
    QVERIFY(!index.has_value());
    QVERIFY2(contains(index.error().message,
                      "nullable_v3.zarr/obs/_index: unknown encoding-type "
                      "\"nullable-string-array-v9\""),
             index.error().message.c_str());
  }

  // Every table under tests/fixtures (and the ones generated here) opens, with X described.
  void everyRealTableOpens() {
    std::vector<fs::path> tables;
    for (const fs::path& root : {fs::path(TESSERA_TEST_DATA_DIR), kDir}) {
      for (auto it = fs::recursive_directory_iterator(root); it != fs::end(it); ++it) {
        const fs::path p = it->path();
        if (p.filename() == "bad") {
          it.disable_recursion_pending();  // the broken copies above
          continue;
        }
        // Loose CSV/TSV files are not tables here (positions lists, expected values).
        const CellsFormat* f = bestCellsFormat(p.string());
        if (!f || f->name == "csv") continue;
        tables.push_back(p);
        if (it->is_directory()) it.disable_recursion_pending();  // its parts are not tables
      }
    }
    QVERIFY2(tables.size() >= 14, std::to_string(tables.size()).c_str());
    for (const auto& p : tables) {
      std::vector<std::string> names{""};
      if (bestCellsFormat(p.string())->name == "spatialdata") names = spatialDataTables(p);
      for (const auto& name : names) {
        auto t = name.empty() ? openCells(p.string()) : openSpatialDataTable(p, name);
        checkOpened(p.string() + " " + name, t);
        if (QTest::currentTestFailed()) return;
      }
    }
  }

 private:
  static void checkOpened(const std::string& what, const Expected<CellTable>& t) {
    {
      QVERIFY2(t.has_value(), (what + ": " + (t ? "" : t.error().message)).c_str());
      QVERIFY2(t->size() > 0, what.c_str());
      if (t->genes) {
        const json s = cellTableSummary(*t);
        QVERIFY2(s["X"].is_object() && s["X"].contains("storage") && s["X"].contains("nnz") &&
                     s["X"].contains("dtype"),
                 what.c_str());
        QCOMPARE(s["X"]["shape"][0].get<std::int64_t>(), t->size());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestTableFormats)
#include "tst_table_formats.moc"
