// writeH5ad output is checked by reading it back with Debian's anndata (the reference reader).
#include <QProcess>
#include <QtTest>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/anndata/h5ad_writer.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

// Avoids `numbered("c", k)`, which trips GCC 12's -Wrestrict false positive at -O3.
std::string numbered(const char* prefix, int k) {
  std::string s(prefix);
  s += std::to_string(k);
  return s;
}

// Prints everything the test compares as one JSON object; runs under /usr/bin/python3.
constexpr const char* kReadBack = R"PY(
import json, sys, warnings
warnings.simplefilter("ignore")
import anndata, numpy as np, h5py
a = anndata.read_h5ad(sys.argv[1])
def col(s):
    if str(s.dtype) == "category":
        return {"kind": "categorical", "categories": [str(c) for c in s.cat.categories],
                "codes": s.cat.codes.astype(int).tolist(), "ordered": bool(s.cat.ordered)}
    if s.dtype == bool:
        return {"kind": "bool", "values": s.astype(bool).tolist()}
    if s.dtype == object:
        return {"kind": "string", "values": [str(v) for v in s]}
    return {"kind": str(s.dtype), "values": s.astype(float).tolist()}
with h5py.File(sys.argv[1], "r") as f:
    x_dtypes = {k: str(f["X"][k].dtype) for k in ("data", "indices", "indptr")}
out = {
    "shape": list(a.shape),
    "obs_names": list(a.obs_names), "var_names": list(a.var_names),
    "X": a.X.toarray().tolist(), "X_format": a.X.format, "X_dtypes": x_dtypes,
    "obs": {c: col(a.obs[c]) for c in a.obs.columns},
    "obs_order": list(a.obs.columns),
    "var": {c: col(a.var[c]) for c in a.var.columns},
    "obsm": {k: np.asarray(v).tolist() for k, v in a.obsm.items()},
    "uns": {k: (v if isinstance(v, str) else [str(x) for x in v]) for k, v in a.uns.items()},
    "layers": list(a.layers.keys()), "obsp": list(a.obsp.keys()),
}
print(json.dumps(out))
)PY";

AnnDataWrite sample() {
  AnnDataWrite a;
  a.obsNames = {"cell-0", "cell-1", "cell-2", "cell-\xC3\xA9"};  // é: UTF-8 must survive
  a.varNames = {"CD3E", "MS4A1", "LYZ"};
  a.X.rows = 4;
  a.X.cols = 3;
  a.X.indptr = {0, 2, 2, 3, 5};
  a.X.indices = {0, 2, 1, 0, 2};
  a.X.data = {1.5f, 2.0f, 3.25f, -1.0f, 7.0f};
  a.obs.push_back(
      {"cluster", CategoricalColumn{{0, 1, -1, 0}, {"T", "B"}, false, {"#ff0000", "#00ff00"}}});
  a.obs.push_back({"stage", CategoricalColumn{{2, 1, 0, 2}, {"lo", "mid", "hi"}, true, {}}});
  a.obs.push_back({"area", std::vector<double>{10.5, 20.25, 0.0, -3.0}});
  a.obs.push_back({"score", std::vector<float>{0.5f, 1.5f, 2.5f, 3.5f}});
  a.obs.push_back({"count", std::vector<std::int32_t>{1, 2, 3, 400000}});
  a.obs.push_back({"label", std::vector<std::string>{"a", "b", "", "d"}});
  a.obs.push_back({"is_tumor", std::vector<bool>{true, false, false, true}});
  a.var.push_back({"highly_variable", std::vector<bool>{true, false, true}});
  a.obsm["spatial"] = DenseMatrix{4, 2, {1, 2, 3, 4, 5, 6, 7, 8}};
  a.obsm["X_umap"] = DenseMatrix{4, 2, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}};
  a.unsStrings["tessera_image"] = "images/slide.ome.tif";
  return a;
}

// A larger matrix so that chunked + compressed storage is exercised too.
AnnDataWrite bigSample(int nObs, int nVars) {
  AnnDataWrite a;
  a.X.rows = nObs;
  a.X.cols = nVars;
  a.X.indptr.push_back(0);
  CategoricalColumn cat;
  for (int k = 0; k < 200; ++k)
    cat.categories.push_back(numbered("c", k));
  std::vector<double> xs;
  DenseMatrix pos{nObs, 2, {}};
  for (int i = 0; i < nObs; ++i) {
    a.obsNames.push_back(numbered("obs", i));
    for (int j = i % 7; j < nVars; j += 7) {
      a.X.indices.push_back(j);
      a.X.data.push_back(static_cast<float>(i + j));
    }
    a.X.indptr.push_back(static_cast<std::int64_t>(a.X.indices.size()));
    cat.codes.push_back(i % 200);
    xs.push_back(i * 0.5);
    pos.values.push_back(i);
    pos.values.push_back(-i);
  }
  for (int j = 0; j < nVars; ++j)
    a.varNames.push_back(numbered("g", j));
  a.obs.push_back({"leiden", cat});
  a.obs.push_back({"x", xs});
  a.obsm["spatial"] = pos;
  return a;
}

}  // namespace

class TestH5adWriter : public QObject {
  Q_OBJECT

  fs::path dir_;

  fs::path fresh(const char* name) {
    fs::path p = dir_ / name;
    fs::remove(p);
    return p;
  }

  nlohmann::json readBack(const fs::path& p) {
    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kReadBack, QString::fromStdString(p.string())});
    if (!py.waitForFinished(120000)) return {};
    const QByteArray err = py.readAllStandardError();
    if (py.exitCode() != 0) qWarning("python: %s", err.constData());
    return nlohmann::json::parse(py.readAllStandardOutput().toStdString(), nullptr, false);
  }

 private slots:
  void initTestCase() {
    dir_ = fs::path(TESSERA_TEST_WORK_DIR) / "h5ad_writer";
    fs::create_directories(dir_);
  }

  void anndataReadsEveryWrittenElement() {
    const fs::path p = fresh("sample.h5ad");
    const AnnDataWrite a = sample();
    auto r = writeH5ad(p, a);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QVERIFY(!fs::exists(p.string() + ".partial"));

    const nlohmann::json j = readBack(p);
    QVERIFY2(j.is_object(), "anndata could not read the file");
    QCOMPARE(j["shape"], nlohmann::json::array({4, 3}));
    QCOMPARE(j["obs_names"].get<std::vector<std::string>>(), a.obsNames);
    QCOMPARE(j["var_names"].get<std::vector<std::string>>(), a.varNames);
    QCOMPARE(j["X_format"].get<std::string>(), std::string("csr"));
    QCOMPARE(j["X_dtypes"]["data"].get<std::string>(), std::string("float32"));
    QCOMPARE(j["X_dtypes"]["indices"].get<std::string>(), std::string("int32"));
    QCOMPARE(j["X_dtypes"]["indptr"].get<std::string>(), std::string("int64"));
    const std::vector<std::vector<double>> dense = {
        {1.5, 0, 2.0}, {0, 0, 0}, {0, 3.25, 0}, {-1.0, 0, 7.0}};
    QCOMPARE(j["X"].get<std::vector<std::vector<double>>>(), dense);

    QCOMPARE(j["obs_order"].get<std::vector<std::string>>(),
             (std::vector<std::string>{"cluster", "stage", "area", "score", "count", "label",
                                       "is_tumor"}));
    const auto& cl = j["obs"]["cluster"];
    QCOMPARE(cl["kind"].get<std::string>(), std::string("categorical"));
    QCOMPARE(cl["categories"].get<std::vector<std::string>>(),
             (std::vector<std::string>{"T", "B"}));
    QCOMPARE(cl["codes"].get<std::vector<int>>(), (std::vector<int>{0, 1, -1, 0}));
    QCOMPARE(cl["ordered"].get<bool>(), false);
    const auto& st = j["obs"]["stage"];
    QCOMPARE(st["ordered"].get<bool>(), true);
    QCOMPARE(st["codes"].get<std::vector<int>>(), (std::vector<int>{2, 1, 0, 2}));
    QCOMPARE(j["obs"]["area"]["kind"].get<std::string>(), std::string("float64"));
    QCOMPARE(j["obs"]["area"]["values"].get<std::vector<double>>(),
             (std::vector<double>{10.5, 20.25, 0.0, -3.0}));
    QCOMPARE(j["obs"]["score"]["kind"].get<std::string>(), std::string("float32"));
    QCOMPARE(j["obs"]["score"]["values"].get<std::vector<double>>(),
             (std::vector<double>{0.5, 1.5, 2.5, 3.5}));
    QCOMPARE(j["obs"]["count"]["kind"].get<std::string>(), std::string("int32"));
    QCOMPARE(j["obs"]["count"]["values"].get<std::vector<double>>(),
             (std::vector<double>{1, 2, 3, 400000}));
    QCOMPARE(j["obs"]["label"]["values"].get<std::vector<std::string>>(),
             (std::vector<std::string>{"a", "b", "", "d"}));
    QCOMPARE(j["obs"]["is_tumor"]["kind"].get<std::string>(), std::string("bool"));
    QCOMPARE(j["obs"]["is_tumor"]["values"].get<std::vector<bool>>(),
             (std::vector<bool>{true, false, false, true}));
    QCOMPARE(j["var"]["highly_variable"]["values"].get<std::vector<bool>>(),
             (std::vector<bool>{true, false, true}));

    QCOMPARE(j["obsm"]["spatial"].get<std::vector<std::vector<double>>>(),
             (std::vector<std::vector<double>>{{1, 2}, {3, 4}, {5, 6}, {7, 8}}));
    QCOMPARE(j["obsm"]["X_umap"][3][1].get<double>(), 0.8);
    QCOMPARE(j["uns"]["tessera_image"].get<std::string>(), std::string("images/slide.ome.tif"));
    QCOMPARE(j["uns"]["cluster_colors"].get<std::vector<std::string>>(),
             (std::vector<std::string>{"#ff0000", "#00ff00"}));
    QVERIFY(!j["uns"].contains("stage_colors"));
    QVERIFY(j["layers"].empty());
    QVERIFY(j["obsp"].empty());
  }

  void anndataReadsEmptyColumnOrderAndChunkedData() {
    const fs::path p = fresh("big.h5ad");
    AnnDataWrite a = bigSample(5000, 40);
    a.obs.clear();  // an empty column-order attribute must still be readable
    auto r = writeH5ad(p, a);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    const nlohmann::json j = readBack(p);
    QVERIFY2(j.is_object(), "anndata could not read the file");
    QCOMPARE(j["shape"], nlohmann::json::array({5000, 40}));
    QVERIFY(j["obs"].empty());
    QCOMPARE(j["X"][4999][4999 % 7].get<double>(), 4999.0 + 4999 % 7);
    QCOMPARE(j["obsm"]["spatial"][4321][1].get<double>(), -4321.0);
  }

  void writesWideCategoricalCodes() {
    const fs::path p = fresh("wide.h5ad");
    AnnDataWrite a = bigSample(300, 5);
    auto r = writeH5ad(p, a);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    const nlohmann::json j = readBack(p);
    QVERIFY(j.is_object());
    QCOMPARE(j["obs"]["leiden"]["categories"].size(), std::size_t(200));
    QCOMPARE(j["obs"]["leiden"]["codes"][299].get<int>(), 299 % 200);
  }

  void refusesToOverwrite() {
    const fs::path p = fresh("exists.h5ad");
    QVERIFY(writeH5ad(p, sample()).has_value());
    const auto before = fs::file_size(p);
    auto r = writeH5ad(p, bigSample(10, 3));
    QVERIFY(!r.has_value());
    QCOMPARE(r.error().code, Errc::InvalidArgument);
    QVERIFY(r.error().message.find(p.string()) != std::string::npos);
    QCOMPARE(fs::file_size(p), before);
  }

  void rejectsInconsistentInputWithoutWriting() {
    auto expectInvalid = [&](AnnDataWrite a, const char* needle) {
      const fs::path p = fresh("bad.h5ad");
      auto r = writeH5ad(p, a);
      QVERIFY(!r.has_value());
      QCOMPARE(r.error().code, Errc::InvalidArgument);
      QVERIFY2(r.error().message.find(needle) != std::string::npos, r.error().message.c_str());
      QVERIFY(!fs::exists(p));
      QVERIFY(!fs::exists(p.string() + ".partial"));
    };
    AnnDataWrite a = sample();
    a.X.indptr.pop_back();
    expectInvalid(a, "indptr");
    a = sample();
    a.X.indices[1] = 3;
    expectInvalid(a, "indices");
    a = sample();
    std::get<CategoricalColumn>(a.obs[0].second).codes[0] = 2;
    expectInvalid(a, "cluster");
    a = sample();
    std::get<CategoricalColumn>(a.obs[0].second).colors.pop_back();
    expectInvalid(a, "colours");
    a = sample();
    a.obs.push_back({"short", std::vector<double>{1.0}});
    expectInvalid(a, "short");
    a = sample();
    a.obsm["spatial"].rows = 3;
    expectInvalid(a, "spatial");
    a = sample();
    a.obs.push_back({"area", std::vector<double>{1, 2, 3, 4}});
    expectInvalid(a, "duplicate");
  }
};

QTEST_GUILESS_MAIN(TestH5adWriter)
#include "tst_h5ad_writer.moc"
