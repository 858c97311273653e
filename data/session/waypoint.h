#pragma once
/// Waypoints of a story (Minerva's narrated stops): what a session looks like at a waypoint, a
/// waypoint captured from what a session shows, and the camera path between two waypoints.
/// The window's Story panel and presenter, `tessera render --waypoint` and `tessera story` all
/// apply waypoints through applyWaypoint, so they show the same. Pure functions; any thread.
#include <string>
#include <vector>

#include "data/session/session.h"

namespace tessera::data {

struct WaypointApplied {
  Session session;
  /// One line per reference the session cannot honour (a layer, channel or selection it lacks),
  /// naming the waypoint; what is left is shown without it.
  std::vector<std::string> notes;
};

/// `session` as waypoint `index` shows it: its centre and width (the height follows the
/// viewport's aspect; width 0 fits the image), each layer the waypoint lists (by id, else by kind
/// and name) with the waypoint's visibility, opacity, channels (by name when the counts differ)
/// and cells display; layers it does not list are left as they are. The annotations are shown
/// or hidden when the waypoint says (GeoJSON `isHidden`), all of them or each by its key. The
/// `reveal` layer or channel is hidden unless `revealed`. `index` must be <
/// session.waypoints.size().
WaypointApplied applyWaypoint(const Session& session, std::size_t index, bool revealed = false);

/// A waypoint of what `session` shows now: the camera's centre and width, every layer's state
/// and, when there are annotations, which are shown: all, none, or the list of those shown.
Waypoint captureWaypoint(const Session& session, std::string title, std::string narration);

/// How a waypoint names an annotation (a GeoJSON feature): its "id", else its properties' name,
/// else "".
std::string annotationKey(const nlohmann::json& feature);

/// A view on the camera path between two waypoints.
struct ViewStop {
  double centerX = 0, centerY = 0, width = 0;
  bool operator==(const ViewStop&) const = default;
};

/// The view on the way from `a` to `b` at `t` in [0, 1]: the centre moves with an ease-in-out
/// and the width changes geometrically, so a zoom looks even at every scale; t = 1 lands on `b`
/// exactly. Callers replace a fit (width 0) by the image's width.
ViewStop interpolateView(const ViewStop& a, const ViewStop& b, double t);

}  // namespace tessera::data
