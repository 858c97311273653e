#include "render/label_layer.h"

#include "render/overlay_colors.h"

namespace tessera::render {

LabelLayer::LabelLayer(vtkRenderer* renderer, data::TileCache& cache, Post post,
                       std::function<void()> changed)
    : tiles_(renderer, cache, std::move(post), std::move(changed)) {
  TileStyle style;
  style.paint = [this](std::span<const data::Tile* const> tiles, std::uint8_t* rgba) {
    paint(tiles, rgba);
  };
  style.zBase = 0.5;
  style.zStep = 0.04;
  style.nearest = true;
  tiles_.setTileStyle(std::move(style));
}

void LabelLayer::setSource(std::shared_ptr<const data::TileSource> source, std::int64_t channel) {
  channel_ = channel;
  tiles_.setSource(std::move(source));
  applyDisplays();
}

void LabelLayer::applyDisplays() {
  const auto* info = tiles_.info();
  if (!info) return;
  // Only the id channel is read; no auto-contrast, the palette does not use a window.
  std::vector<ChannelDisplay> ds(info->channels.size());
  for (std::size_t c = 0; c < ds.size(); ++c)
    ds[c].visible = visible_ && static_cast<std::int64_t>(c) == channel_;
  tiles_.setDisplays(std::move(ds));
}

void LabelLayer::usePalette() {
  palette_ = true;
  colors_.clear();
  dense_.clear();
  tiles_.repaint();
}

void LabelLayer::useLabelColors(std::unordered_map<std::int64_t, std::uint32_t> rgba,
                                std::uint32_t otherRgba) {
  palette_ = false;
  colors_ = std::move(rgba);
  dense_.clear();
  otherRgba_ = otherRgba;
  tiles_.repaint();
}

void LabelLayer::useLabelColors(std::vector<std::uint32_t> rgbaById, std::uint32_t otherRgba) {
  palette_ = false;
  colors_.clear();
  dense_ = std::move(rgbaById);
  otherRgba_ = otherRgba;
  tiles_.repaint();
}

void LabelLayer::setOpacity(double opacity) {
  opacity_ = opacity;
  tiles_.setOpacity(opacity);
}

void LabelLayer::setVisible(bool visible) {
  if (visible == visible_) return;
  visible_ = visible;
  applyDisplays();
}

std::uint32_t LabelLayer::colorOf(std::int64_t id) const {
  if (id == 0) return 0;
  if (palette_) return (categoryColor(id > 0 ? id - 1 : -id) << 8) | 0xFF;
  if (colors_.empty())
    return id > 0 && static_cast<std::uint64_t>(id) < dense_.size()
               ? dense_[static_cast<std::size_t>(id)]
               : otherRgba_;
  const auto it = colors_.find(id);
  return it == colors_.end() ? otherRgba_ : it->second;
}

void LabelLayer::paint(std::span<const data::Tile* const> tiles, std::uint8_t* rgba) const {
  if (tiles.empty()) return;
  const data::Tile& t = *tiles.front();
  const std::size_t n = static_cast<std::size_t>(t.width) * t.height;
  // Labels come in runs along a row; remember the last id's colour.
  std::int64_t lastId = 0;
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t id = data::tileInteger(t, i);
    if (id != lastId) {
      lastId = id;
      last = colorOf(id);
    }
    std::uint8_t* p = rgba + 4 * i;
    p[0] = static_cast<std::uint8_t>(last >> 24);
    p[1] = static_cast<std::uint8_t>(last >> 16);
    p[2] = static_cast<std::uint8_t>(last >> 8);
    p[3] = static_cast<std::uint8_t>(last);
  }
}

std::optional<std::int64_t> LabelLayer::labelAt(double x, double y) const {
  const auto values = tiles_.valuesAt(x, y);
  const auto c = static_cast<std::size_t>(channel_);
  if (c >= values.size()) return std::nullopt;
  return static_cast<std::int64_t>(values[c]);
}

}  // namespace tessera::render
