#pragma once
/// The Qt 6 <-> VTK bridge: a QOpenGLWindow that hosts a vtkGenericOpenGLRenderWindow drawing
/// into Qt's context (no MSAA: it doubles the cost on a software renderer). Put it in a widget
/// tree with QWidget::createWindowContainer (see ImageView). Input events are re-emitted as
/// signals in device pixels; nothing here knows about images. GUI thread only.
#include <QOpenGLWindow>
#include <functional>

#include <vtkSmartPointer.h>

class vtkGenericOpenGLRenderWindow;
class vtkRenderer;

namespace tessera::widgets {

class VtkGlWindow : public QOpenGLWindow {
  Q_OBJECT
 public:
  VtkGlWindow();
  ~VtkGlWindow() override;

  vtkRenderer* renderer() const;
  vtkGenericOpenGLRenderWindow* renderWindow() const;
  /// Size of the framebuffer in device pixels (logical size times devicePixelRatio).
  QSize deviceSize() const;
  /// Runs before each VTK render, with the device size (the place to sync cameras and layers).
  std::function<void(QSize)> beforeRender;
  /// Duration of the last paintGL in milliseconds.
  double lastFrameMs() const { return lastFrameMs_; }

 signals:
  void mousePressed(QPointF devicePos, Qt::MouseButton button, Qt::KeyboardModifiers mods);
  void mouseMoved(QPointF devicePos, Qt::MouseButtons buttons);
  void mouseReleased(QPointF devicePos, Qt::MouseButton button);
  void wheelTurned(QPointF devicePos, double steps);
  void keyPressed(int key, Qt::KeyboardModifiers mods);
  void mouseLeft();
  void frameSwapped();

 protected:
  void initializeGL() override;
  void resizeGL(int w, int h) override;
  void paintGL() override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;
  void wheelEvent(QWheelEvent* e) override;
  void keyPressEvent(QKeyEvent* e) override;
  bool event(QEvent* e) override;

 private:
  QPointF toDevice(QPointF logical) const;
  vtkSmartPointer<vtkGenericOpenGLRenderWindow> window_;
  vtkSmartPointer<vtkRenderer> renderer_;
  double lastFrameMs_ = 0;
};

}  // namespace tessera::widgets
