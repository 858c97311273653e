#pragma once
/// `tessera render`: headless rendering through the viewer's renderer. Re-runs itself under
/// xvfb-run when there is no X display.
#include <string>
#include <vector>

namespace tessera::app {

int runRender(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
