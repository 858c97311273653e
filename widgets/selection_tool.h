#pragma once
/// Box and lasso drawing on a VtkGlWindow, shared by the image view and the embedding.
/// - With the tool set to Box or Lasso a left drag draws; otherwise Ctrl + left drag draws a
///   lasso (Ctrl + Shift: a box) so that plain drag keeps panning.
/// - Shift at the press adds to the selection, Alt subtracts, neither replaces.
/// - The outline is drawn live as a 2D polyline actor in the window's renderer; on release the
///   outline goes out in world coordinates (through `toWorld`) with the operation.
/// GUI thread only; owns a VTK actor of the window's renderer (destroy before the window).
#include <QObject>
#include <QPointF>
#include <functional>
#include <memory>
#include <vector>

#include "widgets/selection_index.h"

class vtkRenderer;

namespace tessera::widgets {

enum class SelectionShape { None, Box, Lasso };

class SelectionTool : public QObject {
  Q_OBJECT
 public:
  /// `toWorld` maps device pixels to world coordinates; `repaint` asks for a frame.
  SelectionTool(vtkRenderer* renderer, std::function<Vec2(QPointF)> toWorld,
                std::function<void()> repaint, QObject* parent = nullptr);
  ~SelectionTool() override;

  void setShape(SelectionShape shape) { shape_ = shape; }
  SelectionShape shape() const { return shape_; }
  /// Called on a press: true when this press starts a selection (the view must not pan).
  bool press(QPointF device, Qt::MouseButton button, Qt::KeyboardModifiers mods);
  /// True while drawing.
  bool move(QPointF device);
  bool release(QPointF device);
  bool active() const { return drawing_ != SelectionShape::None; }
  /// Keeps the outline in step with a resized window (device height flips y for VTK).
  void setDeviceHeight(int h) { deviceHeight_ = h; }

 signals:
  /// A finished outline in world coordinates (a box comes as its four corners).
  void drawn(const std::vector<tessera::widgets::Vec2>& polygon, tessera::widgets::SelectOp op);

 private:
  void updateActor();
  struct Vtk;
  std::unique_ptr<Vtk> vtk_;
  std::function<Vec2(QPointF)> toWorld_;
  std::function<void()> repaint_;
  SelectionShape shape_ = SelectionShape::None;
  SelectionShape drawing_ = SelectionShape::None;
  SelectOp op_ = SelectOp::Replace;
  std::vector<QPointF> path_;  ///< device pixels
  int deviceHeight_ = 0;
};

}  // namespace tessera::widgets
