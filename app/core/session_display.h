#pragma once
/// Conversions between the session model's plain values (data/session) and what the renderer
/// and the cell panels use: channel displays, the cells' colouring and style, the camera as a
/// render region. One place, so that the window, `tessera render` and the session file agree.
/// Pure functions; any thread.
#include <vector>

#include "app/cells/cells_coloring.h"
#include "app/core/session_state.h"
#include "data/session/session.h"
#include "render/channel_display.h"
#include "render/view_camera.h"

namespace tessera::app {

data::ChannelState toChannelState(const render::ChannelDisplay& d);
render::ChannelDisplay toChannelDisplay(const data::ChannelState& c);
std::vector<data::ChannelState> toChannelStates(const std::vector<render::ChannelDisplay>& d);
std::vector<render::ChannelDisplay> toChannelDisplays(const std::vector<data::ChannelState>& c);

/// The image layers drawn as the shown image's channels: the first image layer, then every
/// later image layer of another image dataset (a model's prediction), in drawing order.
std::vector<const data::SessionLayer*> shownImageLayers(const data::Session& s);
/// Their channels one after another, as the shown image has them; the channels of a hidden
/// later layer are drawn invisible.
std::vector<data::ChannelState> shownChannelStates(const data::Session& s);
/// Splits `states` (as shownChannelStates lists them) back onto the layers they belong to; a
/// hidden layer keeps its channels' own visibility. False when the count does not match.
bool setShownChannelStates(data::Session& s, const std::vector<data::ChannelState>& states);

/// The cells layer's state as the panels keep it (PanelState) and back.
PanelState toPanelState(const data::SessionLayer& cellsLayer);
void fromPanelState(const PanelState& state, data::SessionLayer& cellsLayer);

/// What a cells layer is coloured by.
ColorBy toColorBy(const data::CellsDisplay& cells);

/// The part of the world (level-0 pixels) the camera shows in a viewport of `w` x `h` (0 = the
/// camera's saved viewport); the whole image when the camera is a fit.
render::Rect cameraRegion(const data::SessionCamera& camera, double imageW, double imageH,
                          int w = 0, int h = 0);
/// The session camera of a view: its centre, visible width and height, and viewport.
data::SessionCamera cameraOf(const render::ViewCamera& view, std::int64_t t, std::int64_t z);

}  // namespace tessera::app
