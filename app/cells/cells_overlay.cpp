#include "app/cells/cells_overlay.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::app {

CellsOverlay::CellsOverlay(vtkRenderer* renderer, bool embedding)
    : renderer_(renderer), embedding_(embedding), legend_(renderer) {
  points_ =
      std::make_unique<render::PointOverlay>(renderer, embedding ? "embedding" : "cells", 0.2);
}

CellsOverlay::~CellsOverlay() = default;

bool CellsOverlay::hasOutlines() const {
  return !embedding_ && data_ && !data_->outlineOffsets.empty();
}

data::Expected<void> CellsOverlay::setData(std::shared_ptr<const CellsData> data) {
  data_ = std::move(data);
  polygons_.reset();
  if (!data_) return points_->setPoints({}, {});
  auto r = embedding_ ? points_->setPoints(data_->ex, data_->ey)
                      : points_->setPoints(data_->px, data_->py);
  if (!r) return r;
  if (hasOutlines()) {
    polygons_ = std::make_unique<render::PolygonOverlay>(renderer_, "cell outlines", 0.3);
    polygons_->setDepthOffset(depth_);
    if (auto p = polygons_->setPolygons(data_->outlineXY, data_->outlineOffsets); !p) return p;
    style_ = CellStyle::Outlines;
  } else {
    style_ = CellStyle::Points;
  }
  applyStyle();
  return {};
}

void CellsOverlay::setStyle(CellStyle style) {
  style_ = (style != CellStyle::Points && !polygons_) ? CellStyle::Points : style;
  applyStyle();
}

void CellsOverlay::applyStyle() {
  const bool poly = polygons_ && style_ != CellStyle::Points;
  points_->setVisible(visible_ && !poly);
  points_->setOpacity(opacity_);
  if (!embedding_ && data_ && data_->spotDiameterPx > 0)
    points_->setSize(data_->spotDiameterPx, render::SizeUnit::World);
  else
    points_->setSize(pointPx_, render::SizeUnit::ScreenPixels);
  if (polygons_) {
    polygons_->setVisible(visible_ && poly);
    polygons_->setOpacity(opacity_);
    polygons_->setFill(style_ == CellStyle::Filled ? render::PolygonFill::Filled
                                                   : render::PolygonFill::Outline);
  }
}

data::Expected<void> CellsOverlay::setColoring(const render::OverlayColoring& coloring) {
  if (points_->count() == 0) return {};  // e.g. the embedding of a table without one
  if (auto r = points_->setColoring(coloring); !r) return r;
  if (polygons_) return polygons_->setColoring(coloring);
  return {};
}

data::Expected<void> CellsOverlay::setHidden(std::vector<std::uint8_t> hidden) {
  if (points_->count() == 0) return {};
  if (polygons_)
    if (auto r = polygons_->setHidden(hidden); !r) return r;
  return points_->setHidden(std::move(hidden));
}

data::Expected<void> CellsOverlay::setSelection(std::vector<std::uint32_t> selection) {
  if (points_->count() == 0) return {};
  if (polygons_)
    if (auto r = polygons_->setSelection(selection); !r) return r;
  return points_->setSelection(std::move(selection));
}

void CellsOverlay::setOpacity(double opacity) {
  opacity_ = opacity;
  applyStyle();
}

void CellsOverlay::setVisible(bool visible) {
  visible_ = visible;
  applyStyle();
  legend_.setVisible(visible);
}

void CellsOverlay::setDepthOffset(double dz) {
  depth_ = dz;
  points_->setDepthOffset(dz);
  if (polygons_) polygons_->setDepthOffset(dz);
}

void CellsOverlay::setPointSize(double px) {
  pointPx_ = px;
  applyStyle();
}

void CellsOverlay::update(const render::ViewCamera& camera) {
  if (points_->count() > 0) {
    if (embedding_ || !data_ || data_->spotDiameterPx <= 0) {
      const double minPx = points_->count() >= kManyCells ? 1.0 : pointPx_;
      points_->setSize(std::clamp(0.8 * spacing_ * camera.zoom(), minPx, 24.0),
                       render::SizeUnit::ScreenPixels);
    }
    points_->update(camera);
  }
  if (polygons_ && style_ != CellStyle::Points) polygons_->update(camera);
  legend_.update(camera.viewportWidth(), camera.viewportHeight());
}

}  // namespace tessera::app
