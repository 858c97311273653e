#pragma once
/// `tessera render-embedding FILE --basis X_umap --color-by GENE|COLUMN [--lut NAME]
/// [--range A:B] [--size WxH] --out PNG`: the embedding scatter headless, with the legend.
/// Re-runs itself under xvfb-run when there is no X display (as `tessera render` does).
#include <string>
#include <vector>

namespace tessera::app {

int runRenderEmbedding(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
