#pragma once
/// Measurements of one annotation over a pyramid level, streamed tile by tile through the
/// app's tile cache, so memory stays bounded by the cache budget and one band of tiles however
/// large the area (a whole 16k x 16k level included).
/// - A pixel of the level belongs to an area annotation when its centre is inside (even-odd
///   rule over all rings; see AreaScanner). Coordinates outside the image are clipped, with a
///   note; self-intersecting rings are measured by the even-odd rule, with a note.
/// - area_px is the member pixel count times the level's downsample (level-0 pixels);
///   area_um2 is that times the level-0 pixel size when the image states a length unit.
/// - Per channel: mean, exact median, min, max and population std of the raw values (ExactStats).
/// Blocking; runs on a worker thread (or the CLI's main thread). Reads tiles through
/// TileCache::readBlocking and prefetches the next band with TileCache::request.
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/annotation/annotation.h"
#include "data/error.h"
#include "data/tile_cache.h"

namespace tessera::data {

struct ChannelMeasurement {
  std::string name;
  std::uint64_t count = 0;  ///< member pixels with a value (NaN skipped)
  double mean = 0, median = 0, min = 0, max = 0, std = 0;  ///< NaN when count == 0
};

struct Measurement {
  std::string name;
  AnnotationClass classification;
  AnnotationKind kind = AnnotationKind::Polygon;
  bool area = false;         ///< false for points, lines, arrows and text
  std::uint64_t pixels = 0;  ///< member pixels of the level
  double areaPx = 0;         ///< level-0 pixels
  std::optional<double> areaUm2;
  double perimeterPx = 0;  ///< areas: perimeter; lines and arrows: length (level-0 pixels)
  std::vector<ChannelMeasurement> channels;
  std::optional<std::int64_t> cells;                      ///< set when a cell table is paired
  std::vector<std::pair<std::string, double>> geneMeans;  ///< over those cells, in given order
  std::vector<std::string> notes;                         ///< clipping, self-intersection
};

struct MeasureOptions {
  int level = 0;
  std::int64_t t = 0, z = 0;
  /// Called after each tile with the fraction done; returning false cancels (Errc::Cancelled).
  std::function<bool(double)> progress;
};

/// Level-0 pixel area of one pixel in µm² when the image's unit is a length it knows
/// (micrometer, nanometer, millimeter, ...), else nullopt.
std::optional<double> pixelAreaUm2(const ImageInfo& info);

/// Measures `a` (areas get pixel statistics; other kinds only their length). `sourceId` is the
/// id `source` has in `cache`. Errors: a bad level/plane (InvalidArgument), a tile that cannot
/// be read (its error, naming the tile), Cancelled.
Expected<Measurement> measureAnnotation(const Annotation& a, TileCache& cache,
                                        std::uint64_t sourceId, const ImageInfo& info,
                                        const MeasureOptions& options, const std::stop_token& stop);

/// Indices of the points (level-0 pixels) inside an area annotation; NaN points are skipped.
std::vector<std::int64_t> pointsInside(const Annotation& a, const std::vector<float>& x,
                                       const std::vector<float>& y);

/// `{name, classification: {name, color}, kind, area_px, area_um2, perimeter_px, [length_px],
/// cells, [genes], channels: [{name, mean, median, min, max, std}], [notes]}` with null for
/// unknown or empty values (the CLI's --json and the CSV's source).
nlohmann::json measurementJson(const Measurement& m);

}  // namespace tessera::data
