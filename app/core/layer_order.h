#pragma once
/// The session's layer order as drawing depth, for the window and for every off-screen render
/// (`tessera render`, story pages), so that both stack the layers alike. Cheap; any thread.
#include <map>
#include <string>

#include "data/session/session.h"

namespace tessera::app {

/// World z offset of each kind of layer (render::layerDepth), from the session's order: the
/// last layer of `Session::layers` is drawn on top. Like the window, only the first layer of a
/// kind counts (further image layers join the first image's channels); a kind the session
/// lacks gets the depth below all others, except transcripts: without a layer of their own
/// (Xenium's come with its cells table) they go with the cells, in front of them, and
/// annotations: without a layer of their own they are drawn on top.
struct LayerDepths {
  double image = 0, labels = 0, cells = 0, transcripts = 0, annotations = 0;
};
LayerDepths layerDepths(const data::Session& session);

/// The window's depths with several labels layers: `bands` as layerDepths gives them for the
/// session with only its topmost labels layer (the one the cells colour), and the depth of every
/// labels layer by id in the labels band, those lower in the order a little deeper each, so that
/// of several label images the upper covers the lower. With one labels layer, `bands` equals
/// layerDepths. (Off-screen renders draw only the labels the cells colour, with layerDepths.)
struct LabelsLayerDepths {
  LayerDepths bands;
  std::map<std::string, double> layers;
};
LabelsLayerDepths labelsLayerDepths(const data::Session& session);

}  // namespace tessera::app
