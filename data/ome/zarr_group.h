#pragma once
/// Reading zarr group attributes (v2 `.zattrs`, v3 `zarr.json`) straight from a Store, for
/// NGFF container discovery. Thread-safe (no state). Malformed JSON is Errc::Corrupt naming
/// the file; a path holding no zarr node is Errc::NotFound.
#include <nlohmann/json.hpp>
#include <string>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data {

struct ZarrNodeAttributes {
  nlohmann::json attributes = nlohmann::json::object();
  bool zarrV3 = false;
  bool isArray = false;
  std::string file;  ///< the metadata file read, as storeKeyName (for messages)
};

Expected<ZarrNodeAttributes> readZarrNodeAttributes(const Store& store, const std::string& path);

/// "a/b" + "c" -> "a/b/c"; either side may be empty; surplus slashes are dropped.
std::string joinZarrPath(const std::string& a, const std::string& b);

}  // namespace tessera::data
