#pragma once
/// The Embedding dock: a VTK-rendered 2D scatter surface (UMAP, t-SNE, PCA) in its own
/// VtkGlWindow with the same camera model as the image (drag pans, wheel zooms, 0 fits) and the
/// same box/lasso selection (SelectionTool). The points themselves are an overlay the owner
/// adds to renderer() and updates from the hook, so both views share one colouring path.
/// Axes below and left of the plot show the coordinates in view (y up) with the basis' names;
/// a chooser above it picks the basis (any obsm with 2 or more columns).
/// GUI thread only.
#include <QPointF>
#include <QWidget>
#include <functional>
#include <vector>

#include "render/view_camera.h"
#include "widgets/selection_index.h"

class vtkRenderer;
class QComboBox;
class QLabel;

namespace tessera::widgets {

class VtkGlWindow;
class SelectionTool;
class PlotAxis;

class EmbeddingView : public QWidget {
  Q_OBJECT
 public:
  explicit EmbeddingView(QWidget* parent = nullptr);
  ~EmbeddingView() override;
  vtkRenderer* renderer() const;
  VtkGlWindow* glWindow() const { return gl_; }
  const render::ViewCamera& camera() const { return camera_; }
  /// World bounds of the points; the view fits them.
  void setBounds(const render::Rect& bounds);
  void fit();
  void setOverlayHook(std::function<void(const render::ViewCamera&)> hook);
  SelectionTool* selectionTool() const { return selection_; }
  void requestRender();
  QImage grabFrame();
  /// Shows a line of text instead of the scatter (e.g. "no embedding in this table").
  void setPlaceholder(const QString& text);
  /// The bases to choose from (obsm keys) and the one shown; the chooser hides for one or none.
  void setBases(const QStringList& bases, const QString& current);
  QComboBox* basisBox() const { return basis_; }
  /// Names the axes ("UMAP 1", "UMAP 2").
  void setAxisNames(const QString& x, const QString& y);
  PlotAxis* xAxis() const { return xAxis_; }
  PlotAxis* yAxis() const { return yAxis_; }

 signals:
  void selectionDrawn(const std::vector<tessera::widgets::Vec2>& polygon,
                      tessera::widgets::SelectOp op);
  void cursorMoved(QPointF world);
  /// The user picked another basis.
  void basisChosen(const QString& basis);
  void cursorLeft();

 private:
  VtkGlWindow* gl_ = nullptr;
  QWidget* container_ = nullptr;
  QLabel* placeholder_ = nullptr;
  PlotAxis* xAxis_ = nullptr;
  PlotAxis* yAxis_ = nullptr;
  QComboBox* basis_ = nullptr;
  render::ViewCamera camera_;
  render::Rect bounds_;
  bool fitPending_ = true;
  bool dragging_ = false;
  QPointF lastDrag_;
  SelectionTool* selection_ = nullptr;
  std::function<void(const render::ViewCamera&)> hook_;
};

}  // namespace tessera::widgets
