#include "data/annotation/annotation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace tessera::data {
namespace {

constexpr std::array<const char*, 9> kKindNames = {"rectangle", "ellipse",      "polygon",
                                                   "freehand",  "multipolygon", "point",
                                                   "line",      "arrow",        "text"};

double ringLength(const Ring& r, bool closed) {
  double len = 0;
  for (std::size_t i = 0; i + 1 < r.size(); ++i)
    len += std::hypot(r[i + 1].x - r[i].x, r[i + 1].y - r[i].y);
  if (closed && r.size() > 2) len += std::hypot(r.front().x - r.back().x, r.front().y - r.back().y);
  return len;
}

// Even-odd crossing test with the half-open rule the scanner uses for pixel centres.
bool ringCrossingsOdd(const Ring& r, double x, double y) {
  bool odd = false;
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
    const Vec2 a = r[j], b = r[i];
    if ((a.y <= y) != (b.y <= y)) {
      const double xi = a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y);
      if (x < xi) odd = !odd;
    }
  }
  return odd;
}

bool finite(const Vec2& p) {
  return std::isfinite(p.x) && std::isfinite(p.y);
}

// Proper or touching intersection of segments ab and cd.
bool segmentsCross(Vec2 a, Vec2 b, Vec2 c, Vec2 d) {
  auto orient = [](Vec2 p, Vec2 q, Vec2 r) {
    const double v = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    return (v > 0) - (v < 0);
  };
  auto onSeg = [](Vec2 p, Vec2 q, Vec2 r) {  // r on pq, given collinear
    return std::min(p.x, q.x) <= r.x && r.x <= std::max(p.x, q.x) && std::min(p.y, q.y) <= r.y &&
           r.y <= std::max(p.y, q.y);
  };
  const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 != o2 && o3 != o4) return true;
  return (o1 == 0 && onSeg(a, b, c)) || (o2 == 0 && onSeg(a, b, d)) ||
         (o3 == 0 && onSeg(c, d, a)) || (o4 == 0 && onSeg(c, d, b));
}

}  // namespace

const char* annotationKindName(AnnotationKind kind) {
  return kKindNames[static_cast<std::size_t>(kind)];
}

std::optional<AnnotationKind> annotationKindFromName(const std::string& name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (name == kKindNames[i]) return static_cast<AnnotationKind>(i);
  return std::nullopt;
}

bool isAreaKind(AnnotationKind k) {
  return k == AnnotationKind::Rectangle || k == AnnotationKind::Ellipse ||
         k == AnnotationKind::Polygon || k == AnnotationKind::Freehand ||
         k == AnnotationKind::MultiPolygon;
}

std::vector<PolygonRings> areaPolygons(const Annotation& a, int ellipseVertices) {
  switch (a.kind) {
    case AnnotationKind::Rectangle: {
      if (a.points.size() != 2) return {};
      const auto b = annotationBounds(a);
      return {PolygonRings{{{b.x0, b.y0}, {b.x1, b.y0}, {b.x1, b.y1}, {b.x0, b.y1}}, {}}};
    }
    case AnnotationKind::Ellipse: {
      if (a.points.size() != 2) return {};
      const auto b = annotationBounds(a);
      const double cx = (b.x0 + b.x1) / 2, cy = (b.y0 + b.y1) / 2;
      const double rx = b.width() / 2, ry = b.height() / 2;
      // A multiple of four puts vertices on the extremes, so the bounding box survives.
      const int n = std::max(8, (ellipseVertices + 3) / 4 * 4);
      Ring ring;
      for (int i = 0; i < n; ++i) {
        const double t = 2 * std::numbers::pi * i / n;
        // Exact extremes (cos/sin of multiples of pi/2 are not exactly 0/1 in floating point).
        const double c = (i * 4 % n == 0) ? std::round(std::cos(t)) : std::cos(t);
        const double s = (i * 4 % n == 0) ? std::round(std::sin(t)) : std::sin(t);
        ring.push_back({cx + rx * c, cy + ry * s});
      }
      return {PolygonRings{std::move(ring), {}}};
    }
    case AnnotationKind::Polygon:
    case AnnotationKind::Freehand:
    case AnnotationKind::MultiPolygon:
      return a.polygons;
    default:
      return {};
  }
}

Bounds annotationBounds(const Annotation& a) {
  Bounds b{INFINITY, INFINITY, -INFINITY, -INFINITY};
  auto add = [&](const Vec2& p) {
    b.x0 = std::min(b.x0, p.x);
    b.y0 = std::min(b.y0, p.y);
    b.x1 = std::max(b.x1, p.x);
    b.y1 = std::max(b.y1, p.y);
  };
  for (const auto& p : a.points)
    add(p);
  for (const auto& poly : a.polygons) {
    for (const auto& p : poly.outer)
      add(p);
    for (const auto& h : poly.holes)
      for (const auto& p : h)
        add(p);
  }
  if (b.x0 > b.x1) return {};
  return b;
}

double annotationLength(const Annotation& a) {
  switch (a.kind) {
    case AnnotationKind::Rectangle: {
      const auto b = annotationBounds(a);
      return 2 * (b.width() + b.height());
    }
    case AnnotationKind::Ellipse: {
      const auto b = annotationBounds(a);
      const double ra = b.width() / 2, rb = b.height() / 2;
      if (ra + rb <= 0) return 0;
      const double h = (ra - rb) * (ra - rb) / ((ra + rb) * (ra + rb));
      return std::numbers::pi * (ra + rb) * (1 + 3 * h / (10 + std::sqrt(4 - 3 * h)));
    }
    case AnnotationKind::Polygon:
    case AnnotationKind::Freehand:
    case AnnotationKind::MultiPolygon: {
      double len = 0;
      for (const auto& poly : a.polygons) {
        len += ringLength(poly.outer, true);
        for (const auto& h : poly.holes)
          len += ringLength(h, true);
      }
      return len;
    }
    case AnnotationKind::Line:
    case AnnotationKind::Arrow:
      return ringLength(a.points, false);
    default:
      return 0;
  }
}

void translate(Annotation& a, double dx, double dy) {
  auto move = [&](Vec2& p) {
    p.x += dx;
    p.y += dy;
  };
  for (auto& p : a.points)
    move(p);
  for (auto& poly : a.polygons) {
    for (auto& p : poly.outer)
      move(p);
    for (auto& h : poly.holes)
      for (auto& p : h)
        move(p);
  }
}

bool contains(const Annotation& a, double x, double y) {
  if (!isArea(a)) return false;
  if (a.kind == AnnotationKind::Ellipse) {
    const auto b = annotationBounds(a);
    const double rx = b.width() / 2, ry = b.height() / 2;
    if (rx <= 0 || ry <= 0) return false;
    const double t = (y - (b.y0 + b.y1) / 2) / ry;
    if (t * t >= 1) return false;
    return std::abs(x - (b.x0 + b.x1) / 2) < rx * std::sqrt(1 - t * t);
  }
  bool odd = false;
  for (const auto& poly : areaPolygons(a)) {
    if (poly.outer.size() >= 3 && ringCrossingsOdd(poly.outer, x, y)) odd = !odd;
    for (const auto& h : poly.holes)
      if (h.size() >= 3 && ringCrossingsOdd(h, x, y)) odd = !odd;
  }
  return odd;
}

std::optional<std::string> shapeProblem(const Annotation& a) {
  for (const auto& p : a.points)
    if (!finite(p)) return "a coordinate is not a finite number";
  for (const auto& poly : a.polygons) {
    for (const auto& p : poly.outer)
      if (!finite(p)) return "a coordinate is not a finite number";
    for (const auto& h : poly.holes)
      for (const auto& p : h)
        if (!finite(p)) return "a coordinate is not a finite number";
  }
  switch (a.kind) {
    case AnnotationKind::Rectangle:
    case AnnotationKind::Ellipse:
      if (a.points.size() != 2) return "needs two corners";
      break;
    case AnnotationKind::Polygon:
    case AnnotationKind::Freehand:
    case AnnotationKind::MultiPolygon:
      if (a.polygons.empty()) return "has no polygon";
      if (a.kind != AnnotationKind::MultiPolygon && a.polygons.size() != 1)
        return "a polygon has exactly one outer ring";
      for (const auto& poly : a.polygons) {
        if (poly.outer.size() < 3) return "a ring has fewer than 3 distinct vertices";
        for (const auto& h : poly.holes)
          if (h.size() < 3) return "a hole has fewer than 3 distinct vertices";
      }
      break;
    case AnnotationKind::Point:
    case AnnotationKind::Text:
      if (a.points.empty()) return "has no point";
      if (a.kind == AnnotationKind::Text && a.points.size() != 1) return "text has one anchor";
      break;
    case AnnotationKind::Line:
    case AnnotationKind::Arrow:
      if (a.points.size() < 2) return "a line needs at least 2 points";
      break;
  }
  return std::nullopt;
}

bool selfIntersects(const Annotation& a) {
  if (a.kind == AnnotationKind::Rectangle || a.kind == AnnotationKind::Ellipse) return false;
  struct Edge {
    Vec2 p, q;
    int ring;
    std::size_t index, ringSize;
  };
  std::vector<Edge> edges;
  int ring = 0;
  auto addRing = [&](const Ring& r) {
    for (std::size_t i = 0; i < r.size(); ++i)
      edges.push_back({r[i], r[(i + 1) % r.size()], ring, i, r.size()});
    ++ring;
  };
  for (const auto& poly : a.polygons) {
    addRing(poly.outer);
    for (const auto& h : poly.holes)
      addRing(h);
  }
  // Sweep in y: an edge is compared only with edges whose y-range overlaps its own.
  std::sort(edges.begin(), edges.end(), [](const Edge& e, const Edge& f) {
    return std::min(e.p.y, e.q.y) < std::min(f.p.y, f.q.y);
  });
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto& e = edges[i];
    const double ymax = std::max(e.p.y, e.q.y);
    for (std::size_t j = i + 1; j < edges.size(); ++j) {
      const auto& f = edges[j];
      if (std::min(f.p.y, f.q.y) > ymax) break;
      if (e.ring == f.ring) {
        const std::size_t d = e.index > f.index ? e.index - f.index : f.index - e.index;
        if (d == 1 || d + 1 == e.ringSize) continue;  // neighbours share a vertex
      }
      if (segmentsCross(e.p, e.q, f.p, f.q)) return true;
    }
  }
  return false;
}

}  // namespace tessera::data
