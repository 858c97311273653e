#include "app/cli/cli_labels.h"

#include <chrono>
#include <thread>

#include "app/cells/cells_labels.h"
#include "render/label_layer.h"
#include "render/task_queue.h"

namespace tessera::app {
namespace {

// Tile callbacks arrive on workers; they run on the calling thread between polls. The queue
// is declared first so that it outlives the layer posting into it.
struct Drawn {
  render::TaskQueue queue;
  std::unique_ptr<render::LabelLayer> layer;
};

}  // namespace

data::Expected<std::shared_ptr<void>> drawCellLabelsOffscreen(
    vtkRenderer* renderer, const render::ViewCamera& camera, data::TileCache& cache,
    std::shared_ptr<const data::TileSource> labels, std::span<const std::int64_t> labelValues,
    const render::OverlayColoring& coloring, double depth, double timeoutSeconds) {
  auto drawn = std::make_shared<Drawn>();
  const std::string name = labels->info().source;
  drawn->layer =
      std::make_unique<render::LabelLayer>(renderer, cache, drawn->queue.poster(), [] {});
  drawn->layer->setSource(std::move(labels));
  drawn->layer->setDepthOffset(depth);  // its place in the session's layer order
  colorLabelsByCells(*drawn->layer, labelValues, coloring, {});
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
  for (;;) {
    drawn->layer->update(camera);
    if (drawn->layer->status().complete()) break;
    if (std::chrono::steady_clock::now() > deadline)
      return data::fail(data::Errc::Io, "render: timed out waiting for label tiles of " + name);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    drawn->queue.run();
  }
  return std::shared_ptr<void>(drawn);
}

}  // namespace tessera::app
