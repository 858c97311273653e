#pragma once
/// 2D view state and its math: pan, zoom about a point, fit, 1:1. World units are level-0
/// pixels with y pointing down, as on screen; screen units are device pixels. A plain value,
/// no VTK: the window, the CLI and tests share it. Not thread-safe (UI thread owns it).
#include <algorithm>

namespace tessera::render {

struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
};

class ViewCamera {
 public:
  static constexpr double kMinZoom = 1.0 / 4096.0;
  static constexpr double kMaxZoom = 64.0;

  void setViewport(int widthPx, int heightPx);
  int viewportWidth() const { return width_; }
  int viewportHeight() const { return height_; }

  /// Device pixels per world unit (level-0 pixel).
  double zoom() const { return zoom_; }
  double centerX() const { return cx_; }
  double centerY() const { return cy_; }
  void setCenter(double x, double y) {
    cx_ = x;
    cy_ = y;
  }
  void setZoom(double zoom) { zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom); }

  void screenToWorld(double sx, double sy, double& wx, double& wy) const;
  void worldToScreen(double wx, double wy, double& sx, double& sy) const;
  Rect visibleWorld() const;

  /// Moves the content by (dx, dy) screen pixels (a drag).
  void pan(double dx, double dy);
  /// Zooms by `factor`, keeping the world point under screen point (sx, sy) fixed.
  void zoomAbout(double sx, double sy, double factor);
  /// Shows the whole rect, centred.
  void fit(const Rect& world);
  /// One image pixel per device pixel, keeping the centre (snapped so pixels align).
  void oneToOne();

 private:
  int width_ = 1, height_ = 1;
  double zoom_ = 1.0;
  double cx_ = 0, cy_ = 0;
};

}  // namespace tessera::render
