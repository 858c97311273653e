// The `.tessera` session file: a full round trip, paths relative to the file (a session moved
// with its data opens in the new place), `../../` resolved, newer versions refused, broken JSON
// named by line, missing keys named, atomic writes that never touch a dataset.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "data/session/session_file.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

fs::path workDir(const char* name) {
  fs::path d = fs::path(TESSERA_TEST_WORK_DIR) / "session_file" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Session fullSession(const fs::path& dataDir) {
  Session s;
  SessionDataset image{
      "image", DatasetKind::Image, (dataDir / "img.ome.zarr").string(), "", "", "img.ome.zarr", {}};
  image.select.series = 2;
  image.select.axes = "czyx";  // the user's reading of a bare array's dimensions
  s.datasets = {
      image,
      {"cells", DatasetKind::Table, "", "https://example.org/cells.h5ad", "", "cells.h5ad", {}},
      {"demo", DatasetKind::Image, "", "", "demo", "Demo tissue", {}}};
  SessionLayer il{"image", LayerKind::Image, "image", "img", true, 0.75, {}, {}};
  il.channels = {{"DAPI", 0x0000ff, "solid", 10.5, 1000, 0.8, false, true},
                 {"CD31", 0xff00ff, "viridis", 0, 255, 1, true, false, true}};
  SessionLayer cl{"cells", LayerKind::Cells, "cells", "cells", false, 0.5, {}, {}};
  cl.cells.colorKind = "gene";
  cl.cells.colorName = "KDR";
  cl.cells.lut = "magma";
  cl.cells.range = std::pair{0.1, 2.5};
  cl.cells.style = "outlines";
  cl.cells.pointSize = 6;
  cl.cells.groups = "cluster";
  cl.cells.hiddenCategories = {1, 4};
  cl.cells.categoryColors = {{"cluster", {{2, 0x123456}}}, {"leiden", {{0, 0xabcdef}}}};
  cl.cells.profileGenes = {"KDR", "PTPRC"};
  cl.cells.basis = "X_tsne";
  cl.cells.geneSearch = "CD";
  cl.cells.hiddenTranscriptGenes = {"EPCAM", "VWF"};
  SessionLayer al{"annotations", LayerKind::Annotations, "", "Annotations", true, 0.8, {}, {}};
  s.layers = {al, il, cl};  // the annotations drawn under the image
  s.camera = {4096.5, 1000.25, 2048, 1024.0, std::pair{1600, 800}, 0, 3, 2};
  s.pairings = {{"cells", "image", Affine2D{2, 0, 5, 0, 2, 7}, "images/x"}};
  s.selections = {{"tumour", {1, 5, 9}}};
  s.selection = {2, 3, 40};
  s.waypoints = {{"Vessels", "CD31 lines the vessels.", 100, 200, 512, {il}},
                 {"Ducts", "", 10, 20, 64, {}}};
  s.waypoints[0].reveal = "CD31";
  s.waypoints[0].selection = "tumour";
  s.waypoints[0].annotations = false;
  s.waypoints[1].shownAnnotations = std::vector<std::string>{"u-1", "duct"};
  s.annotations = nlohmann::json::array({{{"type", "Feature"}, {"id", 1}}});
  s.classifier = {"cells",
                  {{"immune", {3, 17, 40}}, {"tumour", {}}, {"stroma", {8}}},
                  {"area", "CD45"},
                  (dataDir / "cells.yaml").string()};
  return s;
}

}  // namespace

class TestSessionFile : public QObject {
  Q_OBJECT

 private slots:
  void roundTripsEverything() {
    const auto dir = workDir("roundtrip");
    const Session s = fullSession(dir / "data");
    const auto file = dir / "a.tessera";
    auto w = writeSessionFile(s, file);
    QVERIFY2(w.has_value(), w ? "" : w.error().message.c_str());
    const auto j = nlohmann::json::parse(readText(file));
    QCOMPARE(j["tessera_session"].get<int>(), kSessionVersion);
    QCOMPARE(j["datasets"][0]["path"].get<std::string>(), std::string("data/img.ome.zarr"));
    QCOMPARE(j["datasets"][0]["axes"].get<std::string>(), std::string("czyx"));
    QVERIFY(!j["datasets"][1].contains("axes"));
    QCOMPARE(j["datasets"][1]["url"].get<std::string>(),
             std::string("https://example.org/cells.h5ad"));
    QCOMPARE(j["view"]["center"][0].get<double>(), 4096.5);
    QCOMPARE(j["view"]["width"].get<double>(), 2048.0);
    QVERIFY(j["waypoints"].is_array());
    QCOMPARE(j["classifier"]["classes"][2]["name"].get<std::string>(), std::string("stroma"));
    QCOMPARE(j["classifier"]["file"].get<std::string>(), std::string("data/cells.yaml"));
    auto back = readSessionFile(file);
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QVERIFY(*back == s);
    // No temporary is left beside the file.
    int entries = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(dir))
      ++entries;
    QCOMPARE(entries, 1);
  }

  void movedWithItsDataOpensInTheNewPlace() {
    const auto dir = workDir("moved");
    fs::create_directories(dir / "one" / "data");
    const Session s = fullSession(dir / "one" / "data");
    QVERIFY(writeSessionFile(s, dir / "one" / "s.tessera").has_value());
    fs::rename(dir / "one", dir / "two");
    auto back = readSessionFile(dir / "two" / "s.tessera");
    QVERIFY(back.has_value());
    QCOMPARE(back->datasets[0].path, (dir / "two" / "data" / "img.ome.zarr").string());
  }

  void minimalFileWithParentPaths() {
    const auto dir = workDir("minimal");
    fs::create_directories(dir / "a" / "b");
    writeText(dir / "a" / "b" / "m.tessera",
              R"({"tessera_session": 1, "datasets": [{"path": "../../img.tif"}],
                  "view": {"center": [10, 20], "width": 30}, "layers": [], "waypoints": []})");
    auto s = readSessionFile(dir / "a" / "b" / "m.tessera");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    QCOMPARE(s->datasets.size(), 1u);
    QCOMPARE(s->datasets[0].path, (dir / "img.tif").string());
    QCOMPARE(s->datasets[0].name, std::string("img.tif"));
    QVERIFY(s->datasets[0].kind == DatasetKind::Image);
    QCOMPARE(s->camera.centerY, 20.0);
    QCOMPARE(s->camera.width, 30.0);
    QVERIFY(!fs::exists(dir / "img.tif"));  // resolved, never created
  }

  void refusesNewerVersions() {
    auto s = parseSession(R"({"tessera_session": 99, "datasets": []})", "/x/new.tessera");
    QVERIFY(!s.has_value());
    QVERIFY(s.error().code == Errc::Unsupported);
    QVERIFY2(
        s.error().message.find("new.tessera: written by a newer Tessera (session version 99") !=
            std::string::npos,
        s.error().message.c_str());
  }

  void namesTheLineOfBrokenJson() {
    const std::string text = "{\n  \"tessera_session\": 1,\n  \"datasets\": [\n    {\"path\": ";
    auto s = parseSession(text, "/x/cut.tessera");
    QVERIFY(!s.has_value());
    QCOMPARE(s.error().message, std::string("cut.tessera: not valid JSON at line 4"));
    auto t = parseSession("{\n\"tessera_session\": 1,,\n}", "/x/bad.tessera");
    QCOMPARE(t.error().message, std::string("bad.tessera: not valid JSON at line 2"));
    auto e = parseSession("", "/x/empty.tessera");
    QCOMPARE(e.error().message, std::string("empty.tessera: not valid JSON at line 1"));
  }

  void namesBadKeys() {
    auto check = [](const std::string& text, const std::string& expected) {
      auto s = parseSession(text, "/x/k.tessera");
      QVERIFY(!s.has_value());
      QVERIFY2(s.error().message.find(expected) != std::string::npos, s.error().message.c_str());
    };
    check("{\"datasets\": []}", "k.tessera: not a Tessera session");
    check("{\"tessera_session\": \"1\", \"datasets\": []}", "must be an integer version");
    check("{\"tessera_session\": 1}", "\"datasets\" must be a list");
    check("{\"tessera_session\": 1, \"datasets\": [{}]}", "datasets[0] needs one of");
    check(
        "{\"tessera_session\": 1, \"datasets\": [{\"path\": \"a\"}], \"layers\": [{\"dataset\": "
        "\"dataset-1\", \"channels\": [{\"window\": [5, 1]}]}]}",
        "layers[0].channels[0].window: the end must be greater");
    check(
        "{\"tessera_session\": 1, \"datasets\": [{\"path\": \"a\"}], \"layers\": [{\"dataset\": "
        "\"nope\"}]}",
        "draws an unknown dataset \"nope\"");
    check(
        "{\"tessera_session\": 1, \"datasets\": [{\"path\": \"a\"}], \"view\": {\"center\": [1]}}",
        "view.center must be two numbers");
    check("{\"tessera_session\": 1, \"datasets\": [{\"url\": \"ftp://x\"}]}", "url must be");
    check("{\"tessera_session\": 1, \"datasets\": [{\"path\": \"a\", \"axes\": 5}]}",
          "datasets[0].axes");
  }

  // Numbers that do not fit the integer they become are refused, never converted out of range
  // (undefined behaviour for a double) or wrapped (4294967297 read as version 1).
  void refusesNumbersOutOfRange() {
    auto check = [](const std::string& datasetKeys, const std::string& top,
                    const std::string& expected) {
      const std::string text = "{\"tessera_session\": 1, \"datasets\": [{\"path\": \"a\"" +
                               datasetKeys + "}]" + top + "}";
      auto s = parseSession(text, "/x/n.tessera");
      QVERIFY2(!s.has_value(), text.c_str());
      QVERIFY(s.error().code == Errc::Corrupt);
      QVERIFY2(s.error().message.find(expected) != std::string::npos, s.error().message.c_str());
    };
    check(", \"series\": 1e20", "", "datasets[0].series must be a whole number from 0");
    check(", \"field\": -1", "", "datasets[0].field must be a whole number from 0");
    check("", ", \"view\": {\"t\": 1e300}", "view.t must be a whole number");
    check("", ", \"view\": {\"level\": 3e9}", "view.level must be a whole number from -1");
    check("", ", \"selections\": {\"s\": [4294967296]}", "selection \"s\" holds a non-index");
    auto wrapped =
        parseSession(R"({"tessera_session": 4294967297, "datasets": []})", "/x/w.tessera");
    QVERIFY(!wrapped.has_value());
    auto whole = parseSession(
        R"({"tessera_session": 1, "datasets": [{"path": "a", "series": 2.0}], "view": {"z": 3}})",
        "/x/ok.tessera");
    QVERIFY2(whole.has_value(), whole ? "" : whole.error().message.c_str());
    QCOMPARE(*whole->datasets[0].select.series, 2);
    QCOMPARE(whole->camera.z, std::int64_t{3});
  }

  void neverWritesOverADataset() {
    const auto dir = workDir("guard");
    fs::create_directories(dir / "img.zarr");
    Session s;
    s.datasets = {{"image", DatasetKind::Image, (dir / "img.zarr").string(), "", "", "img", {}}};
    auto inside = writeSessionFile(s, dir / "img.zarr" / "s.tessera");
    QVERIFY(!inside.has_value());
    QVERIFY(inside.error().message.find("would overwrite the dataset") != std::string::npos);
    QVERIFY(!fs::exists(dir / "img.zarr" / "s.tessera"));
    QVERIFY(!writeSessionFile(s, dir / "img.zarr").has_value());
    QVERIFY(fs::is_directory(dir / "img.zarr"));
    QVERIFY(writeSessionFile(s, dir / "beside.tessera").has_value());
  }

  void replacesAtomically() {
    const auto dir = workDir("atomic");
    Session s = fullSession(dir);
    QVERIFY(writeSessionFile(s, dir / "s.tessera").has_value());
    s.camera.width = 77;
    QVERIFY(writeSessionFile(s, dir / "s.tessera").has_value());
    QCOMPARE(readSessionFile(dir / "s.tessera")->camera.width, 77.0);
    // An unwritable folder fails with the file named, leaving nothing behind.
    auto bad = writeSessionFile(s, dir / "missing-folder" / "s.tessera");
    QVERIFY(!bad.has_value());
    QVERIFY(bad.error().message.find("s.tessera: cannot write") != std::string::npos);
  }

  void migratesAVersion1File() {
    // tests/fixtures/session/v1.tessera, written by hand as Tessera 1 wrote it: flat category
    // colours and no current selection.
    const auto dir = workDir("v1");
    fs::copy_file(fs::path(TESSERA_TEST_DATA_DIR) / "session" / "v1.tessera", dir / "old.tessera");
    auto s = readSessionFile(dir / "old.tessera");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    using Colors = std::map<std::string, std::map<int, std::uint32_t>>;
    QVERIFY(s->layer("cells")->cells.categoryColors ==
            (Colors{{"leiden", {{1, 0xff0000}, {4, 0x00ff00}}}}));
    // The default colouring's colours belonged to the Clusters column.
    QVERIFY(s->layer("cells-2")->cells.categoryColors == (Colors{{"cluster", {{0, 0x0000ff}}}}));
    // Colours under a gene colouring applied to nothing.
    QVERIFY(s->layer("cells-3")->cells.categoryColors.empty());
    QVERIFY(s->waypoints[0].layers[0].cells.categoryColors == (Colors{{"type", {{3, 0x123456}}}}));
    QVERIFY(s->selection.empty());
    QCOMPARE(s->selections.at("tumour").size(), 2u);
    QCOMPARE(s->camera.t, std::int64_t(1));
    QCOMPARE(s->camera.z, std::int64_t(2));
    // Saved again, it is a current version file that reads back the same.
    QVERIFY(writeSessionFile(*s, dir / "new.tessera").has_value());
    const auto j = nlohmann::json::parse(readText(dir / "new.tessera"));
    QCOMPARE(j["tessera_session"].get<int>(), kSessionVersion);
    QCOMPARE(j["layers"][1]["cells"]["category_colors"]["leiden"]["4"].get<std::string>(),
             std::string("#00ff00"));
    QVERIFY(*readSessionFile(dir / "new.tessera") == *s);
    // A version 2 file with flat colours is not silently misread.
    auto bad = parseSession(R"({"tessera_session": 2, "datasets": [{"path": "a"}],
        "layers": [{"dataset": "dataset-1", "kind": "cells",
                    "cells": {"category_colors": {"1": "#ff0000"}}}]})",
                            "/x/flat.tessera");
    QVERIFY(!bad.has_value());
    QVERIFY2(bad.error().message.find("category_colors must be") != std::string::npos,
             bad.error().message.c_str());
  }

  // Version 4's cells state: the embedding basis, the Genes search and the transcript filter,
  // written under the cells layer; a version 3 file has none (the defaults it showed), and a
  // filter that is no list of names is named.
  void readsVersion4CellsState() {
    const auto dir = workDir("v4");
    const Session s = fullSession(dir / "data");
    const auto j = sessionToJson(s, dir);
    const auto& cells = j["layers"][2]["cells"];
    QCOMPARE(j["layers"][0]["kind"].get<std::string>(), std::string("annotations"));
    QCOMPARE(cells["basis"].get<std::string>(), std::string("X_tsne"));
    QCOMPARE(cells["gene_search"].get<std::string>(), std::string("CD"));
    QCOMPARE(cells["hidden_transcript_genes"][1].get<std::string>(), std::string("VWF"));
    auto v3 = parseSession(R"({"tessera_session": 3, "datasets": [{"path": "a"}],
        "layers": [{"dataset": "dataset-1", "kind": "cells", "cells": {"profile_genes": ["X"]}}]})",
                           "/x/v3.tessera");
    QVERIFY2(v3.has_value(), v3 ? "" : v3.error().message.c_str());
    const auto& c = v3->layers[0].cells;
    QVERIFY(c.basis.empty() && c.geneSearch.empty() && c.hiddenTranscriptGenes.empty());
    QVERIFY(c.profileGenes == std::vector<std::string>{"X"});
    QCOMPARE(sessionToJson(*v3, "/x")["tessera_session"].get<int>(), 4);
    auto bad = parseSession(R"({"tessera_session": 4, "datasets": [{"path": "a"}],
        "layers": [{"dataset": "dataset-1", "kind": "cells",
                    "cells": {"hidden_transcript_genes": "EPCAM"}}]})",
                            "/x/bad.tessera");
    QVERIFY(!bad.has_value());
    QVERIFY2(bad.error().message.find("cells.hidden_transcript_genes must be a list of gene "
                                      "names") != std::string::npos,
             bad.error().message.c_str());
  }

  void readsTheCurrentSelection() {
    auto s = parseSession(R"({"tessera_session": 2, "datasets": [{"path": "a"}],
                              "selection": [9, 3, 3, 1]})",
                          "/x/sel.tessera");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    QVERIFY(s->selection == (std::vector<std::uint32_t>{1, 3, 9}));
    auto bad = parseSession(R"({"tessera_session": 2, "datasets": [{"path": "a"}],
                                "selection": [-1]})",
                            "/x/sel.tessera");
    QVERIFY(!bad.has_value());
    QVERIFY(bad.error().message.find("selection must be a list of cell indices") !=
            std::string::npos);
  }

  // Version 3's Cell Classifier labels: absent from older files (no labels, nothing written for
  // none), cell lists sorted, and broken entries named.
  void readsClassifierLabels() {
    auto v2 =
        parseSession(R"({"tessera_session": 2, "datasets": [{"path": "a"}]})", "/x/v2.tessera");
    QVERIFY2(v2.has_value(), v2 ? "" : v2.error().message.c_str());
    QVERIFY(v2->classifier.empty());
    QVERIFY(!sessionToJson(*v2, {}).contains("classifier"));
    auto s = parseSession(R"({"tessera_session": 3, "datasets": [{"path": "a"}],
        "classifier": {"table": "dataset-1", "classes": [{"name": "B", "cells": [9, 2, 2]},
                                                         {"name": "A"}]}})",
                          "/x/c.tessera");
    QVERIFY2(s.has_value(), s ? "" : s.error().message.c_str());
    QCOMPARE(s->classifier.table, std::string("dataset-1"));
    QCOMPARE(s->classifier.classes.size(), 2u);
    QCOMPARE(s->classifier.classes[0].first, std::string("B"));
    QVERIFY(s->classifier.classes[0].second == (std::vector<std::uint32_t>{2, 9}));
    QVERIFY(s->classifier.classes[1].second.empty());
    QVERIFY(s->classifier.features.empty());
    auto check = [](const std::string& classifier, const std::string& expected) {
      auto r = parseSession(R"({"tessera_session": 3, "datasets": [{"path": "a"}],
                                "classifier": )" +
                                classifier + "}",
                            "/x/bad.tessera");
      QVERIFY(!r.has_value());
      QVERIFY2(r.error().message.find(expected) != std::string::npos, r.error().message.c_str());
      QVERIFY(r.error().message.starts_with("bad.tessera: classifier"));
    };
    check("[]", "classifier must be an object");
    check(R"({"classes": [{"name": "A", "cells": [-1]}]})",
          "classes[0].cells must be a list of cell indices");
    check(R"({"classes": [{"cells": [1]}]})", "classes[0].name must be a class name");
    check(R"({"classes": [{"name": "A"}, {"name": "A"}]})", "\"A\" is listed twice");
    check(R"({"features": [1]})", "features must be a list");
    check(R"({"file": 3})", "file must be the path of a saved classifier");
    // A saved classifier applied: its path resolves against the session's folder; labels of a
    // table no longer in the session (its layer removed) still read.
    auto applied = parseSession(R"({"tessera_session": 3, "datasets": [{"path": "a"}],
        "classifier": {"table": "gone", "file": "../models/c.yaml"}})",
                                "/x/s/f.tessera");
    QVERIFY2(applied.has_value(), applied ? "" : applied.error().message.c_str());
    QCOMPARE(applied->classifier.file, std::string("/x/models/c.yaml"));
    QVERIFY(!applied->classifier.empty());
  }

  void recognisesSessionFiles() {
    QVERIFY(isSessionFile("/a/b.tessera"));
    QVERIFY(!isSessionFile("/a/b.tessera.json"));
    QVERIFY(!isSessionFile("https://x/b.tessera"));
  }
};

QTEST_APPLESS_MAIN(TestSessionFile)
#include "tst_session_file.moc"
