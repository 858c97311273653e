#pragma once
/// "Crop and export": raw values of a region of one pyramid level, at one (t, z), for chosen
/// channels, written to an OME-TIFF (OmeTiffWriter: dtype kept, one plane per channel in the
/// order asked for, physical size of the chosen level).
///
/// Memory is bounded whatever the region's size: the region is processed in column strips of
/// at most kStripTiles output tiles, band by band (512 rows); only the source tiles touching
/// the current band are held (those reaching into the next band are kept for it). Peak memory
/// is about two bands of a strip plus one row of source tiles, not the region.
///
/// Threads: blocking; call from a worker or the CLI, never the GUI thread. Source tiles are read
/// through TileSource::readTile, in parallel on `executor` when one is given (the call waits for
/// its own tasks only). Errors: Errc::InvalidArgument for a request outside the image (level,
/// t, z, channel, region) or an unwritable output, the reader's error (naming file and key) for
/// a failed tile, Errc::Cancelled when `stop` is requested. A failed export leaves no file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <vector>

#include "data/executor.h"
#include "data/export/ome_tiff_writer.h"
#include "data/tile_source.h"

namespace tessera::data {

struct RegionExportRequest {
  int level = 0;
  /// Region in pixels of `level` (level 0 = full resolution): [x, x + width) × [y, y + height).
  std::int64_t x = 0, y = 0, width = 0, height = 0;
  std::int64_t t = 0, z = 0;
  std::vector<std::int64_t> channels;  ///< source channel indices in output order; empty = all
  OmeTiffOptions tiff;
};

struct RegionExportResult {
  std::int64_t width = 0, height = 0, channels = 0;
  DType dtype = DType::U16;
  bool bigTiff = false;
  std::int64_t tilesRead = 0;  ///< source tiles read (a tile straddling strips is read twice)
};

/// Checks `request` against `info`; the message says what is wrong and the allowed range.
Expected<void> validateRegionExport(const ImageInfo& info, const RegionExportRequest& request);

/// `progress` (optional) gets the fraction done, from the calling thread.
Expected<RegionExportResult> exportRegion(const TileSource& source,
                                          const RegionExportRequest& request,
                                          const std::filesystem::path& out,
                                          Executor* executor = nullptr,
                                          const std::stop_token& stop = {},
                                          const std::function<void(double)>& progress = {});

}  // namespace tessera::data
