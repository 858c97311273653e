#pragma once
/// TileSource over a whole-slide image read by OpenSlide (Aperio SVS, Hamamatsu NDPI/VMS,
/// MIRAX MRXS, Leica SCN, Philips, Sakura, Trestle, Ventana, and generic tiled TIFF).
///
/// The slide is an RGB pyramid: three uint8 channels (red, green, blue), one level per
/// OpenSlide level, 512² tiles. OpenSlide's premultiplied ARGB is un-premultiplied; fully
/// transparent pixels (outside the scanned area) take the slide's background colour (white when
/// it names none). openslide.mpp-x/-y (else the TIFF resolution tags in cm or inch) give the
/// physical pixel size in micrometres, scaled by each level's downsample.
///
/// Threads: OpenSlide handles are thread-safe, so readTile() runs on any number of workers.
/// A decoded RGB tile is kept in a small LRU (16 tiles) so the three channel reads of one tile
/// read the slide once. Errors name the file and carry OpenSlide's message.
#include <array>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/tile_source.h"

typedef struct _openslide openslide_t;

namespace tessera::data {

class OpenSlideSource final : public TileSource {
 public:
  static constexpr int kTile = 512;

  static Expected<std::shared_ptr<OpenSlideSource>> open(const std::string& path);
  ~OpenSlideSource() override;

  const ImageInfo& info() const override { return info_; }
  Expected<Tile> readTile(const TileKey& key, const std::stop_token& stop) const override;

  /// OpenSlide's vendor name ("aperio", "generic-tiff", ...).
  const std::string& vendor() const { return vendor_; }

 private:
  OpenSlideSource() = default;
  struct RgbTile {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;  ///< planar: r plane, g plane, b plane
  };
  using TilePos = std::array<std::int64_t, 3>;  ///< level, row, col
  Expected<std::shared_ptr<const RgbTile>> rgbTile(const TilePos& pos) const;

  ImageInfo info_;
  std::string vendor_;
  openslide_t* osr_ = nullptr;
  std::vector<double> downsamples_;
  std::array<std::uint8_t, 3> background_{255, 255, 255};

  mutable std::mutex cacheMutex_;
  mutable std::list<std::pair<TilePos, std::shared_ptr<const RgbTile>>> lru_;
};

/// 0 when OpenSlide does not recognise the file; 90 for vendor formats; for "generic-tiff",
/// 70 when it is an 8-bit RGB pyramid in plain pages (which the TIFF reader would not show as
/// a pyramid), else 40 (the TIFF reader keeps OME-TIFF and multichannel files).
int probeOpenSlide(const std::string& path);

}  // namespace tessera::data
