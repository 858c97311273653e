// Affines: NGFF/SpatialData transforms composed in the plane, landmark fitting through
// cv::estimateAffine2D with per-landmark residuals, and the atomic JSON sidecar.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/cells/affine.h"
#include "data/cells/affine_sidecar.h"

using namespace tessera::data;
namespace fs = std::filesystem;
using nlohmann::json;

class TestAffine : public QObject {
  Q_OBJECT

 private slots:
  void composesNgffTransforms() {
    const std::vector<std::string> axes{"c", "y", "x"};
    auto s = affineFromNgffTransforms(
        json::parse(
            R"([{"type":"scale","scale":[1,0.5,0.25]},{"type":"translation","translation":[0,10,20]}])"),
        axes, "t");
    QVERIFY(s.has_value());
    QCOMPARE(*s, (Affine2D{0.25, 0, 20, 0, 0.5, 10}));
    auto seq = affineFromNgffTransform(
        json::parse(R"({"type":"sequence","transformations":[{"type":"identity"},
          {"type":"affine","affine":[[2,0,0,5],[0,3,0,7],[0,0,1,0]],
           "input":{"axes":[{"name":"x"},{"name":"y"},{"name":"c"}]}}]})"),
        axes, "t");
    QVERIFY2(seq.has_value(), seq ? "" : seq.error().message.c_str());
    QCOMPARE(*seq, (Affine2D{2, 0, 5, 0, 3, 7}));
    auto bad = affineFromNgffTransform(json::parse(R"({"type":"bspline"})"), axes, "img.zarr");
    QVERIFY(!bad.has_value());
    QVERIFY(bad.error().message.find("img.zarr: coordinate transformation type \"bspline\"") !=
            std::string::npos);
  }

  void inverseAndComposition() {
    const Affine2D m{2, 0.5, 3, -1, 1.5, 4};
    const auto inv = m.inverse();
    QVERIFY(inv.has_value());
    const Affine2D id = inv->after(m);
    QVERIFY(std::abs(id.a - 1) < 1e-12 && std::abs(id.b) < 1e-12 && std::abs(id.c) < 1e-12);
    QVERIFY(!Affine2D::scale(0, 1).inverse().has_value());
    auto j = affineFromJson(affineToJson(m), "x");
    QVERIFY(j && *j == m);
  }

  void landmarkFitRecoversAffineAndResiduals() {
    const Affine2D truth{0.8, -0.2, 100, 0.25, 1.1, -40};
    std::vector<LandmarkPair> pairs;
    for (double y : {0.0, 300.0, 600.0})
      for (double x : {0.0, 400.0, 800.0})
        pairs.push_back({x, y, truth.mapX(x, y), truth.mapY(x, y)});
    auto fit = fitLandmarkAffine(pairs);
    QVERIFY2(fit.has_value(), fit ? "" : fit.error().message.c_str());
    QVERIFY(std::abs(fit->affine.a - truth.a) < 1e-6 && std::abs(fit->affine.f - truth.f) < 1e-4);
    QCOMPARE(fit->residuals.size(), pairs.size());
    for (double r : fit->residuals)
      QVERIFY(r < 1e-4);
    // One misplaced landmark (the centre of a 3x3 grid): least squares spreads the error over
    // all pairs, but the misplaced one keeps the largest residual.
    pairs[4].dstX += 30;
    auto noisy = fitLandmarkAffine(pairs);
    QVERIFY(noisy.has_value());
    QVERIFY(std::max_element(noisy->residuals.begin(), noisy->residuals.end()) -
                noisy->residuals.begin() ==
            4);
    QVERIFY(noisy->rms > 1);
  }

  void landmarkFitRefusesTooFewOrCollinear() {
    auto few = fitLandmarkAffine({{0, 0, 0, 0}, {1, 1, 1, 1}});
    QVERIFY(!few && few.error().message.find("at least 3 pairs") != std::string::npos);
    auto line = fitLandmarkAffine({{0, 0, 0, 0}, {1, 1, 2, 2}, {2, 2, 4, 4}});
    QVERIFY(!line && line.error().message.find("collinear") != std::string::npos);
  }

  // Names and formats holding another JSON type read as absent, never thrown past the reader.
  void fieldsOfAnotherTypeAreNotThrown() {
    const std::vector<std::string> axes{"y", "x"};
    auto swap =
        affineFromNgffTransform(json::parse(R"({"type":"mapAxis","mapAxis":{"x":1}})"), axes, "t");
    QVERIFY(swap && *swap == Affine2D::identity());
    auto named = affineFromNgffTransform(
        json::parse(R"({"type":"scale","scale":[2,3],"input":{"axes":[{"name":3},"x"]}})"), axes,
        "t");
    QVERIFY(named.has_value() || !named.error().message.empty());
    const fs::path side = fs::path(TESSERA_TEST_WORK_DIR) / "affine_sidecar_types.json";
    std::ofstream(side) << R"({"format":5,"datasets":{}})";
    auto bad = readAffineSidecar(side);
    QVERIFY(!bad && bad.error().code == Errc::Corrupt);
    std::ofstream(side) << R"({"format":"tessera-affines","datasets":{"d":{"affine":
      [[1,0,0],[0,1,0]],"source":7}}})";
    auto sourced = readAffineSidecar(side);
    QVERIFY2(sourced && sourced->at("d").source == "manual",
             sourced ? "" : sourced.error().message.c_str());
  }

  void sidecarRoundTripsAndKeepsOtherDatasets() {
    const fs::path dir = fs::path(TESSERA_TEST_WORK_DIR) / "affine_sidecar";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path side = affineSidecarPath(dir / "my.tessera");
    QCOMPARE(side.filename().string(), std::string("my.tessera.affines.json"));
    auto empty = readAffineSidecar(side);
    QVERIFY(empty && empty->empty());
    StoredAffine a{{1, 0, 5, 0, 1, 6},
                   "landmarks",
                   {{0, 0, 5, 6}, {1, 0, 6, 6}, {0, 1, 5, 7}},
                   {0.1, 0.2, 0.3}};
    QVERIFY(storeAffine(side, "/data/run1", a));
    QVERIFY(storeAffine(side, "/data/run2", StoredAffine{Affine2D::scale(2, 2), "manual", {}, {}}));
    auto back = loadStoredAffine(side, "/data/run1");
    QVERIFY(back && *back);
    QCOMPARE((*back)->affine, a.affine);
    QCOMPARE((*back)->landmarks.size(), std::size_t(3));
    QCOMPARE((*back)->residuals, a.residuals);
    auto all = readAffineSidecar(side);
    QVERIFY(all && all->size() == 2);
    for (const auto& e : fs::directory_iterator(dir))
      QVERIFY2(e.path().filename().string().find(".tmp") == std::string::npos, "temp file left");
    std::ofstream(side) << R"({"format":"tessera-affines","datasets":{"x":{"affine":[[1,2]]}}})";
    auto bad = readAffineSidecar(side);
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.find("datasets[\"x\"]") != std::string::npos,
             bad.error().message.c_str());
  }
};

QTEST_GUILESS_MAIN(TestAffine)
#include "tst_affine.moc"
