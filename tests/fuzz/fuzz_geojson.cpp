// GeoJSON annotations: the input is a file as Annotations > Import and `tessera measure
// --annotations` read it; every annotation that passes its own checks is then measured for
// shape (bounds, length, containment, self-intersection), rasterised onto a small grid as the
// measurements do, and the whole set is written back and read again.
#include <nlohmann/json.hpp>

#include "data/annotation/area_scan.h"
#include "data/annotation/geojson.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto imported = data::parseGeoJson(text, "fuzz.geojson");
  if (!imported) return 0;
  for (const auto& a : imported->annotations) {
    if (data::shapeProblem(a)) continue;
    const data::Bounds b = data::annotationBounds(a);
    (void)data::annotationLength(a);
    (void)data::contains(a, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
    if (!data::isArea(a)) continue;
    (void)data::selfIntersects(a);
    const data::AreaScanner scan(a, 1, 1, 256, 256);
    std::vector<std::vector<data::ColumnRun>> runs;
    scan.band(scan.rowFirst(), scan.rowLast(), runs);
  }
  const std::string written = data::annotationsToGeoJson(imported->annotations).dump();
  (void)data::parseGeoJson(written, "fuzz round trip");
  return 0;
}
