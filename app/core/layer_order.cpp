#include "app/core/layer_order.h"

#include <algorithm>
#include <vector>

#include "app/core/session_display.h"
#include "render/scene.h"

namespace tessera::app {

namespace {

// `labels` names the labels layer that takes the labels' place (empty: the first one).
LayerDepths depthsOf(const data::Session& session, const std::string& labels) {
  using data::LayerKind;
  LayerDepths out;
  // What gets a place, from the bottom: the first layer of each kind but images, and each image
  // part (`part` indexes out.imageParts).
  struct Drawn {
    LayerKind kind;
    int part = -1;
  };
  std::vector<Drawn> drawn;
  const auto shown = shownImageLayers(session);
  std::size_t channel = 0;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // each part's channels [first, end)
  bool afterImage = false;  // the previous layer in the order is a shown image layer
  for (const auto& l : session.layers) {
    if (l.kind == LayerKind::Image) {
      if (std::find(shown.begin(), shown.end(), &l) == shown.end()) continue;  // not drawn
      if (!afterImage) {
        drawn.push_back({LayerKind::Image, static_cast<int>(out.imageParts.size())});
        out.imageParts.push_back({});
        out.imageParts.back().opacity = l.opacity;
        spans.emplace_back(channel, channel);
      }
      out.imageParts.back().layers.push_back(l.id);
      channel += l.channels.size();
      spans.back().second = channel;
      afterImage = true;
      continue;
    }
    afterImage = false;  // any other layer between two image layers splits them
    if (l.kind == LayerKind::Labels && !labels.empty() && l.id != labels) continue;
    if (std::none_of(drawn.begin(), drawn.end(), [&](auto& d) { return d.kind == l.kind; }))
      drawn.push_back({l.kind});
  }
  for (std::size_t p = 0; p < spans.size(); ++p) {
    auto& mask = out.imageParts[p].channels;
    mask.assign(channel, false);
    std::fill(mask.begin() + static_cast<long>(spans[p].first),
              mask.begin() + static_cast<long>(spans[p].second), true);
  }
  // Without a place of their own (a session from before version 4, the CLI's own), the
  // annotations are drawn on top.
  if (!session.firstLayer(LayerKind::Annotations)) drawn.push_back({LayerKind::Annotations});
  const double bottom = render::layerDepth(render::kLayerBands - 1);
  out.image = out.labels = out.cells = out.transcripts = out.annotations = bottom;
  // Later in the list is nearer the top: the last drawn layer gets band 0.
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    const double dz = render::layerDepth(static_cast<int>(drawn.size() - 1 - k));
    switch (drawn[k].kind) {
      case LayerKind::Image:
        out.imageParts[static_cast<std::size_t>(drawn[k].part)].depth = dz;
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
  if (!out.imageParts.empty()) out.image = out.imageParts.front().depth;
  if (!session.firstLayer(LayerKind::Transcripts)) out.transcripts = out.cells;
  return out;
}

}  // namespace

LayerDepths layerDepths(const data::Session& session) {
  return depthsOf(session, {});
}

ImageDrawing imageDrawing(const LayerDepths& depths) {
  ImageDrawing out;
  const auto& parts = depths.imageParts;
  if (parts.size() < 2) return out;
  out.first = parts.front().channels;
  for (std::size_t p = 1; p < parts.size(); ++p)
    out.upper.push_back({parts[p].channels, parts[p].depth, parts[p].opacity});
  return out;
}

LabelsLayerDepths labelsLayerDepths(const data::Session& session) {
  std::vector<std::string> ids;  // from the top
  for (auto it = session.layers.rbegin(); it != session.layers.rend(); ++it)
    if (it->kind == data::LayerKind::Labels) ids.push_back(it->id);
  LabelsLayerDepths out;
  out.bands = depthsOf(session, ids.empty() ? std::string() : ids.front());
  // A labels layer's tiles span z 0.5 to ~1.3 above its offset (render/scene.h): 2 apart, each
  // covers those under it.
  for (std::size_t k = 0; k < ids.size(); ++k)
    out.layers[ids[k]] = out.bands.labels + 2.0 * static_cast<double>(k);
  return out;
}

}  // namespace tessera::app
