// The full demo on disk, checked with the reference readers (zarr-python 2, anndata).
#include <QElapsedTimer>
#include <QProcess>
#include <QtTest>

#include <unistd.h>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "data/demo/demo_dataset.h"
#include "data/thread_pool.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {

constexpr const char* kReadBack = R"PY(
import json, sys, warnings
warnings.simplefilter("ignore")
import zarr, anndata, numpy as np
g = zarr.open_group(sys.argv[1], mode="r")
ms = g.attrs["multiscales"][0]
levels = []
for d in ms["datasets"]:
    a = g[d["path"]]
    levels.append({"path": d["path"], "shape": list(a.shape), "chunks": list(a.chunks),
                   "dtype": str(a.dtype), "compressor": a.compressor.get_config(),
                   "separator": a._dimension_separator,
                   "scale": d["coordinateTransformations"][0]["scale"]})
l5 = g[ms["datasets"][-1]["path"]][:]
ad = anndata.read_h5ad(sys.argv[2])
x = ad.X
out = {
    "axes": ms["axes"], "levels": levels,
    "channels": g.attrs["omero"]["channels"],
    "l5_mean": [float(l5[c].mean()) for c in range(l5.shape[0])],
    "n_obs": ad.n_obs, "n_vars": ad.n_vars, "first_obs": str(ad.obs_names[0]),
    "obs": list(ad.obs.columns), "clusters": [str(c) for c in ad.obs["cluster"].cat.categories],
    "cluster_colors": [str(c) for c in ad.uns.get("cluster_colors", [])],
    "obsm": {k: list(np.asarray(v).shape) for k, v in ad.obsm.items()},
    "uns_image": str(ad.uns["tessera_image"]), "uns_unit": str(ad.uns["spatial_unit"]),
    "x_format": x.format, "x_dtype": str(x.dtype),
    "zeros": 1.0 - x.nnz / (ad.n_obs * ad.n_vars),
    "spatial_max": float(np.asarray(ad.obsm["spatial"]).max()),
    "spatial_min": float(np.asarray(ad.obsm["spatial"]).min()),
    "n_counts_ok": bool(np.allclose(np.asarray(x.sum(axis=1)).ravel(), ad.obs["n_counts"])),
}
print(json.dumps(out))
)PY";

fs::path scratch(const char* name) {
  return fs::path(TESSERA_TEST_WORK_DIR) / (std::string(name) + "-" + std::to_string(::getpid()));
}

}  // namespace

class TestDemoDataset : public QObject {
  Q_OBJECT

 private slots:
  void generatesReadableDemoOnceAndReusesIt() {
    const fs::path cache = scratch("demo-cache");
    fs::remove_all(cache);
    ThreadPool pool(2);
    double last = -1;
    bool monotonic = true;
    QElapsedTimer timer;
    timer.start();
    auto paths = ensureDemoDataset(cache, pool, [&](double f, const std::string&) {
      if (f < last) qWarning("progress went back: %f -> %f", last, f);
      monotonic = monotonic && f >= last;
      last = f;
      return true;
    });
    QVERIFY2(paths, paths ? "" : paths.error().message.c_str());
    qInfo("demo generated in %.1f s", timer.elapsed() / 1000.0);
    QVERIFY(monotonic);
    QCOMPARE(last, 1.0);
    QVERIFY(demoIsReady(cache));
    QCOMPARE(paths->root, demoPaths(cache).root);
    for (const auto& e : fs::directory_iterator(cache))
      QVERIFY2(e.path().filename().string().find("partial") == std::string::npos,
               "temp folder left");

    QProcess py;
    py.start(TESSERA_PYTHON, {"-c", kReadBack, QString::fromStdString(paths->image.string()),
                              QString::fromStdString(paths->cells.string())});
    QVERIFY(py.waitForFinished(300000));
    const QByteArray err = py.readAllStandardError();
    QVERIFY2(py.exitCode() == 0, err.constData());
    const auto j = nlohmann::json::parse(py.readAllStandardOutput().toStdString());

    QCOMPARE(j["axes"].size(), 3u);
    QCOMPARE(j["axes"][0]["type"].get<std::string>(), std::string("channel"));
    QCOMPARE(j["axes"][2]["unit"].get<std::string>(), std::string("micrometer"));
    QCOMPARE(j["levels"].size(), 6u);
    for (int l = 0; l < 6; ++l) {
      const auto& lv = j["levels"][l];
      QCOMPARE(lv["shape"], nlohmann::json({4, 8192 >> l, 8192 >> l}));
      QCOMPARE(lv["chunks"], nlohmann::json({1, 512, 512}));
      QCOMPARE(lv["dtype"].get<std::string>(), std::string("uint16"));
      QCOMPARE(lv["compressor"]["cname"].get<std::string>(), std::string("lz4"));
      QCOMPARE(lv["separator"].get<std::string>(), std::string("/"));
      QCOMPARE(lv["scale"][1].get<double>(), 0.5 * (1 << l));
    }
    const std::vector<std::string> labels = {"DAPI", "Na-K-ATPase", "CD45", "PanCK"};
    QCOMPARE(j["channels"].size(), 4u);
    for (int c = 0; c < 4; ++c) {
      const auto& ch = j["channels"][c];
      QCOMPARE(ch["label"].get<std::string>(), labels[c]);
      QVERIFY(ch["active"].get<bool>());
      QVERIFY(ch["window"]["end"].get<double>() > ch["window"]["start"].get<double>() + 50);
      QCOMPARE(ch["window"]["max"].get<double>(), 65535.0);
      QVERIFY(j["l5_mean"][c].get<double>() > 100);  // camera offset at least: data was written
    }
    QVERIFY(j["n_obs"].get<int>() >= 50000);
    QVERIFY(j["n_vars"].get<int>() >= 200);
    QCOMPARE(j["first_obs"].get<std::string>(), std::string("cell_00001"));
    for (const char* col : {"cluster", "area_um2", "n_counts", "n_genes"})
      QVERIFY2(std::ranges::count(j["obs"], col) == 1, col);
    QCOMPARE(j["clusters"].size(), 8u);
    QCOMPARE(j["cluster_colors"].size(), 8u);
    QCOMPARE(j["obsm"]["spatial"], nlohmann::json({j["n_obs"], 2}));
    QCOMPARE(j["obsm"]["X_umap"], nlohmann::json({j["n_obs"], 2}));
    QCOMPARE(j["obsm"]["outline"], nlohmann::json({j["n_obs"], 32}));
    QCOMPARE(j["uns_image"].get<std::string>(), std::string("tissue.ome.zarr"));
    QCOMPARE(j["uns_unit"].get<std::string>(), std::string("pixel"));
    QCOMPARE(j["x_format"].get<std::string>(), std::string("csr"));
    QCOMPARE(j["x_dtype"].get<std::string>(), std::string("float32"));
    QVERIFY(j["zeros"].get<double>() > 0.6 && j["zeros"].get<double>() < 0.85);
    QVERIFY(j["spatial_min"].get<double>() > 0 && j["spatial_max"].get<double>() < 8192);
    QVERIFY(j["n_counts_ok"].get<bool>());

    // Second call: reused as is, no progress, nothing rewritten.
    const auto stamp = fs::last_write_time(paths->root / "manifest.json");
    bool called = false;
    auto again = ensureDemoDataset(cache, pool, [&](double, const std::string&) {
      called = true;
      return true;
    });
    QVERIFY(again);
    QVERIFY(!called);
    QCOMPARE(fs::last_write_time(paths->root / "manifest.json"), stamp);
    fs::remove_all(cache);
  }

  void cancellingLeavesNothingBehind() {
    const fs::path cache = scratch("demo-cancel");
    fs::remove_all(cache);
    ThreadPool pool(2);
    auto r = ensureDemoDataset(cache, pool, [](double f, const std::string&) { return f < 0.1; });
    QVERIFY(!r);
    QCOMPARE(r.error().code, Errc::Cancelled);
    QVERIFY(!demoIsReady(cache));
    QVERIFY(fs::is_empty(cache));
    fs::remove_all(cache);
  }
};

QTEST_GUILESS_MAIN(TestDemoDataset)
#include "tst_demo_dataset.moc"
