#pragma once
/// The text of `tessera --help`. Apart from the rest of the CLI so that the data-only front
/// (app/front_main.cpp) prints it without loading the viewer.
#include <string>

namespace tessera::app {

std::string helpText();

}  // namespace tessera::app
