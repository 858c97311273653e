#include "data/session/session_file.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "data/atomic_file.h"
#include "data/json_number.h"
#include "data/session/classifier_json.h"
#include "data/session/session_migrate.h"

namespace tessera::data {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();

std::string hexColor(std::uint32_t rgb) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%06x", rgb & 0xFFFFFFu);
  return buf;
}

bool parseHex(const std::string& s, std::uint32_t& out) {
  if (s.size() != 7 || s[0] != '#') return false;
  char* end = nullptr;
  const unsigned long v = std::strtoul(s.c_str() + 1, &end, 16);
  if (*end != '\0') return false;
  out = static_cast<std::uint32_t>(v);
  return true;
}

bool isRemote(const std::string& s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("s3://");
}

// --- writing ---

json viewToJson(double cx, double cy, double width) {
  return {{"center", {cx, cy}}, {"width", width}};
}

json layerToJson(const SessionLayer& l) {
  json j = {{"id", l.id},     {"kind", layerKindName(l.kind)}, {"dataset", l.dataset},
            {"name", l.name}, {"visible", l.visible},          {"opacity", l.opacity}};
  if (l.kind == LayerKind::Image) {
    json channels = json::array();
    for (const auto& c : l.channels)
      channels.push_back({{"name", c.name},
                          {"color", hexColor(c.color)},
                          {"lut", c.lut},
                          {"window", {c.start, c.end}},
                          {"gamma", c.gamma},
                          {"inverted", c.inverted},
                          {"visible", c.visible},
                          {"auto_window", c.autoWindow}});
    j["channels"] = channels;
  }
  if (l.kind == LayerKind::Cells) {
    const auto& c = l.cells;
    json cells = {{"color_by", {{"kind", c.colorKind}, {"name", c.colorName}}},
                  {"lut", c.lut},
                  {"style", c.style},
                  {"point_size", c.pointSize},
                  {"groups", c.groups},
                  {"hidden_categories", c.hiddenCategories},
                  {"profile_genes", c.profileGenes},
                  {"basis", c.basis},
                  {"gene_search", c.geneSearch},
                  {"hidden_transcript_genes", c.hiddenTranscriptGenes}};
    if (c.range) cells["range"] = {c.range->first, c.range->second};
    json colors = json::object();
    for (const auto& [column, byCategory] : c.categoryColors) {
      json m = json::object();
      for (const auto& [k, rgb] : byCategory)
        m[std::to_string(k)] = hexColor(rgb);
      colors[column] = m;
    }
    cells["category_colors"] = colors;
    j["cells"] = cells;
  }
  return j;
}

std::string storedPath(const std::string& path, const fs::path& dir) {
  if (dir.empty()) return path;
  const fs::path rel = fs::path(path).lexically_relative(dir);
  return rel.empty() ? path : rel.generic_string();
}

// --- reading ---

// A stored path, resolved against the session's folder (`../../` included) for reading only;
// nothing is ever written there.
std::string resolvedPath(const std::string& stored, const fs::path& dir) {
  const fs::path p(stored);
  return (p.is_absolute() || dir.empty() ? p : dir / p).lexically_normal().string();
}

// Reads typed values out of one JSON object, naming the key path in errors.
class Reader {
 public:
  Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {}
  const std::string& where() const { return where_; }
  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
  const json& at(const char* key) const { return j_[key]; }
  std::string name(const char* key) const { return where_ + "." + key; }

  Expected<std::string> text(const char* key, std::string fallback = {}) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_string()) return bad(key, "a string");
    return j_[key].get<std::string>();
  }
  Expected<double> number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_number()) return bad(key, "a number");
    return j_[key].get<double>();
  }
  // A whole number in [lo, hi] (3.0 accepted); anything else, however large, is an error
  // rather than a value converted out of range.
  Expected<std::int64_t> integer(const char* key, std::int64_t fallback, std::int64_t lo,
                                 std::int64_t hi) const {
    if (!has(key)) return fallback;
    if (const auto v = jsonWholeNumber(j_[key], lo, hi)) return *v;
    return fail(Errc::Corrupt, name(key) + " must be a whole number from " + std::to_string(lo) +
                                   " to " + std::to_string(hi));
  }
  Expected<bool> flag(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_boolean()) return bad(key, "true or false");
    return j_[key].get<bool>();
  }
  Expected<std::pair<double, double>> pair(const char* key) const {
    const json& v = j_[key];
    if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
      return bad(key, "two numbers");
    return std::pair{v[0].get<double>(), v[1].get<double>()};
  }
  // A list of gene (or other) names; empty when absent.
  Expected<std::vector<std::string>> names(const char* key) const {
    std::vector<std::string> out;
    if (!has(key)) return out;
    if (!j_[key].is_array()) return bad(key, "a list of gene names");
    for (const auto& v : j_[key]) {
      if (!v.is_string()) return bad(key, "a list of gene names");
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  std::unexpected<Error> bad(const char* key, const char* expected) const {
    return fail(Errc::Corrupt, name(key) + " must be " + expected);
  }

 private:
  const json& j_;
  std::string where_;
};

#define TRY_ASSIGN(lhs, expr)                                  \
  do {                                                         \
    auto tryValue_ = (expr);                                   \
    if (!tryValue_) return std::unexpected(tryValue_.error()); \
    lhs = std::move(*tryValue_);                               \
  } while (0)

Expected<ChannelState> channelFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  Reader r(j, where);
  ChannelState c;
  TRY_ASSIGN(c.name, r.text("name"));
  std::string color;
  TRY_ASSIGN(color, r.text("color", "#ffffff"));
  if (!parseHex(color, c.color)) return r.bad("color", "a colour like \"#ff00ff\"");
  TRY_ASSIGN(c.lut, r.text("lut", "solid"));
  if (r.has("window")) {
    std::pair<double, double> w;
    TRY_ASSIGN(w, r.pair("window"));
    if (!(w.second > w.first))
      return fail(Errc::Corrupt, r.name("window") + ": the end must be greater than the start");
    c.start = w.first;
    c.end = w.second;
  }
  TRY_ASSIGN(c.gamma, r.number("gamma", 1));
  if (!(c.gamma > 0)) return r.bad("gamma", "greater than 0");
  TRY_ASSIGN(c.inverted, r.flag("inverted", false));
  TRY_ASSIGN(c.visible, r.flag("visible", true));
  TRY_ASSIGN(c.autoWindow, r.flag("auto_window", false));
  return c;
}

Expected<CellsDisplay> cellsFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  Reader r(j, where);
  CellsDisplay c;
  if (r.has("color_by")) {
    if (!r.at("color_by").is_object()) return r.bad("color_by", "an object");
    Reader by(r.at("color_by"), r.name("color_by"));
    TRY_ASSIGN(c.colorKind, by.text("kind"));
    TRY_ASSIGN(c.colorName, by.text("name"));
    if (c.colorKind != "" && c.colorKind != "gene" && c.colorKind != "column")
      return by.bad("kind", "\"gene\", \"column\" or \"\"");
  }
  TRY_ASSIGN(c.lut, r.text("lut", "viridis"));
  if (r.has("range")) {
    std::pair<double, double> range;
    TRY_ASSIGN(range, r.pair("range"));
    c.range = range;
  }
  TRY_ASSIGN(c.style, r.text("style"));
  TRY_ASSIGN(c.pointSize, r.number("point_size", 4));
  TRY_ASSIGN(c.groups, r.text("groups"));
  if (r.has("hidden_categories")) {
    const json& h = r.at("hidden_categories");
    if (!h.is_array()) return r.bad("hidden_categories", "a list of integers");
    for (const auto& v : h) {
      const auto i = jsonInteger(v, 0, kMaxInt);
      if (!i) return r.bad("hidden_categories", "a list of category indices");
      c.hiddenCategories.push_back(static_cast<int>(*i));
    }
  }
  if (r.has("category_colors")) {
    const json& columns = r.at("category_colors");
    if (!columns.is_object()) return r.bad("category_colors", "an object of columns");
    for (const auto& [column, m] : columns.items()) {
      if (!m.is_object())
        return r.bad("category_colors", "an object of column: {category index: \"#rrggbb\"}");
      for (const auto& [k, v] : m.items()) {
        std::uint32_t rgb = 0;
        char* end = nullptr;
        const long idx = std::strtol(k.c_str(), &end, 10);
        if (k.empty() || *end != '\0' || idx < 0 || idx > kMaxInt || !v.is_string() ||
            !parseHex(v.get<std::string>(), rgb))
          return r.bad("category_colors", "an object of column: {category index: \"#rrggbb\"}");
        c.categoryColors[column][static_cast<int>(idx)] = rgb;
      }
    }
  }
  TRY_ASSIGN(c.profileGenes, r.names("profile_genes"));
  TRY_ASSIGN(c.basis, r.text("basis"));
  TRY_ASSIGN(c.geneSearch, r.text("gene_search"));
  TRY_ASSIGN(c.hiddenTranscriptGenes, r.names("hidden_transcript_genes"));
  return c;
}

Expected<SessionLayer> layerFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  Reader r(j, where);
  SessionLayer l;
  std::string kind;
  TRY_ASSIGN(kind, r.text("kind", "image"));
  if (!layerKindFromName(kind, l.kind))
    return r.bad("kind", "\"image\", \"cells\", \"labels\", \"transcripts\" or \"annotations\"");
  TRY_ASSIGN(l.id, r.text("id"));
  TRY_ASSIGN(l.dataset, r.text("dataset"));
  TRY_ASSIGN(l.name, r.text("name"));
  TRY_ASSIGN(l.visible, r.flag("visible", true));
  TRY_ASSIGN(l.opacity, r.number("opacity", 1));
  if (r.has("channels")) {
    const json& cs = r.at("channels");
    if (!cs.is_array()) return r.bad("channels", "a list");
    for (std::size_t i = 0; i < cs.size(); ++i) {
      auto c = channelFromJson(cs[i], r.name("channels") + "[" + std::to_string(i) + "]");
      if (!c) return std::unexpected(c.error());
      l.channels.push_back(std::move(*c));
    }
  }
  if (r.has("cells")) TRY_ASSIGN(l.cells, cellsFromJson(r.at("cells"), r.name("cells")));
  return l;
}

Expected<std::vector<SessionLayer>> layersFromJson(const json& j, const std::string& where) {
  if (!j.is_array()) return fail(Errc::Corrupt, where + " must be a list");
  std::vector<SessionLayer> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto l = layerFromJson(j[i], where + "[" + std::to_string(i) + "]");
    if (!l) return std::unexpected(l.error());
    out.push_back(std::move(*l));
  }
  return out;
}

Expected<SessionDataset> datasetFromJson(const json& j, const fs::path& dir,
                                         const std::string& where, std::size_t index) {
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  Reader r(j, where);
  SessionDataset d;
  std::string kind;
  TRY_ASSIGN(kind, r.text("kind", index == 0 ? "image" : "table"));
  if (!datasetKindFromName(kind, d.kind))
    return r.bad("kind", "\"image\", \"table\", \"labels\" or \"transcripts\"");
  TRY_ASSIGN(d.id, r.text("id", "dataset-" + std::to_string(index + 1)));
  std::string path;
  TRY_ASSIGN(path, r.text("path"));
  TRY_ASSIGN(d.url, r.text("url"));
  TRY_ASSIGN(d.builtin, r.text("builtin"));
  const int given = !path.empty() + !d.url.empty() + !d.builtin.empty();
  if (given != 1) return fail(Errc::Corrupt, where + " needs one of \"path\" or \"url\"");
  if (!d.builtin.empty() && d.builtin != "demo") return r.bad("builtin", "\"demo\"");
  if (!d.url.empty() && !isRemote(d.url)) return r.bad("url", "an http(s):// or s3:// URL");
  if (!path.empty()) d.path = resolvedPath(path, dir);
  TRY_ASSIGN(d.name, r.text("name"));
  if (d.name.empty())
    d.name = !d.builtin.empty() ? d.builtin : fs::path(d.location()).filename().string();
  std::int64_t series = 0, field = 0;
  if (r.has("series")) {
    TRY_ASSIGN(series, r.integer("series", 0, 0, kMaxInt));
    d.select.series = static_cast<int>(series);
  }
  TRY_ASSIGN(d.select.well, r.text("well"));
  if (r.has("field")) {
    TRY_ASSIGN(field, r.integer("field", 0, 0, kMaxInt));
    d.select.field = static_cast<int>(field);
  }
  // The axes the user named for a bare zarr array or N5 dataset (checked when it opens).
  TRY_ASSIGN(d.select.axes, r.text("axes"));
  // The table of a SpatialData store its cells show (checked when it opens).
  TRY_ASSIGN(d.table, r.text("table"));
  return d;
}

Expected<void> viewFromJson(const json& j, const std::string& where, double& cx, double& cy,
                            double& width) {
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  Reader r(j, where);
  if (r.has("center")) {
    std::pair<double, double> c;
    TRY_ASSIGN(c, r.pair("center"));
    cx = c.first;
    cy = c.second;
  }
  TRY_ASSIGN(width, r.number("width", 0));
  if (width < 0) return r.bad("width", "a width of 0 (fit) or more");
  return {};
}

Expected<SessionCamera> cameraFromJson(const json& j, const std::string& where) {
  SessionCamera c;
  if (auto v = viewFromJson(j, where, c.centerX, c.centerY, c.width); !v)
    return std::unexpected(v.error());
  Reader r(j, where);
  if (r.has("height")) {
    double h = 0;
    TRY_ASSIGN(h, r.number("height", 0));
    if (h <= 0) return r.bad("height", "greater than 0");
    c.height = h;
  }
  if (r.has("viewport")) {
    std::pair<double, double> v;
    TRY_ASSIGN(v, r.pair("viewport"));
    if (v.first < 1 || v.second < 1 || v.first > 16384 || v.second > 16384)
      return r.bad("viewport", "two sizes between 1 and 16384");
    c.viewport = std::pair{static_cast<int>(v.first), static_cast<int>(v.second)};
  }
  std::int64_t level = -1;
  TRY_ASSIGN(c.t, r.integer("t", 0, 0, std::numeric_limits<std::int64_t>::max()));
  TRY_ASSIGN(c.z, r.integer("z", 0, 0, std::numeric_limits<std::int64_t>::max()));
  TRY_ASSIGN(level, r.integer("level", -1, -1, kMaxInt));
  c.level = static_cast<int>(level);
  return c;
}

}  // namespace

json sessionToJson(const Session& s, const fs::path& dir) {
  json datasets = json::array();
  for (const auto& d : s.datasets) {
    json e = {{"id", d.id}, {"kind", datasetKindName(d.kind)}, {"name", d.name}};
    if (!d.path.empty()) e["path"] = storedPath(d.path, dir);
    if (!d.url.empty()) e["url"] = d.url;
    if (!d.builtin.empty()) e["builtin"] = d.builtin;
    if (d.select.series) e["series"] = *d.select.series;
    if (!d.select.well.empty()) e["well"] = d.select.well;
    if (d.select.field) e["field"] = *d.select.field;
    if (!d.select.axes.empty()) e["axes"] = d.select.axes;
    if (!d.table.empty()) e["table"] = d.table;
    datasets.push_back(e);
  }
  json view = viewToJson(s.camera.centerX, s.camera.centerY, s.camera.width);
  if (s.camera.height) view["height"] = *s.camera.height;
  if (s.camera.viewport) view["viewport"] = {s.camera.viewport->first, s.camera.viewport->second};
  view["t"] = s.camera.t;
  view["z"] = s.camera.z;
  if (s.camera.level >= 0) view["level"] = s.camera.level;
  json layers = json::array();
  for (const auto& l : s.layers)
    layers.push_back(layerToJson(l));
  json pairings = json::array();
  for (const auto& p : s.pairings) {
    json e = {{"table", p.table}, {"image", p.image}};
    if (p.affine) e["affine"] = affineToJson(*p.affine);
    if (!p.frame.empty()) e["frame"] = p.frame;
    pairings.push_back(e);
  }
  json selections = json::object();
  for (const auto& [name, cells] : s.selections)
    selections[name] = cells;
  json waypoints = json::array();
  for (const auto& w : s.waypoints) {
    json e = {{"title", w.title},
              {"narration", w.narration},
              {"view", viewToJson(w.centerX, w.centerY, w.width)}};
    if (!w.layers.empty()) {
      e["layers"] = json::array();
      for (const auto& l : w.layers)
        e["layers"].push_back(layerToJson(l));
    }
    if (!w.reveal.empty()) e["reveal"] = w.reveal;
    if (!w.selection.empty()) e["selection"] = w.selection;
    if (w.shownAnnotations)
      e["annotations"] = *w.shownAnnotations;
    else if (w.annotations)
      e["annotations"] = *w.annotations;
    waypoints.push_back(e);
  }
  json out = {{"tessera_session", kSessionVersion},
              {"datasets", datasets},
              {"view", view},
              {"layers", layers},
              {"pairings", pairings},
              {"selections", selections},
              {"selection", s.selection},
              {"waypoints", waypoints},
              {"annotations", s.annotations.is_array() ? s.annotations : json::array()}};
  if (!s.classifier.empty()) {
    out["classifier"] = classifierToJson(s.classifier);
    if (!s.classifier.file.empty()) out["classifier"]["file"] = storedPath(s.classifier.file, dir);
  }
  return out;
}

Expected<Session> sessionFromJson(const json& in, const fs::path& dir, const std::string& what) {
  if (!in.is_object() || !in.contains("tessera_session"))
    return fail(Errc::Corrupt, what + ": not a Tessera session (no \"tessera_session\" version)");
  const auto declared = jsonInteger(in["tessera_session"], 0, kMaxInt);
  if (!declared)
    return fail(Errc::Corrupt, what + ": \"tessera_session\" must be an integer version");
  const int version = static_cast<int>(*declared);
  if (version > kSessionVersion)
    return fail(Errc::Unsupported, what + ": written by a newer Tessera (session version " +
                                       std::to_string(version) + "; this one reads up to " +
                                       std::to_string(kSessionVersion) + ")");
  auto migrated = migrateSession(in, version, what);
  if (!migrated) return std::unexpected(migrated.error());
  const json& j = *migrated;
  Reader top(j, what);
  Session s;

  if (!top.has("datasets") || !j["datasets"].is_array())
    return fail(Errc::Corrupt, what + ": \"datasets\" must be a list");
  for (std::size_t i = 0; i < j["datasets"].size(); ++i) {
    auto d =
        datasetFromJson(j["datasets"][i], dir, what + ": datasets[" + std::to_string(i) + "]", i);
    if (!d) return std::unexpected(d.error());
    if (s.dataset(d->id))
      return fail(Errc::Corrupt, what + ": two datasets have the id \"" + d->id + "\"");
    s.datasets.push_back(std::move(*d));
  }
  if (top.has("view")) TRY_ASSIGN(s.camera, cameraFromJson(j["view"], what + ": view"));
  if (top.has("layers")) TRY_ASSIGN(s.layers, layersFromJson(j["layers"], what + ": layers"));
  for (const auto& l : s.layers)
    if (l.kind != LayerKind::Annotations && !s.dataset(l.dataset))
      return fail(Errc::Corrupt,
                  what + ": layer \"" + l.id + "\" draws an unknown dataset \"" + l.dataset + "\"");
  if (top.has("pairings")) {
    if (!j["pairings"].is_array()) return top.bad("pairings", "a list");
    for (std::size_t i = 0; i < j["pairings"].size(); ++i) {
      const std::string where = what + ": pairings[" + std::to_string(i) + "]";
      const json& e = j["pairings"][i];
      if (!e.is_object()) return fail(Errc::Corrupt, where + " must be an object");
      Reader r(e, where);
      TablePairing p;
      TRY_ASSIGN(p.table, r.text("table"));
      TRY_ASSIGN(p.image, r.text("image"));
      TRY_ASSIGN(p.frame, r.text("frame"));
      if (!s.dataset(p.table) || !s.dataset(p.image))
        return fail(Errc::Corrupt, where + " names an unknown dataset");
      if (r.has("affine")) TRY_ASSIGN(p.affine, affineFromJson(e["affine"], r.name("affine")));
      s.pairings.push_back(std::move(p));
    }
  }
  if (top.has("selections")) {
    if (!j["selections"].is_object()) return top.bad("selections", "an object of lists");
    for (const auto& [name, cells] : j["selections"].items()) {
      if (!cells.is_array()) return top.bad("selections", "an object of lists of cell indices");
      std::vector<std::uint32_t> v;
      v.reserve(cells.size());
      for (const auto& c : cells) {
        const auto index = jsonInteger(c, 0, std::numeric_limits<std::uint32_t>::max());
        if (!index)
          return fail(Errc::Corrupt, what + ": selection \"" + name + "\" holds a non-index");
        v.push_back(static_cast<std::uint32_t>(*index));
      }
      s.selections[name] = std::move(v);
    }
  }
  if (top.has("selection")) {
    const json& cells = j["selection"];
    if (!cells.is_array()) return top.bad("selection", "a list of cell indices");
    for (const auto& c : cells) {
      const auto index = jsonInteger(c, 0, std::numeric_limits<std::uint32_t>::max());
      if (!index) return top.bad("selection", "a list of cell indices");
      s.selection.push_back(static_cast<std::uint32_t>(*index));
    }
    std::sort(s.selection.begin(), s.selection.end());
    s.selection.erase(std::unique(s.selection.begin(), s.selection.end()), s.selection.end());
  }
  if (top.has("waypoints")) {
    if (!j["waypoints"].is_array()) return top.bad("waypoints", "a list");
    for (std::size_t i = 0; i < j["waypoints"].size(); ++i) {
      const std::string where = what + ": waypoints[" + std::to_string(i) + "]";
      const json& e = j["waypoints"][i];
      if (!e.is_object()) return fail(Errc::Corrupt, where + " must be an object");
      Reader r(e, where);
      Waypoint w;
      TRY_ASSIGN(w.title, r.text("title"));
      TRY_ASSIGN(w.narration, r.text("narration"));
      if (r.has("view"))
        if (auto v = viewFromJson(e["view"], r.name("view"), w.centerX, w.centerY, w.width); !v)
          return std::unexpected(v.error());
      if (r.has("layers")) TRY_ASSIGN(w.layers, layersFromJson(e["layers"], r.name("layers")));
      TRY_ASSIGN(w.reveal, r.text("reveal"));
      TRY_ASSIGN(w.selection, r.text("selection"));
      if (r.has("annotations") && e["annotations"].is_array()) {
        std::vector<std::string> keys;
        for (const auto& k : e["annotations"]) {
          if (!k.is_string()) return r.bad("annotations", "true, false or a list of names");
          keys.push_back(k.get<std::string>());
        }
        w.shownAnnotations = std::move(keys);
      } else if (r.has("annotations")) {
        bool shown = true;
        TRY_ASSIGN(shown, r.flag("annotations", true));
        w.annotations = shown;
      }
      s.waypoints.push_back(std::move(w));
    }
  }
  if (top.has("annotations")) {
    if (!j["annotations"].is_array()) return top.bad("annotations", "a list");
    s.annotations = j["annotations"];
  }
  if (top.has("classifier")) {
    TRY_ASSIGN(s.classifier, classifierFromJson(j["classifier"], what + ": classifier"));
    if (!s.classifier.file.empty()) s.classifier.file = resolvedPath(s.classifier.file, dir);
  }
  return s;
}

Expected<Session> parseSession(const std::string& text, const fs::path& file) {
  const std::string what = file.filename().string();
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // The byte offset becomes a line number the user can find in an editor.
    const std::size_t upto = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n');
    return fail(Errc::Corrupt, what + ": not valid JSON at line " + std::to_string(line));
  } catch (const json::exception& e) {
    // Valid JSON nlohmann cannot hold (a number like 1e310 is out of range).
    return fail(Errc::Corrupt, what + ": holds a value Tessera cannot read (" + e.what() + ")");
  }
  return sessionFromJson(j, file.parent_path(), what);
}

Expected<Session> readSessionFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return fail(Errc::NotFound, file.string() + ": no such file");
  if (fs::is_directory(file, ec))
    return fail(Errc::InvalidArgument, file.string() + ": is a folder, not a session file");
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::Io, file.string() + ": cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parseSession(ss.str(), fs::absolute(file));
}

Expected<void> writeSessionFile(const Session& session, const fs::path& file) {
  const fs::path target = fs::absolute(file).lexically_normal();
  for (const auto& d : session.datasets) {
    if (d.path.empty()) continue;
    const fs::path data = fs::path(d.path).lexically_normal();
    const auto rel = target.lexically_relative(data);
    if (target == data || (!rel.empty() && *rel.begin() != ".."))
      return fail(Errc::InvalidArgument, target.string() + ": would overwrite the dataset " +
                                             d.name + "; save the session elsewhere");
  }
  const std::string text = sessionToJson(session, target.parent_path()).dump(2) + "\n";
  return writeFileAtomic(target, text);
}

bool isSessionFile(const std::string& path) {
  return fs::path(path).extension() == kSessionExtension && !isRemote(path);
}

}  // namespace tessera::data
