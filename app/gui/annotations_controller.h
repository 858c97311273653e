#pragma once
/// The window's annotations: the list (until the session model holds it), drawn on the image
/// view by a render::AnnotationOverlay, drawn and edited with the Annotate toolbar
/// (widgets::AnnotationTool), listed in the Annotations panel and measured into the
/// Measurements panel. Every change goes through one QUndoStack as a snapshot of the list
/// (Slicer's SaveStateForUndo shape), so Undo/Redo cover drawing, moving, vertex edits,
/// renaming, hiding, deleting and importing alike.
/// Measurements run on AppContext::jobPool with a stop token (tiles through the shared cache)
/// and come back by a queued call guarded by QPointer; a newer change cancels an older run.
/// GUI thread only.
#include <QObject>
#include <QPointer>
#include <memory>
#include <stop_token>
#include <vector>

#include "data/annotation/annotation.h"

class QToolBar;
class QUndoStack;
class QDockWidget;
class QActionGroup;

namespace tessera::render {
class AnnotationOverlay;
}
namespace tessera::widgets {
class AnnotationTool;
class AnnotationsPanel;
class MeasurementsPanel;
}  // namespace tessera::widgets

namespace tessera::app {

class MainWindow;
struct AppContext;

class AnnotationsController : public QObject {
  Q_OBJECT
 public:
  /// Adds the Annotate toolbar and the Annotations and Measurements docks to `window`.
  AnnotationsController(MainWindow& window, AppContext& ctx);
  ~AnnotationsController() override;

  const std::vector<data::Annotation>& annotations() const { return list_; }
  /// Replaces the list as one undoable step named `what`.
  void apply(std::vector<data::Annotation> next, const QString& what);
  /// Sets the list without an undo step (a dataset opened, a session loaded).
  void reset(std::vector<data::Annotation> list);
  QUndoStack* undoStack() const { return undo_; }
  widgets::AnnotationTool* tool() const { return tool_; }
  widgets::AnnotationsPanel* panel() const { return panel_; }
  widgets::MeasurementsPanel* measurements() const { return measurements_; }
  int selected() const { return selected_; }
  void select(int index);
  void zoomTo(int index);
  /// Measures again now (also runs on every change).
  void remeasure();

 signals:
  void changed();
  /// A measurement run finished (rows shown in the panel).
  void measured();

 private:
  void show();
  void importFile();
  void exportFile();

  MainWindow& window_;
  AppContext& ctx_;
  std::vector<data::Annotation> list_;
  std::vector<data::Annotation> preview_;
  int selected_ = -1;
  int counter_ = 0;
  QUndoStack* undo_;
  std::unique_ptr<render::AnnotationOverlay> overlay_;
  std::unique_ptr<render::AnnotationOverlay> previewOverlay_;
  widgets::AnnotationTool* tool_;
  widgets::AnnotationsPanel* panel_;
  widgets::MeasurementsPanel* measurements_;
  std::shared_ptr<std::stop_source> running_;
  double lastZoom_ = 0;
};

}  // namespace tessera::app
