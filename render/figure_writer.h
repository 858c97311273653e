#pragma once
/// Writes an RGB8 image to PNG (libpng) or TIFF (libtiff, deflate, RGB strips) band by band,
/// top row first, so that a 16,000 px figure never needs the whole picture in memory. The
/// format follows the file name (.png, .tif, .tiff). Not thread-safe; one writer per file.
#include <cstdint>
#include <memory>
#include <string>

#include "data/error.h"

namespace tessera::render {

class FigureWriter {
 public:
  /// Errc::InvalidArgument for an unknown extension, Errc::Io naming the file when it cannot
  /// be created. `dpi` (> 0) is stored as the resolution.
  static data::Expected<std::unique_ptr<FigureWriter>> open(const std::string& path, int width,
                                                            int height, double dpi = 0);
  virtual ~FigureWriter() = default;
  /// `rows` full rows of width * 3 bytes each.
  virtual data::Expected<void> writeRows(const std::uint8_t* rgb, int rows) = 0;
  /// Flushes and closes; the file is complete only after this returns success.
  virtual data::Expected<void> finish() = 0;
};

}  // namespace tessera::render
