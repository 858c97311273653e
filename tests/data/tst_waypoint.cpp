// Waypoints applied to a session: the view, each listed layer's state, channels matched by name
// when the counts differ, missing layers, channels and selections noted (and left out), the
// reveal hidden until revealed; captured from a session; the camera path between two stops.
#include <QtTest>

#include "data/session/waypoint.h"

using namespace tessera::data;

namespace {

Session storySession() {
  Session s;
  s.datasets = {{"image", DatasetKind::Image, "", "", "demo", "Demo tissue", {}},
                {"cells", DatasetKind::Table, "/x/cells.h5ad", "", "", "cells.h5ad", {}}};
  SessionLayer il{"image", LayerKind::Image, "image", "Demo tissue", true, 1, {}, {}};
  il.channels = {{"DAPI", 0x0000ff}, {"PanCK", 0x00ff00}, {"CD3E", 0xff0000}};
  SessionLayer cl{"cells", LayerKind::Cells, "cells", "cells.h5ad", true, 1, {}, {}};
  s.layers = {il, cl};
  s.camera = {4096, 4096, 0, std::nullopt, std::pair{1600, 1000}, 0, 0, -1};
  s.selections = {{"lasso", {1, 2, 3}}};
  return s;
}

}  // namespace

class WaypointTest : public QObject {
  Q_OBJECT
 private slots:
  void appliesViewAndLayerState() {
    Session s = storySession();
    Waypoint w{"Gland", "PanCK marks the *epithelium*.", 3000, 2500, 900, {}};
    SessionLayer il = *s.layer("image");
    il.channels[0].visible = false;
    il.channels[2].visible = false;
    SessionLayer cl = *s.layer("cells");
    cl.visible = false;
    w.layers = {il, cl};
    s.waypoints = {w};
    const auto a = applyWaypoint(s, 0);
    QVERIFY(a.notes.empty());
    QCOMPARE(a.session.camera.centerX, 3000.0);
    QCOMPARE(a.session.camera.centerY, 2500.0);
    QCOMPARE(a.session.camera.width, 900.0);
    QVERIFY(!a.session.camera.height);
    QVERIFY(a.session.camera.viewport == (std::pair{1600, 1000}));  // the viewport is kept
    QVERIFY(!a.session.layer("image")->channels[0].visible);
    QVERIFY(a.session.layer("image")->channels[1].visible);
    QVERIFY(!a.session.layer("cells")->visible);
    QVERIFY(a.session.waypoints == s.waypoints);  // the story itself is unchanged
  }

  void missingLayerIsNotedAndLeftOut() {
    Session s = storySession();
    SessionLayer labels{"labels", LayerKind::Labels, "seg", "nuclei", true, 1, {}, {}};
    SessionLayer cl = *s.layer("cells");
    cl.cells.colorKind = "gene";
    cl.cells.colorName = "CD3E";
    Waypoint w{"T cells", "", 100, 100, 400, {labels, cl}};
    w.selection = "gone";
    s.waypoints = {w};
    const auto a = applyWaypoint(s, 0);
    QCOMPARE(a.notes.size(), 2u);
    QVERIFY2(a.notes[0].find("waypoint 1 \"T cells\": layer \"nuclei\" is not in the session") !=
                 std::string::npos,
             a.notes[0].c_str());
    QVERIFY(a.notes[1].find("selection \"gone\"") != std::string::npos);
    QCOMPARE(a.session.layers.size(), 2u);
    QCOMPARE(a.session.layer("cells")->cells.colorName, std::string("CD3E"));
  }

  void channelsMatchByNameWhenCountsDiffer() {
    Session s = storySession();
    SessionLayer il = *s.layer("image");
    il.channels = {{"PanCK", 0xffffff, "solid", 0, 900, 1, false, false}, {"Ki67", 0x00ffff}};
    s.waypoints = {{"Two channels", "", 1, 1, 10, {il}}};
    const auto a = applyWaypoint(s, 0);
    QCOMPARE(a.notes.size(), 1u);
    QVERIFY(a.notes[0].find("channel \"Ki67\" is not in the image") != std::string::npos);
    const auto& ch = a.session.layer("image")->channels;
    QCOMPARE(ch.size(), 3u);
    QVERIFY(!ch[1].visible);
    QCOMPARE(ch[1].end, 900.0);
    QVERIFY(ch[0].visible && ch[2].visible);
  }

  void revealIsHiddenUntilRevealed() {
    Session s = storySession();
    Waypoint w{"Quiz", "Which marker?", 1, 1, 10, {}};
    w.reveal = "CD3E";
    Waypoint cells{"Quiz 2", "", 1, 1, 10, {}};
    cells.reveal = "cells";
    s.waypoints = {w, cells};
    QVERIFY(!applyWaypoint(s, 0).session.layer("image")->channels[2].visible);
    QVERIFY(applyWaypoint(s, 0, true).session.layer("image")->channels[2].visible);
    QVERIFY(!applyWaypoint(s, 1).session.layer("cells")->visible);
    QVERIFY(applyWaypoint(s, 1, true).session.layer("cells")->visible);
  }

  void annotationsShowOrHide() {
    Session s = storySession();
    s.annotations = nlohmann::json::array(
        {{{"type", "Feature"}, {"properties", {{"name", "a"}}}},
         {{"type", "Feature"}, {"properties", {{"name", "b"}, {"isHidden", true}}}}});
    Waypoint hide{"Hide", "", 1, 1, 10, {}};
    hide.annotations = false;
    Waypoint show{"Show", "", 1, 1, 10, {}};
    show.annotations = true;
    s.waypoints = {hide, show, {"Leave", "", 1, 1, 10, {}}};
    const auto hidden = applyWaypoint(s, 0).session.annotations;
    QVERIFY(hidden[0]["properties"]["isHidden"].get<bool>());
    QVERIFY(hidden[1]["properties"]["isHidden"].get<bool>());
    const auto shown = applyWaypoint(s, 1).session.annotations;
    QVERIFY(!shown[0]["properties"].contains("isHidden"));
    QVERIFY(!shown[1]["properties"].contains("isHidden"));
    QVERIFY(applyWaypoint(s, 2).session.annotations == s.annotations);
    // "a" shown, "b" hidden: the waypoint names the one shown (annotationsShownOneByOne).
    QCOMPARE(captureWaypoint(s, "", "").shownAnnotations,
             (std::optional<std::vector<std::string>>{{"a"}}));
    QVERIFY(!captureWaypoint(storySession(), "", "").annotations);
  }

  // Some annotations shown and others not: the waypoint lists those shown, by id or name.
  void annotationsShownOneByOne() {
    Session s = storySession();
    s.annotations = nlohmann::json::array(
        {{{"type", "Feature"}, {"id", "u-1"}, {"properties", {{"name", "gland"}}}},
         {{"type", "Feature"}, {"properties", {{"name", "duct"}, {"isHidden", true}}}},
         {{"type", "Feature"}, {"id", "u-3"}, {"properties", {{"name", "duct"}}}}});
    Waypoint w = captureWaypoint(s, "Some", "");
    QVERIFY(!w.annotations);
    QCOMPARE(w.shownAnnotations, (std::optional<std::vector<std::string>>{{"u-1", "u-3"}}));
    // Elsewhere every annotation is shown; the waypoint hides all but its own again.
    Session all = s;
    all.annotations[1]["properties"].erase("isHidden");
    all.waypoints = {w};
    auto applied = applyWaypoint(all, 0);
    QVERIFY(!applied.session.annotations[0]["properties"].contains("isHidden"));
    QVERIFY(applied.session.annotations[1]["properties"]["isHidden"].get<bool>());
    QVERIFY(!applied.session.annotations[2]["properties"].contains("isHidden"));
    QVERIFY(applied.notes.empty());
    // Named by name when a feature has no id; a name the session lacks is a note.
    all.waypoints[0].shownAnnotations = {"duct", "gone"};
    applied = applyWaypoint(all, 0);
    QVERIFY(applied.session.annotations[0]["properties"]["isHidden"].get<bool>());
    QVERIFY(!applied.session.annotations[1]["properties"].contains("isHidden"));
    QCOMPARE(applied.notes.size(), std::size_t(1));
    QVERIFY2(applied.notes[0].find("\"gone\" is not in the session") != std::string::npos,
             applied.notes[0].c_str());
    // All shown, or none: true or false, as before.
    QCOMPARE(captureWaypoint(all, "", "").annotations, std::optional<bool>(true));
    QVERIFY(!captureWaypoint(all, "", "").shownAnnotations);
  }

  void capturesWhatTheSessionShows() {
    Session s = storySession();
    s.camera.width = 800;
    s.camera.centerX = 10;
    const auto w = captureWaypoint(s, "Here", "Text");
    QCOMPARE(w.title, std::string("Here"));
    QCOMPARE(w.width, 800.0);
    QCOMPARE(w.centerX, 10.0);
    QVERIFY(w.layers == s.layers);
    s.waypoints = {w};
    QVERIFY(applyWaypoint(s, 0).session.layers == s.layers);
  }

  void viewPathStartsAndLandsExactly() {
    const ViewStop a{0, 0, 8000}, b{1000, 500, 500};
    QVERIFY(interpolateView(a, b, 0) == a);
    QVERIFY(interpolateView(a, b, 1) == b);
    const auto mid = interpolateView(a, b, 0.5);
    QCOMPARE(mid.centerX, 500.0);
    QCOMPARE(mid.width, 2000.0);  // geometric: sqrt(8000 * 500)
    double last = a.width;
    for (double t = 0.1; t < 1; t += 0.1) {
      const double w = interpolateView(a, b, t).width;
      QVERIFY(w < last);
      last = w;
    }
  }
};

QTEST_GUILESS_MAIN(WaypointTest)
#include "tst_waypoint.moc"
