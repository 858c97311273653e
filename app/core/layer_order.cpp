#include "app/core/layer_order.h"

#include <algorithm>
#include <vector>

#include "render/scene.h"

namespace tessera::app {

LayerDepths layerDepths(const data::Session& session) {
  using data::LayerKind;
  // The drawn layer of each kind, by its index in the session's order.
  std::vector<std::pair<std::size_t, LayerKind>> drawn;
  for (std::size_t i = 0; i < session.layers.size(); ++i) {
    const LayerKind kind = session.layers[i].kind;
    if (std::none_of(drawn.begin(), drawn.end(), [&](auto& d) { return d.second == kind; }))
      drawn.emplace_back(i, kind);
  }
  // Without a place of their own (a session from before version 4, the CLI's own), the
  // annotations are drawn on top.
  if (!session.firstLayer(LayerKind::Annotations))
    drawn.emplace_back(session.layers.size(), LayerKind::Annotations);
  const double bottom = render::layerDepth(render::kLayerBands - 1);
  LayerDepths out{bottom, bottom, bottom, bottom, bottom};
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
      case LayerKind::Annotations:
        out.annotations = dz;
        break;
    }
  }
  if (!session.firstLayer(LayerKind::Transcripts)) out.transcripts = out.cells;
  return out;
}

LabelsLayerDepths labelsLayerDepths(const data::Session& session) {
  std::vector<std::string> ids;  // from the top
  for (auto it = session.layers.rbegin(); it != session.layers.rend(); ++it)
    if (it->kind == data::LayerKind::Labels) ids.push_back(it->id);
  data::Session top;  // the layers alone: the order is all layerDepths reads
  top.layers = session.layers;
  std::erase_if(top.layers, [&](const auto& l) {
    return l.kind == data::LayerKind::Labels && l.id != ids.front();
  });
  LabelsLayerDepths out;
  out.bands = layerDepths(top);
  // A labels layer's tiles span z 0.5 to ~1.3 above its offset (render/scene.h): 2 apart, each
  // covers those under it.
  for (std::size_t k = 0; k < ids.size(); ++k)
    out.layers[ids[k]] = out.bands.labels + 2.0 * static_cast<double>(k);
  return out;
}

}  // namespace tessera::app
