#include "widgets/image_view.h"

#include <QCoreApplication>
#include <QPointer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "render/scene.h"
#include "widgets/selection_tool.h"
#include "widgets/vtk_gl_window.h"

namespace tessera::widgets {

ImageView::ImageView(data::TileCache& cache, QWidget* parent) : QWidget(parent), cache_(cache) {
  gl_ = new VtkGlWindow();
  container_ = QWidget::createWindowContainer(gl_, this);
  container_->setFocusPolicy(Qt::StrongFocus);
  container_->setMinimumSize(200, 150);
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(0, 0, 0, 0);
  lay->addWidget(container_);
  setFocusProxy(container_);

  QPointer<ImageView> self(this);
  auto post = [self](std::function<void()> f) {
    // Called on worker threads; the lambda runs on the GUI thread if the view still exists.
    QMetaObject::invokeMethod(
        qApp,
        [self, f = std::move(f)] {
          if (self) f();
        },
        Qt::QueuedConnection);
  };
  post_ = post;
  layer_ = std::make_unique<render::ImageLayer>(gl_->renderer(), cache, post,
                                                [this] { scheduleRender(); });
  layer_->onDisplaysChanged = [this] { emit displaysChanged(); };
  scaleBar_ = std::make_unique<render::ScaleBar>(gl_->renderer());
  scaleBar_->setBacking(true);  // white on a dark box: readable over bright tissue too
  gl_->beforeRender = [this](QSize s) { beforeRender(s); };

  connect(gl_, &VtkGlWindow::frameSwapped, this,
          [this] { emit frameRendered(gl_->lastFrameMs()); });
  selection_ = new SelectionTool(
      gl_->renderer(),
      [this](QPointF p) {
        Vec2 w;
        camera_.screenToWorld(p.x(), p.y(), w.x, w.y);
        return w;
      },
      [this] { scheduleRender(); }, this);
  connect(selection_, &SelectionTool::drawn, this, &ImageView::selectionDrawn);
  connect(gl_, &VtkGlWindow::mousePressed, this,
          [this](QPointF p, Qt::MouseButton b, Qt::KeyboardModifiers mods) {
            if (selection_->press(p, b, mods)) return;
            if (b == Qt::LeftButton || b == Qt::MiddleButton) {
              dragging_ = true;
              lastDrag_ = p;
              gl_->setCursor(Qt::ClosedHandCursor);
            }
          });
  connect(gl_, &VtkGlWindow::mouseReleased, this, [this](QPointF p, Qt::MouseButton) {
    if (selection_->release(p)) return;
    dragging_ = false;
    gl_->unsetCursor();
  });
  connect(gl_, &VtkGlWindow::mouseMoved, this, [this](QPointF p, Qt::MouseButtons) {
    if (!selection_->move(p) && dragging_) {
      panBy(p.x() - lastDrag_.x(), p.y() - lastDrag_.y());
      lastDrag_ = p;
    }
    double wx = 0, wy = 0;
    camera_.screenToWorld(p.x(), p.y(), wx, wy);
    const auto b = layer_->worldBounds();
    emit cursorMoved(QPointF(wx, wy), wx >= b.x0 && wy >= b.y0 && wx < b.x1 && wy < b.y1);
  });
  connect(gl_, &VtkGlWindow::mouseLeft, this, &ImageView::cursorLeft);
  connect(gl_, &VtkGlWindow::wheelTurned, this, [this](QPointF p, double steps) {
    camera_.zoomAbout(p.x(), p.y(), std::pow(1.25, steps));
    scheduleRender();
  });
  connect(gl_, &VtkGlWindow::keyPressed, this, &ImageView::onKey);
}

ImageView::~ImageView() {
  // The layer owns VTK actors that must go before the GL window tears down its context.
  overlayHook_ = nullptr;
  delete selection_;
  scaleBar_.reset();
  labels_.reset();
  moreLabels_.clear();
  uppers_.clear();
  layer_.reset();
}

void ImageView::setLabels(std::shared_ptr<const data::TileSource> labels,
                          const std::map<std::int64_t, std::uint32_t>& rgba) {
  labels_.reset();
  if (labels) {
    labels_ = std::make_unique<render::LabelLayer>(gl_->renderer(), cache_, post_,
                                                   [this] { scheduleRender(); });
    labels_->setSource(std::move(labels));
    if (!rgba.empty()) {
      // The image-label colours name the labels to show; other ids stay transparent.
      std::unordered_map<std::int64_t, std::uint32_t> colors(rgba.begin(), rgba.end());
      labels_->useLabelColors(std::move(colors), 0);
    }
    labels_->setOpacity(0.5);
    labels_->setDepthOffset(labelsDepth_);
  }
  scheduleRender();
}

void ImageView::setMoreLabels(const MoreLabels& more) {
  std::erase_if(moreLabels_, [&](const auto& m) {
    return std::none_of(more.begin(), more.end(),
                        [&](const auto& x) { return x.first == m.first; });
  });
  for (const auto& [id, source] : more) {
    if (!source || moreLabels_.count(id)) continue;
    auto l = std::make_unique<render::LabelLayer>(gl_->renderer(), cache_, post_,
                                                  [this] { scheduleRender(); });
    l->setSource(source);
    l->setPlane(layer_->planeT(), layer_->planeZ());  // the plane the image shows
    l->setOpacity(0.5);
    l->setDepthOffset(labelsDepth_);
    moreLabels_[id] = std::move(l);
  }
  scheduleRender();
}

render::LabelLayer* ImageView::moreLabels(const std::string& id) const {
  const auto it = moreLabels_.find(id);
  return it == moreLabels_.end() ? nullptr : it->second.get();
}

std::vector<render::LabelLayer*> ImageView::allLabels() const {
  std::vector<render::LabelLayer*> out;
  if (labels_) out.push_back(labels_.get());
  for (const auto& [id, l] : moreLabels_)
    out.push_back(l.get());
  return out;
}

void ImageView::setUpperImages(const std::vector<render::ImagePart>& parts) {
  if (parts.size() != uppers_.size() || !layer_->source()) {
    uppers_.clear();
    if (layer_->source())
      for (std::size_t p = 0; p < parts.size(); ++p) {
        auto upper = render::upperImageLayer(
            gl_->renderer(), cache_, post_, [this] { scheduleRender(); }, *layer_, parts[p]);
        // A window it settles is the view's: layer() keeps every channel's display.
        upper->onDisplaysChanged = [this, p] {
          auto displays = layer_->displays();
          const auto& mine = uppers_[p]->displays();
          const auto& drawn = upperParts_[p].channels;
          for (std::size_t c = 0; c < displays.size() && c < mine.size(); ++c)
            if (c < drawn.size() && drawn[c]) displays[c] = mine[c];
          layer_->setDisplays(std::move(displays));
          emit displaysChanged();
        };
        uppers_.push_back(std::move(upper));
      }
  }
  upperParts_ = uppers_.empty() ? std::vector<render::ImagePart>{} : parts;
  for (std::size_t p = 0; p < uppers_.size(); ++p) {
    uppers_[p]->setDepthOffset(parts[p].depth);
    uppers_[p]->setDrawnChannels(parts[p].channels);
    uppers_[p]->setOpacity(parts[p].opacity);
  }
  scheduleRender();
}

const render::ImageLayer& ImageView::layerOf(std::size_t channel) const {
  for (std::size_t p = 0; p < uppers_.size(); ++p)
    if (channel < upperParts_[p].channels.size() && upperParts_[p].channels[channel])
      return *uppers_[p];
  return *layer_;
}

std::vector<double> ImageView::valuesAt(double x, double y, int* levelUsed) const {
  auto values = layer_->valuesAt(x, y, levelUsed);
  for (std::size_t p = 0; p < uppers_.size() && !values.empty(); ++p) {
    const auto upper = uppers_[p]->valuesAt(x, y);
    for (std::size_t c = 0; c < values.size(); ++c)
      if (&layerOf(c) == uppers_[p].get())
        values[c] = c < upper.size() ? upper[c] : std::numeric_limits<double>::quiet_NaN();
  }
  return values;
}

void ImageView::setLabelsDepth(double dz) {
  labelsDepth_ = dz;
  if (labels_) labels_->setDepthOffset(dz);
  scheduleRender();
}

void ImageView::setSource(std::shared_ptr<const data::TileSource> source) {
  labels_.reset();
  moreLabels_.clear();
  uppers_.clear();
  upperParts_.clear();
  layer_->setSource(std::move(source));
  lastLevel_ = -1;
  fitPending_ = true;
  emit displaysChanged();
  scheduleRender();
}

void ImageView::fit() {
  fitPending_ = true;
  scheduleRender();
}

void ImageView::oneToOne() {
  camera_.oneToOne();
  scheduleRender();
}

void ImageView::zoomBy(double factor) {
  camera_.zoomAbout(camera_.viewportWidth() / 2.0, camera_.viewportHeight() / 2.0, factor);
  scheduleRender();
}

void ImageView::panBy(double dx, double dy) {
  camera_.pan(dx, dy);
  scheduleRender();
}

void ImageView::centerOn(double x, double y, double zoom) {
  fitPending_ = false;
  camera_.setZoom(zoom);
  camera_.setCenter(x, y);
  if (zoom == 1.0) camera_.oneToOne();
  scheduleRender();
}

QImage ImageView::grabFrame() {
  return gl_->grabFramebuffer();
}

void ImageView::setOverlayHook(std::function<void(const render::ViewCamera&)> hook) {
  overlayHook_ = std::move(hook);
  scheduleRender();
}

void ImageView::setSelectionShape(SelectionShape shape) {
  selection_->setShape(shape);
}

void ImageView::scheduleRender() {
  gl_->update();
}

void ImageView::beforeRender(QSize deviceSize) {
  camera_.setViewport(deviceSize.width(), deviceSize.height());
  if (fitPending_ && layer_->info()) {
    camera_.fit(layer_->worldBounds());
    fitPending_ = false;
  }
  layer_->update(camera_);
  for (auto& upper : uppers_) {
    if (upper->displays() != layer_->displays()) upper->setDisplays(layer_->displays());
    upper->setPlane(layer_->planeT(), layer_->planeZ());
    upper->update(camera_);
  }
  for (auto* l : allLabels())
    l->update(camera_);
  selection_->setDeviceHeight(deviceSize.height());
  if (overlayHook_) overlayHook_(camera_);
  render::applyCamera(gl_->renderer(), camera_);
  if (const auto* info = layer_->info())
    scaleBar_->update(info->levels[0].scale[data::kX] / camera_.zoom(), info->spaceUnit,
                      camera_.viewportWidth(), camera_.viewportHeight());
  else
    scaleBar_->update(0, "", camera_.viewportWidth(), camera_.viewportHeight());
  const int level = layer_->status().level;
  if (level != lastLevel_) {
    lastLevel_ = level;
    emit levelChanged(level);
  }
}

void ImageView::onKey(int key, Qt::KeyboardModifiers) {
  const double step = 0.1 * std::min(camera_.viewportWidth(), camera_.viewportHeight());
  switch (key) {
    case Qt::Key_Left:
      panBy(step, 0);
      break;
    case Qt::Key_Right:
      panBy(-step, 0);
      break;
    case Qt::Key_Up:
      panBy(0, step);
      break;
    case Qt::Key_Down:
      panBy(0, -step);
      break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      zoomBy(1.25);
      break;
    case Qt::Key_Minus:
    case Qt::Key_Underscore:
      zoomBy(1 / 1.25);
      break;
    case Qt::Key_0:
      fit();
      break;
    case Qt::Key_1:
      oneToOne();
      break;
    default:
      break;
  }
}

}  // namespace tessera::widgets
