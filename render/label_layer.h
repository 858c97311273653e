#pragma once
/// Integer label images (segmentation masks, OME-Zarr `labels/`) drawn over the image through
/// the same tile and level machinery as ImageLayer (level choice with hysteresis, visible tiles
/// first, cancellation, coarser levels covering tiles still loading, failed tiles hatched).
/// - Colours: a glasbey palette by label id, or a table label -> RGBA for values per label
///   (e.g. a cluster colour per cell); ids missing from the table take `otherRgba`. The table
///   is either a map (sparse ids) or a vector indexed by id (dense ids, e.g. cell instance ids,
///   the cheap one to rebuild for a million cells). A colouring change repaints the textures from
///   the decoded tiles already in the cache: nothing is re-read.
/// - Label 0 is always transparent; texels are never interpolated, so ids never blend.
/// - Tiles sit at z = 0.5 + 0.04 * level: in front of the image (z >= 1), behind points and
///   polygons.
/// UI thread only; tile callbacks are marshalled through `post` as for ImageLayer.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "render/image_layer.h"

namespace tessera::render {

class LabelLayer {
 public:
  using Post = ImageLayer::Post;

  LabelLayer(vtkRenderer* renderer, data::TileCache& cache, Post post,
             std::function<void()> changed);

  /// `channel` selects the channel holding the ids (label images usually have one).
  void setSource(std::shared_ptr<const data::TileSource> source, std::int64_t channel = 0);
  /// Glasbey colours by id (the default).
  void usePalette();
  /// 0xRRGGBBAA per label id; other non-zero ids take `otherRgba` (transparent by default).
  void useLabelColors(std::unordered_map<std::int64_t, std::uint32_t> rgba,
                      std::uint32_t otherRgba = 0);
  /// 0xRRGGBBAA of label id i at rgbaById[i]; ids past the end (or negative) take `otherRgba`.
  void useLabelColors(std::vector<std::uint32_t> rgbaById, std::uint32_t otherRgba = 0);
  void setOpacity(double opacity);
  void setDepthOffset(double dz) { tiles_.setDepthOffset(dz); }
  void setVisible(bool visible);
  void setPlane(std::int64_t t, std::int64_t z) { tiles_.setPlane(t, z); }

  /// Plans, requests and arranges the label tiles for `camera`. Call before each render.
  void update(const ViewCamera& camera) { tiles_.update(camera); }
  LayerStatus status() const { return tiles_.status(); }
  /// The id at world point (x, y) from the finest resident level, if any.
  std::optional<std::int64_t> labelAt(double x, double y) const;
  double opacity() const { return opacity_; }
  bool visible() const { return visible_; }

  /// 0xRRGGBBAA of label `id` under the current colouring (0 for transparent).
  std::uint32_t colorOf(std::int64_t id) const;

 private:
  void paint(std::span<const data::Tile* const> tiles, std::uint8_t* rgba) const;
  void applyDisplays();

  ImageLayer tiles_;
  std::int64_t channel_ = 0;
  bool palette_ = true;
  std::unordered_map<std::int64_t, std::uint32_t> colors_;
  std::vector<std::uint32_t> dense_;
  std::uint32_t otherRgba_ = 0;
  double opacity_ = 1;
  bool visible_ = true;
};

}  // namespace tessera::render
