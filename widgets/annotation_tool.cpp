#include "widgets/annotation_tool.h"

#include <QKeyEvent>
#include <QMouseEvent>

#include <cmath>

#include "widgets/vtk_gl_window.h"

namespace tessera::widgets {
namespace {

double segmentDistance(data::Vec2 p, data::Vec2 a, data::Vec2 b) {
  const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
  const double t =
      len2 > 0 ? std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / len2, 0.0, 1.0) : 0;
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

}  // namespace

AnnotationTool::AnnotationTool(VtkGlWindow* window,
                               std::function<const render::ViewCamera&()> camera, QObject* parent)
    : QObject(parent), window_(window), camera_(std::move(camera)) {
  window_->installEventFilter(this);
}

// Qt drops a destroyed filter from the window's list by itself; the window may be half torn
// down by now, so it is not touched here.
AnnotationTool::~AnnotationTool() = default;

void AnnotationTool::setTool(std::optional<data::AnnotationKind> kind) {
  cancel();
  tool_ = kind;
}

data::Vec2 AnnotationTool::world(QPointF logical) const {
  const QPointF d = logical * window_->devicePixelRatio();
  double x = 0, y = 0;
  camera_().screenToWorld(d.x(), d.y(), x, y);
  return {x, y};
}

double AnnotationTool::pixel() const {
  return 1.0 / camera_().zoom();
}

data::Annotation AnnotationTool::building() const {
  data::Annotation a;
  a.kind = *tool_;
  a.classification.color = 0xFFD21E;
  switch (a.kind) {
    case data::AnnotationKind::Polygon:
    case data::AnnotationKind::Freehand:
      a.polygons = {{path_, {}}};
      break;
    case data::AnnotationKind::Rectangle:
    case data::AnnotationKind::Ellipse:
    case data::AnnotationKind::Line:
    case data::AnnotationKind::Arrow:
      if (path_.size() >= 2) a.points = {path_.front(), path_.back()};
      break;
    default:
      a.points = path_;
  }
  return a;
}

void AnnotationTool::finish() {
  auto a = building();
  drawing_ = false;
  path_.clear();
  emit preview({});
  if (a.kind == data::AnnotationKind::Text) {
    const auto text = askText ? askText() : std::nullopt;
    if (!text || text->isEmpty()) return;
    a.text = text->toStdString();
  }
  if (data::shapeProblem(a)) return;  // a click without a drag, a two-vertex polygon
  const auto b = data::annotationBounds(a);
  if (data::isArea(a) && (b.width() <= 0 || b.height() <= 0)) return;
  emit drawn(a);
}

void AnnotationTool::cancel() {
  const bool was = drawing_ || editing_ >= 0;
  drawing_ = false;
  path_.clear();
  editing_ = -1;
  vertex_.reset();
  if (was) emit preview({});
}

std::optional<VertexRef> AnnotationTool::vertexNear(const data::Annotation& a, data::Vec2 p,
                                                    double radius) {
  auto near = [&](data::Vec2 v) { return std::hypot(v.x - p.x, v.y - p.y) <= radius; };
  for (std::size_t i = 0; i < a.points.size(); ++i)
    if (near(a.points[i])) return VertexRef{0, -1, static_cast<int>(i)};
  for (std::size_t k = 0; k < a.polygons.size(); ++k) {
    const auto& poly = a.polygons[k];
    for (int r = 0; r <= static_cast<int>(poly.holes.size()); ++r) {
      const auto& ring = r == 0 ? poly.outer : poly.holes[static_cast<std::size_t>(r - 1)];
      for (std::size_t i = 0; i < ring.size(); ++i)
        if (near(ring[i])) return VertexRef{static_cast<int>(k), r, static_cast<int>(i)};
    }
  }
  return std::nullopt;
}

void AnnotationTool::moveVertex(data::Annotation& a, const VertexRef& v, data::Vec2 to) {
  if (v.ring < 0) {
    a.points.at(static_cast<std::size_t>(v.index)) = to;
    return;
  }
  auto& poly = a.polygons.at(static_cast<std::size_t>(v.polygon));
  auto& ring = v.ring == 0 ? poly.outer : poly.holes.at(static_cast<std::size_t>(v.ring - 1));
  ring.at(static_cast<std::size_t>(v.index)) = to;
}

bool AnnotationTool::hits(const data::Annotation& a, data::Vec2 p, double radius) {
  if (!a.visible) return false;
  if (data::isArea(a) && data::contains(a, p.x, p.y)) return true;
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    if (std::hypot(a.points[i].x - p.x, a.points[i].y - p.y) <= radius) return true;
    if ((a.kind == data::AnnotationKind::Line || a.kind == data::AnnotationKind::Arrow) && i > 0 &&
        segmentDistance(p, a.points[i - 1], a.points[i]) <= radius)
      return true;
  }
  return false;
}

bool AnnotationTool::eventFilter(QObject*, QEvent* event) {
  switch (event->type()) {
    case QEvent::MouseButtonPress: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton || (e->modifiers() & Qt::ControlModifier)) return false;
      const auto p = world(e->position());
      if (!tool_) {
        // Select: a vertex of the selected annotation, else the topmost annotation hit.
        if (!list_) return false;
        const double r = 6 * pixel();
        if (selected_ >= 0 && selected_ < static_cast<int>(list_->size())) {
          if (auto v = vertexNear((*list_)[static_cast<std::size_t>(selected_)], p, r)) {
            editing_ = selected_;
            vertex_ = v;
          }
        }
        if (editing_ < 0) {
          for (int i = static_cast<int>(list_->size()) - 1; i >= 0; --i)
            if (hits((*list_)[static_cast<std::size_t>(i)], p, r)) {
              editing_ = i;
              break;
            }
          if (editing_ < 0) return false;  // the view pans
          emit selected(editing_);
        }
        original_ = current_ = (*list_)[static_cast<std::size_t>(editing_)];
        grab_ = p;
        return true;
      }
      if (*tool_ == data::AnnotationKind::Polygon) {
        if (drawing_ && path_.size() >= 3 &&
            std::hypot(path_.front().x - p.x, path_.front().y - p.y) <= 6 * pixel()) {
          finish();
          return true;
        }
        drawing_ = true;
        path_.push_back(p);
        emit preview({building()});
        return true;
      }
      drawing_ = true;
      path_ = {p};
      if (*tool_ == data::AnnotationKind::Point || *tool_ == data::AnnotationKind::Text) finish();
      return true;
    }
    case QEvent::MouseMove: {
      auto* e = static_cast<QMouseEvent*>(event);
      const auto p = world(e->position());
      if (editing_ >= 0) {
        current_ = original_;
        if (vertex_)
          moveVertex(current_, *vertex_, p);
        else
          data::translate(current_, p.x - grab_.x, p.y - grab_.y);
        emit preview({current_});
        return true;
      }
      if (!drawing_ || !tool_) return false;
      if (*tool_ == data::AnnotationKind::Freehand) {
        // A vertex per device pixel or two of travel keeps outlines smooth and small.
        if (std::hypot(path_.back().x - p.x, path_.back().y - p.y) >= 2 * pixel())
          path_.push_back(p);
      } else if (*tool_ == data::AnnotationKind::Polygon) {
        auto shown = building();
        shown.kind = data::AnnotationKind::Line;
        shown.polygons.clear();
        shown.points = path_;
        shown.points.push_back(p);
        emit preview({shown});
        return true;
      } else {
        if (path_.size() < 2) path_.push_back(p);
        path_.back() = p;
      }
      emit preview({building()});
      return true;
    }
    case QEvent::MouseButtonRelease: {
      auto* e = static_cast<QMouseEvent*>(event);
      if (e->button() != Qt::LeftButton) return false;
      if (editing_ >= 0) {
        const int index = editing_;
        const bool changed = !(current_ == original_);
        editing_ = -1;
        vertex_.reset();
        emit preview({});
        if (changed) emit edited(index, current_);
        return true;
      }
      if (!drawing_ || !tool_ || *tool_ == data::AnnotationKind::Polygon) return drawing_;
      finish();
      return true;
    }
    case QEvent::MouseButtonDblClick:
      if (drawing_ && tool_ && *tool_ == data::AnnotationKind::Polygon) {
        finish();
        return true;
      }
      return false;
    case QEvent::KeyPress: {
      auto* e = static_cast<QKeyEvent*>(event);
      if (!drawing_ && editing_ < 0) return false;
      if (e->key() == Qt::Key_Escape) {
        cancel();
        return true;
      }
      if ((e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter) && tool_ &&
          *tool_ == data::AnnotationKind::Polygon) {
        finish();
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

}  // namespace tessera::widgets
