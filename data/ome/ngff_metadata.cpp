#include "data/ome/ngff_metadata.h"

#include <algorithm>
#include <cctype>

#include "data/json_number.h"
#include "data/ome/channel_defaults.h"

namespace tessera::data {
namespace {

using nlohmann::json;

std::string leadingVersion(const json& v) {
  if (!v.is_string()) return {};
  const std::string s = v.get<std::string>();
  // "0.5-dev-spatialdata" -> "0.5": keep digits and dots up to the first other character.
  std::size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.'))
    ++n;
  return s.substr(0, n);
}

std::string lower(std::string s) {
  for (char& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

Expected<std::vector<double>> numberList(const json& v, const std::string& where,
                                         const std::string& what) {
  if (!v.is_array()) return fail(Errc::Corrupt, where + ": " + what + " is not a list");
  std::vector<double> out;
  for (const auto& e : v) {
    if (!e.is_number()) return fail(Errc::Corrupt, where + ": " + what + " has a non-number");
    out.push_back(e.get<double>());
  }
  return out;
}

/// x' = x * scale + translation, composed left to right over a transformation list.
struct ScaleTranslation {
  std::vector<double> scale, translation;
};

Expected<void> composeTransforms(const json& list, ScaleTranslation& acc, const std::string& where,
                                 const std::string& context, std::vector<std::string>& warnings) {
  if (!list.is_array())
    return fail(Errc::Corrupt, where + ": " + context + " coordinateTransformations is not a list");
  auto ensure = [&](std::size_t n) -> Expected<void> {
    if (acc.scale.empty()) {
      acc.scale.assign(n, 1.0);
      acc.translation.assign(n, 0.0);
    } else if (acc.scale.size() != n) {
      return fail(Errc::Corrupt, where + ": " + context + " transformations have " +
                                     std::to_string(n) + " values, expected " +
                                     std::to_string(acc.scale.size()));
    }
    return {};
  };
  for (const auto& t : list) {
    const std::string type = t.is_object() && t.contains("type") && t["type"].is_string()
                                 ? t["type"].get<std::string>()
                                 : std::string();
    if (type == "identity") continue;
    if (type == "sequence" && t.contains("transformations")) {
      if (auto r = composeTransforms(t["transformations"], acc, where, context, warnings); !r)
        return r;
      continue;
    }
    if ((type == "scale" || type == "translation") && t.contains(type)) {
      auto values = numberList(t[type], where, context + " " + type);
      if (!values) return std::unexpected(values.error());
      if (auto r = ensure(values->size()); !r) return r;
      for (std::size_t i = 0; i < values->size(); ++i) {
        if (type == "scale") {
          acc.scale[i] *= (*values)[i];
          acc.translation[i] *= (*values)[i];
        } else {
          acc.translation[i] += (*values)[i];
        }
      }
      continue;
    }
    warnings.push_back(where + ": " + context + " transformation \"" + type +
                       "\" is not supported and was ignored");
  }
  return {};
}

}  // namespace

NgffAttributes ngffAttributes(const json& attributes, bool zarrV3) {
  NgffAttributes out;
  out.zarrV3 = zarrV3;
  if (!attributes.is_object()) return out;
  if (attributes.contains("ome") && attributes["ome"].is_object()) {
    out.ome = attributes["ome"];
    out.version = leadingVersion(out.ome.value("version", json()));
  } else {
    out.ome = attributes;
  }
  if (out.version.empty() && out.ome.contains("multiscales") && out.ome["multiscales"].is_array() &&
      !out.ome["multiscales"].empty() && out.ome["multiscales"][0].is_object())
    out.version = leadingVersion(out.ome["multiscales"][0].value("version", json()));
  for (const char* key : {"plate", "well"})
    if (out.version.empty() && out.ome.contains(key) && out.ome[key].is_object())
      out.version = leadingVersion(out.ome[key].value("version", json()));
  return out;
}

Expected<NgffMultiscale> parseMultiscale(const NgffAttributes& attrs, const std::string& where) {
  const json& all = attrs.ome.contains("multiscales") ? attrs.ome["multiscales"] : json();
  if (!all.is_array() || all.empty() || !all[0].is_object())
    return fail(Errc::Corrupt, where + ": \"multiscales\" is missing or empty");
  const json& ms = all[0];
  NgffMultiscale out;
  out.version = attrs.version;
  if (all.size() > 1)
    out.warnings.push_back(where + ": " + std::to_string(all.size()) +
                           " multiscales declared; showing the first");
  if (ms.contains("name") && ms["name"].is_string()) out.name = ms["name"].get<std::string>();

  if (ms.contains("axes")) {
    if (!ms["axes"].is_array()) return fail(Errc::Corrupt, where + ": \"axes\" is not a list");
    for (const auto& a : ms["axes"]) {
      if (a.is_string()) {  // 0.3: plain names
        out.axisNames.push_back(a.get<std::string>());
        out.axisUnits.emplace_back();
        out.axisTypes.emplace_back();
      } else if (a.is_object() && a.contains("name") && a["name"].is_string()) {
        out.axisNames.push_back(a["name"].get<std::string>());
        out.axisUnits.push_back(a.contains("unit") && a["unit"].is_string()
                                    ? a["unit"].get<std::string>()
                                    : std::string());
        out.axisTypes.push_back(a.contains("type") && a["type"].is_string()
                                    ? a["type"].get<std::string>()
                                    : std::string());
      } else {
        return fail(Errc::Corrupt, where + ": an axis has no name");
      }
    }
    if (out.axisNames.size() < 2 || out.axisNames.size() > 5)
      return fail(Errc::Unsupported, where + ": " + std::to_string(out.axisNames.size()) +
                                         " axes (2 to 5 are supported)");
  }

  if (!ms.contains("datasets") || !ms["datasets"].is_array() || ms["datasets"].empty())
    return fail(Errc::Corrupt, where + ": multiscales has no datasets");
  for (const auto& d : ms["datasets"]) {
    if (!d.is_object() || !d.contains("path") || !d["path"].is_string())
      return fail(Errc::Corrupt, where + ": a dataset has no path");
    NgffDataset ds;
    ds.path = d["path"].get<std::string>();
    if (d.contains("coordinateTransformations")) {
      ScaleTranslation st;
      if (auto r = composeTransforms(d["coordinateTransformations"], st, where,
                                     "dataset \"" + ds.path + "\"", out.warnings);
          !r)
        return std::unexpected(r.error());
      ds.scale = std::move(st.scale);
      ds.translation = std::move(st.translation);
    }
    out.datasets.push_back(std::move(ds));
  }
  if (ms.contains("coordinateTransformations")) {
    ScaleTranslation st;
    if (auto r = composeTransforms(ms["coordinateTransformations"], st, where, "multiscales",
                                   out.warnings);
        !r)
      return std::unexpected(r.error());
    out.globalScale = std::move(st.scale);
    out.globalTranslation = std::move(st.translation);
  }
  const std::size_t n = out.axisNames.size();
  auto checkLen = [&](const std::vector<double>& v, const std::string& what) -> Expected<void> {
    if (!v.empty() && n != 0 && v.size() != n)
      return fail(Errc::Corrupt, where + ": " + what + " has " + std::to_string(v.size()) +
                                     " values for " + std::to_string(n) + " axes");
    return {};
  };
  for (const auto& ds : out.datasets)
    if (auto r = checkLen(ds.scale, "the transformation of dataset \"" + ds.path + "\""); !r)
      return std::unexpected(r.error());
  if (auto r = checkLen(out.globalScale, "the multiscales transformation"); !r)
    return std::unexpected(r.error());
  return out;
}

std::vector<std::string> defaultAxisNames(std::size_t ndim) {
  static const std::vector<std::string> kAll = {"t", "c", "z", "y", "x"};
  ndim = std::min<std::size_t>(ndim, 5);
  return {kAll.end() - static_cast<std::ptrdiff_t>(ndim), kAll.end()};
}

Expected<std::vector<int>> mapAxesToCanonical(const NgffMultiscale& ms, const std::string& where) {
  // Slot by name first; custom names fall back to their type. Custom-named space axes are
  // assigned x, y, z from the end, as NGFF orders space axes z, y, x.
  const std::size_t n = ms.axisNames.size();
  std::vector<int> slots(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string name = lower(ms.axisNames[i]);
    const std::string type = i < ms.axisTypes.size() ? ms.axisTypes[i] : std::string();
    if (!type.empty() && type != "time" && type != "channel" && type != "space")
      return fail(Errc::Unsupported, where + ": unknown axis type \"" + type + "\" for axis \"" +
                                         ms.axisNames[i] + "\"");
    if (name == "t")
      slots[i] = kT;
    else if (name == "c")
      slots[i] = kC;
    else if (name == "z")
      slots[i] = kZ;
    else if (name == "y")
      slots[i] = kY;
    else if (name == "x")
      slots[i] = kX;
    else if (type == "time")
      slots[i] = kT;
    else if (type == "channel")
      slots[i] = kC;
    else if (type != "space")
      return fail(Errc::Unsupported, where + ": unknown axis \"" + ms.axisNames[i] + "\"");
  }
  int nextSpace = kX;
  for (std::size_t i = n; i-- > 0;) {
    if (slots[i] == -1) {
      if (nextSpace < kZ) return fail(Errc::Unsupported, where + ": more than three space axes");
      slots[i] = nextSpace;
    }
    if (slots[i] >= kZ) nextSpace = std::min(nextSpace, slots[i] - 1);
  }
  for (std::size_t i = 1; i < n; ++i)
    if (slots[i] <= slots[i - 1]) {
      std::string names;
      for (const auto& a : ms.axisNames)
        names += a;
      return fail(Errc::Unsupported,
                  where + ": axes \"" + names + "\" are not in t, c, z, y, x order (or repeat)");
    }
  if (std::find(slots.begin(), slots.end(), kY) == slots.end() ||
      std::find(slots.begin(), slots.end(), kX) == slots.end())
    return fail(Errc::Unsupported, where + ": the image needs both a y and an x axis");
  return slots;
}

std::vector<ChannelInfo> parseOmeroChannels(const NgffAttributes& attrs, std::size_t sizeC,
                                            std::vector<std::string>& warnings) {
  std::vector<ChannelInfo> out = defaultChannels(sizeC);
  const json* omero = nullptr;
  if (attrs.ome.contains("omero") && attrs.ome["omero"].is_object()) {
    omero = &attrs.ome["omero"];
  } else if (attrs.ome.contains("multiscales") && attrs.ome["multiscales"].is_array() &&
             !attrs.ome["multiscales"].empty()) {
    const json& ms = attrs.ome["multiscales"][0];
    if (ms.is_object() && ms.contains("metadata") && ms["metadata"].is_object() &&
        ms["metadata"].contains("omero") && ms["metadata"]["omero"].is_object())
      omero = &ms["metadata"]["omero"];
  }
  if (!omero || !omero->contains("channels") || !(*omero)["channels"].is_array()) return out;
  const json& channels = (*omero)["channels"];
  if (channels.size() != sizeC)
    warnings.push_back("omero lists " + std::to_string(channels.size()) +
                       " channels but the image has " + std::to_string(sizeC));
  auto num = [](const json& o, const char* key) -> std::optional<double> {
    if (o.is_object() && o.contains(key) && o[key].is_number()) return o[key].get<double>();
    return std::nullopt;
  };
  for (std::size_t i = 0; i < std::min(sizeC, channels.size()); ++i) {
    const json& ch = channels[i];
    if (!ch.is_object()) continue;
    ChannelInfo& info = out[i];
    if (ch.contains("label")) {
      const json& label = ch["label"];
      if (label.is_string())
        info.name = label.get<std::string>();
      else if (label.is_number_integer())
        info.name = std::to_string(label.get<std::int64_t>());
      else if (label.is_number())
        info.name = label.dump();
    }
    if (ch.contains("color") && ch["color"].is_string()) {
      if (auto c = parseHexColor(ch["color"].get<std::string>()))
        info.color = *c;
      else
        warnings.push_back("omero channel " + std::to_string(i) + ": bad color \"" +
                           ch["color"].get<std::string>() + "\"");
    }
    if (ch.contains("window") && ch["window"].is_object()) {
      const json& w = ch["window"];
      auto start = num(w, "start"), end = num(w, "end"), lo = num(w, "min"), hi = num(w, "max");
      if (start && end) info.window = std::array<double, 2>{*start, *end};
      if (lo && hi) info.range = std::array<double, 2>{*lo, *hi};
    }
    if (ch.contains("active") && ch["active"].is_boolean()) info.visible = ch["active"].get<bool>();
    if (ch.contains("inverted") && ch["inverted"].is_boolean())
      info.inverted = ch["inverted"].get<bool>();
  }
  return out;
}

// Plate rows, columns and field counts beyond this are damage (the largest plates have 3456
// wells); it also keeps every index an int.
constexpr std::int64_t kMaxPlateIndex = 1 << 20;

Expected<PlateInfo> parsePlate(const json& plate, const std::string& where) {
  if (!plate.is_object()) return fail(Errc::Corrupt, where + ": \"plate\" is not an object");
  PlateInfo out;
  if (plate.contains("name") && plate["name"].is_string())
    out.name = plate["name"].get<std::string>();
  if (plate.contains("field_count"))
    out.fieldCount = static_cast<int>(
        jsonInteger(plate["field_count"], 0, kMaxPlateIndex).value_or(out.fieldCount));
  auto names = [&](const char* key, std::vector<std::string>& dst) {
    if (!plate.contains(key) || !plate[key].is_array()) return;
    for (const auto& e : plate[key])
      dst.push_back(e.is_object() && e.contains("name") && e["name"].is_string()
                        ? e["name"].get<std::string>()
                        : std::string());
  };
  names("rows", out.rows);
  names("columns", out.columns);
  if (!plate.contains("wells") || !plate["wells"].is_array() || plate["wells"].empty())
    return fail(Errc::Corrupt, where + ": the plate lists no wells");
  for (const auto& w : plate["wells"]) {
    if (!w.is_object() || !w.contains("path") || !w["path"].is_string())
      return fail(Errc::Corrupt, where + ": a plate well has no path");
    PlateWell well;
    well.path = w["path"].get<std::string>();
    const auto row =
        w.contains("rowIndex") ? jsonInteger(w["rowIndex"], 0, kMaxPlateIndex) : std::nullopt;
    const auto column =
        w.contains("columnIndex") ? jsonInteger(w["columnIndex"], 0, kMaxPlateIndex) : std::nullopt;
    if (row && column) {
      well.row = static_cast<int>(*row);
      well.column = static_cast<int>(*column);
    } else {  // before 0.4 the indices are implied by the "row/column" path
      const auto slash = well.path.find('/');
      const std::string r = well.path.substr(0, slash);
      const std::string c =
          slash == std::string::npos ? std::string() : well.path.substr(slash + 1);
      well.row =
          static_cast<int>(std::find(out.rows.begin(), out.rows.end(), r) - out.rows.begin());
      well.column = static_cast<int>(std::find(out.columns.begin(), out.columns.end(), c) -
                                     out.columns.begin());
    }
    out.wells.push_back(std::move(well));
  }
  return out;
}

Expected<std::vector<std::string>> parseWellImages(const json& well, const std::string& where) {
  if (!well.is_object() || !well.contains("images") || !well["images"].is_array())
    return fail(Errc::Corrupt, where + ": \"well\" has no images");
  std::vector<std::string> out;
  for (const auto& im : well["images"])
    if (im.is_object() && im.contains("path") && im["path"].is_string())
      out.push_back(im["path"].get<std::string>());
  if (out.empty()) return fail(Errc::Corrupt, where + ": the well lists no images");
  return out;
}

}  // namespace tessera::data
