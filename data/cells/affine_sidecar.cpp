#include "data/cells/affine_sidecar.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "data/json_number.h"

namespace tessera::data {
namespace {

using nlohmann::json;

Expected<void> writeAtomic(const std::filesystem::path& target, const std::string& text) {
  std::filesystem::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(Errc::Io,
                tmp.string() + ": cannot create: " + std::generic_category().message(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string msg = std::generic_category().message(errno);
      ::close(fd);
      std::filesystem::remove(tmp);
      return fail(Errc::Io, tmp.string() + ": write failed: " + msg);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::filesystem::remove(tmp);
    return fail(Errc::Io, tmp.string() + ": flush failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, target, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    return fail(Errc::Io, target.string() + ": cannot replace: " + ec.message());
  }
  return {};
}

json toJson(const StoredAffine& s) {
  json lm = json::array();
  for (std::size_t i = 0; i < s.landmarks.size(); ++i) {
    const auto& p = s.landmarks[i];
    json e = {{"src", {p.srcX, p.srcY}}, {"dst", {p.dstX, p.dstY}}};
    if (i < s.residuals.size()) e["residual"] = s.residuals[i];
    lm.push_back(e);
  }
  return {{"affine", affineToJson(s.affine)}, {"source", s.source}, {"landmarks", lm}};
}

Expected<StoredAffine> fromJson(const json& j, const std::string& what) {
  if (!j.is_object() || !j.contains("affine")) return fail(Errc::Corrupt, what + ": no \"affine\"");
  auto m = affineFromJson(j["affine"], what);
  if (!m) return std::unexpected(m.error());
  StoredAffine s;
  s.affine = *m;
  s.source = jsonStringOr(j, "source", "manual");
  if (j.contains("landmarks")) {
    if (!j["landmarks"].is_array()) return fail(Errc::Corrupt, what + ": landmarks is not a list");
    for (const auto& e : j["landmarks"]) {
      auto pt = [&](const char* k) -> std::optional<std::pair<double, double>> {
        if (!e.is_object() || !e.contains(k) || !e[k].is_array() || e[k].size() != 2 ||
            !e[k][0].is_number() || !e[k][1].is_number())
          return std::nullopt;
        return std::pair{e[k][0].get<double>(), e[k][1].get<double>()};
      };
      auto src = pt("src"), dst = pt("dst");
      if (!src || !dst) return fail(Errc::Corrupt, what + ": a landmark lacks src/dst [x, y]");
      s.landmarks.push_back({src->first, src->second, dst->first, dst->second});
      if (e.contains("residual") && e["residual"].is_number())
        s.residuals.push_back(e["residual"].get<double>());
    }
    if (s.residuals.size() != s.landmarks.size()) s.residuals.clear();
  }
  return s;
}

Expected<json> readDoc(const std::filesystem::path& sidecar) {
  std::ifstream in(sidecar, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(sidecar))
      return json{{"format", "tessera-affines"}, {"version", 1}, {"datasets", json::object()}};
    return fail(Errc::Io, sidecar.string() + ": cannot read");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(Errc::Corrupt, sidecar.string() + ": not a JSON object");
  if (jsonStringOr(doc, "format") != "tessera-affines")
    return fail(Errc::Corrupt, sidecar.string() + ": \"format\" is not \"tessera-affines\"");
  if (!doc.contains("datasets") || !doc["datasets"].is_object())
    return fail(Errc::Corrupt, sidecar.string() + ": no \"datasets\" object");
  return doc;
}

}  // namespace

std::filesystem::path affineSidecarPath(const std::filesystem::path& sessionFile) {
  std::filesystem::path p = sessionFile;
  p += ".affines.json";
  return p;
}

Expected<std::map<std::string, StoredAffine>> readAffineSidecar(
    const std::filesystem::path& sidecar) {
  auto doc = readDoc(sidecar);
  if (!doc) return std::unexpected(doc.error());
  std::map<std::string, StoredAffine> out;
  for (const auto& [key, value] : (*doc)["datasets"].items()) {
    auto s = fromJson(value, sidecar.string() + ": datasets[\"" + key + "\"]");
    if (!s) return std::unexpected(s.error());
    out.emplace(key, std::move(*s));
  }
  return out;
}

Expected<std::optional<StoredAffine>> loadStoredAffine(const std::filesystem::path& sidecar,
                                                       const std::string& location) {
  auto all = readAffineSidecar(sidecar);
  if (!all) return std::unexpected(all.error());
  auto it = all->find(location);
  if (it == all->end()) return std::optional<StoredAffine>();
  return std::optional<StoredAffine>(it->second);
}

Expected<void> storeAffine(const std::filesystem::path& sidecar, const std::string& location,
                           const StoredAffine& affine) {
  auto doc = readDoc(sidecar);
  if (!doc) return std::unexpected(doc.error());
  (*doc)["datasets"][location] = toJson(affine);
  return writeAtomic(sidecar, doc->dump(2) + "\n");
}

}  // namespace tessera::data
