#pragma once
/// Parses the channel display options shared by `tessera render` (and later the session file):
///   --channels 0,2   --window 0=100:4000   --color 0=FF00FF   --lut 1=viridis   --gamma 0=0.8
/// Each value may list several channels separated by commas. Pure functions, any thread.
#include <string>
#include <vector>

#include "render/channel_display.h"

namespace tessera::app {

struct DisplayEdit {
  std::string option;  ///< "--channels", "--window", "--color", "--lut" or "--gamma"
  std::string value;
};

/// Applies `edits` in order to `displays`. On error returns false and sets `error` to one line
/// naming the option and the problem (unknown channel, end <= start, bad colour, ...).
bool applyDisplayEdits(const std::vector<DisplayEdit>& edits,
                       std::vector<render::ChannelDisplay>& displays, std::string& error);

bool isDisplayOption(const std::string& option);

}  // namespace tessera::app
