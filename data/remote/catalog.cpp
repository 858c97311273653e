#include "data/remote/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "data/remote/url.h"

namespace tessera::data {

Expected<Catalog> parseCatalog(std::string_view text, const std::string& name) {
  using nlohmann::json;
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(Errc::Corrupt, name + ": not a JSON object");
  Catalog c;
  c.version =
      j.contains("version") && j["version"].is_number_integer() ? j["version"].get<int>() : 0;
  if (c.version != 1)
    return fail(Errc::Unsupported, name + ": catalog version " + std::to_string(c.version) +
                                       " (this build reads version 1)");
  // Unknown keys are refused so that a misspelt field ("size" for "size_bytes") fails the
  // catalog test instead of being silently ignored.
  auto unknownKey = [](const json& o, std::initializer_list<const char*> known) -> std::string {
    for (const auto& [k, v] : o.items())
      if (std::find_if(known.begin(), known.end(), [&](const char* n) { return k == n; }) ==
          known.end())
        return k;
    return {};
  };
  auto wrongType = [](const json& o, std::initializer_list<const char*> strings) -> std::string {
    for (const char* k : strings)
      if (o.contains(k) && !o[k].is_string()) return k;
    return {};
  };
  if (auto k = unknownKey(j, {"version", "datasets", "browse"}); !k.empty())
    return fail(Errc::Corrupt, name + ": unknown key \"" + k + "\"");
  if ((j.contains("datasets") && !j["datasets"].is_array()) ||
      (j.contains("browse") && !j["browse"].is_array()))
    return fail(Errc::Corrupt, name + ": datasets and browse must be arrays");
  auto str = [](const json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  std::set<std::string> ids;
  const json datasets = j.value("datasets", json::array());
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    const json& d = datasets[i];
    const std::string where = name + ": datasets[" + std::to_string(i) + "]";
    if (!d.is_object()) return fail(Errc::Corrupt, where + ": not an object");
    CatalogDataset e;
    e.id = str(d, "id");
    e.title = str(d, "title");
    e.archive = str(d, "archive");
    e.licence = str(d, "licence");
    e.kind = str(d, "kind");
    e.description = str(d, "description");
    e.sha256 = str(d, "sha256");
    e.streamable =
        d.contains("streamable") && d["streamable"].is_boolean() && d["streamable"].get<bool>();
    const std::string at = where + " (" + e.id + ")";
    for (const auto* field : {&e.id, &e.title, &e.archive, &e.licence, &e.kind})
      if (field->empty())
        return fail(Errc::Corrupt, at + ": id, title, archive, licence and kind are required");
    if (!ids.insert(e.id).second) return fail(Errc::Corrupt, at + ": duplicate id");
    if (auto k = unknownKey(d, {"id", "title", "archive", "licence", "kind", "urls", "size_bytes",
                                "sha256", "streamable", "description"});
        !k.empty())
      return fail(Errc::Corrupt, at + ": unknown key \"" + k + "\"");
    if (auto k =
            wrongType(d, {"id", "title", "archive", "licence", "kind", "sha256", "description"});
        !k.empty())
      return fail(Errc::Corrupt, at + ": " + k + " must be a string");
    if (d.contains("streamable") && !d["streamable"].is_boolean())
      return fail(Errc::Corrupt, at + ": streamable must be true or false");
    if (!d.contains("size_bytes") ||
        !(d["size_bytes"].is_null() || d["size_bytes"].is_number_unsigned()))
      return fail(Errc::Corrupt,
                  at + ": size_bytes is required: a byte count, or null when unknown");
    if (!d["size_bytes"].is_null()) e.sizeBytes = d["size_bytes"].get<std::uint64_t>();
    if (!d.contains("urls") || !d["urls"].is_array())
      return fail(Errc::Corrupt, at + ": urls must be an array of https URLs");
    for (const auto& u : d.value("urls", json::array()))
      if (u.is_string()) e.urls.push_back(u.get<std::string>());
    if (e.urls.empty()) return fail(Errc::Corrupt, at + ": no urls");
    for (const auto& u : e.urls) {
      auto parsed = parseUrl(u);
      if (!parsed) return fail(Errc::Corrupt, at + ": " + parsed.error().message);
      if (!parsed->https()) return fail(Errc::Corrupt, at + ": " + u + " is not https");
    }
    if (!e.sha256.empty() && (e.sha256.size() != 64 ||
                              e.sha256.find_first_not_of("0123456789abcdef") != std::string::npos))
      return fail(Errc::Corrupt, at + ": sha256 must be 64 lower-case hex digits");
    c.datasets.push_back(std::move(e));
  }
  const json browse = j.value("browse", json::array());
  for (std::size_t i = 0; i < browse.size(); ++i) {
    const json& b = browse[i];
    const std::string where = name + ": browse[" + std::to_string(i) + "]";
    if (!b.is_object()) return fail(Errc::Corrupt, where + ": not an object");
    if (auto k =
            unknownKey(b, {"id", "title", "type", "endpoint", "bucket", "prefix", "accession"});
        !k.empty())
      return fail(Errc::Corrupt, where + ": unknown key \"" + k + "\"");
    if (auto k = wrongType(b, {"id", "title", "type", "endpoint", "bucket", "prefix", "accession"});
        !k.empty())
      return fail(Errc::Corrupt, where + ": " + k + " must be a string");
    CatalogBrowseRoot r;
    r.id = str(b, "id");
    r.title = str(b, "title");
    r.type = str(b, "type");
    r.endpoint = str(b, "endpoint");
    r.bucket = str(b, "bucket");
    r.prefix = str(b, "prefix");
    r.accession = str(b, "accession");
    if (r.id.empty() || r.title.empty())
      return fail(Errc::Corrupt, where + ": id and title required");
    if (r.type == "s3") {
      if (r.endpoint.empty() || r.bucket.empty() || !parseUrl(r.endpoint))
        return fail(Errc::Corrupt,
                    where + " (" + r.id + "): s3 needs an endpoint URL and a bucket");
    } else if (r.type == "bioimage-archive") {
      if (r.accession.empty())
        return fail(Errc::Corrupt, where + " (" + r.id + "): bioimage-archive needs an accession");
    } else {
      return fail(Errc::Corrupt, where + " (" + r.id + "): type must be s3 or bioimage-archive");
    }
    c.browse.push_back(std::move(r));
  }
  return c;
}

}  // namespace tessera::data
