#include "widgets/embedding_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <cmath>

#include "render/scene.h"
#include "widgets/plot_axis.h"
#include "widgets/selection_tool.h"
#include "widgets/vtk_gl_window.h"

namespace tessera::widgets {

EmbeddingView::EmbeddingView(QWidget* parent) : QWidget(parent) {
  gl_ = new VtkGlWindow();
  container_ = QWidget::createWindowContainer(gl_, this);
  container_->setFocusPolicy(Qt::StrongFocus);
  container_->setMinimumSize(160, 140);
  placeholder_ = new QLabel(this);
  placeholder_->setAlignment(Qt::AlignCenter);
  placeholder_->setWordWrap(true);
  placeholder_->setEnabled(false);
  placeholder_->hide();
  xAxis_ = new PlotAxis(PlotAxis::Side::Bottom, this);
  yAxis_ = new PlotAxis(PlotAxis::Side::Left, this);
  auto* lay = new QGridLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->setSpacing(0);
  basis_ = new QComboBox(this);
  basis_->setToolTip(tr("Embedding (obsm) to show"));
  basis_->hide();
  connect(basis_, &QComboBox::textActivated, this, &EmbeddingView::basisChosen);
  lay->addWidget(basis_, 0, 0, 1, 2);
  lay->addWidget(yAxis_, 1, 0);
  lay->addWidget(container_, 1, 1);
  lay->addWidget(xAxis_, 2, 1);
  lay->addWidget(placeholder_, 3, 0, 1, 2);
  lay->setRowStretch(1, 1);
  lay->setColumnStretch(1, 1);
  selection_ = new SelectionTool(
      gl_->renderer(),
      [this](QPointF p) {
        Vec2 w;
        camera_.screenToWorld(p.x(), p.y(), w.x, w.y);
        return w;
      },
      [this] { requestRender(); }, this);
  connect(selection_, &SelectionTool::drawn, this, &EmbeddingView::selectionDrawn);
  gl_->beforeRender = [this](QSize s) {
    camera_.setViewport(s.width(), s.height());
    selection_->setDeviceHeight(s.height());
    if (fitPending_ && bounds_.width() > 0) {
      camera_.fit(bounds_);
      camera_.setZoom(camera_.zoom() * 0.92);
      fitPending_ = false;
    }
    if (hook_) hook_(camera_);
    render::applyCamera(gl_->renderer(), camera_);
    // Embedding y is stored negated so that up is up: the axis shows the value.
    const render::Rect r = camera_.visibleWorld();
    xAxis_->setRange(r.x0, r.x1);
    yAxis_->setRange(-r.y1, -r.y0);
  };
  connect(gl_, &VtkGlWindow::mousePressed, this,
          [this](QPointF p, Qt::MouseButton b, Qt::KeyboardModifiers m) {
            if (selection_->press(p, b, m)) return;
            if (b == Qt::LeftButton || b == Qt::MiddleButton) dragging_ = true, lastDrag_ = p;
          });
  connect(gl_, &VtkGlWindow::mouseMoved, this, [this](QPointF p, Qt::MouseButtons) {
    if (!selection_->move(p) && dragging_) {
      camera_.pan(p.x() - lastDrag_.x(), p.y() - lastDrag_.y());
      lastDrag_ = p;
      requestRender();
    }
    double wx = 0, wy = 0;
    camera_.screenToWorld(p.x(), p.y(), wx, wy);
    emit cursorMoved(QPointF(wx, wy));
  });
  connect(gl_, &VtkGlWindow::mouseReleased, this, [this](QPointF p, Qt::MouseButton) {
    if (!selection_->release(p)) dragging_ = false;
  });
  connect(gl_, &VtkGlWindow::mouseLeft, this, &EmbeddingView::cursorLeft);
  connect(gl_, &VtkGlWindow::wheelTurned, this, [this](QPointF p, double steps) {
    camera_.zoomAbout(p.x(), p.y(), std::pow(1.25, steps));
    requestRender();
  });
  connect(gl_, &VtkGlWindow::keyPressed, this, [this](int key, Qt::KeyboardModifiers) {
    if (key == Qt::Key_0) fit();
  });
}

EmbeddingView::~EmbeddingView() {
  hook_ = nullptr;
  delete selection_;
}

vtkRenderer* EmbeddingView::renderer() const {
  return gl_->renderer();
}

void EmbeddingView::setBounds(const render::Rect& bounds) {
  bounds_ = bounds;
  fit();
}

void EmbeddingView::fit() {
  fitPending_ = true;
  requestRender();
}

void EmbeddingView::setOverlayHook(std::function<void(const render::ViewCamera&)> hook) {
  hook_ = std::move(hook);
  requestRender();
}

void EmbeddingView::requestRender() {
  gl_->update();
}

QImage EmbeddingView::grabFrame() {
  return gl_->grabFramebuffer();
}

void EmbeddingView::setPlaceholder(const QString& text) {
  placeholder_->setText(text);
  placeholder_->setVisible(!text.isEmpty());
  xAxis_->setVisible(text.isEmpty());
  yAxis_->setVisible(text.isEmpty());
}

void EmbeddingView::setBases(const QStringList& bases, const QString& current) {
  const QSignalBlocker block(basis_);
  basis_->clear();
  basis_->addItems(bases);
  basis_->setCurrentText(current);
  basis_->setVisible(bases.size() > 1);
}

void EmbeddingView::setAxisNames(const QString& x, const QString& y) {
  xAxis_->setName(x);
  yAxis_->setName(y);
}

}  // namespace tessera::widgets
