// openCells picks the right reader by probe and yields the same cells as the format readers;
// the h5ad and 10x adapters keep the readers' values; CSV tables; unknown input is refused.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "data/anndata/h5ad_reader.h"
#include "data/cells/cells_open.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kFixtures = TESSERA_TEST_DATA_DIR;
const fs::path kTenxV3 = kFixtures / "tenx/v3_filtered_feature_bc_matrix.h5";
}

class TestCellsOpen : public QObject {
  Q_OBJECT

 private slots:
  void h5adAdapterKeepsReaderValues() {
    const fs::path p = kFixtures / "anndata/pbmc68k_reduced_v0.5.h5ad";
    auto t = openCells(p.string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("h5ad"));
    auto f = H5adFile::open(p);
    QVERIFY(f.has_value());
    QCOMPARE(t->cellIds, f->obsNames());
    QCOMPARE(t->geneNames, f->varNames());
    const CellColumn* louvain = t->column("louvain");
    QVERIFY(louvain && louvain->kind == CellColumnKind::Categorical);
    QCOMPARE(louvain->codes, *f->readObsCodes("louvain"));
    QCOMPARE(t->genes->readGene(3).value(), f->readGene(3).value());
    QVERIFY(!t->hasSpatial());
    QVERIFY(!t->messages.empty() &&
            t->messages.back().find("no spatial coordinates") != std::string::npos);
    bool umap = false;
    for (const auto& e : t->embeddings)
      umap |= e.key == "X_umap" && e.cols == 2;
    QVERIFY(umap);
  }

  void probesPickEachFormat_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("format");
    QTest::newRow("h5ad 0.11") << QString::fromStdString(
                                      (kFixtures / "anndata/v0.11.4.h5ad").string())
                               << "h5ad";
    QTest::newRow("10x v3") << QString::fromStdString(
                                   kTenxV3.string())
                            << "10x-h5";
    QTest::newRow("visium") << QString(TESSERA_TEST_DATA_DIR) + "/visium"
                            << "visium";
  }

  void probesPickEachFormat() {
    QFETCH(QString, path);
    QFETCH(QString, format);
    auto t = openCells(path.toStdString());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(QString::fromStdString(t->format), format);
    QVERIFY(t->size() > 0);
  }

  void readsCsvCellTable() {
    const fs::path p = fs::path(TESSERA_TEST_WORK_DIR) / "cells_open.tsv";
    std::ofstream(p) << "cell\tx\ty\tCD3E\tMS4A1\nc1\t10.5\t20\t0\t3.5\nc2\t11\t-2e1\t1\t0\n";
    auto t = openCells(p.string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->cellIds, (std::vector<std::string>{"c1", "c2"}));
    QCOMPARE(t->y, (std::vector<double>{20, -20}));
    QCOMPARE(t->readGene("MS4A1").value(), (std::vector<float>{3.5f, 0}));
    std::ofstream(p) << "cell\tx\ty\tCD3E\nc1\t1\t2\tlots\n";
    auto bad = openCells(p.string());
    QVERIFY(!bad && bad.error().message.find("line 2, CD3E: \"lots\"") != std::string::npos);
  }

  void tenxGenesBySymbolOrEnsemblId() {
    // Real Cell Ranger 3 file: symbols shown, Ensembl ids accepted, same column either way.
    auto t = openCells(kTenxV3.string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->geneNames.size(), std::size_t(507));
    QCOMPARE(t->geneIds.size(), std::size_t(507));
    QCOMPARE(t->geneNames[0], std::string("CH507-9B2.2"));
    QCOMPARE(t->geneIds[0], std::string("ENSG00000279493"));
    for (std::int64_t g : {0, 17, 506}) {
      const auto& sym = t->geneNames[static_cast<std::size_t>(g)];
      const auto& id = t->geneIds[static_cast<std::size_t>(g)];
      QCOMPARE(t->geneIndex(sym), g);
      QCOMPARE(t->geneIndex(id), g);
      QCOMPARE(t->readGene(id).value(), t->readGene(sym).value());
    }
    // The real Visium subset names its genes by id; lookup by id works there too.
    auto v = openCells((kFixtures / "visium").string());
    QVERIFY2(v.has_value(), v ? "" : v.error().message.c_str());
    QCOMPARE(v->geneIndex("ENSG00000186092"), std::int64_t(2));
  }

  void duplicateSymbolsAreDisambiguated() {
    QCOMPARE(makeUniqueNames({"A", "B", "A", "A", "A-1", "C"}),
             (std::vector<std::string>{"A", "B", "A-2", "A-3", "A-1", "C"}));
    // A 10x file whose features 0 and 1 share a symbol: "X" and "X-1", each its own column.
    const fs::path dir = fs::path(TESSERA_TEST_WORK_DIR) / "cells_open";
    fs::create_directories(dir);
    const fs::path p = dir / "dup_symbols.h5";
    fs::remove(p);
    fs::copy_file(kTenxV3, p);
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c",
                              "import h5py, sys\n"
                              "f = h5py.File(sys.argv[1], 'r+')\n"
                              "n = f['matrix/features/name']\n"
                              "n[1] = n[0]\n",
                              QString::fromStdString(p.string())});
    QVERIFY(py.waitForFinished(60000) && py.exitCode() == 0);
    auto t = openCells(p.string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->geneNames[0], std::string("CH507-9B2.2"));
    QCOMPARE(t->geneNames[1], std::string("CH507-9B2.2-1"));
    QCOMPARE(t->geneIndex("CH507-9B2.2-1"), std::int64_t(1));
    QCOMPARE(t->geneIndex("ENSG00000277117"), std::int64_t(1));
    auto ref = openCells(kTenxV3.string());
    QCOMPARE(t->readGene("CH507-9B2.2-1").value(), ref->genes->readGene(1).value());
  }

  void validationChecksGeneIdsAndTranscriptCells() {
    CellTable t;
    t.location = "mem";
    t.geneNames = {"A", "B"};
    t.geneIds = {"ENSG1"};
    auto bad = validateCellTable(t);
    QVERIFY(!bad && bad.error().message == "mem: 1 gene ids for 2 genes");
    t.geneIds = {"ENSG1", "ENSG2"};
    QVERIFY(validateCellTable(t).has_value());
    Transcripts tr;
    tr.geneNames = {"A"};
    tr.gene = {0, 0};
    tr.x = tr.y = {1, 2};
    tr.cellIds = {"c1"};
    tr.cell = {0, 1};
    t.transcripts = tr;
    auto cell = validateCellTable(t);
    QVERIFY(!cell && cell.error().message.find("cell code is out of range") != std::string::npos);
    t.transcripts->cell = {0, -1};
    t.transcripts->overlapsNucleus = {1};
    QVERIFY(!validateCellTable(t).has_value());  // a short optional column
    t.transcripts->overlapsNucleus = {1, 0};
    QVERIFY(validateCellTable(t).has_value());
  }

  void refusesUnknownAndMissing() {
    auto missing = openCells("/no/such/file.h5ad");
    QVERIFY(!missing && missing.error().code == Errc::NotFound);
    auto other = openCells((kFixtures / "ome-tiff/multi-channel.ome.tif").string());
    QVERIFY(!other && other.error().code == Errc::Unsupported);
  }
};

QTEST_GUILESS_MAIN(TestCellsOpen)
#include "tst_cells_open.moc"
