#pragma once
/// The built-in story over the demo tissue (`tessera story demo`, Help ▸ Demo Story): a session
/// of the demo dataset with four waypoints (the overview, a gland with PanCK, a T-cell zone
/// coloured by CD3E, a lasso selection with its markers), kept as the resource
/// `resources/stories/demo.tessera`. Any thread (reads a compiled-in resource).
#include "data/error.h"
#include "data/session/session.h"

namespace tessera::app {

/// The name of the story as the handout and the window show it.
constexpr const char* kDemoStoryTitle = "The demo tissue";

data::Expected<data::Session> demoStory();

}  // namespace tessera::app
