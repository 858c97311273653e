#pragma once
/// Cell classifiers trained in the window (the Cell Classifier dock, widgets::ClassifierPanel).
///
/// - Labels: the user labels the selected cells as a named class, or takes the classes of the
///   annotations (cells inside a classified area, the cell nearest a classified point). Labels
///   belong to the linked table shown; another table clears them.
/// - Features: the table's numeric obs columns (area, ... but not `label` ids or the
///   classifier's own columns) and its genes, all of them up to 64 (a segmentation's table holds
///   the per-channel mean intensities as its genes), else the genes the Expression profile
///   shows; genes come from the table's expression engine.
/// - Training (OpenCV random trees, data::ai::CellClassifier) runs on the job pool; with Live,
///   every label change retrains (changes during a run start one more run after it). The result
///   is the obs column `classifier` (categorical, the predicted class) and
///   `classifier_confidence`, added to the shown table, which is coloured by it; the panel shows
///   the 4-fold cross-validated confusion matrix of the labelled cells.
/// GUI thread only.
#include <QObject>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/ai/cell_classifier.h"

class QDockWidget;

namespace tessera::widgets {
class ClassifierPanel;
}

namespace tessera::app {

struct AppContext;
struct CellsData;
class MainWindow;

class ClassifierController : public QObject {
  Q_OBJECT
 public:
  ClassifierController(MainWindow& window, AppContext& ctx);
  ~ClassifierController() override;
  QDockWidget* dock() const { return dock_; }
  widgets::ClassifierPanel* panel() const { return panel_; }

  /// Labels `cells` (rows of the shown table) as `className`, added when new.
  void labelCells(const std::vector<std::uint32_t>& cells, const QString& className);
  /// Labels from the window's annotations that have a class; returns the cells labelled.
  int labelFromAnnotations();
  void clearLabels();
  /// Trains in the background (needs two classes with labelled cells).
  void train();

  const std::vector<std::int32_t>& labels() const { return labels_; }
  const QStringList& classNames() const { return classes_; }
  std::shared_ptr<const data::ai::CellClassifier> classifier() const { return classifier_; }
  const data::ai::Confusion& confusion() const { return confusion_; }

 signals:
  /// The prediction is in the table (column `classifier`) and the cells are coloured by it.
  void trained();
  void trainingFailed(const QString& message);

 private:
  struct Result;
  void onLoaded();
  void labelsChanged();
  void refreshPanel();
  void startTraining(std::shared_ptr<const data::ai::CellFeatures> features);
  void apply(const Result& r);
  void save();

  MainWindow& w_;
  AppContext& ctx_;
  QDockWidget* dock_ = nullptr;
  widgets::ClassifierPanel* panel_ = nullptr;
  std::shared_ptr<const CellsData> base_;  ///< the table labels_ refer to, as loaded
  std::shared_ptr<const CellsData> own_;   ///< base_ with the prediction columns, when set
  std::shared_ptr<const data::ai::CellFeatures> features_;
  std::vector<std::int32_t> labels_;
  QStringList classes_;
  std::shared_ptr<const data::ai::CellClassifier> classifier_;
  data::ai::Confusion confusion_;
  bool training_ = false;
  bool again_ = false;
};

}  // namespace tessera::app
