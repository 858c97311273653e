// Cell classifiers (data/ai/cell_classifier): random trees trained on a few labelled demo cells
// must recover the demo's true cell types, which its generator knows.
#include <QtTest>

#include <filesystem>

#include "data/ai/cell_classifier.h"
#include "data/demo/demo_expression.h"
#include "data/demo/tissue_model.h"
#include "data/thread_pool.h"

namespace fs = std::filesystem;
using namespace tessera;
using namespace tessera::data::ai;
namespace demo = tessera::data::demo;

class TestAiClassifier : public QObject {
  Q_OBJECT
  CellFeatures features_;
  std::vector<std::int32_t> truth_;
  std::vector<std::string> classes_;

  // A few labelled cells per class (the first `perClass` of each type in cell order), the
  // rest unlabelled, as a user clicking some cells of each kind would give.
  std::vector<std::int32_t> fewLabels(int perClass) const {
    std::vector<std::int32_t> labels(truth_.size(), -1);
    std::vector<int> count(classes_.size(), 0);
    for (std::size_t i = 0; i < truth_.size(); ++i)
      if (count[static_cast<std::size_t>(truth_[i])]++ < perClass) labels[i] = truth_[i];
    return labels;
  }

 private slots:
  void initTestCase() {
    demo::DemoConfig config;  // the demo's generator, on a 2048² section
    config.width = config.height = 2048;
    const auto model = demo::TissueModel::build(config);
    data::ThreadPool pool(2);
    const auto expr = demo::simulateExpression(model, &pool);
    const auto& cells = model.cells();
    QVERIFY(cells.size() > 1000);
    for (int t = 0; t < demo::kCellTypeCount; ++t)
      classes_.push_back(demo::cellTypeName(static_cast<demo::CellType>(t)));
    // Features: the per-cell marker intensities the demo paints into its channels, the cell
    // area, and a few selected genes of the paired table.
    std::vector<std::pair<std::string, std::vector<float>>> cols = {
        {"DAPI", {}}, {"Na-K-ATPase", {}}, {"CD45", {}}, {"PanCK", {}}, {"area", {}}};
    for (const auto& c : cells) {
      cols[0].second.push_back(c.dapi);
      cols[1].second.push_back(c.membrane);
      cols[2].second.push_back(c.cd45);
      cols[3].second.push_back(c.panck);
      cols[4].second.push_back(c.area);
      truth_.push_back(static_cast<std::int32_t>(c.type));
    }
    for (const char* gene : {"CD3E", "MS4A1", "CD68", "COL1A1", "PECAM1", "ACTA2", "KRT5"}) {
      const int g = expr.geneIndex(gene);
      QVERIFY(g >= 0);
      std::vector<float> v(cells.size(), 0.f);
      for (std::int64_t r = 0; r < expr.rows; ++r)
        for (auto k = expr.indptr[r]; k < expr.indptr[r + 1]; ++k)
          if (expr.indices[k] == g) v[static_cast<std::size_t>(r)] = std::log1p(expr.data[k]);
      cols.emplace_back(gene, std::move(v));
    }
    auto f = makeCellFeatures(cols);
    QVERIFY(f.has_value());
    features_ = std::move(*f);
  }

  void fewLabelsRecoverTheDemosCellTypes() {
    // 15 labelled cells per type (120 of several thousand); accuracy over all cells >= 80 %.
    auto clf = CellClassifier::train(features_, fewLabels(15), classes_);
    QVERIFY2(clf.has_value(), clf ? "" : clf.error().message.c_str());
    auto p = (*clf)->predict(features_);
    QVERIFY(p.has_value());
    std::size_t right = 0;
    for (std::size_t i = 0; i < truth_.size(); ++i)
      right += p->classes[i] == truth_[i];
    const double accuracy = static_cast<double>(right) / static_cast<double>(truth_.size());
    qInfo("accuracy on %zu demo cells from 15 labels per type: %.3f", truth_.size(), accuracy);
    QVERIFY2(accuracy >= 0.80, std::to_string(accuracy).c_str());
    for (float c : p->confidence)
      QVERIFY(c > 0.f && c <= 1.f);
    const auto cols = (*clf)->toObsColumns(*p, "classifier");
    QCOMPARE(cols[0].kind, data::CellColumnKind::Categorical);
    QCOMPARE(cols[0].categories, classes_);
    QCOMPARE(cols[1].name, std::string("classifier_confidence"));
  }

  void moreLabelsDoNotMakeItWorse() {
    // Live retraining: adding labels and training again keeps (or improves) the agreement.
    auto few = CellClassifier::train(features_, fewLabels(5), classes_);
    auto more = CellClassifier::train(features_, fewLabels(40), classes_);
    QVERIFY(few && more);
    auto score = [&](const CellClassifier& c) {
      auto p = c.predict(features_);
      std::size_t right = 0;
      for (std::size_t i = 0; i < truth_.size(); ++i)
        right += p->classes[i] == truth_[i];
      return static_cast<double>(right) / static_cast<double>(truth_.size());
    };
    QVERIFY(score(**more) + 0.02 >= score(**few));
  }

  void heldOutConfusionMatrix() {
    auto m = evaluateClassifier(features_, fewLabels(20), classes_, 4);
    QVERIFY2(m.has_value(), m ? "" : m.error().message.c_str());
    QCOMPARE(m->counts.rows, static_cast<int>(classes_.size()));
    // Every 4th labelled cell of each class is held out (rare types have fewer than 20).
    const auto labels = fewLabels(20);
    std::vector<int> perClass(classes_.size(), 0);
    for (auto l : labels)
      if (l >= 0) ++perClass[static_cast<std::size_t>(l)];
    int heldOut = 0;
    for (int n : perClass)
      heldOut += n / 4;
    QCOMPARE(static_cast<int>(cv::sum(m->counts)[0]), heldOut);
    QVERIFY2(m->accuracy() >= 0.7, std::to_string(m->accuracy()).c_str());
  }

  void savesAndLoadsAsOpenCvYaml() {
    auto clf = CellClassifier::train(features_, fewLabels(15), classes_);
    QVERIFY(clf.has_value());
    const fs::path file = fs::path(TESSERA_TEST_WORK_DIR) / "ai_classifier.yaml";
    fs::remove(file);
    QVERIFY((*clf)->save(file).has_value());
    auto back = CellClassifier::load(file);
    QVERIFY2(back.has_value(), back ? "" : back.error().message.c_str());
    QCOMPARE((*back)->classNames(), classes_);
    QCOMPARE((*back)->featureNames(), features_.names);
    const auto a = (*clf)->predict(features_), b = (*back)->predict(features_);
    QVERIFY(a->classes == b->classes);
  }

  void needsTwoClassesAndTheSameFeatures() {
    std::vector<std::int32_t> one(truth_.size(), -1);
    one[0] = 0;
    one[1] = 0;
    auto c = CellClassifier::train(features_, one, classes_);
    QVERIFY(!c && c.error().message.find("at least two classes") != std::string::npos);
    auto clf = CellClassifier::train(features_, fewLabels(5), classes_);
    CellFeatures fewer = features_;
    fewer.names.pop_back();
    fewer.values = fewer.values.colRange(0, fewer.values.cols - 1).clone();
    auto p = (*clf)->predict(fewer);
    QVERIFY(!p && p.error().message.find("lack the feature KRT5") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestAiClassifier)
#include "tst_ai_classifier.moc"
