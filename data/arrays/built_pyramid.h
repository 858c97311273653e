#pragma once
/// A single-level image (a bare zarr array or N5 dataset without a pyramid) with coarser levels
/// derived from it: each half the previous by a 2×2 mean (integers rounded half up, floats
/// averaged, edge pixels averaging the sources there are), down to 512 px or less, reported
/// from the start so info() never changes.
///
/// buildPyramid() writes those levels in the background as zarr arrays (512² chunks, zstd) into
/// a cache directory; a complete build there is reused when the same image is opened again.
/// Until a level is built its tiles are computed on demand from the finest level available,
/// with the same arithmetic, so a tile has the same values before and after.
///
/// Threads: info() is immutable; readTile() is safe from any number of workers, also during
/// the build (a level is published once complete). Errors name the source.
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <vector>

#include "data/executor.h"
#include "data/tile_source.h"
#include "data/zarr/zarr_array.h"

namespace tessera::data {

class BuiltPyramidSource final : public TileSource,
                                 public std::enable_shared_from_this<BuiltPyramidSource> {
 public:
  static constexpr int kTile = 512;
  /// Images with a side longer than this get a pyramid.
  static constexpr std::int64_t kPyramidThreshold = 4096;

  /// `base` must have one level. `cacheDir` holds (or will hold) the built levels; a complete
  /// build found there is used at once.
  static std::shared_ptr<BuiltPyramidSource> wrap(std::shared_ptr<const TileSource> base,
                                                  std::filesystem::path cacheDir);
  /// Whether `info` is a single-level image big enough to be given a pyramid.
  static bool wants(const ImageInfo& info);

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

  /// Builds the coarser levels as one Background task on `executor` (a no-op when already
  /// built or started). `progress` gets the fraction done from that task's thread and 1.0 at
  /// the end; a stop request, or the last other owner of the source letting go, ends the
  /// build early (levels not built stay on demand; the next open starts again); a write
  /// failure leaves the levels on demand too. Returns at once.
  void buildPyramid(Executor& executor, std::function<void(double)> progress = {},
                    std::stop_token stop = {});
  /// Levels whose pixels come from level 0 or the cache (1 until the build publishes more).
  int builtLevels() const;
  const std::filesystem::path& cacheDir() const { return cacheDir_; }

 private:
  BuiltPyramidSource() = default;
  Expected<Tile> computeTile(const TileKey& key, const std::stop_token& stop) const;
  Expected<Bytes> readBox(int level, const TileKey& plane, std::int64_t y0, std::int64_t x0,
                          std::int64_t h, std::int64_t w, const std::stop_token& stop) const;
  bool loadBuilt();
  static void build(const std::weak_ptr<BuiltPyramidSource>& weak,
                    const std::function<void(double)>& progress, const std::stop_token& stop);

  std::shared_ptr<const TileSource> base_;
  std::filesystem::path cacheDir_;
  ImageInfo info_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<const ZarrArray>> built_;  ///< per level; null until built
  std::atomic<bool> buildStarted_{false};
};

/// The cache directory for the pyramid of `info` under `root`: named by a hash of the source,
/// format, series, shape, dtype and `stamp` (for example the source's modification time).
std::filesystem::path pyramidCacheDir(const std::filesystem::path& root, const ImageInfo& info,
                                      const std::string& stamp);

}  // namespace tessera::data
