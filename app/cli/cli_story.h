#pragma once
/// `tessera story SESSION|demo --out HANDOUT.pdf [--size WxH] [--save-session FILE]`: a story
/// handout, one page per waypoint (app/cells/story_pages.h, app/core/story_handout.h). Re-runs
/// itself under xvfb-run when there is no X display.
#include <string>
#include <vector>

namespace tessera::app {

int runStory(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
