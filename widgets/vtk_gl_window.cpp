#include "widgets/vtk_gl_window.h"

#include <QElapsedTimer>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <vtkGenericOpenGLRenderWindow.h>
#include <vtkRenderer.h>

#include "render/scene.h"

namespace tessera::widgets {

VtkGlWindow::VtkGlWindow() : QOpenGLWindow(QOpenGLWindow::NoPartialUpdate) {
  QSurfaceFormat fmt = QSurfaceFormat::defaultFormat();
  fmt.setRenderableType(QSurfaceFormat::OpenGL);
  fmt.setVersion(3, 2);
  fmt.setProfile(QSurfaceFormat::CoreProfile);
  fmt.setSamples(0);
  // No depth buffer in Qt's framebuffer: VTK draws into framebuffers of its own, which have
  // depth, and then blits into this one; a depth buffer here only made that blit copy depth as
  // well, about 13 ms a frame at 1600x1000 on llvmpipe (an empty frame 29 -> 16 ms).
  fmt.setDepthBufferSize(0);
  fmt.setStencilBufferSize(0);
  setFormat(fmt);

  window_ = vtkSmartPointer<vtkGenericOpenGLRenderWindow>::New();
  window_->SetMultiSamples(0);
  renderer_ = vtkSmartPointer<vtkRenderer>::New();
  render::setupRenderer(renderer_);
  window_->AddRenderer(renderer_);
}

VtkGlWindow::~VtkGlWindow() {
  // VTK frees its GL resources in Finalize, which needs our context current.
  if (context()) {
    makeCurrent();
    window_->Finalize();
    doneCurrent();
  }
}

vtkRenderer* VtkGlWindow::renderer() const {
  return renderer_;
}
vtkGenericOpenGLRenderWindow* VtkGlWindow::renderWindow() const {
  return window_;
}

QSize VtkGlWindow::deviceSize() const {
  const qreal dpr = devicePixelRatio();
  return QSize(qRound(width() * dpr), qRound(height() * dpr));
}

QPointF VtkGlWindow::toDevice(QPointF logical) const {
  return logical * devicePixelRatio();
}

void VtkGlWindow::initializeGL() {
  window_->SetOwnContext(false);
  window_->SetFrameBlitModeToBlitToCurrent();
  window_->SetReadyForRendering(true);
  window_->InitializeFromCurrentContext();
}

void VtkGlWindow::resizeGL(int, int) {
  const QSize s = deviceSize();
  window_->SetSize(s.width(), s.height());
}

void VtkGlWindow::paintGL() {
  QElapsedTimer timer;
  timer.start();
  const QSize s = deviceSize();
  window_->SetSize(s.width(), s.height());
  if (beforeRender) beforeRender(s);
  window_->SetIsCurrent(true);
  window_->Render();
  lastFrameMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  emit frameSwapped();
}

void VtkGlWindow::mousePressEvent(QMouseEvent* e) {
  emit mousePressed(toDevice(e->position()), e->button(), e->modifiers());
}
void VtkGlWindow::mouseMoveEvent(QMouseEvent* e) {
  emit mouseMoved(toDevice(e->position()), e->buttons());
}
void VtkGlWindow::mouseReleaseEvent(QMouseEvent* e) {
  emit mouseReleased(toDevice(e->position()), e->button());
}
void VtkGlWindow::wheelEvent(QWheelEvent* e) {
  // angleDelta is in eighths of a degree; 120 is one notch. Trackpads send fractions.
  const double steps = e->angleDelta().y() / 120.0;
  if (steps != 0) emit wheelTurned(toDevice(e->position()), steps);
}
void VtkGlWindow::keyPressEvent(QKeyEvent* e) {
  emit keyPressed(e->key(), e->modifiers());
}

bool VtkGlWindow::event(QEvent* e) {
  if (e->type() == QEvent::Leave) emit mouseLeft();
  return QOpenGLWindow::event(e);
}

}  // namespace tessera::widgets
