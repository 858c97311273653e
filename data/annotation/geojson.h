#pragma once
/// Annotations as GeoJSON, in the shape QuPath exports and imports (File > Export objects as
/// GeoJSON): a FeatureCollection whose features carry a Polygon, MultiPolygon, LineString, Point
/// or MultiPoint geometry in level-0 pixel coordinates and the properties
///   objectType: "annotation", name, classification: {name, color: [r, g, b]}.
/// Tessera adds `shape` (rectangle, ellipse, freehand, arrow, text), `text` and `description`
/// so that its own kinds survive a round trip; QuPath ignores them. On import, QuPath 0.2/0.3's
/// `colorRGB` (packed signed ARGB), a bare Feature and a plain array of features are accepted.
/// Pure functions (files read or written only where the name says so); thread-safe.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/annotation/annotation.h"
#include "data/error.h"

namespace tessera::data {

struct AnnotationImport {
  std::vector<Annotation> annotations;  ///< in file order
  std::vector<std::string> warnings;    ///< non-fatal notes (skipped objects, closed rings)
};

/// Errc::Corrupt naming `source`, the feature (1-based index and name) and the reason for
/// anything that is not a usable annotation.
Expected<AnnotationImport> parseGeoJson(const std::string& text, const std::string& source);
Expected<AnnotationImport> readGeoJson(const std::filesystem::path& path);
/// The same from parsed JSON (a session's "annotations" list of features).
Expected<AnnotationImport> geoJsonAnnotations(const nlohmann::json& doc, const std::string& source);

nlohmann::json annotationsToGeoJson(const std::vector<Annotation>& annotations);
/// Writes the FeatureCollection (indented) to `path`; Errc::Io naming it on failure.
Expected<void> writeGeoJson(const std::vector<Annotation>& annotations,
                            const std::filesystem::path& path);

}  // namespace tessera::data
