#pragma once
/// Integers, strings and booleans declared in JSON that others wrote (zarr/NGFF attributes,
/// sessions, GeoJSON, archive listings, cache metadata).
/// nlohmann's get<int>() silently wraps an integer that does not fit and is undefined for a
/// float outside the target's range, so a value read from a file goes through these, which say
/// "no" instead. Pure functions; thread-safe.
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

namespace tessera::data {

/// The value when `v` is a JSON integer in [lo, hi]; nothing for floats, other types or values
/// outside the range (unsigned values above INT64_MAX included).
inline std::optional<std::int64_t> jsonInteger(
    const nlohmann::json& v, std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
    std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  std::int64_t i = 0;
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return std::nullopt;
    i = static_cast<std::int64_t>(u);
  } else if (v.is_number_integer()) {
    i = v.get<std::int64_t>();
  } else {
    return std::nullopt;
  }
  if (i < lo || i > hi) return std::nullopt;
  return i;
}

/// Like jsonInteger, but a finite float is accepted too, truncated towards zero, when the
/// truncated value lies in [lo, hi] (sessions and label values written as 3.0).
inline std::optional<std::int64_t> jsonWholeNumber(
    const nlohmann::json& v, std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
    std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
  if (!v.is_number_float()) return jsonInteger(v, lo, hi);
  const double d = std::trunc(v.get<double>());
  // 2^63 is exact as a double; anything at or beyond it (or NaN) does not fit an int64.
  if (!(d >= -0x1p63 && d < 0x1p63)) return std::nullopt;
  const auto i = static_cast<std::int64_t>(d);
  if (i < lo || i > hi) return std::nullopt;
  return i;
}

/// `obj[key]` as an int when it is a whole number in int's range (3 or 3.0); `fallback` when it
/// is absent, of another type or out of range. json::value<int>() is undefined behaviour for a
/// float outside int's range (found by fuzz_zarr_metadata: "zarr_format": 6.7e102).
inline int jsonIntOr(const nlohmann::json& obj, const char* key, int fallback) {
  if (!obj.is_object()) return fallback;
  const auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  const auto v =
      jsonWholeNumber(*it, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  return v ? static_cast<int>(*v) : fallback;
}

/// obj[key] when `obj` is an object whose `key` holds a string, else `fallback`.
/// json::value(key, std::string) throws type_error when the key holds another type (a GeoJSON
/// "type": [...] escaped every handler and aborted: found by fuzz_geojson), and json::value
/// throws on a non-object too.
inline std::string jsonStringOr(const nlohmann::json& obj, const char* key,
                                std::string fallback = {}) {
  if (!obj.is_object()) return fallback;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

/// obj[key] when `obj` is an object whose `key` holds a boolean, else `fallback`.
inline bool jsonBoolOr(const nlohmann::json& obj, const char* key, bool fallback) {
  if (!obj.is_object()) return fallback;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

}  // namespace tessera::data
