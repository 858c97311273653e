#include "data/session/classifier_json.h"

#include <algorithm>
#include <limits>
#include <set>

#include "data/json_number.h"

namespace tessera::data {

using nlohmann::json;

json classifierToJson(const ClassifierLabels& labels) {
  json classes = json::array();
  for (const auto& [name, cells] : labels.classes)
    classes.push_back({{"name", name}, {"cells", cells}});
  json out = {{"table", labels.table}, {"classes", classes}, {"features", labels.features}};
  if (!labels.file.empty()) out["file"] = labels.file;
  return out;
}

Expected<ClassifierLabels> classifierFromJson(const json& j, const std::string& where) {
  auto bad = [&](const std::string& key, const char* expected) {
    return fail(Errc::Corrupt, where + "." + key + " must be " + expected);
  };
  if (!j.is_object()) return fail(Errc::Corrupt, where + " must be an object");
  ClassifierLabels out;
  if (j.contains("table")) {
    if (!j["table"].is_string()) return bad("table", "a dataset id");
    out.table = j["table"].get<std::string>();
  }
  if (j.contains("classes")) {
    const json& classes = j["classes"];
    if (!classes.is_array()) return bad("classes", "a list");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < classes.size(); ++i) {
      const std::string key = "classes[" + std::to_string(i) + "]";
      const json& c = classes[i];
      if (!c.is_object()) return bad(key, "an object with \"name\" and \"cells\"");
      if (!c.contains("name") || !c["name"].is_string() || c["name"].get<std::string>().empty())
        return bad(key + ".name", "a class name");
      const std::string name = c["name"].get<std::string>();
      // Two entries of one class would give its cells two indices.
      if (!seen.insert(name).second)
        return fail(Errc::Corrupt, where + ": the class \"" + name + "\" is listed twice");
      std::vector<std::uint32_t> cells;
      if (c.contains("cells")) {
        if (!c["cells"].is_array()) return bad(key + ".cells", "a list of cell indices");
        for (const auto& v : c["cells"]) {
          const auto index = jsonInteger(v, 0, std::numeric_limits<std::uint32_t>::max());
          if (!index) return bad(key + ".cells", "a list of cell indices");
          cells.push_back(static_cast<std::uint32_t>(*index));
        }
      }
      std::sort(cells.begin(), cells.end());
      cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
      out.classes.emplace_back(name, std::move(cells));
    }
  }
  if (j.contains("file")) {
    if (!j["file"].is_string()) return bad("file", "the path of a saved classifier");
    out.file = j["file"].get<std::string>();
  }
  if (j.contains("features")) {
    const json& f = j["features"];
    if (!f.is_array()) return bad("features", "a list of column and gene names");
    for (const auto& v : f) {
      if (!v.is_string()) return bad("features", "a list of column and gene names");
      out.features.push_back(v.get<std::string>());
    }
  }
  return out;
}

}  // namespace tessera::data
