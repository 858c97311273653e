#pragma once
/// OME-NGFF metadata parsing (0.1-0.5) from already-parsed JSON: multiscales, axes,
/// coordinate transformations, omero channels, plates and wells. No I/O; pure functions,
/// thread-safe. Errors are Errc::Corrupt/Unsupported with messages prefixed by `where`
/// (the attributes file they came from).
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/image_info.h"

namespace tessera::data {

/// The NGFF content of a group's attributes: `attributes.ome` for 0.5, the attributes
/// themselves before. `version` is the leading "major.minor" ("0.5-dev-spatialdata" -> "0.5"),
/// empty when none is declared anywhere.
struct NgffAttributes {
  nlohmann::json ome = nlohmann::json::object();
  std::string version;
  bool zarrV3 = false;
};
NgffAttributes ngffAttributes(const nlohmann::json& attributes, bool zarrV3);

struct NgffDataset {
  std::string path;
  std::vector<double> scale;        ///< empty: not declared
  std::vector<double> translation;  ///< empty: not declared
};

struct NgffMultiscale {
  std::string version;
  std::string name;
  std::vector<std::string> axisNames;  ///< stored order; empty when the version has no axes
  std::vector<std::string> axisUnits;  ///< parallel to axisNames ("" if none)
  std::vector<std::string> axisTypes;  ///< parallel to axisNames ("" if none)
  std::vector<NgffDataset> datasets;
  std::vector<double> globalScale;        ///< empty: none
  std::vector<double> globalTranslation;  ///< empty: none
  std::vector<std::string> warnings;
};

/// Parses `ome.multiscales[0]`. Axis lengths are checked against each other, not the arrays.
Expected<NgffMultiscale> parseMultiscale(const NgffAttributes& attrs, const std::string& where);

/// Canonical slot (kT..kX) of each stored axis, in stored order. Fails on unknown axis types,
/// duplicates, missing y/x or an order other than t, c, z, y, x.
Expected<std::vector<int>> mapAxesToCanonical(const NgffMultiscale& ms, const std::string& where);

/// Axis names used before 0.3 (always 5D t,c,z,y,x) truncated from the left to `ndim`.
std::vector<std::string> defaultAxisNames(std::size_t ndim);

/// `omero.channels` (falling back to `multiscales[0].metadata.omero`) for `sizeC` channels;
/// missing or malformed entries get defaults and a warning.
std::vector<ChannelInfo> parseOmeroChannels(const NgffAttributes& attrs, std::size_t sizeC,
                                            std::vector<std::string>& warnings);

/// `plate` metadata; wells' `fields` are left empty (they live in the well groups).
Expected<PlateInfo> parsePlate(const nlohmann::json& plate, const std::string& where);

/// Image paths listed in a well's `well.images`.
Expected<std::vector<std::string>> parseWellImages(const nlohmann::json& well,
                                                   const std::string& where);

}  // namespace tessera::data
