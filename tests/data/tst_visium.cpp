// Visium Space Ranger folder (tests/fixtures/visium, scanpy's 1.0.0 sample) against Python's csv
// module and h5py; a Space Ranger 2 variant (tissue_positions.csv with header), the lowres
// fallback for a blank hires image, symbols from features.tsv.gz, and bad input.
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/spatial/visium.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kFixture = fs::path(TESSERA_TEST_DATA_DIR) / "visium";
const fs::path kWork = fs::path(TESSERA_TEST_WORK_DIR) / "visium";

const char* const kReference = R"(
import csv, json, sys, h5py
d = sys.argv[1]
pos = {r[0]: r for r in csv.reader(open(d + '/spatial/tissue_positions_list.csv'))}
with h5py.File(d + '/filtered_feature_bc_matrix.h5', 'r') as f:
    bc = [b.decode() for b in f['matrix/barcodes'][:]]
    names = [b.decode() for b in f['matrix/features/name'][:]]
    ip, ix, dv = f['matrix/indptr'][:], f['matrix/indices'][:], f['matrix/data'][:]
g0 = [0.0] * len(bc)
for b in range(len(bc)):
    for k in range(ip[b], ip[b + 1]):
        if ix[k] == 0: g0[b] = float(dv[k])
sf = json.load(open(d + '/spatial/scalefactors_json.json'))
print(json.dumps({'ids': bc, 'genes': names, 'x': [float(pos[b][5]) for b in bc],
  'y': [float(pos[b][4]) for b in bc], 'in_tissue': [int(pos[b][1]) for b in bc],
  'gene0': g0, 'hires': sf['tissue_hires_scalef'], 'lowres': sf['tissue_lowres_scalef'],
  'spot': sf['spot_diameter_fullres']}))
)";

fs::path copyFixture(const char* name) {
  const fs::path d = kWork / name;
  fs::remove_all(d);
  fs::create_directories(d);
  fs::copy(kFixture, d, fs::copy_options::recursive);
  return d;
}

}  // namespace

class TestVisium : public QObject {
  Q_OBJECT

 private slots:
  void matchesCsvAndH5py() {
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kReference, QString::fromStdString(kFixture.string())});
    QVERIFY(py.waitForFinished(60000));
    const json e = json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
    QVERIFY2(e.is_object(), py.readAllStandardError().constData());

    QVERIFY(isVisiumFolder(kFixture));
    auto t = openVisium(kFixture);
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->format, std::string("visium"));
    QCOMPARE(t->cellIds, e["ids"].get<std::vector<std::string>>());
    QCOMPARE(t->geneNames, e["genes"].get<std::vector<std::string>>());
    QCOMPARE(t->x, e["x"].get<std::vector<double>>());
    QCOMPARE(t->y, e["y"].get<std::vector<double>>());
    const auto inTissue = e["in_tissue"].get<std::vector<int>>();
    for (std::size_t i = 0; i < inTissue.size(); ++i)
      QCOMPARE(t->column("in_tissue")->numbers[i], double(inTissue[i]));
    // scanpy's sample ships a hires PNG of one flat colour: the lowres image is shown instead,
    // with its own scale factor, and a note says so.
    const double s = e["lowres"].get<double>();
    QCOMPARE(t->toImage, Affine2D::scale(s, s));
    QCOMPARE(*t->spotRadius, e["spot"].get<double>() / 2);
    QVERIFY(isBlankImage(kFixture / "spatial/tissue_hires_image.png"));
    QVERIFY(!isBlankImage(kFixture / "spatial/tissue_lowres_image.png"));
    QCOMPARE(t->imagePath, kFixture / "spatial/tissue_lowres_image.png");
    QVERIFY(t->affineSource.find("tissue_lowres_scalef") != std::string::npos);
    auto g0 = t->genes->readGene(0);
    QVERIFY(g0.has_value());
    const auto eg0 = e["gene0"].get<std::vector<double>>();
    for (std::size_t i = 0; i < eg0.size(); ++i)
      QCOMPARE((*g0)[i], float(eg0[i]));
    // Every spot maps inside the 600 x 600 lowres image; the one note is the fallback's.
    QCOMPARE(t->messages.size(), std::size_t(1));
    QVERIFY2(t->messages[0].find("tissue_hires_image.png: blank (one colour); showing "
                                 "tissue_lowres_image.png with tissue_lowres_scalef") !=
                 std::string::npos,
             t->messages[0].c_str());
    auto size = pngSize(t->imagePath);
    QVERIFY(size && size->first == 600 && size->second == 600);
    const json m = cellTableSummary(*t)["X"];
    QCOMPARE(m["storage"].get<std::string>(), std::string("csr"));
    QCOMPARE(m["shape"], json({100, 100}));
  }

  // A hires image with tissue on it is the one shown, with tissue_hires_scalef.
  void hiresWithContentIsShown() {
    const fs::path d = copyFixture("hires");
    QProcess py;
    py.start(TESSERA_PYTHON,
             {"-c",
              "import struct, sys, zlib\n"
              "w = h = 2000\n"
              "rows = b''.join(b'\\0' + bytes((x * 7 + y) % 256 for x in range(w))"
              " for y in range(h))\n"
              "def chunk(t, d): return struct.pack('>I', len(d)) + t + d + "
              "struct.pack('>I', zlib.crc32(t + d))\n"
              "open(sys.argv[1], 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + "
              "chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + "
              "chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))\n",
              QString::fromStdString((d / "spatial/tissue_hires_image.png").string())});
    QVERIFY(py.waitForFinished(60000) && py.exitCode() == 0);
    QVERIFY(!isBlankImage(d / "spatial/tissue_hires_image.png"));
    auto t = openVisium(d);
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->imagePath, d / "spatial/tissue_hires_image.png");
    QCOMPARE(t->toImage, Affine2D::scale(0.150015, 0.150015));
    QVERIFY2(t->messages.empty(), t->messages.empty() ? "" : t->messages[0].c_str());
  }

  // The h5 repeats the Ensembl id as the name; features.tsv.gz beside it gives the symbols.
  void symbolsFromFeaturesTsv() {
    const fs::path d = copyFixture("symbols");
    auto plain = openVisium(d);
    QVERIFY(plain.has_value());
    QCOMPARE(plain->geneNames, plain->geneIds);  // ids only, as scanpy's sample has them
    fs::create_directories(d / "filtered_feature_bc_matrix");
    QProcess py;
    py.start(TESSERA_PYTHON,
             {"-c",
              "import gzip, sys\n"
              "ids = sys.argv[2].split(',')\n"
              "with gzip.open(sys.argv[1], 'wt') as f:\n"
              "    for i, g in enumerate(ids):\n"
              "        f.write(f'{g}\\t{\"DUP\" if i in (3, 4) else \"SYM\" + str(i)}\\t"
              "Gene Expression\\n')\n",
              QString::fromStdString((d / "filtered_feature_bc_matrix/features.tsv.gz").string()),
              QString::fromStdString([&] {
                std::string all;
                for (const auto& id : plain->geneIds)
                  all += (all.empty() ? "" : ",") + id;
                return all;
              }())});
    QVERIFY(py.waitForFinished(60000) && py.exitCode() == 0);
    auto t = openVisium(d);
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->geneIds, plain->geneIds);
    QCOMPARE(t->geneNames[0], std::string("SYM0"));
    QCOMPARE(t->geneNames[3], std::string("DUP"));
    QCOMPARE(t->geneNames[4], std::string("DUP-1"));  // made unique as anndata does
    QCOMPARE(t->geneIndex("SYM7"), std::int64_t(7));
    QCOMPARE(t->geneIndex(plain->geneIds[7]), std::int64_t(7));  // ids still found
  }

  void readsSpaceRanger2HeaderedPositions() {
    const fs::path d = copyFixture("sr2");
    std::ifstream in(d / "spatial/tissue_positions_list.csv");
    std::ofstream out(d / "spatial/tissue_positions.csv");
    out << "barcode,in_tissue,array_row,array_col,pxl_row_in_fullres,pxl_col_in_fullres\n"
        << in.rdbuf();
    out.close();
    fs::remove(d / "spatial/tissue_positions_list.csv");
    auto a = openVisium(kFixture), b = openVisium(d);
    QVERIFY(a && b);
    QCOMPARE(b->x, a->x);
    QCOMPARE(b->y, a->y);
  }

  void missingPositionsIsEmbeddingOnly() {
    const fs::path d = copyFixture("nopos");
    fs::remove(d / "spatial/tissue_positions_list.csv");
    auto t = openVisium(d);
    QVERIFY(t.has_value());
    QVERIFY(!t->hasSpatial());
    QCOMPARE(t->messages.size(), std::size_t(1));
    QVERIFY2(t->messages[0].find("no spatial coordinates") != std::string::npos,
             t->messages[0].c_str());
  }

  void badScaleFactorNamesFileAndField() {
    const fs::path d = copyFixture("badsf");
    std::ofstream(d / "spatial/scalefactors_json.json") << R"({"spot_diameter_fullres": 89})";
    fs::remove(d / "spatial/tissue_lowres_image.png");
    auto t = openVisium(d);
    QVERIFY(!t.has_value());
    QVERIFY2(t.error().message.find("scalefactors_json.json: \"tissue_hires_scalef\" is missing") !=
                 std::string::npos,
             t.error().message.c_str());
  }

  void spotsOutsideTheImageAreReported() {
    const fs::path d = copyFixture("outside");
    std::ofstream(d / "spatial/scalefactors_json.json")
        << R"({"spot_diameter_fullres": 89, "tissue_hires_scalef": 1.5})";
    auto t = openVisium(d);
    QVERIFY(t.has_value());
    QCOMPARE(t->messages.size(), std::size_t(1));
    QVERIFY2(t->messages[0].find("fall outside the image (2000 x 2000 px)") != std::string::npos,
             t->messages[0].c_str());
  }

  void badNumberNamesLineAndField() {
    const fs::path d = copyFixture("badnum");
    std::ofstream(d / "spatial/tissue_positions_list.csv") << "AAAC-1,1,0,0,12x,5\n";
    auto t = openVisium(d);
    QVERIFY(!t.has_value());
    QVERIFY2(
        t.error().message.find("tissue_positions_list.csv: line 1, pxl_row_in_fullres: \"12x\"") !=
            std::string::npos,
        t.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestVisium)
#include "tst_visium.moc"
