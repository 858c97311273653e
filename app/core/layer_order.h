#pragma once
/// The session's layer order as drawing depth, for the window and for every off-screen render
/// (`tessera render`, story pages), so that both stack the layers alike. Cheap; any thread.
#include <map>
#include <string>
#include <vector>

#include "data/session/session.h"
#include "render/image_layer.h"

namespace tessera::app {

/// A run of image layers next to each other in the order, drawn at one depth as one composite of
/// their channels: the shown image's channels (shownImageLayers, shownChannelStates) fall into
/// such parts wherever a layer of another kind lies between two image layers.
/// - The first part (with the first image layer) is drawn as the image always was: it covers
///   what is below it (at the image layer's opacity).
/// - Every later part adds its composite onto what is below it, times its opacity (the opacity
///   of its lowest layer). Channels within a part are summed exactly (render/compositor.h); two
///   parts add up in the 8-bit frame, so with nothing between them they give the joined
///   composite to within rounding (±1/255), and adjacent layers are one part, exactly that.
///   Adding, not covering, because a fluorescence image is dark where it has no signal: an
///   upper image shows what is under it there, and its signal lights up on top of it.
struct ImageLayerPart {
  std::vector<std::string> layers;  ///< the image layers' ids, from the bottom
  std::vector<bool> channels;       ///< of the shown image's channels, those this part draws
  double depth = 0;                 ///< its place in the order (render::layerDepth)
  double opacity = 1;               ///< its lowest layer's (used for the later parts)
};

/// World z offset of each kind of layer (render::layerDepth), from the session's order: the
/// last layer of `Session::layers` is drawn on top. Only the first layer of a kind counts, except
/// images: each image part (above) has a place of its own, and `image` is the first part's. A
/// kind the session lacks gets the depth below all others, except transcripts: without a layer
/// of their own (Xenium's come with its cells table) they go with the cells, in front of them,
/// and annotations: without a layer of their own they are drawn on top.
struct LayerDepths {
  double image = 0, labels = 0, cells = 0, transcripts = 0, annotations = 0;
  std::vector<ImageLayerPart> imageParts;  ///< from the bottom; empty without an image layer
};
LayerDepths layerDepths(const data::Session& session);

/// The image parts as the renderer draws them: the channels of the first part (empty when it is
/// the only one: it draws them all) and the upper parts (render::upperImageLayer).
struct ImageDrawing {
  std::vector<bool> first;
  std::vector<render::ImagePart> upper;
};
ImageDrawing imageDrawing(const LayerDepths& depths);

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
