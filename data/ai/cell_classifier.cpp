#include "data/ai/cell_classifier.h"

#include <opencv2/ml.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace tessera::data::ai {

Expected<CellFeatures> makeCellFeatures(
    const std::vector<std::pair<std::string, std::vector<float>>>& columns) {
  if (columns.empty()) return fail(Errc::InvalidArgument, "classifier: no features chosen");
  const auto n = columns[0].second.size();
  CellFeatures f;
  f.values = cv::Mat(static_cast<int>(n), static_cast<int>(columns.size()), CV_32F);
  for (std::size_t j = 0; j < columns.size(); ++j) {
    if (columns[j].second.size() != n)
      return fail(Errc::InvalidArgument,
                  "classifier: feature " + columns[j].first + " has a different cell count");
    f.names.push_back(columns[j].first);
    for (std::size_t i = 0; i < n; ++i) {
      const float v = columns[j].second[i];
      f.values.at<float>(static_cast<int>(i), static_cast<int>(j)) = std::isfinite(v) ? v : 0.f;
    }
  }
  return f;
}

Expected<CellFeatures> cellFeatures(const CellTable& table, const std::vector<std::string>& genes,
                                    const std::vector<std::string>& obs) {
  std::vector<std::pair<std::string, std::vector<float>>> cols;
  for (const auto& name : obs) {
    const CellColumn* c = table.column(name);
    if (!c || c->kind == CellColumnKind::Categorical || c->kind == CellColumnKind::String)
      return fail(Errc::InvalidArgument,
                  table.location + ": " + name + " is not a numeric obs column");
    cols.emplace_back(name, std::vector<float>(c->numbers.begin(), c->numbers.end()));
  }
  for (const auto& g : genes) {
    auto v = table.readGene(g);
    if (!v) return std::unexpected(v.error());
    cols.emplace_back(g, std::move(*v));
  }
  return makeCellFeatures(cols);
}

double Confusion::accuracy() const {
  if (counts.empty()) return 0;
  const double total = cv::sum(counts)[0];
  return total > 0 ? cv::trace(counts)[0] / total : 0;
}

CellClassifier::~CellClassifier() = default;

Expected<cv::Mat> CellClassifier::standardised(const CellFeatures& f) const {
  if (f.names != featureNames_) {
    for (const auto& n : featureNames_)
      if (std::find(f.names.begin(), f.names.end(), n) == f.names.end())
        return fail(Errc::InvalidArgument,
                    "classifier: the cells lack the feature " + n + " it was trained on");
    return fail(Errc::InvalidArgument, "classifier: the features are in another order");
  }
  cv::Mat out = f.values.clone();
  for (int j = 0; j < out.cols; ++j)
    out.col(j) =
        (out.col(j) - mean_[static_cast<std::size_t>(j)]) / sd_[static_cast<std::size_t>(j)];
  return out;
}

Expected<std::shared_ptr<const CellClassifier>> CellClassifier::train(
    const CellFeatures& f, const std::vector<std::int32_t>& labels,
    const std::vector<std::string>& classNames, const ClassifierOptions& o) {
  if (labels.size() != static_cast<std::size_t>(f.values.rows))
    return fail(Errc::InvalidArgument, "classifier: one label per cell is needed");
  std::vector<int> rows;
  std::map<int, int> perClass;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) {
      if (labels[i] >= static_cast<int>(classNames.size()))
        return fail(Errc::InvalidArgument, "classifier: a label has no class name");
      rows.push_back(static_cast<int>(i));
      ++perClass[labels[i]];
    }
  if (perClass.size() < 2)
    return fail(Errc::InvalidArgument,
                "classifier: label cells of at least two classes to train (" +
                    std::to_string(perClass.size()) + " labelled so far)");
  auto c = std::shared_ptr<CellClassifier>(new CellClassifier());
  c->classNames_ = classNames;
  c->featureNames_ = f.names;
  for (int j = 0; j < f.values.cols; ++j) {
    cv::Scalar m, s;
    cv::meanStdDev(f.values.col(j), m, s);
    c->mean_.push_back(static_cast<float>(m[0]));
    c->sd_.push_back(s[0] > 1e-12 ? static_cast<float>(s[0]) : 1.f);
  }
  auto all = c->standardised(f);
  if (!all) return std::unexpected(all.error());
  cv::Mat samples(static_cast<int>(rows.size()), f.values.cols, CV_32F);
  cv::Mat responses(static_cast<int>(rows.size()), 1, CV_32S);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    all->row(rows[k]).copyTo(samples.row(static_cast<int>(k)));
    responses.at<int>(static_cast<int>(k)) = labels[static_cast<std::size_t>(rows[k])];
  }
  try {
    // The trees draw their bootstrap samples and split candidates from the calling thread's
    // cv::theRNG(): seeded, the same labels train the same trees, so a session reopened (and
    // trained again from its labels) predicts the classes it showed when saved.
    cv::theRNG() = cv::RNG(0x7e55e7a);
    c->trees_ = cv::ml::RTrees::create();
    c->trees_->setMaxDepth(o.maxDepth);
    c->trees_->setMinSampleCount(o.minSampleCount);
    c->trees_->setCalculateVarImportance(false);
    c->trees_->setTermCriteria(cv::TermCriteria(cv::TermCriteria::MAX_ITER, o.trees, 0));
    if (!c->trees_->train(cv::ml::TrainData::create(samples, cv::ml::ROW_SAMPLE, responses)))
      return fail(Errc::InvalidArgument, "classifier: OpenCV could not train on these labels");
  } catch (const cv::Exception& e) {
    return fail(Errc::InvalidArgument, std::string("classifier: training failed: ") + e.err);
  }
  return std::shared_ptr<const CellClassifier>(c);
}

Expected<CellPrediction> CellClassifier::predict(const CellFeatures& f) const {
  auto x = standardised(f);
  if (!x) return std::unexpected(x.error());
  cv::Mat votes;
  try {
    trees_->getVotes(*x, votes, 0);
  } catch (const cv::Exception& e) {
    return fail(Errc::InvalidArgument, std::string("classifier: prediction failed: ") + e.err);
  }
  CellPrediction p;
  const int n = x->rows;
  p.classes.resize(static_cast<std::size_t>(n));
  p.confidence.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int* v = votes.ptr<int>(i + 1);
    int best = 0, total = 0;
    for (int k = 0; k < votes.cols; ++k) {
      total += v[k];
      if (v[k] > v[best]) best = k;
    }
    p.classes[static_cast<std::size_t>(i)] = votes.ptr<int>(0)[best];
    p.confidence[static_cast<std::size_t>(i)] =
        total > 0 ? static_cast<float>(v[best]) / static_cast<float>(total) : 0.f;
  }
  return p;
}

std::vector<CellColumn> CellClassifier::toObsColumns(const CellPrediction& p,
                                                     const std::string& name) const {
  return predictionColumns(p, classNames_, name);
}

std::vector<CellColumn> predictionColumns(const CellPrediction& p,
                                          const std::vector<std::string>& classNames,
                                          const std::string& name) {
  CellColumn cls;
  cls.name = name;
  cls.kind = CellColumnKind::Categorical;
  cls.categories = classNames;
  cls.codes = p.classes;
  CellColumn conf;
  conf.name = name + "_confidence";
  conf.kind = CellColumnKind::Numeric;
  conf.numbers.assign(p.confidence.begin(), p.confidence.end());
  return {std::move(cls), std::move(conf)};
}

Expected<void> CellClassifier::save(const std::filesystem::path& file) const {
  try {
    cv::FileStorage fs(file.string(), cv::FileStorage::WRITE);
    if (!fs.isOpened()) return fail(Errc::Io, file.string() + ": cannot write");
    fs << "tessera_classes" << classNames_;
    fs << "tessera_features" << featureNames_;
    fs << "tessera_mean" << mean_;
    fs << "tessera_sd" << sd_;
    fs << "trees"
       << "{";
    trees_->write(fs);
    fs << "}";
  } catch (const cv::Exception& e) {
    return fail(Errc::Io, file.string() + ": " + e.err);
  }
  return {};
}

Expected<std::shared_ptr<const CellClassifier>> CellClassifier::load(
    const std::filesystem::path& file) {
  auto c = std::shared_ptr<CellClassifier>(new CellClassifier());
  try {
    cv::FileStorage fs(file.string(), cv::FileStorage::READ);
    if (!fs.isOpened()) return fail(Errc::NotFound, file.string() + ": cannot open");
    fs["tessera_classes"] >> c->classNames_;
    fs["tessera_features"] >> c->featureNames_;
    fs["tessera_mean"] >> c->mean_;
    fs["tessera_sd"] >> c->sd_;
    c->trees_ = cv::ml::RTrees::create();
    c->trees_->read(fs["trees"]);
  } catch (const cv::Exception& e) {
    return fail(Errc::Corrupt, file.string() + ": not a Tessera classifier (" + e.err + ")");
  }
  if (c->classNames_.empty() || c->featureNames_.empty() ||
      c->mean_.size() != c->featureNames_.size() || c->sd_.size() != c->featureNames_.size() ||
      !c->trees_->isTrained())
    return fail(Errc::Corrupt, file.string() + ": not a Tessera classifier");
  return std::shared_ptr<const CellClassifier>(c);
}

Expected<Confusion> evaluateClassifier(const CellFeatures& f,
                                       const std::vector<std::int32_t>& labels,
                                       const std::vector<std::string>& classNames, int holdOutEvery,
                                       const ClassifierOptions& o) {
  std::vector<std::int32_t> train = labels;
  std::vector<int> heldOut;
  std::map<int, int> seen;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) continue;
    if (++seen[labels[i]] % std::max(2, holdOutEvery) == 0) {
      train[i] = -1;
      heldOut.push_back(static_cast<int>(i));
    }
  }
  if (heldOut.empty())
    return fail(Errc::InvalidArgument, "classifier: too few labelled cells to hold some out");
  auto c = CellClassifier::train(f, train, classNames, o);
  if (!c) return std::unexpected(c.error());
  auto p = (*c)->predict(f);
  if (!p) return std::unexpected(p.error());
  Confusion m;
  m.classNames = classNames;
  const int k = static_cast<int>(classNames.size());
  m.counts = cv::Mat::zeros(k, k, CV_32S);
  for (int i : heldOut)
    ++m.counts.at<int>(labels[static_cast<std::size_t>(i)],
                       p->classes[static_cast<std::size_t>(i)]);
  return m;
}

Expected<Confusion> crossValidateClassifier(const CellFeatures& f,
                                            const std::vector<std::int32_t>& labels,
                                            const std::vector<std::string>& classNames, int folds,
                                            const ClassifierOptions& o) {
  folds = std::max(2, folds);
  std::vector<int> fold(labels.size(), -1);
  std::map<int, int> seen;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= 0) fold[i] = seen[labels[i]]++ % folds;
  Confusion m;
  m.classNames = classNames;
  const int k = static_cast<int>(classNames.size());
  m.counts = cv::Mat::zeros(k, k, CV_32S);
  int used = 0;
  for (int fi = 0; fi < folds; ++fi) {
    std::vector<std::int32_t> train = labels;
    std::set<int> classes;
    bool any = false;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (fold[i] == fi) {
        train[i] = -1;
        any = true;
      } else if (train[i] >= 0) {
        classes.insert(train[i]);
      }
    }
    if (!any || classes.size() < 2) continue;
    auto c = CellClassifier::train(f, train, classNames, o);
    if (!c) return std::unexpected(c.error());
    auto p = (*c)->predict(f);
    if (!p) return std::unexpected(p.error());
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (fold[i] == fi) ++m.counts.at<int>(labels[i], p->classes[i]);
    ++used;
  }
  if (used == 0)
    return fail(Errc::InvalidArgument,
                "classifier: too few labelled cells to cross-validate (two per class at least)");
  return m;
}

}  // namespace tessera::data::ai
