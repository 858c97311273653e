#include "app/core/session_display.h"

namespace tessera::app {

data::ChannelState toChannelState(const render::ChannelDisplay& d) {
  data::ChannelState c;
  c.name = d.name;
  c.color = d.color;
  c.lut = d.lut == render::Lut::Solid ? "solid" : render::lutName(d.lut);
  c.start = d.start;
  c.end = d.end;
  c.gamma = d.gamma;
  c.inverted = d.inverted;
  c.visible = d.visible;
  c.autoWindow = d.windowFromData;
  return c;
}

render::ChannelDisplay toChannelDisplay(const data::ChannelState& c) {
  render::ChannelDisplay d;
  d.name = c.name;
  d.color = c.color;
  if (c.lut == "solid" || !render::lutFromName(c.lut, d.lut)) d.lut = render::Lut::Solid;
  d.start = c.start;
  d.end = c.end;
  d.gamma = c.gamma;
  d.inverted = c.inverted;
  d.visible = c.visible;
  d.windowFromData = c.autoWindow;
  return d;
}

std::vector<data::ChannelState> toChannelStates(const std::vector<render::ChannelDisplay>& d) {
  std::vector<data::ChannelState> out;
  for (const auto& x : d)
    out.push_back(toChannelState(x));
  return out;
}

std::vector<render::ChannelDisplay> toChannelDisplays(const std::vector<data::ChannelState>& c) {
  std::vector<render::ChannelDisplay> out;
  for (const auto& x : c)
    out.push_back(toChannelDisplay(x));
  return out;
}

namespace {
const char* const kStyleNames[] = {"points", "outlines", "filled"};
}

PanelState toPanelState(const data::SessionLayer& l) {
  const auto& c = l.cells;
  PanelState s;
  s.colorKind = QString::fromStdString(c.colorKind);
  s.colorName = QString::fromStdString(c.colorName);
  s.lut = QString::fromStdString(c.lut);
  s.range = c.range;
  s.groups = QString::fromStdString(c.groups);
  s.overlayVisible = l.visible;
  s.overlayOpacity = l.opacity;
  s.overlayStyle = -1;  // "": the overlay's own choice for the data
  for (int i = 0; i < 3; ++i)
    if (c.style == kStyleNames[i]) s.overlayStyle = i;
  s.pointSize = c.pointSize;
  for (const auto& g : c.profileGenes)
    s.profileGenes << QString::fromStdString(g);
  s.basis = QString::fromStdString(c.basis);
  s.geneSearch = QString::fromStdString(c.geneSearch);
  s.hiddenTranscriptGenes.emplace();
  for (const auto& g : c.hiddenTranscriptGenes)
    *s.hiddenTranscriptGenes << QString::fromStdString(g);
  return s;
}

void fromPanelState(const PanelState& s, data::SessionLayer& l) {
  auto& c = l.cells;
  c.colorKind = s.colorKind.toStdString();
  c.colorName = s.colorName.toStdString();
  c.lut = s.lut.toStdString();
  c.range = s.range;
  c.groups = s.groups.toStdString();
  c.style = s.overlayStyle < 0 ? "" : kStyleNames[std::clamp(s.overlayStyle, 0, 2)];
  c.pointSize = s.pointSize;
  c.profileGenes.clear();
  for (const auto& g : s.profileGenes)
    c.profileGenes.push_back(g.toStdString());
  c.basis = s.basis.toStdString();
  c.geneSearch = s.geneSearch.toStdString();
  if (s.hiddenTranscriptGenes) {  // else the transcripts are still loading: the model's list
    c.hiddenTranscriptGenes.clear();
    for (const auto& g : *s.hiddenTranscriptGenes)
      c.hiddenTranscriptGenes.push_back(g.toStdString());
  }
  l.visible = s.overlayVisible;
  l.opacity = s.overlayOpacity;
}

ColorBy toColorBy(const data::CellsDisplay& c) {
  ColorBy by;
  if (c.colorKind == "gene") by.kind = ColorBy::Kind::Gene;
  if (c.colorKind == "column") by.kind = ColorBy::Kind::Column;
  by.name = c.colorName;
  render::Lut lut;
  if (render::lutFromName(c.lut, lut)) by.lut = lut;
  by.range = c.range;
  if (auto it = c.categoryColors.find(c.categoryColumn()); it != c.categoryColors.end())
    by.customColors = it->second;
  return by;
}

render::Rect cameraRegion(const data::SessionCamera& cam, double imageW, double imageH, int w,
                          int h) {
  if (cam.isFit()) return {0, 0, imageW, imageH};
  if ((w <= 0 || h <= 0) && cam.viewport) std::tie(w, h) = *cam.viewport;
  const double height = cam.height         ? *cam.height
                        : (w > 0 && h > 0) ? cam.width * h / w
                                           : cam.width * imageH / std::max(imageW, 1.0);
  return {cam.centerX - cam.width / 2, cam.centerY - height / 2, cam.centerX + cam.width / 2,
          cam.centerY + height / 2};
}

data::SessionCamera cameraOf(const render::ViewCamera& v, std::int64_t t, std::int64_t z) {
  data::SessionCamera c;
  const auto r = v.visibleWorld();
  c.centerX = v.centerX();
  c.centerY = v.centerY();
  c.width = r.width();
  c.height = r.height();
  c.viewport = std::pair{v.viewportWidth(), v.viewportHeight()};
  c.t = t;
  c.z = z;
  return c;
}

std::vector<const data::SessionLayer*> shownImageLayers(const data::Session& s) {
  std::vector<const data::SessionLayer*> out;
  for (const auto& l : s.layers) {
    if (l.kind != data::LayerKind::Image) continue;
    if (!out.empty()) {
      const auto* d = s.dataset(l.dataset);
      if (!d || d->kind != data::DatasetKind::Image || l.dataset == out.front()->dataset) continue;
    }
    out.push_back(&l);
  }
  return out;
}

std::vector<data::ChannelState> shownChannelStates(const data::Session& s) {
  std::vector<data::ChannelState> out;
  const auto layers = shownImageLayers(s);
  for (std::size_t i = 0; i < layers.size(); ++i)
    for (auto c : layers[i]->channels) {
      if (i > 0 && !layers[i]->visible) c.visible = false;
      out.push_back(c);
    }
  return out;
}

bool setShownChannelStates(data::Session& s, const std::vector<data::ChannelState>& states) {
  const auto layers = shownImageLayers(s);
  std::size_t total = 0;
  for (const auto* l : layers)
    total += l->channels.size();
  if (total != states.size()) return false;
  std::size_t at = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto* l = s.layer(layers[i]->id);
    for (auto& c : l->channels) {
      const bool keep = c.visible;
      c = states[at++];
      if (i > 0 && !l->visible) c.visible = keep;
    }
  }
  return true;
}

}  // namespace tessera::app
