#pragma once
/// A minimal XML element/attribute reader, enough for OME-XML (metadata lives in attributes).
/// Comments, processing instructions and DOCTYPE are skipped; namespace
/// prefixes are stripped from element names. Pure function, thread-safe; malformed input
/// gives std::nullopt with a reason, never an exception.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::data {

struct XmlElement {
  std::string name;  ///< local name ("Pixels" for "ome:Pixels")
  std::vector<std::pair<std::string, std::string>> attributes;  ///< entity-decoded values
  int parent = -1;   ///< index into the element list, -1 for the root
  std::string text;  ///< entity-decoded character data directly inside, whitespace-trimmed
  const std::string* attribute(std::string_view key) const;
};

/// Elements in document order.
std::optional<std::vector<XmlElement>> parseXmlElements(std::string_view xml, std::string* error);

}  // namespace tessera::data
