#include "data/session/waypoint.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "data/json_number.h"

namespace tessera::data {
namespace {

SessionLayer* findLayer(Session& s, const SessionLayer& wanted) {
  if (auto* l = s.layer(wanted.id)) return l;
  for (auto& l : s.layers)
    if (l.kind == wanted.kind && !wanted.name.empty() && l.name == wanted.name) return &l;
  return nullptr;
}

// The waypoint's channel states onto the layer's: position for position when the counts
// agree, else by name; a channel the layer lacks is noted.
void applyChannels(std::vector<ChannelState>& into, const std::vector<ChannelState>& from,
                   const std::string& where, std::vector<std::string>& notes) {
  if (into.size() == from.size()) {
    into = from;
    return;
  }
  for (const auto& c : from) {
    auto it = std::find_if(into.begin(), into.end(), [&](auto& x) { return x.name == c.name; });
    if (it == into.end())
      notes.push_back(where + ": channel \"" + c.name + "\" is not in the image; shown without it");
    else
      *it = c;
  }
}

// Hides the layer (id or name) or image channel (name) `what`; false when there is none.
bool hide(Session& s, const std::string& what) {
  for (auto& l : s.layers)
    if (l.id == what || l.name == what) {
      l.visible = false;
      return true;
    }
  for (auto& l : s.layers)
    if (l.kind == LayerKind::Image)
      for (auto& c : l.channels)
        if (c.name == what) {
          c.visible = false;
          return true;
        }
  return false;
}

}  // namespace

WaypointApplied applyWaypoint(const Session& session, std::size_t index, bool revealed) {
  WaypointApplied out{session, {}};
  Session& s = out.session;
  const Waypoint& w = session.waypoints.at(index);
  const std::string where = "waypoint " + std::to_string(index + 1) +
                            (w.title.empty() ? std::string() : " \"" + w.title + "\"");
  s.camera.centerX = w.centerX;
  s.camera.centerY = w.centerY;
  s.camera.width = w.width;
  s.camera.height.reset();  // the viewport's aspect decides; the width is what the author chose
  for (const auto& wl : w.layers) {
    SessionLayer* l = findLayer(s, wl);
    if (!l) {
      out.notes.push_back(where + ": layer \"" + (wl.name.empty() ? wl.id : wl.name) +
                          "\" is not in the session; shown without it");
      continue;
    }
    if (l->kind != wl.kind) {
      out.notes.push_back(where + ": layer \"" + wl.id + "\" is a " + layerKindName(l->kind) +
                          " layer in the session, not " + layerKindName(wl.kind) +
                          "; left as it is");
      continue;
    }
    l->visible = wl.visible;
    l->opacity = wl.opacity;
    if (l->kind == LayerKind::Image) applyChannels(l->channels, wl.channels, where, out.notes);
    if (l->kind == LayerKind::Cells) l->cells = wl.cells;
  }
  if (!w.reveal.empty() && !revealed && !hide(s, w.reveal))
    out.notes.push_back(where + ": the layer or channel to reveal, \"" + w.reveal +
                        "\", is not in the session");
  if ((w.annotations || w.shownAnnotations) && s.annotations.is_array()) {
    std::set<std::string> missing;
    if (w.shownAnnotations) missing.insert(w.shownAnnotations->begin(), w.shownAnnotations->end());
    for (auto& f : s.annotations)
      if (f.is_object()) {
        if (!f.contains("properties") || !f["properties"].is_object())
          f["properties"] = nlohmann::json::object();
        bool shown = w.annotations.value_or(false);
        if (w.shownAnnotations) {
          const std::string key = annotationKey(f);
          shown = !key.empty() && std::find(w.shownAnnotations->begin(), w.shownAnnotations->end(),
                                            key) != w.shownAnnotations->end();
          missing.erase(key);
        }
        if (shown)
          f["properties"].erase("isHidden");
        else
          f["properties"]["isHidden"] = true;  // QuPath's flag, as the GeoJSON writer sets it
      }
    for (const auto& key : missing)
      out.notes.push_back(where + ": the annotation \"" + key +
                          "\" is not in the session; shown without it");
  }
  if (!w.selection.empty() && !s.selections.count(w.selection))
    out.notes.push_back(where + ": the selection \"" + w.selection +
                        "\" is not in the session; shown without it");
  return out;
}

Waypoint captureWaypoint(const Session& session, std::string title, std::string narration) {
  Waypoint w;
  w.title = std::move(title);
  w.narration = std::move(narration);
  w.centerX = session.camera.centerX;
  w.centerY = session.camera.centerY;
  w.width = session.camera.isFit() ? 0 : session.camera.width;
  w.layers = session.layers;
  if (session.annotations.is_array() && !session.annotations.empty()) {
    std::vector<std::string> shown;
    bool anyHidden = false, allKeyed = true;
    for (const auto& f : session.annotations) {
      const bool hidden = f.is_object() && f.contains("properties") &&
                          jsonBoolOr(f["properties"], "isHidden", false);
      anyHidden = anyHidden || hidden;
      const std::string key = annotationKey(f);
      allKeyed = allKeyed && !key.empty();
      if (!hidden) shown.push_back(key);
    }
    // Some shown and some not: the list, when each can be named; else "shown" if any is.
    if (anyHidden && !shown.empty() && allKeyed)
      w.shownAnnotations = std::move(shown);
    else
      w.annotations = !shown.empty();
  }
  return w;
}

std::string annotationKey(const nlohmann::json& feature) {
  if (!feature.is_object()) return {};
  if (feature.contains("id") && feature["id"].is_string()) return feature["id"];
  if (feature.contains("properties") && feature["properties"].is_object()) {
    const auto& p = feature["properties"];
    if (p.contains("name") && p["name"].is_string()) return p["name"];
  }
  return {};
}

ViewStop interpolateView(const ViewStop& a, const ViewStop& b, double t) {
  if (t >= 1) return b;  // land exactly
  t = std::max(t, 0.0);
  const double e = t * t * (3 - 2 * t);  // smoothstep: starts and stops gently
  ViewStop v;
  v.centerX = a.centerX + (b.centerX - a.centerX) * e;
  v.centerY = a.centerY + (b.centerY - a.centerY) * e;
  v.width = a.width > 0 && b.width > 0 ? a.width * std::pow(b.width / a.width, e)
                                       : a.width + (b.width - a.width) * e;
  return v;
}

}  // namespace tessera::data
