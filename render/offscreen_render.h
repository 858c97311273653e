#pragma once
/// Headless rendering for the CLI (`tessera render`) and tests: the same ImageLayer, camera and
/// compositor as the window, drawn into an off-screen VTK window (needs an X display; the CLI
/// provides Xvfb when there is none). Blocks the calling thread until every visible tile of the
/// chosen level has loaded or failed, then captures the frame.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/tile_cache.h"
#include "render/channel_display.h"
#include "render/image_layer.h"
#include "render/view_camera.h"

class vtkRenderer;

namespace tessera::render {

/// Adds overlays (cells, legends) to the off-screen renderer once the camera is set; whatever
/// it returns is kept alive until the frame is captured, then released on the calling thread.
using Decorate = std::function<std::shared_ptr<void>(vtkRenderer*, const ViewCamera&)>;

struct RenderRequest {
  int width = 0, height = 0;   ///< output size; 0 = derived from region or image
  std::optional<Rect> region;  ///< level-0 pixels; whole image when empty
  std::optional<std::vector<ChannelDisplay>> displays;  ///< metadata defaults when empty
  std::int64_t t = 0, z = 0;
  int level = -1;  ///< pyramid level to draw; -1 picks it from the zoom
  double timeoutSeconds = 300;
  bool scaleBar = true;  ///< draw the scale bar (off for pixel-exact comparisons)
  /// The image's place in the layer order (render/scene.h, layerDepth); the decorations put
  /// their layers at theirs.
  double imageDepth = 0;
  /// The session's image layers in parts (app/core/layer_order.h): of the displays, the
  /// channels drawn at imageDepth (empty: all), and each upper part, drawn at its own depth
  /// adding its channels' composite onto what is below it (upperImageLayer).
  std::vector<bool> imageChannels;
  std::vector<ImagePart> upperImages;
  Decorate decorate;  ///< optional overlays, each at its layer's depth
};

/// Output size for a view: the request's, or the region at 1:1 (whole image: 1024 px on the
/// longer side), capped at 4096 px on the longer side when derived (as `tessera render` does).
void renderSize(const RenderRequest& view, const Rect& region, int& width, int& height);

struct RenderedImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< top row first
  int level = 0;
  std::vector<ChannelDisplay> displays;  ///< as used, after auto-contrast
};

data::Expected<RenderedImage> renderOffscreen(std::shared_ptr<const data::TileSource> source,
                                              data::TileCache& cache, const RenderRequest& request);

/// A frame of overlays only (no image), e.g. an embedding scatter: `world` fitted into w x h
/// with a small margin, on a black background.
data::Expected<RenderedImage> renderOverlaysOffscreen(const Rect& world, int width, int height,
                                                      const Decorate& decorate);

data::Expected<void> writePng(const RenderedImage& image, const std::string& path);

}  // namespace tessera::render
