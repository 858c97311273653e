// The demo's tissue model, expression and pixel synthesis, without any file I/O.
#include <QtTest>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>
#include <vector>

#include "data/demo/demo_expression.h"
#include "data/demo/tissue_model.h"
#include "data/demo/tissue_painter.h"
#include "data/thread_pool.h"

using namespace tessera::data;
using namespace tessera::data::demo;

namespace {

enum Channel { kDapi = 0, kMembrane = 1, kCd45 = 2, kPanck = 3 };

/// Mean of channel `c` over the 3x3 pixels around (x, y).
double sampleAt(const TissueModel& m, double x, double y, int c) {
  std::vector<std::uint16_t> px(kDemoChannels * 9);
  paintBlock(m, int(x) - 1, int(y) - 1, 3, 3, px);
  return std::accumulate(px.begin() + c * 9, px.begin() + (c + 1) * 9, 0.0) / 9.0;
}

bool insidePolygon(const std::array<float, 32>& poly, double x, double y) {
  bool in = false;
  for (int i = 0, j = 15; i < 16; j = i++) {
    const double xi = poly[2 * i], yi = poly[2 * i + 1], xj = poly[2 * j], yj = poly[2 * j + 1];
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
  }
  return in;
}

}  // namespace

class TestDemoModel : public QObject {
  Q_OBJECT
  std::unique_ptr<TissueModel> model_;
  ExpressionMatrix expr_;

  double meanGene(const std::string& gene, bool (*select)(CellType)) const {
    const int g = expr_.geneIndex(gene);
    double sum = 0;
    int n = 0;
    for (std::int64_t i = 0; i < expr_.rows; ++i) {
      if (!select(model_->cells()[i].type)) continue;
      ++n;
      for (auto k = expr_.indptr[i]; k < expr_.indptr[i + 1]; ++k)
        if (expr_.indices[k] == g) sum += expr_.data[k];
    }
    return n ? sum / n : 0;
  }

 private slots:
  void initTestCase() {
    model_ = std::make_unique<TissueModel>(TissueModel::build({}));
    ThreadPool pool(2);
    expr_ = simulateExpression(*model_, &pool);
  }

  void buildsSixtyThousandCellsAndAFullGenePanel() {
    QVERIFY(model_->cells().size() >= 50000);
    QVERIFY(expr_.genes.size() >= 200);
    QCOMPARE(expr_.rows, std::int64_t(model_->cells().size()));
    const double zeros =
        1.0 - double(expr_.data.size()) / (double(expr_.rows) * expr_.genes.size());
    QVERIFY2(zeros > 0.6 && zeros < 0.85, qPrintable(QString::number(zeros)));
    std::array<int, kCellTypeCount> perType{};
    for (const Cell& c : model_->cells())
      ++perType[int(c.type)];
    for (int t = 0; t < kCellTypeCount; ++t)
      QVERIFY2(perType[t] >= 200, cellTypeName(CellType(t)));
  }

  void isDeterministicAcrossRunsAndThreads() {
    const TissueModel again = TissueModel::build({});
    QCOMPARE(again.cells().size(), model_->cells().size());
    for (std::size_t i = 0; i < again.cells().size(); ++i) {
      const Cell &a = again.cells()[i], &b = model_->cells()[i];
      QVERIFY(a.x == b.x && a.y == b.y && a.type == b.type && a.cd45 == b.cd45 && a.nucA == b.nucA);
      QVERIFY(std::memcmp(a.outline.data(), b.outline.data(), sizeof a.outline) == 0);
    }
    const ExpressionMatrix serial = simulateExpression(again);
    QVERIFY(serial.indptr == expr_.indptr);
    QVERIFY(serial.indices == expr_.indices);
    QVERIFY(serial.data == expr_.data);
    const auto& f = model_->follicles().front();
    const int x0 = int(f.x) / 512 * 512, y0 = int(f.y) / 512 * 512;
    std::vector<std::uint16_t> a(kDemoChannels * 512 * 512), b(a.size());
    paintBlock(*model_, x0, y0, 512, 512, a);
    paintBlock(again, x0, y0, 512, 512, b);
    QVERIFY(a == b);
    // A block painted in pieces equals the block painted at once.
    std::vector<std::uint16_t> piece(kDemoChannels * 512 * 256);
    paintBlock(again, x0, y0 + 256, 512, 256, piece);
    for (int c = 0; c < kDemoChannels; ++c)
      QVERIFY(std::equal(piece.begin() + c * 512 * 256, piece.begin() + (c + 1) * 512 * 256,
                         a.begin() + c * 512 * 512 + 256 * 512));
  }

  void markerGenesFollowClusters() {
    const double ptprcImmune = meanGene("PTPRC", isImmune);
    const double ptprcOther = meanGene("PTPRC", [](CellType t) { return !isImmune(t); });
    QVERIFY2(ptprcImmune > 20 * std::max(ptprcOther, 0.01),
             qPrintable(QString::number(ptprcImmune)));
    for (const char* gene : {"KRT8", "KRT18", "EPCAM"})
      QVERIFY(meanGene(gene, isEpithelial) >
              10 * meanGene(gene, [](CellType t) { return !isEpithelial(t); }));
    QVERIFY(meanGene("MS4A1", [](CellType t) { return t == CellType::BCell; }) >
            10 * meanGene("MS4A1", [](CellType t) { return t == CellType::Fibroblast; }));
  }

  void markerChannelsFollowCellTypes() {
    // Mean channel intensity over pixels owned by immune vs epithelial cells, in blocks around
    // a follicle and a few glands.
    std::vector<std::pair<int, int>> blocks = {
        {int(model_->follicles()[0].x), int(model_->follicles()[0].y)}};
    for (int g = 0; g < 3; ++g)
      blocks.emplace_back(int(model_->glands()[g].x + model_->glands()[g].radius),
                          int(model_->glands()[g].y));
    double sum[2][kDemoChannels] = {}, n[2] = {};
    std::vector<std::uint16_t> px(kDemoChannels * 256 * 256);
    for (auto [bx, by] : blocks) {
      const int x0 = bx - 128, y0 = by - 128;
      paintBlock(*model_, x0, y0, 256, 256, px);
      for (int y = 0; y < 256; ++y)
        for (int x = 0; x < 256; ++x) {
          const int owner = model_->ownerAt(x0 + x + 0.5, y0 + y + 0.5);
          if (owner < 0) continue;
          const CellType t = model_->cells()[owner].type;
          const int group = isImmune(t) ? 0 : (t == CellType::Epithelial ? 1 : -1);
          if (group < 0) continue;
          ++n[group];
          for (int c = 0; c < kDemoChannels; ++c)
            sum[group][c] += px[(c * 256 + y) * 256 + x];
        }
    }
    QVERIFY(n[0] > 1000 && n[1] > 1000);
    const double cd45Immune = sum[0][kCd45] / n[0], cd45Epi = sum[1][kCd45] / n[1];
    const double panckImmune = sum[0][kPanck] / n[0], panckEpi = sum[1][kPanck] / n[1];
    QVERIFY2(cd45Immune > 4 * cd45Epi,
             qPrintable(QString("%1 vs %2").arg(cd45Immune).arg(cd45Epi)));
    QVERIFY2(panckEpi > 4 * panckImmune,
             qPrintable(QString("%1 vs %2").arg(panckEpi).arg(panckImmune)));
  }

  void outlinesContainCentroidsAndMatchPixels() {
    int owned = 0;
    for (std::size_t i = 0; i < model_->cells().size(); ++i) {
      const Cell& c = model_->cells()[i];
      QVERIFY(insidePolygon(c.outline, c.cx, c.cy));
      QVERIFY(c.area > 10);
      if (model_->ownerAt(c.cx, c.cy) == int(i)) ++owned;
    }
    QCOMPARE(owned, int(model_->cells().size()));
  }

  void nucleiSitAtCentroids() {
    int bright = 0, n = 0;
    for (std::size_t i = 0; i < model_->cells().size(); i += 97, ++n) {
      const Cell& c = model_->cells()[i];
      bright += sampleAt(*model_, c.cx, c.cy, kDapi) > 2000 ? 1 : 0;
    }
    QVERIFY2(bright > 0.97 * n, qPrintable(QString("%1 of %2").arg(bright).arg(n)));
  }

  void membraneIsBrightOnOutlineVertices() {
    int brighter = 0, n = 0;
    for (std::size_t i = 0; i < model_->cells().size(); i += 131, ++n) {
      const Cell& c = model_->cells()[i];
      double edge = 0, inner = 0;
      for (int k = 0; k < 16; k += 4) {
        const double vx = c.outline[2 * k], vy = c.outline[2 * k + 1];
        edge += sampleAt(*model_, vx, vy, kMembrane);
        inner += sampleAt(*model_, 0.5 * (vx + c.x), 0.5 * (vy + c.y), kMembrane);
      }
      brighter += edge > 1.5 * inner ? 1 : 0;
    }
    QVERIFY2(brighter > 0.9 * n, qPrintable(QString("%1 of %2").arg(brighter).arg(n)));
  }
};

QTEST_GUILESS_MAIN(TestDemoModel)
#include "tst_demo_model.moc"
