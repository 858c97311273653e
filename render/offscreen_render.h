#pragma once
/// Headless rendering for the CLI (`tessera render`) and tests: the same ImageLayer, camera and
/// compositor as the window, drawn into an off-screen VTK window (needs an X display; the CLI
/// provides Xvfb when there is none). Blocks the calling thread until every visible tile of the
/// chosen level has loaded or failed, then captures the frame.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/tile_cache.h"
#include "render/channel_display.h"
#include "render/view_camera.h"

namespace tessera::render {

struct RenderRequest {
  int width = 0, height = 0;           ///< output size; 0 = derived from region or image
  std::optional<Rect> region;          ///< level-0 pixels; whole image when empty
  std::optional<std::vector<ChannelDisplay>> displays;  ///< metadata defaults when empty
  std::int64_t t = 0, z = 0;
  int level = -1;  ///< pyramid level to draw; -1 picks it from the zoom
  double timeoutSeconds = 300;
  bool scaleBar = true;  ///< draw the scale bar (off for pixel-exact comparisons)
};

struct RenderedImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< top row first
  int level = 0;
  std::vector<ChannelDisplay> displays;  ///< as used, after auto-contrast
};

data::Expected<RenderedImage> renderOffscreen(std::shared_ptr<const data::TileSource> source,
                                              data::TileCache& cache, const RenderRequest& request);

data::Expected<void> writePng(const RenderedImage& image, const std::string& path);

}  // namespace tessera::render
