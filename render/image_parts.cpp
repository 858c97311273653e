// The upper parts of the image: for each run of image layers above the first (ImagePart), one
// more ImageLayer over the same image that draws only that run's channels and adds its light
// onto what is below (app/core/layer_order.h says how the parts are made).
#include "render/image_layer.h"

namespace tessera::render {

std::unique_ptr<ImageLayer> upperImageLayer(vtkRenderer* renderer, data::TileCache& cache,
                                            ImageLayer::Post post, std::function<void()> changed,
                                            const ImageLayer& base, const ImagePart& part) {
  auto upper = std::make_unique<ImageLayer>(renderer, cache, std::move(post), std::move(changed));
  TileStyle adds;
  adds.adds = true;
  adds.opacity = part.opacity;
  upper->setTileStyle(adds);
  upper->setSource(base.source());
  upper->setDepthOffset(part.depth);
  upper->setDisplays(base.displays());
  upper->setDrawnChannels(part.channels);
  upper->setPlane(base.planeT(), base.planeZ());
  upper->setForcedLevel(base.forcedLevel());
  return upper;
}

std::vector<std::unique_ptr<ImageLayer>> upperImageLayers(vtkRenderer* renderer,
                                                          data::TileCache& cache,
                                                          const ImageLayer::Post& post,
                                                          const ImageLayer& base,
                                                          const std::vector<ImagePart>& parts) {
  std::vector<std::unique_ptr<ImageLayer>> out;
  for (const auto& part : parts)
    out.push_back(upperImageLayer(renderer, cache, post, {}, base, part));
  return out;
}

}  // namespace tessera::render
