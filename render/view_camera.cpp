#include "render/view_camera.h"

#include <cmath>

namespace tessera::render {

void ViewCamera::setViewport(int widthPx, int heightPx) {
  width_ = std::max(1, widthPx);
  height_ = std::max(1, heightPx);
}

void ViewCamera::screenToWorld(double sx, double sy, double& wx, double& wy) const {
  wx = cx_ + (sx - width_ / 2.0) / zoom_;
  wy = cy_ + (sy - height_ / 2.0) / zoom_;
}

void ViewCamera::worldToScreen(double wx, double wy, double& sx, double& sy) const {
  sx = (wx - cx_) * zoom_ + width_ / 2.0;
  sy = (wy - cy_) * zoom_ + height_ / 2.0;
}

Rect ViewCamera::visibleWorld() const {
  Rect r;
  screenToWorld(0, 0, r.x0, r.y0);
  screenToWorld(width_, height_, r.x1, r.y1);
  return r;
}

void ViewCamera::pan(double dx, double dy) {
  cx_ -= dx / zoom_;
  cy_ -= dy / zoom_;
}

void ViewCamera::zoomAbout(double sx, double sy, double factor) {
  double wx = 0, wy = 0;
  screenToWorld(sx, sy, wx, wy);
  setZoom(zoom_ * factor);
  cx_ = wx - (sx - width_ / 2.0) / zoom_;
  cy_ = wy - (sy - height_ / 2.0) / zoom_;
}

void ViewCamera::fit(const Rect& world) {
  if (world.width() <= 0 || world.height() <= 0) return;
  setZoom(std::min(width_ / world.width(), height_ / world.height()));
  cx_ = (world.x0 + world.x1) / 2.0;
  cy_ = (world.y0 + world.y1) / 2.0;
}

void ViewCamera::oneToOne() {
  zoom_ = 1.0;
  // With an odd viewport the centre must sit mid-pixel for pixel edges to meet screen edges.
  cx_ = std::round(cx_ - (width_ % 2) / 2.0) + (width_ % 2) / 2.0;
  cy_ = std::round(cy_ - (height_ % 2) / 2.0) + (height_ % 2) / 2.0;
}

}  // namespace tessera::render
