#pragma once
/// The session's layer order as drawing depth, for the window and for every off-screen render
/// (`tessera render`, story pages), so that both stack the layers alike. Cheap; any thread.
#include <map>
#include <string>

#include "data/session/session.h"

namespace tessera::app {

/// World z offset of each kind of layer (render::layerDepth), from the session's order: the
/// last layer of `Session::layers` is drawn on top. Like the window, only the first layer of a
/// kind counts (further image layers join the first image's channels), except labels: their
/// band is that of the topmost labels layer (the one the cells colour), and every labels layer
/// has its own depth in it, those lower in the order a little deeper. A kind the session lacks
/// gets the depth below all others, except transcripts: without a layer of their own (Xenium's
/// come with its cells table) they go with the cells, in front of them.
struct LayerDepths {
  double image = 0, labels = 0, cells = 0, transcripts = 0;
  std::map<std::string, double> labelLayers;  ///< by layer id
};
LayerDepths layerDepths(const data::Session& session);

}  // namespace tessera::app
