#pragma once
/// The window's Analysis menu: Run Model… (RunModelDialog) and the Cell Classifier dock.
///
/// A run goes to AppContext::jobPool (tiles fan out to tilePool): the model is opened and
/// probed, the region is predicted tile by tile into an OME-Zarr (data::ai::predictToFile),
/// and, when asked, labelled by watershed into a label image (int32 OME-Zarr) and a cells table
/// (.h5ad: centroids, area, per-channel means). Progress shows in a dialog whose Cancel stops
/// the run; a cancelled or failed run leaves no files and no layers. The outputs go into
/// "<session>.tessera-data/" beside a saved session, else into $XDG_CACHE_HOME/tessera/
/// predictions, never beside the source data.
///
/// The outputs become layers of the session model (the prediction an image layer whose channels
/// join the image's, the labels a labels layer on top of any earlier ones, the cells the linked
/// cell table, replacing the previous cells layer and dropping the selections and classifier
/// labels, which are rows of the table replaced) and the window shows the new session as it would
/// after saving and reopening it; one undo step brings all of it back. GUI thread only.
#include <QObject>
#include <QString>
#include <memory>
#include <stop_token>

#include "app/gui/run_model_dialog.h"

class QMenu;
class QProgressDialog;

namespace tessera::app {

struct AppContext;
class MainWindow;
class ClassifierController;

class ModelActions : public QObject {
  Q_OBJECT
 public:
  ModelActions(MainWindow& window, AppContext& ctx);
  ~ModelActions() override;
  /// Adds Run Model… and the classifier dock's toggle to `menu`.
  void populateMenu(QMenu* menu);
  /// Opens the dialog (non-blocking); accepting it starts the run.
  void showDialog();
  RunModelDialog* dialog() const { return dialog_; }
  /// Starts a run on the image shown; false (and `finished` with the reason) when one runs.
  bool run(const RunModelChoice& choice);
  bool running() const { return stop_ != nullptr; }
  void cancel();
  ClassifierController* classifier() const { return classifier_; }

 signals:
  /// The run ended: `error` is empty on success (the layers are being shown: wait for the
  /// window's datasetOpened), "cancelled" when cancelled, else the reason.
  void finished(const QString& error);
  void progressed(double fraction);

 private:
  MainWindow& w_;
  AppContext& ctx_;
  RunModelDialog* dialog_ = nullptr;
  QProgressDialog* progress_ = nullptr;
  std::shared_ptr<std::stop_source> stop_;
  ClassifierController* classifier_ = nullptr;  ///< a child of the window
};

/// Where a run writes its outputs: "<dir>/<stem>.tessera-data" for a saved session file, else
/// the cache's "predictions" folder.
QString predictionFolder(const QString& sessionFile);

}  // namespace tessera::app
