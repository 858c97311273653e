#pragma once
/// TileSource over a plain image (PNG, JPEG, BMP) decoded whole by
/// decodeImageFile (libpng, libjpeg, a BMP reader). Plain TIFF
/// stays with OmeTiffSource.
///
/// The whole file is decoded in open() (these formats have no random access): 8-bit stays
/// uint8, 16-bit PNG stays uint16; RGB becomes three channels named and coloured red, green,
/// blue; grey is one channel; an alpha channel is dropped with a warning in ImageInfo. Tiles
/// are 512².
///
/// Pyramid: an image over 4096 px on a side reports all its levels from the start (each half
/// the previous, down to 512 px or less), so info() never changes. buildPyramid() computes
/// them in the background; until a level is built, its tiles are computed on demand from the
/// finest built level with the same 2×2 mean, so a tile has the same values before and after.
///
/// Threads: info() is immutable; readTile() is safe from any number of workers, also while
/// the pyramid is being built (a level is published once complete). Errors name the file:
/// Errc::NotFound for a missing file, Errc::Corrupt for a damaged or truncated file,
/// Errc::Unsupported for sample types other than 8/16-bit unsigned.
#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "data/executor.h"
#include "data/tile_source.h"

namespace tessera::data {

class PlainImageSource final : public TileSource,
                               public std::enable_shared_from_this<PlainImageSource> {
 public:
  static constexpr int kTile = 512;
  /// Images with a side longer than this get a pyramid.
  static constexpr std::int64_t kPyramidThreshold = 4096;

  static Expected<std::shared_ptr<PlainImageSource>> open(const std::string& path);
  ~PlainImageSource() override;

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

  /// Builds the coarser levels as one Background task on `executor` (a no-op without them or
  /// when already started). `progress` gets the fraction done from that task's thread, and 1.0
  /// once every level is in place; a stop request ends the build early (levels not built stay
  /// on demand). Returns at once.
  void buildPyramid(Executor& executor, std::function<void(double)> progress = {},
                    std::stop_token stop = {});
  /// Number of levels whose pixels are in memory (1 until the pyramid is built).
  int builtLevels() const;

 private:
  PlainImageSource() = default;
  struct Level;
  void build(const std::function<void(double)>& progress, const std::stop_token& stop);

  ImageInfo info_;
  std::vector<std::unique_ptr<Level>> levels_;
  std::atomic<bool> buildStarted_{false};
};

/// Confidence that `path` is a PNG, JPEG or BMP by its magic bytes: 0 or 60.
int probePlainImage(const std::string& path);

/// "png", "jpeg", "bmp" from the magic bytes, or "" if none.
std::string plainImageKind(const std::string& path);

}  // namespace tessera::data
