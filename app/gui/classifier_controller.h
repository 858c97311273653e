#pragma once
/// Cell classifiers trained in the window (the Cell Classifier dock, widgets::ClassifierPanel).
///
/// - Labels: the user labels the selected cells as a named class, or takes the classes of the
///   annotations (cells inside a classified area, the cell nearest a classified point), or
///   removes a class. The labels live in the session model (Session::classifier, with the
///   table's dataset id and the feature names): each change is an undo step, they are saved in
///   the session, and labels of another table do not apply. labels() and classNames() mirror
///   the model for the table shown.
/// - Load… applies a saved classifier instead of labels (kept in the model as its file; labelling
///   again replaces it).
/// - When a table loads whose labels the model holds (a session opened, a table reopened), the
///   prediction stored beside the session file (data/session/classifier_prediction.h) is shown
///   as it was saved, without training; when there is none, or it is damaged or stale (other
///   labels, another cell count or version of the table: discarded, and the dock says why), the
///   classifier trains again from the labels, or the saved one is applied (Live or not).
///   Either way the cells take the colouring the session had for them; training is
///   deterministic, so the predicted classes are those saved.
/// - Saving the session stores the prediction beside it when it is the prediction of the labels
///   the session holds, else removes what an earlier save stored (it would be stale); that part
///   is in classifier_store.cpp.
/// - Features: the table's numeric obs columns (area, ... but not `label` ids or the
///   classifier's own columns) and its genes, all of them up to 64 (a segmentation's table holds
///   the per-channel mean intensities as its genes), else the genes the Expression profile
///   shows, chosen at the first label and kept by name with the labels (so a reopened session
///   trains on the same ones); genes come from the table's expression engine.
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
#include <optional>
#include <vector>

#include "data/ai/cell_classifier.h"
#include "data/session/classifier_prediction.h"
#include "data/session/session_model.h"

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
  /// The obs column of the predicted class (and `kColumn` + "_confidence").
  static constexpr const char* kColumn = "classifier";

  ClassifierController(MainWindow& window, AppContext& ctx);
  ~ClassifierController() override;
  QDockWidget* dock() const { return dock_; }
  widgets::ClassifierPanel* panel() const { return panel_; }

  /// Labels `cells` (rows of the shown table) as `className`, added when new (an undo step).
  void labelCells(const std::vector<std::uint32_t>& cells, const QString& className);
  /// Labels from the window's annotations that have a class; returns the cells labelled.
  int labelFromAnnotations();
  /// Removes a class and its labels (an undo step); later classes move up one index.
  void removeClass(const QString& className);
  void clearLabels();
  /// Trains in the background (needs two classes with labelled cells).
  void train();
  /// Writes the trained classifier as OpenCV YAML/XML (Save… without its dialog).
  data::Expected<void> saveTo(const QString& file) const;
  /// Load… without its dialog: reads a saved classifier in the background and, when it is one,
  /// puts it in the model in place of the labels (an undo step); every cell then gets the class
  /// it predicts, as after training. Errors show in the dock (`trainingFailed`).
  void loadFrom(const QString& file);

  const std::vector<std::int32_t>& labels() const { return labels_; }
  const QStringList& classNames() const { return classes_; }
  std::shared_ptr<const data::ai::CellClassifier> classifier() const { return classifier_; }
  const data::ai::Confusion& confusion() const { return confusion_; }
  /// A training runs (or waits for the gene values it needs, or the stored prediction is read).
  bool busy() const { return training_; }
  /// The prediction shown came from the file stored beside the session (no classifier then).
  bool restoredFromStore() const { return fromStore_; }
  /// The features of the table shown as last trained on (null before).
  std::shared_ptr<const data::ai::CellFeatures> features() const { return features_; }

 signals:
  /// The prediction is in the table (column `classifier`) and the cells are coloured by it:
  /// trained, a saved classifier applied, or the stored prediction restored.
  void trained();
  void trainingFailed(const QString& message);

 private:
  struct Result;
  void onLoaded();
  /// labels_ and classes_ from the model's labels, when they are of the table shown.
  void readLabels();
  /// The model's labels for the table shown, a fresh set when it holds another table's.
  data::ClassifierLabels currentLabels() const;
  /// `cells` as class `name` (leaving any other class); false when nothing changes.
  bool addToClass(data::ClassifierLabels& labels, const std::string& name,
                  std::vector<std::uint32_t> cells) const;
  /// The obs columns and genes trained on when the labels name none (see above).
  std::vector<std::string> defaultFeatures() const;
  void refreshPanel();
  /// Trains on the labels, or applies the saved classifier `file` when it is not empty.
  void startTraining(std::shared_ptr<const data::ai::CellFeatures> features,
                     const std::string& file);
  void apply(const Result& r);
  /// Puts the prediction into the shown table as obs columns (restoring the session's colouring
  /// or colouring by it) and the confusion into the panel.
  void showPrediction(const data::ai::CellPrediction& p, const std::vector<std::string>& classes);
  /// Reads the prediction stored beside the session in the background; trains when there is
  /// none or it is not that of the labels.
  void restoreStored();
  void adoptStored(const data::Expected<data::StoredPrediction>& stored,
                   const std::shared_ptr<const CellsData>& base);
  /// Writes (or removes) the stored prediction beside the session file just saved.
  void storeBeside(const QString& sessionFile);
  /// The table file's identity (location, size, modification time) for the stored prediction.
  std::string tableSource() const;
  /// `text`, after the note about a discarded stored prediction when there is one.
  QString withNotice(const QString& text);
  void save();
  void load();

  MainWindow& w_;
  AppContext& ctx_;
  QDockWidget* dock_ = nullptr;
  widgets::ClassifierPanel* panel_ = nullptr;
  std::shared_ptr<const CellsData> base_;  ///< the table labels_ refer to, as loaded
  std::shared_ptr<const CellsData> own_;   ///< base_ with the prediction columns, when set
  std::shared_ptr<const data::ai::CellFeatures> features_;
  std::vector<std::string> featureNames_;  ///< what features_ was built from
  std::string table_;                      ///< dataset id of base_
  data::SessionModel::Subscription sub_;
  /// The cells layer as the session had it when its labels were restored: the colouring by the
  /// retrained columns comes back with it.
  std::optional<data::SessionLayer> restore_;
  std::vector<std::int32_t> labels_;
  QStringList classes_;
  std::shared_ptr<const data::ai::CellClassifier> classifier_;
  data::ai::Confusion confusion_;
  /// The prediction in own_, its class names and the labels it came from (stored on save).
  data::ai::CellPrediction prediction_;
  std::vector<std::string> predictedClasses_;
  std::optional<data::ClassifierLabels> predictedFrom_;
  bool fromStore_ = false;
  QString notice_;  ///< why a stored prediction was discarded, said with the next status
  bool training_ = false;
  bool fetching_ = false;  ///< training_ waits for gene values from the cells session
  bool again_ = false;
};

}  // namespace tessera::app
