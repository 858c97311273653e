#pragma once
/// TileSource over zarr-core arrays that carry no image metadata of their own: bare zarr v2/v3
/// arrays and groups, and N5 datasets. One array per level (finest first), their dimensions
/// named by an axes string ("yx", "cyx", "tczyx", ...) that is either given by the user or
/// guessed from the shape (guessAxes). Channels get default names and colours; a guessed
/// y,x,c image of 3 or 4 channels is RGB(A), shown red, green, blue (alpha hidden).
///
/// Threads: info() is immutable after create(); readTile() may be called from any number of
/// workers at once. Errors name the store and level.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "data/tile_source.h"
#include "data/zarr/zarr_array.h"

namespace tessera::data {

/// Axes from a shape alone (C order): 2D "yx"; 3D "yxc" when the last axis is 3 or 4, else
/// "cyx". Other ranks are Errc::InvalidArgument naming `where` and asking for --axes.
Expected<std::string> guessAxes(std::span<const std::int64_t> shape, const std::string& where);

/// Checks user-given axes against a rank: one of t, c, z, y, x per dimension (either case),
/// each at most once, y and x present. Returns them lower-cased; InvalidArgument otherwise.
Expected<std::string> checkAxes(const std::string& axes, std::size_t rank,
                                const std::string& where);

struct StackedArray {
  std::unique_ptr<ZarrArray> array;
  std::string path;
};

struct ArrayLevel {
  std::unique_ptr<ZarrArray> array;
  std::string path;  ///< store key of the array, shown in `info`
  /// Downsampling relative to level 0 per dimension (C order) when metadata states it; empty =
  /// inferred from the shapes.
  std::vector<double> factors;
  /// When the image stacks separate arrays along t and c (BigDataViewer setups as channels,
  /// timepoints as t): the arrays after `array`, t-major then c, each of `array`'s shape.
  std::vector<StackedArray> stacked;
};

/// How many arrays an image stacks along t and c (1 × 1: one array holds every plane).
struct ArrayStack {
  std::int64_t t = 1, c = 1;
};

class ArrayImageSource final : public TileSource {
 public:
  /// `axes` as checkAxes returns them; `info` carries format, source, warnings and series
  /// (levels, dtype, axes and channels are filled in here). Levels must share rank and dtype.
  /// `resolution` (C order, may be empty) is the physical size of a level-0 element. With a
  /// `stack`, the axes name neither t nor c where it stacks, every level holds t × c arrays,
  /// channel names given in `info.channels` (one per stacked channel) are kept, and
  /// ImageInfo::storedAxes lead with the stacked t and c (see stackedAxes).
  static Expected<std::shared_ptr<ArrayImageSource>> create(
      std::shared_ptr<const Store> store, std::vector<ArrayLevel> levels, const std::string& axes,
      bool axesGuessed, ImageInfo info, const std::vector<double>& resolution = {},
      ArrayStack stack = {});

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

 private:
  ArrayImageSource() = default;
  std::shared_ptr<const Store> store_;
  ImageInfo info_;
  std::vector<ArrayLevel> levels_;
  std::vector<int> slots_;
  std::vector<bool> wholeChunkTiles_;
  ArrayStack stack_;
};

/// Axes requested for a stacked image (storedAxes lead with the stacked "t", then "c"): when
/// they name every dimension, the stacked ones must come first and are cut off, leaving the
/// arrays' own; axes of the arrays' rank are returned as given. InvalidArgument, naming
/// `where`, for any other count or when the stacked ones do not come first.
Expected<std::string> unstackedAxes(const std::string& requested, std::size_t arrayRank,
                                    ArrayStack stack, const std::string& where);

/// Resolves the axes of a level-0 shape: `requested` checked when given, else guessed.
/// `guessed` tells which.
Expected<std::string> resolveAxes(const std::string& requested, std::span<const std::int64_t> shape,
                                  const std::string& where, bool& guessed);

}  // namespace tessera::data
