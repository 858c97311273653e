#include "data/annotation/geojson.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/json_number.h"

namespace tessera::data {
namespace {

using nlohmann::json;

// Thrown inside the parser only, caught in parseGeoJson: a reason without the feature's name.
struct Invalid {
  std::string reason;
};

Vec2 position(const json& p) {
  if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number())
    throw Invalid{"a position is not [x, y]"};
  return {p[0].get<double>(), p[1].get<double>()};
}

std::vector<Vec2> positions(const json& a, const char* what) {
  if (!a.is_array()) throw Invalid{std::string(what) + " is not an array of positions"};
  std::vector<Vec2> out;
  out.reserve(a.size());
  for (const auto& p : a)
    out.push_back(position(p));
  return out;
}

Ring ring(const json& a, bool& closedIt) {
  Ring r = positions(a, "a ring");
  if (r.size() >= 2 && r.front() == r.back())
    r.pop_back();
  else if (!r.empty())
    closedIt = true;
  // Repeated consecutive vertices add nothing and confuse nothing, but do not count as distinct.
  r.erase(std::unique(r.begin(), r.end()), r.end());
  if (r.size() < 3) throw Invalid{"a ring has fewer than 3 distinct positions"};
  return r;
}

PolygonRings polygon(const json& rings, bool& closedIt) {
  if (!rings.is_array() || rings.empty()) throw Invalid{"a polygon has no rings"};
  PolygonRings p;
  p.outer = ring(rings[0], closedIt);
  for (std::size_t i = 1; i < rings.size(); ++i)
    p.holes.push_back(ring(rings[i], closedIt));
  return p;
}

std::uint32_t classColor(const json& c) {
  if (c.contains("color")) {
    const auto& col = c["color"];
    if (!col.is_array() || col.size() < 3) throw Invalid{"classification color is not [r, g, b]"};
    std::uint32_t rgb = 0;
    for (int i = 0; i < 3; ++i) {
      const auto v = jsonInteger(col[i], 0, 255);
      if (!v) throw Invalid{"classification color components must be integers 0..255"};
      rgb = (rgb << 8) | static_cast<std::uint32_t>(*v);
    }
    return rgb;
  }
  if (c.contains("colorRGB") && c["colorRGB"].is_number_integer())
    return static_cast<std::uint32_t>(c["colorRGB"].get<std::int64_t>()) & 0xFFFFFF;
  return AnnotationClass{}.color;
}

Annotation feature(const json& f, std::vector<std::string>& notes) {
  if (!f.is_object() || jsonStringOr(f, "type") != "Feature")
    throw Invalid{"not a GeoJSON Feature"};
  Annotation a;
  const json props =
      f.contains("properties") && f["properties"].is_object() ? f["properties"] : json::object();
  if (props.contains("name") && props["name"].is_string()) a.name = props["name"];
  if (f.contains("id") && f["id"].is_string()) a.id = f["id"];
  if (props.contains("description") && props["description"].is_string())
    a.description = props["description"];
  if (props.contains("text") && props["text"].is_string()) a.text = props["text"];
  if (props.contains("classification") && props["classification"].is_object()) {
    const auto& c = props["classification"];
    if (c.contains("name") && c["name"].is_string()) a.classification.name = c["name"];
    a.classification.color = classColor(c);
  } else if (props.contains("color")) {
    a.classification.color = classColor(props);  // QuPath's colour of an unclassified object
  }
  if (props.contains("isHidden") && props["isHidden"].is_boolean()) a.visible = !props["isHidden"];
  if (!f.contains("geometry") || !f["geometry"].is_object()) throw Invalid{"has no geometry"};
  const auto& g = f["geometry"];
  const std::string type = jsonStringOr(g, "type");
  if (!g.contains("coordinates")) throw Invalid{type + " geometry has no coordinates"};
  const auto& c = g["coordinates"];
  bool closedIt = false;
  if (type == "Polygon") {
    a.kind = AnnotationKind::Polygon;
    a.polygons.push_back(polygon(c, closedIt));
  } else if (type == "MultiPolygon") {
    a.kind = AnnotationKind::MultiPolygon;
    if (!c.is_array() || c.empty()) throw Invalid{"MultiPolygon has no polygons"};
    for (const auto& p : c)
      a.polygons.push_back(polygon(p, closedIt));
  } else if (type == "LineString") {
    a.kind = AnnotationKind::Line;
    a.points = positions(c, "LineString coordinates");
    if (a.points.size() < 2) throw Invalid{"LineString has fewer than 2 positions"};
  } else if (type == "Point") {
    a.kind = AnnotationKind::Point;
    a.points = {position(c)};
  } else if (type == "MultiPoint") {
    a.kind = AnnotationKind::Point;
    a.points = positions(c, "MultiPoint coordinates");
    if (a.points.empty()) throw Invalid{"MultiPoint has no positions"};
  } else {
    throw Invalid{"unsupported geometry type '" + type +
                  "' (Polygon, MultiPolygon, LineString, Point, MultiPoint)"};
  }
  if (closedIt) notes.push_back("a ring was not closed; closed it");
  // Tessera's own kinds ride on QuPath's geometry types.
  const std::string shape = jsonStringOr(props, "shape");
  const Bounds b = annotationBounds(a);
  if ((shape == "rectangle" || shape == "ellipse") && a.kind == AnnotationKind::Polygon) {
    a.kind = shape == "rectangle" ? AnnotationKind::Rectangle : AnnotationKind::Ellipse;
    a.polygons.clear();
    a.points = {{b.x0, b.y0}, {b.x1, b.y1}};
  } else if (shape == "freehand" && a.kind == AnnotationKind::Polygon) {
    a.kind = AnnotationKind::Freehand;
  } else if (shape == "arrow" && a.kind == AnnotationKind::Line) {
    a.kind = AnnotationKind::Arrow;
  } else if (shape == "text" && a.kind == AnnotationKind::Point && a.points.size() == 1) {
    a.kind = AnnotationKind::Text;
  }
  if (auto problem = shapeProblem(a)) throw Invalid{*problem};
  const std::string objectType =
      jsonStringOr(props, "objectType", jsonStringOr(props, "object_type"));
  if (!objectType.empty() && objectType != "annotation")
    notes.push_back("objectType '" + objectType + "' read as an annotation");
  return a;
}

json pos(const Vec2& p) {
  return json::array({p.x, p.y});
}

json ringJson(const Ring& r) {
  json a = json::array();
  for (const auto& p : r)
    a.push_back(pos(p));
  if (!r.empty()) a.push_back(pos(r.front()));  // GeoJSON rings repeat their first position
  return a;
}

json polygonJson(const PolygonRings& p) {
  json rings = json::array({ringJson(p.outer)});
  for (const auto& h : p.holes)
    rings.push_back(ringJson(h));
  return rings;
}

}  // namespace

Expected<AnnotationImport> parseGeoJson(const std::string& text, const std::string& source) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(Errc::Corrupt, source + ": not valid JSON");
  return geoJsonAnnotations(doc, source);
}

Expected<AnnotationImport> geoJsonAnnotations(const json& doc, const std::string& source) {
  json features;
  if (doc.is_array())
    features = doc;
  else if (jsonStringOr(doc, "type") == "FeatureCollection") {
    if (!doc.contains("features") || !doc["features"].is_array())
      return fail(Errc::Corrupt, source + ": FeatureCollection has no 'features' array");
    features = doc["features"];
  } else if (jsonStringOr(doc, "type") == "Feature")
    features = json::array({doc});
  else
    return fail(Errc::Corrupt, source + ": expected a GeoJSON FeatureCollection, Feature or array");
  AnnotationImport out;
  for (std::size_t i = 0; i < features.size(); ++i) {
    const auto& f = features[i];
    std::string label = "feature " + std::to_string(i + 1);
    if (f.is_object() && f.contains("properties") && f["properties"].is_object() &&
        f["properties"].contains("name") && f["properties"]["name"].is_string())
      label += " ('" + f["properties"]["name"].get<std::string>() + "')";
    std::vector<std::string> notes;
    try {
      out.annotations.push_back(feature(f, notes));
    } catch (const Invalid& e) {
      return fail(Errc::Corrupt, source + ": " + label + ": " + e.reason);
    } catch (const json::exception& e) {  // a value of the wrong JSON type
      return fail(Errc::Corrupt, source + ": " + label + ": " + e.what());
    }
    for (const auto& n : notes)
      out.warnings.push_back(source + ": " + label + ": " + n);
  }
  return out;
}

Expected<AnnotationImport> readGeoJson(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::NotFound, path.string() + ": cannot open the annotation file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseGeoJson(ss.str(), path.string());
}

json annotationsToGeoJson(const std::vector<Annotation>& annotations) {
  json features = json::array();
  for (const auto& a : annotations) {
    json geometry;
    switch (a.kind) {
      case AnnotationKind::Rectangle:
      case AnnotationKind::Ellipse:
      case AnnotationKind::Polygon:
      case AnnotationKind::Freehand: {
        const auto polys = areaPolygons(a);
        if (polys.empty()) continue;
        geometry = {{"type", "Polygon"}, {"coordinates", polygonJson(polys.front())}};
        break;
      }
      case AnnotationKind::MultiPolygon: {
        json c = json::array();
        for (const auto& p : a.polygons)
          c.push_back(polygonJson(p));
        geometry = {{"type", "MultiPolygon"}, {"coordinates", c}};
        break;
      }
      case AnnotationKind::Point:
      case AnnotationKind::Text:
        if (a.points.empty()) continue;
        if (a.points.size() == 1) {
          geometry = {{"type", "Point"}, {"coordinates", pos(a.points.front())}};
        } else {
          json c = json::array();
          for (const auto& p : a.points)
            c.push_back(pos(p));
          geometry = {{"type", "MultiPoint"}, {"coordinates", c}};
        }
        break;
      case AnnotationKind::Line:
      case AnnotationKind::Arrow: {
        json c = json::array();
        for (const auto& p : a.points)
          c.push_back(pos(p));
        geometry = {{"type", "LineString"}, {"coordinates", c}};
        break;
      }
    }
    json props = {{"objectType", "annotation"}};
    if (!a.name.empty()) props["name"] = a.name;
    if (!a.classification.name.empty()) {
      const auto c = a.classification.color;
      props["classification"] = {
          {"name", a.classification.name},
          {"color", json::array({(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF})}};
    } else if (const auto c = a.classification.color; c != AnnotationClass{}.color) {
      // An unclassified annotation's own colour, where QuPath writes it.
      props["color"] = json::array({(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF});
    }
    if (!a.description.empty()) props["description"] = a.description;
    if (a.kind == AnnotationKind::Rectangle || a.kind == AnnotationKind::Ellipse ||
        a.kind == AnnotationKind::Freehand || a.kind == AnnotationKind::Arrow ||
        a.kind == AnnotationKind::Text)
      props["shape"] = annotationKindName(a.kind);
    if (a.kind == AnnotationKind::Text) props["text"] = a.text;
    if (!a.visible) props["isHidden"] = true;
    json f = {{"type", "Feature"}, {"geometry", geometry}, {"properties", props}};
    if (!a.id.empty()) f["id"] = a.id;
    features.push_back(std::move(f));
  }
  return {{"type", "FeatureCollection"}, {"features", features}};
}

Expected<void> writeGeoJson(const std::vector<Annotation>& annotations,
                            const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return fail(Errc::Io, path.string() + ": cannot write the annotation file");
  out << annotationsToGeoJson(annotations).dump(2) << "\n";
  if (!out) return fail(Errc::Io, path.string() + ": could not write the annotation file");
  return {};
}

}  // namespace tessera::data
