// A prediction wider than 4096 px is written with coarser levels: each the 2×2 mean of the one
// before (an odd edge averaging the pixels there are), down to 512 px, each with twice the
// pixel size; level 0 stays the prediction itself.
#include <QProcess>
#include <QtTest>
#include <filesystem>

#include "data/ai/model_open.h"
#include "data/ai/prediction_output.h"
#include "data/ai/tiled_predict.h"
#include "data/image_open.h"
#include "data/thread_pool.h"
#include "tests/support/memory_source.h"

using namespace tessera;

namespace {
const QString kWork = QStringLiteral(TESSERA_TEST_WORK_DIR "/prediction_pyramid");

cv::Mat level(const data::TileSource& s, int l, std::int64_t w, std::int64_t h) {
  auto p = data::ai::readWindow(s, l, 0, 0, {0}, 0, 0, w, h);
  return p ? (*p)[0] : cv::Mat();
}
}  // namespace

class PredictionPyramidTest : public QObject {
  Q_OBJECT
 private slots:
  void largePredictionGetsMeanLevels() {
    QDir(kWork).removeRecursively();
    QDir().mkpath(kWork);
    QProcess py;
    py.start(TESSERA_PYTHON,
             {QString(TESSERA_SOURCE_DIR) + "/tests/app/make_nuclei_fixture.py", kWork});
    QVERIFY(py.waitForFinished(120000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    auto model = data::ai::openModel((kWork + "/nuclei.onnx").toStdString());
    QVERIFY(model);
    // 4301 x 301: odd sides, so every level has an odd edge.
    test::MemorySource image(data::DType::U16, 4301, 301, 1, 1, 512,
                             [](int, std::int64_t, std::int64_t x, std::int64_t y) {
                               return ((x / 7 + y / 5) % 3) * 400.0 + 100;
                             });
    data::ai::OnnxNetPool nets(model->spec);
    data::ThreadPool pool(2);
    const auto out = (kWork + "/large.ome.zarr").toStdString();
    auto r = data::ai::predictToFile(image, nets, {}, out, &pool);
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    auto opened = data::openImage(out);
    QVERIFY(opened);
    const auto& info = (*opened)->info();
    // 4301 -> 2151 -> 1076 -> 538 -> 269.
    QCOMPARE(info.levels.size(), 5u);
    QCOMPARE(info.levels[1].shape[data::kX], 2151);
    QCOMPARE(info.levels[1].shape[data::kY], 151);
    QCOMPARE(info.levels[4].shape[data::kX], 269);
    QCOMPARE(info.levels[1].scale[data::kX], 2 * info.levels[0].scale[data::kX]);
    for (int l = 0; l + 1 < 3; ++l) {
      const auto& a = info.levels[static_cast<std::size_t>(l)];
      const auto& b = info.levels[static_cast<std::size_t>(l + 1)];
      const cv::Mat fine = level(**opened, l, a.shape[data::kX], a.shape[data::kY]);
      const cv::Mat coarse = level(**opened, l + 1, b.shape[data::kX], b.shape[data::kY]);
      QVERIFY(!fine.empty() && !coarse.empty());
      for (int y = 0; y < coarse.rows; ++y)
        for (int x = 0; x < coarse.cols; ++x) {
          double sum = 0;
          int n = 0;
          for (int dy = 0; dy < 2; ++dy)
            for (int dx = 0; dx < 2; ++dx) {
              const int fy = std::min(2 * y + dy, fine.rows - 1);
              const int fx = std::min(2 * x + dx, fine.cols - 1);
              sum += fine.at<float>(fy, fx);
              ++n;
            }
          QVERIFY2(std::abs(coarse.at<float>(y, x) - sum / n) < 1e-5,
                   qPrintable(QString("level %1 at %2,%3").arg(l + 1).arg(x).arg(y)));
        }
    }
  }
};

QTEST_GUILESS_MAIN(PredictionPyramidTest)
#include "tst_prediction_pyramid.moc"
