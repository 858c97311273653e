#include "data/remote/download_plan.h"

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>

#include "data/remote/s3_error.h"
#include "data/remote/url.h"
#include "data/zarr/zarr_metadata.h"

namespace tessera::data {
namespace {

using nlohmann::json;

struct Planner {
  HttpClient& client;
  std::string base;  ///< group URL without trailing slash
  DownloadPlan plan;

  /// The JSON at `key`, nullopt on 404/403, an error otherwise.
  Expected<std::optional<json>> fetchJson(const std::string& key) {
    if (auto it = fetched.find(key); it != fetched.end()) return it->second;
    auto j = fetchJsonOnce(key);
    if (j) fetched.emplace(key, *j);
    return j;
  }
  std::map<std::string, std::optional<json>> fetched;

  Expected<std::optional<json>> fetchJsonOnce(const std::string& key) {
    return absorb(key, client.fetch(request(key)));
  }

  HttpRequest request(const std::string& key) const {
    HttpRequest rq;
    rq.url = joinUrlPath(base, key);
    rq.priority = Priority::Background;
    return rq;
  }

  /// The parsed answer for `key` (planned as an item when present).
  Expected<std::optional<json>> absorb(const std::string& key, Expected<HttpResponse> r) {
    const std::string url = joinUrlPath(base, key);
    if (!r) return std::unexpected(r.error());
    if (auto e = s3Failure(url, *r, true)) return std::unexpected(*e);
    if (r->status == 404 || r->status == 403) return std::optional<json>();
    if (!r->ok())
      return fail(Errc::Network,
                  url + ": HTTP " + std::to_string(r->status) + " " + httpStatusText(r->status));
    auto j = json::parse(r->body.begin(), r->body.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return fail(Errc::Corrupt, url + ": not JSON metadata" +
                                     (!r->body.empty() && r->body[0] == '<'
                                          ? std::string(" (the server sent an HTML page)")
                                          : std::string()));
    plan.items.push_back({url, plan.name + "/" + key, r->body.size(), "", false, false});
    return std::optional<json>(std::move(j));
  }

  /// Fetches the keys not cached yet all at once (the client keeps its per-host limit), so a
  /// plate costs a few round trips per level of its hierarchy rather than one per file. A key
  /// that failed is not cached: fetchJson() asks again and reports the error in order.
  void prefetch(const std::vector<std::string>& keys) {
    std::vector<std::string> todo;
    for (const auto& k : keys)
      // Keys that would leave the output folder are refused later, in order, never requested.
      if (!fetched.count(k) && std::find(todo.begin(), todo.end(), k) == todo.end() &&
          safeJoin("<out>/" + plan.name, k))
        todo.push_back(k);
    if (todo.size() < 2) return;
    std::vector<std::future<Expected<HttpResponse>>> answers;
    for (const auto& k : todo) {
      auto promise = std::make_shared<std::promise<Expected<HttpResponse>>>();
      answers.push_back(promise->get_future());
      client.start(request(k),
                   [promise](Expected<HttpResponse> r) { promise->set_value(std::move(r)); });
    }
    for (std::size_t i = 0; i < todo.size(); ++i)
      if (auto j = absorb(todo[i], answers[i].get())) fetched.emplace(todo[i], *j);
  }

  /// 2 or 3 once the root group was read: later groups are only looked up in that format.
  int version = 0;
  std::vector<std::string> groupKeys(const std::string& path) const {
    if (version == 3) return {join(path, "zarr.json")};
    return {join(path, ".zgroup"), join(path, ".zattrs")};
  }
  std::vector<std::string> arrayKeys(const std::string& path) const {
    if (version == 3) return {join(path, "zarr.json")};
    return {join(path, ".zarray"), join(path, ".zattrs")};
  }

  static std::string join(const std::string& a, const std::string& b) {
    return a.empty() ? b : a + "/" + b;
  }

  /// A group's attributes (v3 "attributes.ome" unwrapped to the v2 shape), nullopt if absent.
  Expected<std::optional<json>> groupAttributes(const std::string& path, bool& v3) {
    if (version != 2) {
      auto z3 = fetchJson(join(path, "zarr.json"));
      if (!z3) return std::unexpected(z3.error());
      if (*z3) {
        v3 = true;
        json attrs = (**z3).value("attributes", json::object());
        if (attrs.contains("ome") && attrs["ome"].is_object()) attrs = attrs["ome"];
        return std::optional<json>(attrs);
      }
      if (version == 3) return std::optional<json>();
    }
    v3 = false;
    auto g = fetchJson(join(path, ".zgroup"));
    if (!g) return std::unexpected(g.error());
    auto a = fetchJson(join(path, ".zattrs"));
    if (!a) return std::unexpected(a.error());
    if (!*g && !*a) return std::optional<json>();
    return std::optional<json>(*a ? **a : json::object());
  }

  Expected<void> addArray(const std::string& path, bool v3) {
    // Paths come from the server's metadata: refuse any that would leave the output folder.
    if (auto ok = safeJoin("<out>/" + plan.name, path); !ok) return std::unexpected(ok.error());
    const std::string key = join(path, v3 ? "zarr.json" : ".zarray");
    auto meta = fetchJson(key);
    if (!meta) return std::unexpected(meta.error());
    if (!*meta) return fail(Errc::NotFound, joinUrlPath(base, key) + ": array metadata missing");
    auto parsed = v3 ? parseZarrJsonMetadata(**meta, joinUrlPath(base, key))
                     : parseZarrayMetadata(**meta, joinUrlPath(base, key));
    if (!parsed) return std::unexpected(parsed.error());
    if (!v3) {
      auto attrs = fetchJson(join(path, ".zattrs"));
      if (!attrs) return std::unexpected(attrs.error());
    }
    const auto& shape = parsed->shape;
    const auto& chunk = parsed->chunkShape;
    std::vector<std::int64_t> grid(shape.size()), idx(shape.size(), 0);
    std::uint64_t count = 1;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      grid[d] = chunk[d] > 0 ? (shape[d] + chunk[d] - 1) / chunk[d] : 0;
      count *= static_cast<std::uint64_t>(std::max<std::int64_t>(grid[d], 0));
    }
    if (count > 50'000'000)
      return fail(Errc::Unsupported,
                  joinUrlPath(base, key) + ": more than 50 million chunks; refusing to plan");
    for (std::uint64_t n = 0; n < count; ++n) {
      const std::string rel = join(path, chunkKey(*parsed, idx));
      plan.items.push_back(
          {joinUrlPath(base, rel), plan.name + "/" + rel, std::nullopt, "", true, false});
      for (std::size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < grid[d]) break;
        idx[d] = 0;
      }
    }
    return {};
  }

  /// A metadata file that may be absent (bioformats2raw's OME/METADATA.ome.xml).
  void addOptionalFile(const std::string& key) {
    plan.items.push_back(
        {joinUrlPath(base, key), plan.name + "/" + key, std::nullopt, "", true, false});
  }

  /// Any OME-Zarr group: a bioformats2raw container (its OME/ metadata, then its plate or its
  /// series), an HCS plate, a well, or an image.
  Expected<void> addGroup(const std::string& path, int depth = 0) {
    // Containers nest once (a series inside bioformats2raw); deeper nesting is a server bug
    // or a loop, not data.
    if (depth > 2)
      return fail(Errc::Corrupt, joinUrlPath(base, path) + ": containers nested too deeply");
    bool v3 = false;
    auto attrs = groupAttributes(path, v3);
    if (!attrs) return std::unexpected(attrs.error());
    if (!*attrs) return fail(Errc::NotFound, joinUrlPath(base, path) + ": no zarr group here");
    const json& a = **attrs;
    std::vector<std::string> series;
    if (a.contains("bioformats2raw.layout")) {
      auto s = omeSeries(path);
      if (!s) return std::unexpected(s.error());
      series = std::move(*s);
    }
    if (a.contains("plate")) return addPlate(path, a["plate"]);
    if (a.contains("well")) return addWell(path, a["well"]);
    if (!a.contains("bioformats2raw.layout")) return addImage(path, 0);
    if (series.empty()) {
      // No OME/.zattrs "series": probe 0, 1, ... until one is absent (bounded like the reader).
      for (int i = 0; i < 1000; ++i) {
        bool sv3 = false;
        auto g = groupAttributes(join(path, std::to_string(i)), sv3);
        if (!g) return std::unexpected(g.error());
        if (!*g) break;
        series.push_back(std::to_string(i));
      }
    }
    if (series.empty())
      return fail(Errc::NotFound,
                  joinUrlPath(base, path) + ": bioformats2raw layout without any series");
    for (const auto& s : series)
      if (auto r = addGroup(join(path, s), depth + 1); !r) return r;
    return {};
  }

  /// bioformats2raw's OME/ group (planned with METADATA.ome.xml) and its "series" list.
  Expected<std::vector<std::string>> omeSeries(const std::string& path) {
    const std::string ome = join(path, "OME");
    bool v3 = false;
    auto attrs = groupAttributes(ome, v3);
    if (!attrs) return std::unexpected(attrs.error());
    addOptionalFile(join(ome, "METADATA.ome.xml"));
    std::vector<std::string> series;
    if (*attrs && (**attrs).contains("series") && (**attrs)["series"].is_array())
      for (const auto& s : (**attrs)["series"])
        if (s.is_string()) {
          if (auto ok = safeJoin("<out>/" + plan.name, join(path, s.get<std::string>())); !ok)
            return std::unexpected(ok.error());
          series.push_back(s.get<std::string>());
        }
    return series;
  }

  /// HCS: every well of the plate, with its row group. Metadata is fetched a level at a time
  /// (rows and wells, then fields and their label groups, then the fields' arrays).
  Expected<void> addPlate(const std::string& path, const json& plate) {
    const std::string where = joinUrlPath(base, path);
    if (!plate.is_object() || !plate.contains("wells") || !plate["wells"].is_array())
      return fail(Errc::Corrupt, where + ": plate metadata without a \"wells\" list");
    std::vector<std::string> wells, keys;
    for (const auto& w : plate["wells"]) {
      if (!w.is_object() || !w.contains("path") || !w["path"].is_string())
        return fail(Errc::Corrupt, where + ": plate well without a \"path\"");
      const std::string wellPath = join(path, w["path"].get<std::string>());
      if (auto ok = safeJoin("<out>/" + plan.name, wellPath); !ok)
        return std::unexpected(ok.error());
      wells.push_back(wellPath);
      if (const auto slash = wellPath.rfind('/'); slash != std::string::npos && slash > path.size())
        for (auto& k : groupKeys(wellPath.substr(0, slash)))
          keys.push_back(std::move(k));
      for (auto& k : groupKeys(wellPath))
        keys.push_back(std::move(k));
    }
    prefetch(keys);
    keys.clear();
    std::vector<json> wellMeta;
    for (const auto& wellPath : wells) {
      bool v3 = false;
      if (const auto slash = wellPath.rfind('/'); slash != std::string::npos && slash > path.size())
        if (auto row = groupAttributes(wellPath.substr(0, slash), v3); !row)
          return std::unexpected(row.error());
      auto well = groupAttributes(wellPath, v3);
      if (!well) return std::unexpected(well.error());
      if (!*well || !(**well).contains("well"))
        return fail(Errc::NotFound, joinUrlPath(base, wellPath) + ": well group missing");
      wellMeta.push_back((**well)["well"]);
      for (const auto& field : fieldPaths(wellMeta.back()))
        for (const std::string& group :
             {join(wellPath, field), join(join(wellPath, field), "labels")})
          for (auto& k : groupKeys(group))
            keys.push_back(std::move(k));
    }
    prefetch(keys);
    keys.clear();
    for (std::size_t i = 0; i < wells.size(); ++i)
      for (const auto& field : fieldPaths(wellMeta[i])) {
        bool v3 = false;
        auto attrs = groupAttributes(join(wells[i], field), v3);
        if (!attrs || !*attrs) continue;  // reported in order by addWell below
        for (const auto& ds : datasetPaths(**attrs))
          for (auto& k : arrayKeys(join(join(wells[i], field), ds)))
            keys.push_back(std::move(k));
      }
    prefetch(keys);
    for (std::size_t i = 0; i < wells.size(); ++i)
      if (auto r = addWell(wells[i], wellMeta[i]); !r) return r;
    return {};
  }

  /// The image paths a well lists (validated by addWell).
  static std::vector<std::string> fieldPaths(const json& well) {
    std::vector<std::string> out;
    if (well.is_object() && well.contains("images") && well["images"].is_array())
      for (const auto& f : well["images"])
        if (f.is_object() && f.contains("path") && f["path"].is_string())
          out.push_back(f["path"].get<std::string>());
    return out;
  }

  /// The dataset (level) paths of an image's multiscales.
  static std::vector<std::string> datasetPaths(const json& attrs) {
    std::vector<std::string> out;
    if (attrs.contains("multiscales") && attrs["multiscales"].is_array())
      for (const auto& ms : attrs["multiscales"])
        for (const auto& ds : ms.value("datasets", json::array()))
          if (ds.contains("path") && ds["path"].is_string())
            out.push_back(ds["path"].get<std::string>());
    return out;
  }

  /// Every field (image) of a well.
  Expected<void> addWell(const std::string& path, const json& well) {
    const json images = well.is_object() ? well.value("images", json::array()) : json::array();
    if (!images.is_array() || images.empty())
      return fail(Errc::Corrupt, joinUrlPath(base, path) + ": well without \"images\"");
    for (const auto& field : images) {
      if (!field.is_object() || !field.contains("path") || !field["path"].is_string())
        return fail(Errc::Corrupt, joinUrlPath(base, path) + ": well image without a path");
      if (auto r = addImage(join(path, field["path"].get<std::string>()), 0); !r) return r;
    }
    return {};
  }

  Expected<void> addImage(const std::string& path, int depth) {
    if (!path.empty())
      if (auto ok = safeJoin("<out>/" + plan.name, path); !ok) return std::unexpected(ok.error());
    bool v3 = false;
    auto attrs = groupAttributes(path, v3);
    if (!attrs) return std::unexpected(attrs.error());
    if (!*attrs) return fail(Errc::NotFound, joinUrlPath(base, path) + ": no zarr group here");
    const json& a = **attrs;
    const auto levels = datasetPaths(a);
    std::vector<std::string> keys;
    for (const auto& ds : levels)
      for (auto& k : arrayKeys(join(path, ds)))
        keys.push_back(std::move(k));
    prefetch(keys);
    for (const auto& ds : levels)
      if (auto r = addArray(join(path, ds), v3); !r) return r;
    if (depth == 0) {
      bool lv3 = false;
      auto labels = groupAttributes(join(path, "labels"), lv3);
      if (!labels) return std::unexpected(labels.error());
      if (*labels && (**labels).contains("labels") && (**labels)["labels"].is_array())
        for (const auto& l : (**labels)["labels"])
          if (l.is_string())
            if (auto r = addImage(join(join(path, "labels"), l.get<std::string>()), 1); !r)
              return r;
    }
    return {};
  }
};

std::string lastSegment(const std::string& url) {
  std::string clean = url.substr(0, url.find_first_of("?#"));
  while (!clean.empty() && clean.back() == '/')
    clean.pop_back();
  return percentDecode(clean.substr(clean.rfind('/') + 1));
}

}  // namespace

Expected<std::filesystem::path> safeJoin(const std::filesystem::path& root, std::string_view rel) {
  auto refuse = [&](const char* why) {
    return fail(Errc::InvalidArgument, "refusing to save \"" + std::string(rel) + "\" under " +
                                           root.string() + ": " + why);
  };
  if (rel.empty()) return refuse("empty name");
  if (rel.front() == '/') return refuse("absolute path");
  if (rel.find('\\') != std::string_view::npos || rel.find('\0') != std::string_view::npos)
    return refuse("backslash or NUL in the name");
  std::filesystem::path out = root;
  std::size_t i = 0;
  while (i <= rel.size()) {
    const std::size_t j = std::min(rel.find('/', i), rel.size());
    const std::string_view seg = rel.substr(i, j - i);
    if (seg.empty() || seg == "." || seg == "..") return refuse("not a plain relative path");
    out /= std::string(seg);
    i = j + 1;
  }
  return out;
}

Expected<DownloadPlan> planDownload(HttpClient& client, const std::string& url,
                                    const std::string& sha256) {
  auto parsed = parseUrl(url);
  if (!parsed) return std::unexpected(parsed.error());
  std::string base = url.substr(0, url.find_first_of("?#"));
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  for (const char* leaf : {"/zarr.json", "/.zattrs", "/.zgroup"})
    if (base.ends_with(leaf)) base.resize(base.size() - std::string_view(leaf).size());
  Planner p{client, base, {}, {}};
  p.plan.url = url;
  p.plan.name = lastSegment(base);
  if (p.plan.name.empty()) p.plan.name = "download";
  if (auto ok = safeJoin("/", p.plan.name); !ok) return std::unexpected(ok.error());
  // Names with a file extension other than .zarr are files; anything else may be a group.
  const std::string& n = p.plan.name;
  const std::size_t dot = n.rfind('.');
  const bool looksLikeFile = dot != std::string::npos && dot > 0 && !n.ends_with(".zarr");
  bool v3 = false;
  Expected<std::optional<nlohmann::json>> attrs = std::optional<nlohmann::json>();
  if (!looksLikeFile) attrs = p.groupAttributes("", v3);
  if (!attrs) return std::unexpected(attrs.error());
  if (*attrs) {
    p.plan.zarr = true;
    p.version = v3 ? 3 : 2;
    if (auto r = p.addGroup(""); !r) return std::unexpected(r.error());
    return std::move(p.plan);
  }
  // A single file: HEAD for its size and validators.
  p.plan.items.clear();
  HttpRequest head;
  head.method = HttpRequest::Method::Head;
  head.url = url;
  head.priority = Priority::Background;
  auto r = client.fetch(head);
  if (r && (r->status == 400 || r->status == 403)) {
    // A refused HEAD has no body: one byte by GET brings S3's reason.
    head.method = HttpRequest::Method::Get;
    head.range = HttpByteRange{0, 1, false};
    if (auto g = client.fetch(head); !g || !g->ok()) r = std::move(g);
  }
  if (!r) return std::unexpected(r.error());
  if (auto e = s3Failure(url, *r)) return std::unexpected(*e);
  if (r->status == 404 || r->status == 403 || r->status == 410)
    return fail(Errc::NotFound,
                url + ": HTTP " + std::to_string(r->status) + " " + httpStatusText(r->status));
  if (!r->ok() && r->status != 405)
    return fail(Errc::Network, url + ": HTTP " + std::to_string(r->status));
  p.plan.items.push_back(
      {url, p.plan.name, r->ok() ? r->totalLength : std::nullopt, sha256, false, true});
  return std::move(p.plan);
}

}  // namespace tessera::data
