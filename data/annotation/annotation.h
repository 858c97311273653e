#pragma once
/// Annotations drawn over an image (QuPath's annotation objects): a shape in level-0 pixels
/// (y down, as on screen), a name, a class with a colour and a description. Plain values, no
/// I/O; safe to copy between threads.
///
/// Area shapes (rectangle, ellipse, polygon, freehand, multipolygon) enclose the pixels whose
/// centre lies inside them by the even-odd rule over all of their rings (holes included); line,
/// arrow, point and text annotations enclose nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera::data {

enum class AnnotationKind {
  Rectangle,
  Ellipse,
  Polygon,
  Freehand,
  MultiPolygon,
  Point,
  Line,
  Arrow,
  Text
};

/// "rectangle", "ellipse", ... (the names of the `shape` property in GeoJSON and of the tools).
const char* annotationKindName(AnnotationKind kind);
std::optional<AnnotationKind> annotationKindFromName(const std::string& name);

struct Vec2 {
  double x = 0, y = 0;
  bool operator==(const Vec2&) const = default;
};

/// A ring without its closing vertex (first != last).
using Ring = std::vector<Vec2>;

struct PolygonRings {
  Ring outer;
  std::vector<Ring> holes;
  bool operator==(const PolygonRings&) const = default;
};

struct AnnotationClass {
  std::string name;                ///< empty = unclassified
  std::uint32_t color = 0xC80000;  ///< 0xRRGGBB
  bool operator==(const AnnotationClass&) const = default;
};

struct Bounds {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
};

struct Annotation {
  std::string id;  ///< stable identity (QuPath writes a UUID); may be empty
  AnnotationKind kind = AnnotationKind::Polygon;
  std::string name;
  AnnotationClass classification;
  std::string description;
  /// Polygon and Freehand: one entry; MultiPolygon: one or more.
  std::vector<PolygonRings> polygons;
  /// Rectangle and Ellipse: two opposite corners of the bounding box; Point: one or more
  /// points; Line and Arrow: a polyline of two or more (an arrow points at the last); Text: the
  /// anchor.
  std::vector<Vec2> points;
  std::string text;  ///< Text: the label shown
  bool visible = true;
  bool operator==(const Annotation&) const = default;
};

bool isAreaKind(AnnotationKind kind);
inline bool isArea(const Annotation& a) {
  return isAreaKind(a.kind);
}

/// The rings that bound an area annotation, as polygons (an ellipse as `ellipseVertices`
/// points, always including its four extremes); empty for other kinds.
std::vector<PolygonRings> areaPolygons(const Annotation& a, int ellipseVertices = 72);

/// Bounding box of every vertex (for an ellipse, of the ellipse).
Bounds annotationBounds(const Annotation& a);

/// Perimeter of an area (all rings, holes included; an ellipse by Ramanujan's second
/// approximation) or length of a line/arrow, in level-0 pixels; 0 for points and text.
double annotationLength(const Annotation& a);

/// Moves every vertex by (dx, dy).
void translate(Annotation& a, double dx, double dy);

/// Whether level-0 point (x, y) is inside an area annotation (even-odd over its rings; a point
/// on a left or top edge is inside, on a right or bottom edge outside, as for pixel centres).
bool contains(const Annotation& a, double x, double y);

/// Checks the shape's own invariants (enough vertices, finite coordinates); the message says
/// what is wrong without naming the annotation (the caller does).
std::optional<std::string> shapeProblem(const Annotation& a);

/// Whether any two non-adjacent edges of the area's rings cross (or one ring crosses
/// another), which makes the even-odd rule differ from what a user may expect.
bool selfIntersects(const Annotation& a);

}  // namespace tessera::data
