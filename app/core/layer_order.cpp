#include "app/core/layer_order.h"

#include <algorithm>
#include <vector>

#include "render/scene.h"

namespace tessera::app {

LayerDepths layerDepths(const data::Session& session) {
  using data::LayerKind;
  // The drawn layer of each kind, by its index in the session's order: the first, but the last
  // of the labels.
  std::vector<std::pair<std::size_t, LayerKind>> drawn;
  std::vector<std::size_t> labels;  // from the top
  for (std::size_t i = session.layers.size(); i-- > 0;)
    if (session.layers[i].kind == LayerKind::Labels) labels.push_back(i);
  for (std::size_t i = 0; i < session.layers.size(); ++i) {
    const LayerKind kind = session.layers[i].kind;
    if (kind == LayerKind::Labels
            ? i == labels.front()
            : std::none_of(drawn.begin(), drawn.end(), [&](auto& d) { return d.second == kind; }))
      drawn.emplace_back(i, kind);
  }
  const double bottom = render::layerDepth(render::kLayerBands - 1);
  LayerDepths out{bottom, bottom, bottom, bottom, {}};
  // Later in the list is nearer the top: the last drawn layer gets band 0.
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    const double dz = render::layerDepth(static_cast<int>(drawn.size() - 1 - k));
    switch (drawn[k].second) {
      case LayerKind::Image:
        out.image = dz;
        break;
      case LayerKind::Labels:
        out.labels = dz;
        break;
      case LayerKind::Cells:
        out.cells = dz;
        break;
      case LayerKind::Transcripts:
        out.transcripts = dz;
        break;
    }
  }
  if (!session.firstLayer(LayerKind::Transcripts)) out.transcripts = out.cells;
  // A labels layer's tiles span z 0.5 to ~1.3 above its offset (render/scene.h): 2 apart, each
  // one covers those under it.
  for (std::size_t k = 0; k < labels.size(); ++k)
    out.labelLayers[session.layers[labels[k]].id] = out.labels + 2.0 * static_cast<double>(k);
  return out;
}

}  // namespace tessera::app
