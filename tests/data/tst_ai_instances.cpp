// Instance segmentation (data/ai/instance_cells): probability maps of known disks become one
// label per disk, and the labels a cell table with centroids, areas and channel means.
#include <QtTest>

#include <opencv2/imgproc.hpp>

#include <filesystem>

#include "../support/memory_source.h"
#include "data/ai/instance_cells.h"
#include "data/ai/segment_region.h"
#include "data/cells/cells_open.h"

using namespace tessera;
using namespace tessera::data::ai;

namespace {

struct Disk {
  int x, y, r;
};
// Two pairs of touching disks and two lone ones.
const Disk kDisks[] = {{30, 30, 12},  {52, 30, 12},  {120, 40, 15},
                       {40, 110, 10}, {60, 112, 11}, {130, 120, 14}};

cv::Mat diskProbability(cv::Mat* boundary = nullptr) {
  cv::Mat p = cv::Mat::zeros(160, 170, CV_32F);
  for (const auto& d : kDisks)
    cv::circle(p, {d.x, d.y}, d.r, cv::Scalar(0.95), cv::FILLED);
  if (boundary) {
    *boundary = cv::Mat::zeros(p.size(), CV_32F);
    for (const auto& d : kDisks)
      cv::circle(*boundary, {d.x, d.y}, d.r, cv::Scalar(0.9), 2);
  }
  return p;
}

}  // namespace

class TestAiInstances : public QObject {
  Q_OBJECT
 private slots:
  void probabilityMapSplitsTouchingCells() {
    auto labels = watershedLabels(diskProbability(), nullptr);
    QVERIFY(labels.has_value());
    double mx = 0;
    cv::minMaxLoc(*labels, nullptr, &mx);
    QCOMPARE(static_cast<int>(mx), 6);
    for (const auto& d : kDisks)  // every centre in its own label
      QVERIFY(labels->at<int>(d.y, d.x) > 0);
    QVERIFY(labels->at<int>(30, 30) != labels->at<int>(30, 52));
    QCOMPARE(labels->at<int>(5, 5), 0);
  }

  void boundaryForegroundPair() {
    cv::Mat boundary;
    const cv::Mat fg = diskProbability(&boundary);
    auto labels = watershedLabels(fg, &boundary);
    QVERIFY(labels.has_value());
    double mx = 0;
    cv::minMaxLoc(*labels, nullptr, &mx);
    QCOMPARE(static_cast<int>(mx), 6);
    QVERIFY(labels->at<int>(110, 40) != labels->at<int>(112, 60));
  }

  void cellTableHasCentroidsAreaAndMeans() {
    auto labels = watershedLabels(diskProbability(), nullptr);
    QVERIFY(labels.has_value());
    // Channel 0: 10 × label value everywhere; channel 1: constant 3.
    cv::Mat a(labels->size(), CV_32F), b(labels->size(), CV_32F, cv::Scalar(3));
    labels->convertTo(a, CV_32F, 10.0);
    LabelGeometry g{.originX = 100, .originY = 200, .scale = 2};
    auto t = cellTableFromLabels(*labels, {a, b}, {"DAPI", "CD45"}, g, "test");
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->size(), 6);
    QCOMPARE(t->geneNames, (std::vector<std::string>{"DAPI", "CD45"}));
    auto dapi = t->readGene("DAPI");
    auto cd45 = t->readGene("CD45");
    QVERIFY(dapi && cd45);
    const auto* label = t->column("label");
    const auto* area = t->column("area");
    QVERIFY(label && area);
    for (std::int64_t i = 0; i < t->size(); ++i) {
      QCOMPARE((*dapi)[i], static_cast<float>(10 * label->numbers[i]));
      QCOMPARE((*cd45)[i], 3.f);
    }
    // The lone disk at (120, 40) r 15: centroid and area in level-0 pixels.
    const int id = labels->at<int>(40, 120);
    const auto i = static_cast<std::size_t>(
        std::find(label->numbers.begin(), label->numbers.end(), id) - label->numbers.begin());
    QVERIFY(std::abs(t->x[i] - (100 + 2 * 120.5)) < 1.0);
    QVERIFY(std::abs(t->y[i] - (200 + 2 * 40.5)) < 1.0);
    const double disk = 4 * CV_PI * 15 * 15;
    QVERIFY2(std::abs(area->numbers[i] - disk) < 0.1 * disk,
             std::to_string(area->numbers[i]).c_str());
  }

  void predictionBecomesACellTableFile() {
    // A 2-level source (channels "ch0", "ch1") and a probability map of the disks over the
    // region (40, 20, 170, 160) of its level 1.
    test::MemorySource source(
        data::DType::U16, 600, 500, 2, 2, 64,
        [](int, std::int64_t c, std::int64_t, std::int64_t) { return c == 0 ? 100.0 : 7.0; });
    const cv::Mat prob = diskProbability();
    test::MemorySource prediction(data::DType::F32, prob.cols, prob.rows, 1, 1, 64,
                                  [&](int, std::int64_t, std::int64_t x, std::int64_t y) {
                                    return prob.at<float>(static_cast<int>(y), static_cast<int>(x));
                                  });
    PredictRequest req;
    req.level = 1;
    PredictPlan plan;
    plan.x = 40, plan.y = 20, plan.width = prob.cols, plan.height = prob.rows;
    const auto out = std::filesystem::path(TESSERA_TEST_WORK_DIR) / "ai_segment.h5ad";
    std::filesystem::remove(out);
    auto r = segmentToH5ad(source, req, plan, prediction, {}, out);
    QVERIFY2(r.has_value(), r ? "" : r.error().message.c_str());
    QCOMPARE(r->cells, 6);
    auto t = data::openCells(out.string());
    QVERIFY2(t.has_value(), t ? "" : t.error().message.c_str());
    QCOMPARE(t->size(), 6);
    QCOMPARE(t->geneNames, (std::vector<std::string>{"ch0", "ch1"}));
    auto ch0 = t->readGene("ch0");
    QVERIFY(ch0 && (*ch0)[0] == 100.f);
    QVERIFY(t->hasSpatial() && t->column("area"));
    // Centroids in level-0 pixels: level 1 is half resolution and the region starts at
    // (40, 20), so the lone disk at (120, 40) of the map sits at ((40 + 120.5) * 2, (20 + 40.5) *
    // 2).
    bool found = false;
    for (std::int64_t i = 0; i < t->size(); ++i)
      found |= std::abs(t->x[i] - 321.0) < 2 && std::abs(t->y[i] - 121.0) < 2;
    QVERIFY(found);
  }
};

QTEST_GUILESS_MAIN(TestAiInstances)
#include "tst_ai_instances.moc"
