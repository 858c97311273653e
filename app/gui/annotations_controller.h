#pragma once
/// The window's annotations: kept in the session model (its "annotations", GeoJSON features in
/// QuPath's shape, so they are saved and opened with the session), drawn on the image view by a
/// render::AnnotationOverlay, drawn and edited with the Annotate toolbar
/// (widgets::AnnotationTool), listed in the Annotations panel and measured into the
/// Measurements panel. Every change is one SessionModel::setAnnotations step holding the whole
/// list (Slicer's SaveStateForUndo shape), so Edit ▸ Undo/Redo cover drawing, moving, vertex
/// edits, renaming, hiding, deleting and importing, in one history with the other edits.
/// Measurements run on AppContext::jobPool with a stop token (tiles through the shared cache)
/// and come back by a queued call guarded by QPointer; a newer change cancels an older run.
/// GUI thread only.
#include <QObject>
#include <QPointer>
#include <memory>
#include <stop_token>
#include <vector>

#include "data/annotation/annotation.h"
#include "data/session/session_model.h"

class QToolBar;
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
  /// Replaces the list in the session model as one undoable step named `what`.
  void apply(std::vector<data::Annotation> next, const QString& what);
  widgets::AnnotationTool* tool() const { return tool_; }
  widgets::AnnotationsPanel* panel() const { return panel_; }
  widgets::MeasurementsPanel* measurements() const { return measurements_; }
  int selected() const { return selected_; }
  void select(int index);
  /// Sets an annotation's class by name (an undo step); a class other annotations use brings
  /// its colour along.
  void setClass(int index, const QString& className);
  /// Sets an annotation's description (an undo step).
  void describe(int index, const QString& description);
  void zoomTo(int index);
  /// Measures again now (also runs on every change).
  void remeasure();
  /// The annotations layer's look and place in the layer order (the window applies the model's).
  void setLayerLook(bool visible, double opacity);
  void setDepthOffset(double dz);

 signals:
  void changed();
  /// A measurement run finished (rows shown in the panel).
  void measured();

 private:
  void show();
  /// Shows `list` (what the model holds now).
  void reset(std::vector<data::Annotation> list);
  /// The model's annotations, when they differ from those shown.
  void fromModel();
  void importFile();
  void exportFile();

  MainWindow& window_;
  AppContext& ctx_;
  std::vector<data::Annotation> list_;
  std::vector<data::Annotation> preview_;
  int selected_ = -1;
  int counter_ = 0;
  data::SessionModel::Subscription sub_;
  std::unique_ptr<render::AnnotationOverlay> overlay_;
  std::unique_ptr<render::AnnotationOverlay> previewOverlay_;
  widgets::AnnotationTool* tool_;
  widgets::AnnotationsPanel* panel_;
  widgets::MeasurementsPanel* measurements_;
  std::shared_ptr<std::stop_source> running_;
  double lastZoom_ = 0;
};

}  // namespace tessera::app
