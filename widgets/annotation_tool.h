#pragma once
/// Drawing and editing annotations on the image view's VtkGlWindow, by an event filter, so
/// the view's own panning and selection keep working whenever no tool claims the mouse.
/// - Rectangle, ellipse, line and arrow: drag from corner to corner (start to end).
/// - Polygon: click the vertices; double-click, Enter or a click on the first vertex closes it;
///   Escape abandons it. Freehand: drag the outline. Point: click. Text: click, then type.
/// - Select (no drawing tool): a press on a vertex of the selected annotation drags that
///   vertex; a press on an annotation selects it and drags it; elsewhere the view pans.
/// Emits each finished edit once (one undo step). World coordinates are level-0 pixels.
/// GUI thread only.
#include <QObject>
#include <QPointF>
#include <QPointer>
#include <functional>
#include <optional>
#include <vector>

#include "data/annotation/annotation.h"
#include "render/view_camera.h"

namespace tessera::widgets {

class VtkGlWindow;

/// A vertex of an annotation: ring -1 = `points`, else polygon `polygon`'s ring (0 = outer).
struct VertexRef {
  int polygon = 0, ring = -1, index = 0;
};

class AnnotationTool : public QObject {
  Q_OBJECT
 public:
  AnnotationTool(VtkGlWindow* window, std::function<const render::ViewCamera&()> camera,
                 QObject* parent = nullptr);
  ~AnnotationTool() override;

  /// The drawing tool, or nullopt for Select.
  void setTool(std::optional<data::AnnotationKind> kind);
  std::optional<data::AnnotationKind> tool() const { return tool_; }
  /// What Select hit-tests against (owned by the caller, outliving the tool).
  void setAnnotations(const std::vector<data::Annotation>* list) { list_ = list; }
  void setSelected(int index) { selected_ = index; }
  /// Asks for the text of a Text annotation (a dialog in the app; tests answer directly).
  std::function<std::optional<QString>()> askText;

  /// Where a vertex of `a` is, and which vertex of `a` lies within `radius` of p (world units).
  static std::optional<VertexRef> vertexNear(const data::Annotation& a, data::Vec2 p,
                                             double radius);
  static void moveVertex(data::Annotation& a, const VertexRef& v, data::Vec2 to);
  /// Whether p (world) touches `a`: inside an area, or within `radius` of a line or point.
  static bool hits(const data::Annotation& a, data::Vec2 p, double radius);

 signals:
  void drawn(const tessera::data::Annotation& annotation);
  /// The annotation being drawn or edited, for a live outline; empty kind list = none.
  void preview(const std::vector<tessera::data::Annotation>& shown);
  void selected(int index);
  /// A finished move or vertex edit of annotation `index`: its new shape.
  void edited(int index, const tessera::data::Annotation& after);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  data::Vec2 world(QPointF logical) const;
  double pixel() const;  // world units per device pixel
  void finish();
  void cancel();
  data::Annotation building() const;

  QPointer<VtkGlWindow> window_;  // may go before the tool does
  std::function<const render::ViewCamera&()> camera_;
  std::optional<data::AnnotationKind> tool_;
  const std::vector<data::Annotation>* list_ = nullptr;
  int selected_ = -1;
  bool drawing_ = false;
  std::vector<data::Vec2> path_;
  // Select: the edit in progress.
  int editing_ = -1;
  std::optional<VertexRef> vertex_;
  data::Vec2 grab_;
  data::Annotation original_, current_;
};

}  // namespace tessera::widgets
