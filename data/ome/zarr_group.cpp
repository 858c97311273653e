#include "data/ome/zarr_group.h"

namespace tessera::data {
namespace {

Expected<nlohmann::json> parseJsonObject(const Store& store, const std::string& key) {
  auto bytes = store.read(key);
  if (!bytes) return std::unexpected(bytes.error());
  try {
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end());
    if (!j.is_object())
      return fail(Errc::Corrupt, storeKeyName(store, key) + ": expected a JSON object");
    return j;
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::Corrupt, storeKeyName(store, key) + ": malformed JSON: " + e.what());
  }
}

}  // namespace

std::string joinZarrPath(const std::string& a, const std::string& b) {
  std::string out = a;
  while (!out.empty() && out.back() == '/')
    out.pop_back();
  std::string tail = b;
  while (!tail.empty() && tail.front() == '/')
    tail.erase(0, 1);
  while (!tail.empty() && tail.back() == '/')
    tail.pop_back();
  if (tail.empty() || tail == ".") return out;
  if (out.empty()) return tail;
  return out + "/" + tail;
}

Expected<ZarrNodeAttributes> readZarrNodeAttributes(const Store& store, const std::string& path) {
  ZarrNodeAttributes out;
  const std::string v3Key = joinZarrPath(path, "zarr.json");
  if (store.exists(v3Key)) {
    auto j = parseJsonObject(store, v3Key);
    if (!j) return std::unexpected(j.error());
    out.zarrV3 = true;
    out.file = storeKeyName(store, v3Key);
    out.isArray = j->value("node_type", std::string()) == "array";
    if (j->contains("attributes") && (*j)["attributes"].is_object())
      out.attributes = (*j)["attributes"];
    return out;
  }
  const std::string attrsKey = joinZarrPath(path, ".zattrs");
  out.file = storeKeyName(store, attrsKey);
  out.isArray = store.exists(joinZarrPath(path, ".zarray"));
  if (store.exists(attrsKey)) {
    auto j = parseJsonObject(store, attrsKey);
    if (!j) return std::unexpected(j.error());
    out.attributes = std::move(*j);
    return out;
  }
  if (out.isArray || store.exists(joinZarrPath(path, ".zgroup"))) return out;
  return fail(Errc::NotFound, storeKeyName(store, path) + ": no zarr group or array here");
}

}  // namespace tessera::data
