// Choosing a table of a SpatialData store (issue 12, "the table picker lists every table"): the
// tables listed from metadata (cells, genes, the element each annotates) on zarr v3
// (make_spatialdata_v3.py) and v2 (make_spatialdata_tables.py), `<store>/tables/<name>` opened
// as that table, a clear error for a name the store lacks, and the choice as session state:
// chooseTable drops the old table's state, the file keeps "table", the model undoes it.
#include <QProcess>
#include <QtTest>

#include <filesystem>

#include "data/cells/cells_open.h"
#include "data/session/session_file.h"
#include "data/session/session_model.h"
#include "data/spatial/spatialdata_tables.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "spatialdata_table_choice";
const fs::path kV3 = kWork / "v3.zarr";
const fs::path kV2 = kWork / "v2.zarr";

bool writeFixture(const char* script, const fs::path& out) {
  QProcess py;
  py.start(TESSERA_PYTHON, {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/" + script,
                            QString::fromStdString(out.string())});
  if (!py.waitForFinished(120000) || py.exitCode() != 0) {
    qWarning("%s", py.readAllStandardError().constData());
    return false;
  }
  return true;
}

bool contains(const std::string& s, const std::string& needle) {
  return s.find(needle) != std::string::npos;
}

// A store shown with its default (first) table, coloured by a gene, with selections and
// classifier labels of that table.
Session storeSession() {
  Session s;
  SessionDataset d;
  d.id = "image";
  d.path = kV2.string();
  d.name = "v2.zarr";
  s.datasets.push_back(d);
  SessionLayer image;
  image.id = "image";
  image.dataset = "image";
  s.layers.push_back(image);
  SessionLayer cells;
  cells.id = "cells";
  cells.kind = LayerKind::Cells;
  cells.dataset = "image";
  cells.opacity = 0.5;
  cells.cells.colorKind = "gene";
  cells.cells.colorName = "G";
  cells.cells.groups = "cluster";
  cells.cells.hiddenCategories = {1};
  cells.cells.profileGenes = {"G"};
  s.layers.push_back(cells);
  s.pairings.push_back({"image", "image", std::nullopt, "images/he"});
  s.selections["left"] = {1, 4};
  s.selection = {0, 1};
  s.classifier.table = "image";
  s.classifier.classes = {{"tumour", {2, 3}}};
  return s;
}
}  // namespace

class TestSpatialDataTableChoice : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    fs::remove_all(kWork);
    fs::create_directories(kWork);
    QVERIFY(writeFixture("make_spatialdata_v3.py", kV3));
    QVERIFY(writeFixture("make_spatialdata_tables.py", kV2));
  }

  // zarr v3 (spatialdata 0.2+): a sparse X's shape attribute, regions from zarr.json and from
  // uns/spatialdata_attrs.
  void tablesListedFromMetadataV3() {
    const auto infos = spatialDataTableInfos(kV3);
    QCOMPARE(infos.size(), std::size_t(2));
    QCOMPARE(infos[0], (SpatialDataTableInfo{"table", 6, 3, {"labels/cells"}}));
    QCOMPARE(infos[1], (SpatialDataTableInfo{"table_nuclei", 4, 3, {"labels/nuclei"}}));
  }

  // zarr v2 (anndata's write_elem): dense X arrays.
  void tablesListedFromMetadataV2() {
    const auto infos = spatialDataTableInfos(kV2);
    QCOMPARE(infos.size(), std::size_t(2));
    QCOMPARE(infos[0], (SpatialDataTableInfo{"table", 6, 1, {"labels/cells"}}));
    QCOMPARE(infos[1], (SpatialDataTableInfo{"tx", 4, 2, {"labels/cells"}}));
  }

  void tableLocationOpensThatTable() {
    QVERIFY(!spatialDataTableRef(kV3 / "tables"));
    QVERIFY(!spatialDataTableRef(kV3 / "tables" / "missing"));
    QVERIFY(!spatialDataTableRef(kWork));
    const auto store = spatialDataTableRef(kV3);
    QVERIFY(store && store->store == kV3 && store->name.empty());
    const auto named = spatialDataTableRef(spatialDataTableLocation(kV3, "table_nuclei"));
    QVERIFY(named && named->store == kV3 && named->name == "table_nuclei");
    QCOMPARE(spatialDataTableLocation(kV3, ""), kV3);

    // The store opens as its first table; a table's location as that table, linked as the
    // store links it (not as a bare AnnData zarr).
    auto first = openCells(kV3.string());
    QVERIFY2(first.has_value(), first ? "" : first.error().message.c_str());
    QCOMPARE(first->size(), std::int64_t(6));
    auto nuclei = openCells((kV3 / "tables" / "table_nuclei").string());
    QVERIFY2(nuclei.has_value(), nuclei ? "" : nuclei.error().message.c_str());
    QCOMPARE(nuclei->format, std::string("spatialdata"));
    QCOMPARE(nuclei->size(), std::int64_t(4));
    QCOMPARE(nuclei->linkedElement, std::string("labels/nuclei"));
    QCOMPARE(nuclei->instanceKey, std::string("nucleus_id"));
    auto tx = openCells((kV2 / "tables" / "tx").string());
    QVERIFY2(tx.has_value(), tx ? "" : tx.error().message.c_str());
    QCOMPARE(tx->geneNames, (std::vector<std::string>{"ONLY2", "H"}));
    QCOMPARE(tx->linkedElement, std::string("labels/cells"));
  }

  void unknownTableNamesStoreAndTable() {
    auto t = openSpatialDataTable(kV2, "nope");
    QVERIFY(!t);
    QCOMPARE(t.error().code, Errc::NotFound);
    QVERIFY2(contains(t.error().message, kV2.string()), t.error().message.c_str());
    QVERIFY2(contains(t.error().message, "no table \"nope\""), t.error().message.c_str());
    QVERIFY2(contains(t.error().message, "its tables: table, tx"), t.error().message.c_str());
    QVERIFY(checkSpatialDataTable(kV2, "tx"));
    QVERIFY(checkSpatialDataTable(kV2, ""));
  }

  // Nothing of the old table survives the switch: its colouring, groups, hidden categories,
  // profile genes, selections and classifier labels; the layer's visibility and opacity stay.
  void chooseTableDropsTheOldTablesState() {
    Session s = storeSession();
    QVERIFY(!chooseTable(s, "image", ""));  // the table shown already
    QVERIFY(!chooseTable(s, "missing", "tx"));
    QVERIFY(chooseTable(s, "image", "tx"));
    QCOMPARE(s.dataset("image")->table, std::string("tx"));
    const auto* cells = s.layer("cells");
    QCOMPARE(cells->cells, CellsDisplay{});
    QCOMPARE(cells->opacity, 0.5);
    QVERIFY(s.selections.empty());
    QVERIFY(s.selection.empty());
    QVERIFY(s.classifier.empty());
    QVERIFY(!chooseTable(s, "image", "tx"));

    // The labels the new table annotates: a labels layer is added under the cells, or renamed.
    QVERIFY(chooseTable(s, "image", "table", "nuclei"));
    QCOMPARE(s.layers.size(), std::size_t(3));
    QCOMPARE(s.layers[1].kind, LayerKind::Labels);
    QCOMPARE(s.layers[1].name, std::string("nuclei"));
    QCOMPARE(s.layers[2].kind, LayerKind::Cells);
    QVERIFY(chooseTable(s, "image", "tx", "cells"));
    QCOMPARE(s.layers.size(), std::size_t(3));
    QCOMPARE(s.layers[1].name, std::string("cells"));
    // A table that annotates no labels: the old table's labels layer goes.
    QVERIFY(chooseTable(s, "image", "table"));
    QCOMPARE(s.layers.size(), std::size_t(2));
    for (const auto& l : s.layers)
      QVERIFY(l.kind != LayerKind::Labels);
  }

  void sessionFileKeepsTheTable() {
    Session s = storeSession();
    QVERIFY(chooseTable(s, "image", "tx"));
    const fs::path file = kWork / "choice.tessera";
    QVERIFY(writeSessionFile(s, file));
    const auto j = sessionToJson(s, kWork);
    QCOMPARE(j["datasets"][0]["table"].get<std::string>(), std::string("tx"));
    auto back = readSessionFile(file);
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QCOMPARE(back->dataset("image")->table, std::string("tx"));
    QVERIFY(*back == s);
    // The first table is the default: no "table" key is written for it.
    QVERIFY(!sessionToJson(storeSession(), kWork)["datasets"][0].contains("table"));
  }

  void modelSwitchIsOneUndoStep() {
    SessionModel model;
    model.reset(storeSession());
    std::vector<SessionChange> events;
    auto sub = model.observe([&](const SessionEvent& e) { events.push_back(e.what); });
    model.setDatasetTable("image", "tx");
    QCOMPARE(model.session().dataset("image")->table, std::string("tx"));
    QVERIFY(model.session().selections.empty());
    QCOMPARE(model.session().layer("cells")->cells.colorName, std::string());
    QVERIFY(std::find(events.begin(), events.end(), SessionChange::Datasets) != events.end());
    QCOMPARE(model.undoLabel(), std::string("Choose table"));
    QVERIFY(model.modified());
    model.undo();
    QVERIFY(model.session() == storeSession());
    model.redo();
    QCOMPARE(model.session().dataset("image")->table, std::string("tx"));
    QVERIFY(model.session().classifier.empty());
  }
};

QTEST_MAIN(TestSpatialDataTableChoice)
#include "tst_spatialdata_table_choice.moc"
