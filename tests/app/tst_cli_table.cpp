// The table subcommands of the real `tessera` executable (TESSERA_EXE) against what
// python3-anndata and scipy read from the same files (tests/fixtures/expression/
// cli_reference.py): `info --json` on the real AnnData samples, `markers` (a group and an
// @selection) on pbmc68k and the demo's cells, and `export-cells` CSV contents and quoting.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/support/run_process.h"

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

using namespace tessera::test;

namespace {

nlohmann::json reference(QStringList args) {
  args.prepend(QString(TESSERA_TEST_DATA_DIR) + "/expression/cli_reference.py");
  const Run r = runProgram(TESSERA_PYTHON, args);
  if (r.code != 0) qWarning("cli_reference.py: %s", r.err.constData());
  return nlohmann::json::parse(r.out.toStdString(), nullptr, false);
}

nlohmann::json parse(const Run& r) {
  return nlohmann::json::parse(r.out.toStdString(), nullptr, false);
}

QString fixture(const char* name) {
  return QString(TESSERA_TEST_DATA_DIR) + "/anndata/" + name;
}

// Tessera's markers equal scipy's: same genes in the same order, p within 1e-6 relative.
// A SpatialData 0.2+ store on zarr v3, written at test time.
Run writeSpatialDataV3(const QString& store) {
  return runProgram(
      TESSERA_PYTHON,
      {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata_v3.py", store});
}

void compareMarkers(const nlohmann::json& got, const nlohmann::json& ref) {
  QVERIFY(got.is_array());
  QCOMPARE(got.size(), ref.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    const auto& g = got[k];
    const auto& r = ref[k];
    const bool tie = k + 1 < ref.size() &&
                     std::abs(ref[k]["z"].get<double>() - ref[k + 1]["z"].get<double>()) < 1e-9;
    if (!tie) QCOMPARE(g["gene"].get<std::string>(), r["gene"].get<std::string>());
    QVERIFY(std::abs(g["score"].get<double>() - r["z"].get<double>()) <=
            1e-9 * std::max(1.0, std::abs(r["z"].get<double>())));
    const double p = r["pval"].get<double>();
    QVERIFY2(p == 0 ? g["pval"].get<double>() < 1e-290
                    : std::abs(g["pval"].get<double>() - p) <= 1e-6 * p,
             r["gene"].get<std::string>().c_str());
    QVERIFY(std::abs(g["pval_adj"].get<double>() - r["pval_adj"].get<double>()) <=
            1e-6 * r["pval_adj"].get<double>());
    QVERIFY(std::abs(g["mean_in"].get<double>() - r["mean_in"].get<double>()) <=
            1e-6 * std::max(1.0, std::abs(r["mean_in"].get<double>())));
    QVERIFY(std::abs(g["frac_out"].get<double>() - r["frac_out"].get<double>()) <= 1e-12);
    for (const char* key : {"logfoldchange", "mean_out", "frac_in"})
      QVERIFY(g.contains(key));
  }
}

}  // namespace

class CliTableTest : public QObject {
  Q_OBJECT
 private slots:
  void infoDescribesRealTablesAsAnndataReadsThem() {
    for (const char* f :
         {"v0.7.8.h5ad", "v0.8_rich.h5ad", "pbmc68k_reduced_v0.5.h5ad", "v0.11.4.h5ad"}) {
      const Run r = runTessera({"info", fixture(f), "--json"});
      QCOMPARE(r.code, 0);
      const auto j = parse(r);
      const auto ref = reference({"info", fixture(f)});
      QCOMPARE(j["kind"].get<std::string>(), std::string("table"));
      QCOMPARE(j["n_obs"], ref["n_obs"]);
      QCOMPARE(j["n_vars"], ref["n_vars"]);
      if (ref["storage"].is_null())
        QVERIFY(j["X"].is_null());
      else
        QCOMPARE(j["X"]["storage"], ref["storage"]);
      for (const auto& [name, cats] : ref["obs"].items()) {
        QVERIFY2(j["obs"].contains(name), name.c_str());
        if (j["obs"][name]["kind"] == "categorical") QCOMPARE(j["obs"][name]["categories"], cats);
      }
      for (const auto& [key, shape] : ref["obsm"].items())
        QCOMPARE(j["obsm"][key], shape);
      auto layers = j["layers"].get<std::vector<std::string>>();
      std::sort(layers.begin(), layers.end());
      QCOMPARE(nlohmann::json(layers), ref["layers"]);
      QCOMPARE(j["spatial"].is_null(), !ref["obsm"].contains("spatial"));
    }
  }

  void infoReportsTheVisiumAffine() {
    // The real Space Ranger folder: spots in full-resolution pixels. Its hires PNG is blank, so
    // the 600 x 600 lowres image is shown, at tissue_lowres_scalef, and a message says so.
    const QString visium = QString(TESSERA_TEST_DATA_DIR) + "/visium";
    const Run r = runTessera({"info", visium, "--json"});
    QCOMPARE(r.code, 0);
    const auto j = parse(r);
    QCOMPARE(j["kind"].get<std::string>(), std::string("image"));  // the lowres PNG
    const auto shape = j["levels"][0]["shape"].get<std::vector<int>>();
    QCOMPARE(std::count(shape.begin(), shape.end(), 600), 2L);
    const auto& c = j["cells"];
    QCOMPARE(c["format"].get<std::string>(), std::string("visium"));
    QCOMPARE(c["n_obs"].get<int>(), 100);  // the matrix subset; positions list 4,992 spots
    const double low = 0.045004502;
    QCOMPARE(c["spatial"]["affine"], nlohmann::json({{low, 0.0, 0.0}, {0.0, low, 0.0}}));
    QVERIFY(c["spatial"]["affine_source"].get<std::string>().find("tissue_lowres_scalef") !=
            std::string::npos);
    QCOMPARE(c["spatial"]["spot_radius"].get<double>(), 89.42751063343188 / 2);
    QVERIFY(c["messages"][0].get<std::string>().find("blank") != std::string::npos);
    QCOMPARE(c["X"]["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(c["X"]["shape"], nlohmann::json({100, 100}));
    const double s = 0.150015;

    // The same spots as scanpy.read_visium keeps them in an h5ad: obsm spatial + uns/spatial.
    QTemporaryDir dir;
    const QString h5ad = dir.filePath("visium.h5ad");
    const Run w =
        runProgram(TESSERA_PYTHON,
                   {"-c",
                    "import anndata as ad, numpy as np, pandas as pd, json, sys\n"
                    "d = sys.argv[1]\n"
                    "pos = pd.read_csv(d + '/spatial/tissue_positions_list.csv', header=None)\n"
                    "sf = json.load(open(d + '/spatial/scalefactors_json.json'))\n"
                    "a = ad.AnnData(X=np.zeros((len(pos), 2), dtype=np.float32),\n"
                    "  obs=pd.DataFrame(index=pos[0].astype(str).values),\n"
                    "  var=pd.DataFrame(index=['G1', 'G2']))\n"
                    "a.obsm['spatial'] = pos[[5, 4]].values.astype(float)\n"
                    "a.uns['spatial'] = {'lib1': {'scalefactors': sf, 'images': {}}}\n"
                    "a.write_h5ad(sys.argv[2])\n",
                    visium, h5ad});
    QVERIFY2(w.code == 0, w.err.constData());
    const auto h = parse(runTessera({"info", h5ad, "--json"}));
    QCOMPARE(h["spatial"]["affine"], nlohmann::json({{s, 0.0, 0.0}, {0.0, s, 0.0}}));
    QCOMPARE(h["spatial"]["source"].get<std::string>(),
             std::string("uns/spatial/lib1/scalefactors/tissue_hires_scalef"));
    QCOMPARE(h["spatial"]["spot_diameter_fullres"].get<double>(), 89.42751063343188);
    // Without scale factors obsm spatial is already in image pixels: the identity.
    const auto v = parse(runTessera({"info", fixture("v0.7.8.h5ad"), "--json"}));
    if (!v["spatial"].is_null())
      QCOMPARE(v["spatial"]["affine"], nlohmann::json({{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}}));
  }

  void infoAndExportCellsReadXeniumAnd10xTables() {
    QTemporaryDir dir;
    const QString run = dir.filePath("xenium");
    const Run g = runProgram(
        TESSERA_PYTHON,
        {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/xenium/make_xenium.py", run, "1000"});
    QVERIFY2(g.code == 0, g.err.constData());
    const Run r = runTessera({"info", run, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    // The folder opens as its morphology image with the cell table linked to it.
    const auto top = parse(r);
    QCOMPARE(top["kind"].get<std::string>(), std::string("image"));
    QCOMPARE(top["format"].get<std::string>(), std::string("ome-tiff"));
    const auto j = top["cells"];
    QCOMPARE(j["format"].get<std::string>(), std::string("xenium"));
    const double s = 1 / 0.2125;
    QCOMPARE(j["spatial"]["affine"], nlohmann::json({{s, 0.0, 0.0}, {0.0, s, 0.0}}));
    QCOMPARE(j["spatial"]["unit"].get<std::string>(), std::string("micrometer"));
    QVERIFY(std::abs(j["spatial"]["pixel_size"].get<double>() - 0.2125) < 1e-12);
    QCOMPARE(j["transcripts"].get<int>(), 1000);

    // export-cells on the folder: cells in morphology-image pixels (µm / pixel size), their
    // area and one gene's counts, as make_xenium.py wrote them (expected.json).
    const QString csv = dir.filePath("cells.csv");
    const Run e =
        runTessera({"export-cells", run, "--obs", "cell_area", "--genes", "ACTA2", "--out", csv});
    QVERIFY2(e.code == 0, e.err.constData());
    std::ifstream expectedFile((run + "/expected.json").toStdString());
    const auto want = nlohmann::json::parse(expectedFile);
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines[0], QByteArray("id,x,y,cell_area,ACTA2\r"));
    QCOMPARE(static_cast<std::size_t>(lines.size()), want["ids"].size() + 1);
    const double px = want["pixel_size"].get<double>();
    for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(lines.size()); ++i) {
      const QList<QByteArray> row = lines[static_cast<int>(i) + 1].trimmed().split(',');
      QCOMPARE(row.size(), 5);
      QCOMPARE(row[0].toStdString(), want["ids"][i].get<std::string>());
      QCOMPARE(row[1].toDouble(), want["x"][i].get<double>() / px);
      QCOMPARE(row[2].toDouble(), want["y"][i].get<double>() / px);
      QCOMPARE(row[3].toDouble(), want["cell_area"][i].get<double>());
      QCOMPARE(row[4].toDouble(), want["gene_columns"]["ACTA2"][i].get<double>());
    }

    const auto t = parse(runTessera(
        {"info", QString(TESSERA_TEST_DATA_DIR) + "/tenx/v3_filtered_feature_bc_matrix.h5",
         "--json"}));
    QCOMPARE(t["format"].get<std::string>(), std::string("10x-h5"));
    QCOMPARE(t["n_vars"].get<int>(), 507);
    QCOMPARE(t["X"]["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(t["X"]["shape"], nlohmann::json({1107, 507}));
    QCOMPARE(j["X"]["storage"].get<std::string>(), std::string("csr"));  // Xenium's matrix
    QVERIFY(!t.contains("spatial"));
  }

  void infoListsSpatialDataTables() {
    QTemporaryDir dir;
    const QString store = dir.filePath("sample.zarr");
    const Run g = runProgram(
        TESSERA_PYTHON,
        {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/spatialdata/make_spatialdata.py", store});
    QVERIFY2(g.code == 0, g.err.constData());
    const Run r = runTessera({"info", store, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto j = parse(r);
    QCOMPARE(j["kind"].get<std::string>(), std::string("image"));  // images/img
    const auto& t = j["tables"]["table"];
    QCOMPARE(t["format"].get<std::string>(), std::string("spatialdata"));
    QCOMPARE(t["n_obs"].get<int>(), 6);
    QCOMPARE(t["spatial"]["affine"], nlohmann::json({{2.0, 0.0, 0.0}, {0.0, 2.0, 0.0}}));
    QVERIFY(t["image"].get<std::string>().ends_with("labels/cells"));
    QCOMPARE(j["tables"]["table_img"]["image"].get<std::string>().ends_with("images/img"), true);
    QCOMPARE(t["messages"].size(), std::size_t(2));  // the two parquet parts
  }

  // SpatialData 0.2+ on zarr v3: both labels elements, every table with its region and
  // instance_key from the table's zarr.json or uns, X per table, coordinate systems per element.
  void infoListsSpatialDataV3LabelsAndTables() {
    QTemporaryDir dir;
    const QString store = dir.filePath("store.zarr");
    const Run g = writeSpatialDataV3(store);
    QVERIFY2(g.code == 0, g.err.constData());
    const Run r = runTessera({"info", store, "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto j = parse(r);
    QCOMPARE(j["labels"], nlohmann::json({"cells", "nuclei"}));
    QCOMPARE(j["elements"]["labels/nuclei"]["coordinate_systems"], nlohmann::json({"aligned"}));
    QCOMPARE(j["elements"]["images/img"]["coordinate_systems"],
             nlohmann::json({"global", "aligned"}));
    QCOMPARE(j["tables"].size(), std::size_t(2));
    const auto& t = j["tables"]["table"];
    QCOMPARE(t["region"].get<std::string>(), std::string("labels/cells"));
    QCOMPARE(t["instance_key"].get<std::string>(), std::string("cell_id"));
    QCOMPARE(t["X"]["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(t["X"]["shape"], nlohmann::json({6, 3}));
    const auto& n = j["tables"]["table_nuclei"];
    QCOMPARE(n["region"].get<std::string>(), std::string("labels/nuclei"));
    QCOMPARE(n["instance_key"].get<std::string>(), std::string("nucleus_id"));
  }

  // markers reads folder tables through the window's path: an AnnData zarr written by anndata
  // from the pbmc sample gives scipy's markers of the h5ad; a SpatialData 0.2+ store on zarr v3
  // gives markers of its table. export-cells reads them too: the zarr copy exports what
  // anndata reads from the h5ad; the store's cells sit where the window draws them, at their
  // label centroids mapped through the labels' and the image's transforms.
  void markersAndExportCellsReadZarrTables() {
    QTemporaryDir dir;
    const QString zarr = dir.filePath("pbmc.zarr");
    const Run w =
        runProgram(TESSERA_PYTHON, {"-c",
                                    "import sys, anndata\n"
                                    "anndata.read_h5ad(sys.argv[1]).write_zarr(sys.argv[2])",
                                    fixture("pbmc68k_reduced_v0.5.h5ad"), zarr});
    QVERIFY2(w.code == 0, w.err.constData());
    const Run r = runTessera(
        {"markers", zarr, "--groupby", "louvain", "--group", "3", "--top", "15", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    compareMarkers(parse(r), reference({"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "louvain",
                                        "3", "15"}));
    const QString store = dir.filePath("store.zarr");
    const Run g = writeSpatialDataV3(store);
    QVERIFY2(g.code == 0, g.err.constData());
    const Run m = runTessera({"markers", store, "--groupby", "cluster", "--group", "a", "--json"});
    QVERIFY2(m.code == 0, m.err.constData());
    const auto genes = parse(m);
    QCOMPARE(genes.size(), std::size_t(3));
    for (const auto& gene : genes)
      QVERIFY(std::isfinite(gene["score"].get<double>()) && gene["pval"].get<double>() <= 1);

    const QString pbmcCsv = dir.filePath("pbmc.csv");
    const Run pe = runTessera({"export-cells", zarr, "--genes", "HES4,CD3D", "--obs",
                               "bulk_labels,louvain,n_counts", "--out", pbmcCsv});
    QVERIFY2(pe.code == 0, pe.err.constData());
    const auto check = reference({"check-export", fixture("pbmc68k_reduced_v0.5.h5ad"), pbmcCsv,
                                  "HES4,CD3D", "bulk_labels,louvain,n_counts"});
    QVERIFY2(check["errors"].empty(), check.dump().c_str());

    // Cells 1..6 of labels/cells (-> global: scale 0.5) on images/img (-> global: scale 2):
    // image pixel = label pixel / 4. X holds 0..17 row by row; clusters alternate a, b.
    const auto centroids = nlohmann::json::parse(g.out.toStdString());
    const QString ids = dir.filePath("ids.txt");
    std::ofstream(ids.toStdString()) << "table_5\ntable_2\n";
    const QString csv = dir.filePath("cells.csv");
    const Run e = runTessera({"export-cells", store, "--genes", "G3,G1", "--obs", "cluster",
                              "--cells", "@" + ids, "--out", csv});
    QVERIFY2(e.code == 0, e.err.constData());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 4);  // header, two cells, the empty tail after the last CRLF
    QCOMPARE(lines[0], QByteArray("id,x,y,cluster,G3,G1\r"));
    for (const int k : {4, 1}) {  // table_5, table_2: rows 4 and 1
      const QList<QByteArray> fields = lines[k == 4 ? 1 : 2].trimmed().split(',');
      QCOMPARE(fields.size(), 6);
      QCOMPARE(fields[0], QByteArray("table_") + QByteArray::number(k + 1));
      QCOMPARE(fields[1].toDouble(), centroids["cells_px"][k][0].get<double>() / 4);
      QCOMPARE(fields[2].toDouble(), centroids["cells_px"][k][1].get<double>() / 4);
      QCOMPARE(fields[3], QByteArray(k % 2 ? "b" : "a"));
      QCOMPARE(fields[4].toDouble(), 3.0 * k + 2);
      QCOMPARE(fields[5].toDouble(), 3.0 * k);
    }
    const Run bad = runTessera({"export-cells", store, "--obs", "nope", "--out", csv});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("store.zarr") && bad.err.contains("no such obs column"),
             bad.err.constData());
    QCOMPARE(bad.err.count('\n'), 1);
  }

  // X is described for AnnData zarr as for h5ad.
  void infoReportsXForAnnDataZarr() {
    QTemporaryDir dir;
    const Run g = runProgram(
        TESSERA_PYTHON,
        {QString(TESSERA_SOURCE_DIR) + "/tests/fixtures/cells/make_table_formats.py", dir.path()});
    QVERIFY2(g.code == 0, g.err.constData());
    for (const char* name : {"nullable_v2.zarr", "nullable_v3.zarr", "legacy_v06.zarr"}) {
      const Run r = runTessera({"info", dir.filePath(name), "--json"});
      QVERIFY2(r.code == 0, r.err.constData());
      const auto j = parse(r);
      QCOMPARE(j["format"].get<std::string>(), std::string("anndata-zarr"));
      QCOMPARE(j["X"]["storage"].get<std::string>(), std::string("csr"));
      QCOMPARE(j["X"]["dtype"].get<std::string>(), std::string("float32"));
      QCOMPARE(j["X"]["nnz"].get<int>(), 28);
      QCOMPARE(j["X"]["shape"], nlohmann::json({9, 4}));
    }
    const auto h = parse(runTessera({"info", dir.filePath("nullable.h5ad"), "--json"}));
    QCOMPARE(h["X"]["shape"], nlohmann::json({9, 4}));
    QCOMPARE(h["obs"]["note"]["nullable"].get<bool>(), true);
  }

  void infoDemoListsItsTable() {
    const auto j = parse(runTessera({"info", "demo", "--json"}));
    QCOMPARE(j["cells"]["kind"].get<std::string>(), std::string("table"));
    QVERIFY(QFileInfo::exists(QString::fromStdString(j["cells"]["path"].get<std::string>())));
  }

  void markersOfAGroupMatchScipy() {
    const Run r = runTessera({"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "--groupby",
                              "louvain", "--group", "3", "--top", "15", "--json"});
    QCOMPARE(r.code, 0);
    compareMarkers(parse(r), reference({"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "louvain",
                                        "3", "15"}));
  }

  void markersOfASelectionFileMatchScipy() {
    QTemporaryDir dir;
    const QString sel = dir.filePath("selection.json");
    std::ofstream(sel.toStdString())
        << R"(["AAAGCCTGGCTAAC-1", "AAATTCGATGCACA-1", 5, 6, 7, 8, 9, 10, 11, 12, 40, 41, 42])";
    const Run r = runTessera({"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "--group", "@" + sel,
                              "--top", "10", "--json"});
    QCOMPARE(r.code, 0);
    compareMarkers(parse(r), reference({"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "-",
                                        "@" + sel, "10"}));
  }

  void markersOnTheDemoMatchScipy() {
    const auto info = parse(runTessera({"info", "demo", "--json"}));
    const QString cells = QString::fromStdString(info["cells"]["path"].get<std::string>());
    std::string column, group;
    for (const auto& [name, c] : info["cells"]["obs"].items())
      if (c["kind"] == "categorical" && c["categories"].size() > 1 && column.empty()) {
        column = name;
        group = c["categories"][1].get<std::string>();
      }
    QVERIFY(!column.empty());
    const Run r = runTessera({"markers", "demo", "--groupby", QString::fromStdString(column),
                              "--group", QString::fromStdString(group), "--top", "10", "--json"});
    QCOMPARE(r.code, 0);
    compareMarkers(parse(r), reference({"markers", cells, QString::fromStdString(column),
                                        QString::fromStdString(group), "10"}));
    const Run text = runTessera({"markers", "demo", "--groupby", QString::fromStdString(column),
                                 "--group", QString::fromStdString(group), "--top", "3"});
    QCOMPARE(text.code, 0);
    QVERIFY(text.out.contains("pval_adj"));
    QCOMPARE(text.out.count('\n'), 5);
  }

  void markersReportBadInputNamingFileAndColumn() {
    const Run col = runTessera(
        {"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "--groupby", "nope", "--group", "1"});
    QCOMPARE(col.code, 2);
    QVERIFY(col.err.contains("pbmc68k_reduced_v0.5.h5ad:/obs/nope"));
    QCOMPARE(col.err.count('\n'), 1);
    const Run grp = runTessera(
        {"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "--groupby", "louvain", "--group", "99"});
    QCOMPARE(grp.code, 2);
    QVERIFY(grp.err.contains("no group '99'"));
    const Run num = runTessera(
        {"markers", fixture("pbmc68k_reduced_v0.5.h5ad"), "--groupby", "n_genes", "--group", "1"});
    QCOMPARE(num.code, 2);
    const Run noX =
        runTessera({"markers", fixture("v0.11.4.h5ad"), "--group", "@/nonexistent.json"});
    QCOMPARE(noX.code, 2);
    QVERIFY(noX.err.contains("/nonexistent.json"));
  }

  void exportCellsMatchesAnndata() {
    QTemporaryDir dir;
    const QString csv = dir.filePath("cells.csv");
    const Run r = runTessera(
        {"export-cells", fixture("v0.8_rich.h5ad"), "--genes", "gene0,gene3,gene8", "--obs",
         "leiden,grade,n_counts,is_doublet,batch_label,maybe_int,maybe_bool", "--out", csv});
    QCOMPARE(r.code, 0);
    const auto check =
        reference({"check-export", fixture("v0.8_rich.h5ad"), csv, "gene0,gene3,gene8",
                   "leiden,grade,n_counts,is_doublet,batch_label,maybe_int,maybe_bool"});
    QVERIFY2(check["errors"].empty(), check.dump().c_str());
  }

  void exportCellsSubsetWithoutSpatialSaysSo() {
    QTemporaryDir dir;
    const QString ids = dir.filePath("ids.txt");
    std::ofstream(ids.toStdString()) << "AAATTCGATGCACA-1\r\nAAAGCCTGGCTAAC-1\n\n";
    const QString csv = dir.filePath("cells.csv");
    const Run r =
        runTessera({"export-cells", fixture("pbmc68k_reduced_v0.5.h5ad"), "--genes", "HES4,CD3D",
                    "--obs", "bulk_labels,louvain,n_counts", "--cells", "@" + ids, "--out", csv});
    QCOMPARE(r.code, 0);
    QVERIFY(r.err.contains("no spatial coordinates"));
    const auto check = reference({"check-export", fixture("pbmc68k_reduced_v0.5.h5ad"), csv,
                                  "HES4,CD3D", "bulk_labels,louvain,n_counts", ids});
    QVERIFY2(check["errors"].empty(), check.dump().c_str());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray text = f.readAll();
    // bulk_labels hold commas? No, but "/" and "+": written bare; rows end in CRLF.
    QVERIFY(text.startsWith("id,bulk_labels,louvain,n_counts,HES4,CD3D\r\n"));
    QCOMPARE(text.count("\r\n"), 3);
  }

  // A Space Ranger folder: each spot where the window draws it, in pixels of the lowres image
  // shown (its hires PNG is blank), i.e. the positions list's full-resolution pixels times
  // tissue_lowres_scalef; in_tissue as pandas writes it; the fallback said after the file.
  void exportCellsPlacesVisiumSpotsOnTheImageShown() {
    QTemporaryDir dir;
    const QString visium = QString(TESSERA_TEST_DATA_DIR) + "/visium";
    const QString csv = dir.filePath("spots.csv");
    const Run r = runTessera({"export-cells", visium, "--obs", "in_tissue", "--out", csv});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("tissue_lowres_scalef"), r.err.constData());
    std::map<std::string, std::vector<std::string>> positions;
    std::ifstream list((visium + "/spatial/tissue_positions_list.csv").toStdString());
    for (std::string line; std::getline(list, line);) {
      const auto fields = QString::fromStdString(line).split(',');
      if (fields.size() == 6) {
        std::vector<std::string> f;
        for (const auto& x : fields)
          f.push_back(x.toStdString());
        positions[f[0]] = f;
      }
    }
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 101);
    QCOMPARE(lines[0], QByteArray("id,x,y,in_tissue\r"));
    const double low = 0.045004502;
    for (int k = 1; k < lines.size(); ++k) {
      const QList<QByteArray> row = lines[k].trimmed().split(',');
      QCOMPARE(row.size(), 4);
      const auto it = positions.find(row[0].toStdString());
      QVERIFY2(it != positions.end(), row[0].constData());
      const auto& p = it->second;  // barcode, in_tissue, array_row, array_col, pxl_row, pxl_col
      QCOMPARE(row[1].toDouble(), std::stod(p[5]) * low);
      QCOMPARE(row[2].toDouble(), std::stod(p[4]) * low);
      QCOMPARE(row[3], QByteArray(p[1] == "1" ? "True" : "False"));
    }
  }

  void exportCellsQuotesFields() {
    QTemporaryDir dir;
    const QString h5ad = dir.filePath("quotes.h5ad");
    const Run py =
        runProgram(TESSERA_PYTHON,
                   {"-c",
                    "import anndata, numpy as np, pandas as pd, sys\n"
                    "obs = pd.DataFrame({'note': ['a,b', 'say \"hi\"', 'two\\nlines', ' pad']}, "
                    "index=['c,1', 'c2', 'c3', 'c4'])\n"
                    "a = anndata.AnnData(X=np.arange(8, dtype=np.float32).reshape(4, 2), obs=obs)\n"
                    "a.obsm['spatial'] = np.array([[0.5, 1], [2, 3], [4, 5], [6, 7.25]])\n"
                    "a.write_h5ad(sys.argv[1])\n",
                    h5ad});
    QCOMPARE(py.code, 0);
    const QString csv = dir.filePath("cells.csv");
    QCOMPARE(runTessera({"export-cells", h5ad, "--obs", "note", "--genes", "1", "--out", csv}).code,
             0);
    const auto check = reference({"check-export", h5ad, csv, "1", "note"});
    QVERIFY2(check["errors"].empty(), check.dump().c_str());
    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(
        f.readAll(),
        QByteArray("id,x,y,note,1\r\n\"c,1\",0.5,1,\"a,b\",1\r\nc2,2,3,\"say \"\"hi\"\"\",3\r\n"
                   "c3,4,5,\"two\nlines\",5\r\nc4,6,7.25,\" pad\",7\r\n"));
    const Run badGene = runTessera({"export-cells", h5ad, "--genes", "nope", "--out", csv});
    QCOMPARE(badGene.code, 2);
    QVERIFY(badGene.err.contains("no gene named 'nope'"));
  }
};

QTEST_MAIN(CliTableTest)
#include "tst_cli_table.moc"
