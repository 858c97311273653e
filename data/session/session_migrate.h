#pragma once
/// Brings the JSON of an older `*.tessera` file up to the current version (kSessionVersion in
/// session_file.h), one version step at a time, before it is read. Each step rewrites only what
/// its version changed, so a file written by any older Tessera reads as if written now.
/// Pure function; any thread. Errors name `what` (the file) and the offending key.
#include <string>

#include <nlohmann/json.hpp>

#include "data/error.h"

namespace tessera::data {

/// `version` is the file's "tessera_session" (at most the current one; newer ones are refused
/// before). Returns the document in the current version's shape.
Expected<nlohmann::json> migrateSession(nlohmann::json j, int version, const std::string& what);

}  // namespace tessera::data
