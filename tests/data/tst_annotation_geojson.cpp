// GeoJSON import/export of annotations in QuPath's shape: a hand-written fixture of QuPath's
// export round-trips, Tessera's own kinds survive, and bad input names the feature and reason.
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "data/annotation/geojson.h"

using namespace tessera::data;

namespace {

const std::string kFixture =
    std::string(TESSERA_TEST_DATA_DIR) + "/annotations/qupath_export.geojson";

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string featureError(const std::string& geometry, const std::string& name = "Bad one") {
  const std::string text = R"({"type":"FeatureCollection","features":[
    {"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},"properties":{}},
    {"type":"Feature","geometry":)" +
                           geometry + R"(,"properties":{"name":")" + name + R"("}}]})";
  auto r = parseGeoJson(text, "bad.geojson");
  return r ? std::string() : r.error().message;
}

}  // namespace

class TestAnnotationGeoJson : public QObject {
  Q_OBJECT
 private slots:
  void readsQuPathExport() {
    auto r = readGeoJson(kFixture);
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QCOMPARE(r->annotations.size(), std::size_t{5});
    QVERIFY(r->warnings.empty());
    const auto& a = r->annotations;
    QCOMPARE(a[0].kind, AnnotationKind::Polygon);
    QCOMPARE(a[0].name, std::string("Tumour core"));
    QCOMPARE(a[0].classification.name, std::string("Tumor"));
    QCOMPARE(a[0].classification.color, std::uint32_t{0xC80000});
    QCOMPARE(a[0].id, std::string("2f1c3a5e-6b7d-4c8e-9f10-a1b2c3d4e5f6"));
    QCOMPARE(a[0].polygons[0].outer.size(), std::size_t{4});  // closing position dropped
    QCOMPARE(a[1].kind, AnnotationKind::MultiPolygon);
    QCOMPARE(a[1].polygons.size(), std::size_t{2});
    QCOMPARE(a[1].polygons[0].holes.size(), std::size_t{1});
    QCOMPARE(a[1].polygons[1].outer[1], (Vec2{1200.25, 150.5}));
    QCOMPARE(a[2].kind, AnnotationKind::Line);
    QCOMPARE(annotationLength(a[2]), 500.0);
    QVERIFY(a[2].classification.name.empty());
    QCOMPARE(a[3].kind, AnnotationKind::Point);
    QCOMPARE(a[3].points.size(), std::size_t{3});
    QCOMPARE(a[4].points.front(), (Vec2{512.5, 256.25}));
    QCOMPARE(a[4].classification.color, std::uint32_t{0xA05AA0});
  }

  void exportEqualsQuPathsShape() {
    // Every geometry, id, name, classification and objectType of the fixture comes back as
    // QuPath wrote it (isLocked is QuPath's own state and is not kept).
    auto r = readGeoJson(kFixture);
    QVERIFY(r);
    auto original = nlohmann::json::parse(readAll(kFixture));
    auto written = annotationsToGeoJson(r->annotations);
    QCOMPARE(written["type"], original["type"]);
    QCOMPARE(written["features"].size(), original["features"].size());
    for (std::size_t i = 0; i < original["features"].size(); ++i) {
      auto o = original["features"][i], w = written["features"][i];
      QCOMPARE(w["id"], o["id"]);
      QVERIFY2(w["geometry"] == o["geometry"], w["geometry"].dump().c_str());
      o["properties"].erase("isLocked");
      QVERIFY2(w["properties"] == o["properties"], w["properties"].dump().c_str());
    }
  }

  void roundTripsEveryKind() {
    std::vector<Annotation> all;
    auto add = [&](AnnotationKind k, std::vector<Vec2> pts, std::vector<PolygonRings> polys = {}) {
      Annotation a;
      a.kind = k;
      a.name = std::string(annotationKindName(k)) + " one";
      a.classification = {"Class " + std::to_string(all.size()),
                          0x102030u + static_cast<std::uint32_t>(all.size())};
      a.description = "about the " + a.name;
      a.points = std::move(pts);
      a.polygons = std::move(polys);
      all.push_back(a);
    };
    add(AnnotationKind::Rectangle, {{10, 20}, {110.5, 70}});
    add(AnnotationKind::Ellipse, {{5.25, 8}, {65.25, 48}});
    add(AnnotationKind::Polygon, {}, {{{{0, 0}, {10, 0}, {5, 9}}, {}}});
    add(AnnotationKind::Freehand, {}, {{{{0, 0}, {3, 1}, {6, 4}, {2, 7}}, {}}});
    add(AnnotationKind::MultiPolygon, {},
        {{{{0, 0}, {50, 0}, {50, 50}, {0, 50}}, {{{10, 10}, {20, 10}, {20, 20}}}},
         {{{60, 0}, {70, 0}, {65, 9}}, {}}});
    add(AnnotationKind::Point, {{3, 4}});
    add(AnnotationKind::Line, {{0, 0}, {30, 40}, {60, 40}});
    add(AnnotationKind::Arrow, {{1, 1}, {9, 9}});
    add(AnnotationKind::Text, {{12, 13}});
    all.back().text = "Gland";
    all[2].visible = false;
    all[5].classification = {"", 0xFFD21E};  // unclassified with its own colour (the tools')
    const auto path = std::string(TESSERA_TEST_WORK_DIR) + "/annotations_roundtrip.geojson";
    QVERIFY(writeGeoJson(all, path));
    auto back = readGeoJson(path);
    QVERIFY2(back, back ? "" : back.error().message.c_str());
    QCOMPARE(back->annotations.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
      QVERIFY2(back->annotations[i] == all[i], annotationKindName(all[i].kind));
  }

  void acceptsOlderQuPathColours() {
    auto r = parseGeoJson(R"([{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},
      "properties":{"object_type":"annotation","classification":{"name":"Tumor","colorRGB":-3670016}}}])",
                          "old.json");
    QVERIFY(r);
    QCOMPARE(r->annotations[0].classification.color, std::uint32_t{0xC80000});
  }

  void namesTheFeatureAndReason() {
    auto e = featureError(R"({"type":"GeometryCollection","geometries":[]})");
    QVERIFY2(e.starts_with("bad.geojson: feature 2 ('Bad one'): "), e.c_str());
    QVERIFY2(e.find("GeometryCollection") != std::string::npos, e.c_str());
    e = featureError(R"({"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]})");
    QVERIFY2(e.find("fewer than 3 distinct") != std::string::npos, e.c_str());
    e = featureError(R"({"type":"LineString","coordinates":[[0,0]]})");
    QVERIFY2(e.find("LineString has fewer than 2") != std::string::npos, e.c_str());
    e = featureError(R"({"type":"Point","coordinates":["a",1]})");
    QVERIFY2(e.find("not [x, y]") != std::string::npos, e.c_str());
    e = featureError(R"({"type":"Polygon"})");
    QVERIFY2(e.find("no coordinates") != std::string::npos, e.c_str());
    auto r = parseGeoJson("{not json", "x.geojson");
    QVERIFY(!r);
    QCOMPARE(r.error().message, std::string("x.geojson: not valid JSON"));
    r = parseGeoJson(R"({"type":"Polygon","coordinates":[]})", "y.geojson");
    QVERIFY(!r && r.error().message.find("FeatureCollection") != std::string::npos);
    QVERIFY(!readGeoJson("/nonexistent/a.geojson"));
  }

  // Names and kinds that hold another JSON type are refused or ignored in words; nlohmann's
  // value(key, "") would throw past the reader (found by fuzz_geojson).
  void stringFieldsOfAnotherTypeAreRefusedNotThrown() {
    auto r = parseGeoJson(R"({"type":[{"type":"Feature"}]})", "t.geojson");
    QVERIFY(!r);
    QVERIFY2(r.error().message.find("t.geojson: expected a GeoJSON") == 0,
             r.error().message.c_str());
    r = parseGeoJson(R"([{"type":7,"geometry":{"type":"Point","coordinates":[1,2]}}])",
                     "f.geojson");
    QVERIFY(!r && r.error().message.find("not a GeoJSON Feature") != std::string::npos);
    r = parseGeoJson(R"([{"type":"Feature","geometry":{"type":{},"coordinates":[1,2]}}])",
                     "g.geojson");
    QVERIFY(!r && r.error().message.find("unsupported geometry type ''") != std::string::npos);
    // A shape or objectType that is not a string is ignored: the geometry is read as it is.
    r = parseGeoJson(R"([{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]},
      "properties":{"shape":[1],"objectType":5,"object_type":null}}])",
                     "p.geojson");
    QVERIFY2(r, r ? "" : r.error().message.c_str());
    QCOMPARE(r->annotations.size(), std::size_t{1});
    QVERIFY(r->annotations[0].kind == AnnotationKind::Point);
  }

  void closesOpenRingsWithANote() {
    auto r = parseGeoJson(R"({"type":"Feature","geometry":{"type":"Polygon",
      "coordinates":[[[0,0],[4,0],[4,4]]]},"properties":{"name":"open"}})",
                          "o.geojson");
    QVERIFY(r);
    QCOMPARE(r->annotations[0].polygons[0].outer.size(), std::size_t{3});
    QCOMPARE(r->warnings.size(), std::size_t{1});
    QVERIFY(r->warnings[0].find("feature 1 ('open')") != std::string::npos);
  }

  void geometryHelpers() {
    Annotation bow;
    bow.kind = AnnotationKind::Polygon;
    bow.polygons = {{{{0, 0}, {10, 10}, {10, 0}, {0, 10}}, {}}};
    QVERIFY(selfIntersects(bow));
    Annotation sq = bow;
    sq.polygons = {{{{0, 0}, {10, 0}, {10, 10}, {0, 10}}, {{{2, 2}, {4, 2}, {4, 4}}}}};
    QVERIFY(!selfIntersects(sq));
    QVERIFY(contains(sq, 5, 5));
    QVERIFY(!contains(sq, 3.5, 2.5));                               // in the hole
    QCOMPARE(annotationLength(sq), 40.0 + 2 + 2 + std::sqrt(8.0));  // square + hole
    Annotation circle;
    circle.kind = AnnotationKind::Ellipse;
    circle.points = {{0, 0}, {20, 20}};
    QVERIFY(std::abs(annotationLength(circle) - 2 * M_PI * 10) < 1e-9);
    translate(circle, 5, -5);
    QCOMPARE(circle.points[1], (Vec2{25, 15}));
  }
};

QTEST_GUILESS_MAIN(TestAnnotationGeoJson)
#include "tst_annotation_geojson.moc"
