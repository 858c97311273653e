#pragma once
/// Element-level reading of AnnData stored in zarr (v2 or v3) through ZarrArray and the zarr
/// string reader: encoding attributes, whole numeric arrays converted to one C++ type, string
/// arrays, group children. Thread-safe (stateless over a thread-safe Store). Errors name the
/// store key and the element.
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data::azarr {

std::string join(const std::string& a, const std::string& b);
/// The node's attributes; NotFound when there is no node at `path`.
Expected<nlohmann::json> attrs(const Store& s, const std::string& path);
/// attrs["encoding-type"], "" when absent.
std::string encodingType(const nlohmann::json& attrs);
/// Child names of a group (metadata files left out), sorted.
std::vector<std::string> children(const Store& s, const std::string& path);
bool nodeExists(const Store& s, const std::string& path);

/// Whole numeric (or bool) array, flattened in C order, converted to T; `shape` receives its
/// shape when not null.
template <class T>
Expected<std::vector<T>> readNumbers(std::shared_ptr<const Store> s, const std::string& path,
                                     std::vector<std::int64_t>* shape = nullptr);
/// Elements [start, start + count) of a 1-d numeric array, converted to T.
template <class T>
Expected<std::vector<T>> readRange(std::shared_ptr<const Store> s, const std::string& path,
                                   std::int64_t start, std::int64_t count);
/// A string array (vlen-utf8 / fixed width) or, failing that, numbers printed as text.
Expected<std::vector<std::string>> readStringsOrNumbers(std::shared_ptr<const Store> s,
                                                        const std::string& path);

}  // namespace tessera::data::azarr
