#pragma once
/// Cell classifiers trained from a few labelled cells: OpenCV ML random trees (cv::ml::RTrees,
/// as QuPath's object classifiers) over per-cell features (per-channel intensities, morphology
/// and, when a table is paired, selected genes), applied to every cell with a confidence (the
/// share of trees voting for the chosen class).
///
/// Features are standardised (mean 0, sd 1 over all cells) before training so that saved
/// classifiers carry the scaling with them. Labels are class indices, -1 = unlabelled.
/// evaluate() holds out every `holdOutEvery`-th labelled cell of each class, trains on the rest
/// and returns the confusion matrix on the held-out cells.
///
/// A trained classifier is immutable and thread-safe to apply; train() blocks (run it on a job
/// thread) and is deterministic (it reseeds the calling thread's cv::theRNG()). save/load use
/// OpenCV's own YAML/XML (cv::FileStorage), with the class and feature names beside the trees.
/// Errors: Errc::InvalidArgument for too few labelled classes or mismatched feature sets (naming
/// the missing feature), Errc::Io/Corrupt for files.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "data/cells/cell_table.h"
#include "data/error.h"

namespace cv::ml {
class RTrees;
}

namespace tessera::data::ai {

/// n_cells × n_features, CV_32F, one named column per feature.
struct CellFeatures {
  std::vector<std::string> names;
  cv::Mat values;
};

/// Builds features from named per-cell columns (each n_cells long).
Expected<CellFeatures> makeCellFeatures(
    const std::vector<std::pair<std::string, std::vector<float>>>& columns);

/// The numeric obs columns `obs` and genes `genes` of a table as features (reads genes through
/// the table's GeneSource: call from a thread that source allows).
Expected<CellFeatures> cellFeatures(const CellTable& table, const std::vector<std::string>& genes,
                                    const std::vector<std::string>& obs);

struct ClassifierOptions {
  int trees = 100;
  int maxDepth = 12;
  int minSampleCount = 2;
};

struct CellPrediction {
  std::vector<std::int32_t> classes;  ///< index into classNames per cell
  std::vector<float> confidence;      ///< 0..1 per cell
};

struct Confusion {
  std::vector<std::string> classNames;
  cv::Mat counts;  ///< CV_32S, rows = true class, cols = predicted class
  double accuracy() const;
};

class CellClassifier {
 public:
  static Expected<std::shared_ptr<const CellClassifier>> train(
      const CellFeatures& features, const std::vector<std::int32_t>& labels,
      const std::vector<std::string>& classNames, const ClassifierOptions& options = {});
  static Expected<std::shared_ptr<const CellClassifier>> load(const std::filesystem::path& file);

  Expected<CellPrediction> predict(const CellFeatures& features) const;
  Expected<void> save(const std::filesystem::path& file) const;

  const std::vector<std::string>& classNames() const { return classNames_; }
  const std::vector<std::string>& featureNames() const { return featureNames_; }

  /// The prediction as obs columns: `name` (categorical) and `name + "_confidence"`.
  std::vector<CellColumn> toObsColumns(const CellPrediction& p, const std::string& name) const;

  ~CellClassifier();

 private:
  CellClassifier() = default;
  Expected<cv::Mat> standardised(const CellFeatures& f) const;
  std::vector<std::string> classNames_, featureNames_;
  std::vector<float> mean_, sd_;
  cv::Ptr<cv::ml::RTrees> trees_;
};

/// A prediction as obs columns: `name` (categorical over `classNames`) and
/// `name + "_confidence"` (numeric).
std::vector<CellColumn> predictionColumns(const CellPrediction& p,
                                          const std::vector<std::string>& classNames,
                                          const std::string& name);

Expected<Confusion> evaluateClassifier(const CellFeatures& features,
                                       const std::vector<std::int32_t>& labels,
                                       const std::vector<std::string>& classNames,
                                       int holdOutEvery = 4, const ClassifierOptions& options = {});

/// k-fold cross-validation over the labelled cells: fold f holds out each class's labelled cells
/// whose rank within the class is f modulo `folds`, trains on the rest, and the held-out
/// predictions of every fold add up to one confusion matrix (each labelled cell counted once).
/// Folds whose training set lacks two classes are skipped. Blocking; errors as train().
Expected<Confusion> crossValidateClassifier(const CellFeatures& features,
                                            const std::vector<std::int32_t>& labels,
                                            const std::vector<std::string>& classNames,
                                            int folds = 4, const ClassifierOptions& options = {});

}  // namespace tessera::data::ai
