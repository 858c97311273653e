#include "data/session/classifier_prediction.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include "data/atomic_file.h"
#include "data/json_number.h"
#include "data/session/classifier_json.h"

namespace tessera::data {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kKind = "classifier-prediction";
constexpr int kVersion = 1;
}  // namespace

fs::path storedPredictionFile(const fs::path& dataDir) {
  return dataDir / "classifier-prediction.json";
}

Expected<void> writeStoredPrediction(const StoredPrediction& p, const fs::path& file,
                                     const fs::path& sessionDir) {
  json labels = classifierToJson(p.labels);
  if (!p.labels.file.empty()) {
    const auto rel = fs::path(p.labels.file).lexically_relative(sessionDir);
    labels["file"] = rel.empty() ? p.labels.file : rel.generic_string();
  }
  json confusion = {{"classes", p.confusionClasses}, {"counts", p.confusion}};
  const json j = {{"tessera", kKind},       {"version", kVersion},        {"labels", labels},
                  {"source", p.source},     {"cells", p.classes.size()},  {"classes", p.classNames},
                  {"predicted", p.classes}, {"confidence", p.confidence}, {"confusion", confusion}};
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec)
    return fail(Errc::Io,
                file.parent_path().string() + ": cannot create the folder: " + ec.message());
  return writeFileAtomic(file, j.dump() + "\n");
}

Expected<StoredPrediction> readStoredPrediction(const fs::path& file, const fs::path& sessionDir) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::NotFound, file.string() + ": no stored prediction");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string name = file.filename().string();
  auto bad = [&](const std::string& what) {
    return fail(Errc::Corrupt, name + ": not a valid stored prediction (" + what + ")");
  };
  const json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not JSON");
  if (!j.contains("tessera") || j["tessera"] != kKind) return bad("not a classifier prediction");
  if (!j.contains("version") || jsonInteger(j["version"]) != kVersion)
    return bad("unknown version");
  StoredPrediction p;
  if (!j.contains("labels")) return bad("no labels");
  auto labels = classifierFromJson(j["labels"], name + ": labels");
  if (!labels) return std::unexpected(labels.error());
  p.labels = std::move(*labels);
  if (!p.labels.file.empty()) {
    const fs::path f(p.labels.file);
    p.labels.file = (f.is_absolute() ? f : sessionDir / f).lexically_normal().string();
  }
  auto strings = [&](const json& v, std::vector<std::string>& out) {
    if (!v.is_array()) return false;
    for (const auto& s : v) {
      if (!s.is_string()) return false;
      out.push_back(s.get<std::string>());
    }
    return true;
  };
  if (!j.contains("source") || !j["source"].is_string()) return bad("no source");
  p.source = j["source"].get<std::string>();
  const auto cells = j.contains("cells") ? jsonInteger(j["cells"], 0) : std::nullopt;
  if (!cells) return bad("no cell count");
  if (!j.contains("classes") || !strings(j["classes"], p.classNames) || p.classNames.empty())
    return bad("no class names");
  const auto n = static_cast<std::size_t>(*cells);
  const json* predicted = j.contains("predicted") ? &j["predicted"] : nullptr;
  const json* confidence = j.contains("confidence") ? &j["confidence"] : nullptr;
  if (!predicted || !predicted->is_array() || predicted->size() != n)
    return bad("predicted classes for " + std::to_string(n) + " cells expected");
  if (!confidence || !confidence->is_array() || confidence->size() != n)
    return bad("confidences for " + std::to_string(n) + " cells expected");
  const auto classes = static_cast<std::int64_t>(p.classNames.size());
  p.classes.reserve(n);
  p.confidence.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = jsonInteger((*predicted)[i], 0, classes - 1);
    if (!c) return bad("cell " + std::to_string(i) + " has no class of the list");
    const json& v = (*confidence)[i];
    const double f = v.is_number() ? v.get<double>() : -1.0;
    if (!std::isfinite(f) || f < 0 || f > 1)
      return bad("cell " + std::to_string(i) + " has no confidence in [0, 1]");
    p.classes.push_back(static_cast<std::int32_t>(*c));
    p.confidence.push_back(static_cast<float>(f));
  }
  if (j.contains("confusion")) {
    const json& c = j["confusion"];
    if (!c.is_object() || !c.contains("classes") || !strings(c["classes"], p.confusionClasses) ||
        !c.contains("counts") || !c["counts"].is_array())
      return bad("confusion");
    const auto k = p.confusionClasses.size();
    if (c["counts"].size() != (p.confusionClasses.empty() ? 0 : k)) return bad("confusion");
    for (const auto& row : c["counts"]) {
      if (!row.is_array() || row.size() != k) return bad("confusion");
      p.confusion.emplace_back();
      for (const auto& v : row) {
        const auto count = jsonInteger(v, 0, std::numeric_limits<int>::max());
        if (!count) return bad("confusion");
        p.confusion.back().push_back(static_cast<int>(*count));
      }
    }
  }
  return p;
}

Expected<void> checkStoredPrediction(const StoredPrediction& p, const ClassifierLabels& labels,
                                     const std::string& source, std::size_t cells) {
  auto stale = [](const std::string& why) { return fail(Errc::InvalidArgument, why); };
  if (p.classes.size() != cells)
    return stale("it has " + std::to_string(p.classes.size()) + " cells, the table " +
                 std::to_string(cells));
  if (p.source != source) return stale("it was made for another version of the table");
  if (p.labels != labels) return stale("the labels changed since it was made");
  return {};
}

}  // namespace tessera::data
