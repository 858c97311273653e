#include "app/cli/cli_embedding.h"

#include <unistd.h>

#include <climits>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "app/cells/cells_data.h"
#include "app/cells/cells_overlay.h"
#include "app/cli/cells_cli_options.h"
#include "app/cli/cli_common.h"
#include "app/cli/cli_table.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "render/offscreen_render.h"

namespace tessera::app {
namespace {
int usageError(const std::string& message) {
  return commandUsageError("render-embedding", message);
}

}  // namespace

int runRenderEmbedding(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out, basis;
  int w = 1000, h = 1000;
  CellsOptions cells;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--out" || a == "--basis" || a == "--size") {
      auto v = value();
      if (!v || v->empty()) return usageError(a + " needs a value");
      if (a == "--out")
        out = *v;
      else if (a == "--basis")
        basis = *v;
      else if (std::sscanf(v->c_str(), "%dx%d", &w, &h) != 2 || w < 1 || h < 1 || w > 16384 ||
               h > 16384)
        return usageError("--size expects WxH, each 1..16384");
    } else if (a == "--lut") {
      auto v = value();
      render::Lut lut;
      if (!v || !render::lutFromName(*v, lut))
        return usageError("--lut: unknown LUT '" + v.value_or("") + "'");
      cells.lut = lut;
    } else if (auto c = parseCellsOption(a, value, cells); c != CellsOption::NotMine) {
      if (c == CellsOption::Bad) return usageError(cells.error);
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one FILE is accepted");
    }
  }
  if (input.empty()) return usageError("FILE (.h5ad, 10x .h5 or Visium folder) is required");
  if (out.empty()) return usageError("--out FILE.png is required");
  if (!ensureDisplay("render-embedding", args)) return kExitInternal;
  AppContext ctx(cacheMb);
  // One-off: genes are streamed from X (no index is built for a single colouring).
  const auto loaded = loadCliCells(ctx, input, defaultExpressionOptions(), basis);
  if (!loaded) {
    std::cerr << "tessera: " << loaded.error().message << "\n";
    return exitCodeFor(loaded.error());
  }
  const auto& d = **loaded;
  if (d.ex.empty()) return usageError(input + ": obsm holds no 2-column embedding");
  auto coloring = resolveCliColoring(d, cells.toColorBy(d));
  if (!coloring) return usageError(coloring.error().message);
  render::Rect b{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                 -std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
  for (std::size_t i = 0; i < d.ex.size(); ++i) {
    b.x0 = std::min<double>(b.x0, d.ex[i]), b.x1 = std::max<double>(b.x1, d.ex[i]);
    b.y0 = std::min<double>(b.y0, d.ey[i]), b.y1 = std::max<double>(b.y1, d.ey[i]);
  }
  auto image =
      render::renderOverlaysOffscreen(b, w, h, [&](vtkRenderer* r, const render::ViewCamera& cam) {
        auto overlay = std::make_shared<CellsOverlay>(r, true);
        if (auto e = overlay->setData(*loaded); !e)
          std::cerr << "tessera: " << e.error().message << "\n";
        overlay->setPointSize(
            std::clamp(2000.0 / std::sqrt(static_cast<double>(d.ex.size())), 2.0, 8.0));
        if (auto e = overlay->setColoring(coloring->coloring); !e)
          std::cerr << "tessera: " << e.error().message << "\n";
        overlay->setLegend(coloring->legend);
        overlay->update(cam);
        return std::shared_ptr<void>(overlay);
      });
  if (!image) {
    std::cerr << "tessera: " << image.error().message << "\n";
    return exitCodeFor(image.error());
  }
  if (auto wr = render::writePng(*image, out); !wr) {
    std::cerr << "tessera: " << wr.error().message << "\n";
    return exitCodeFor(wr.error());
  }
  std::cerr << "tessera: wrote " << out << " (" << w << "x" << h << ", " << d.embeddingKey << ", "
            << d.size() << " cells)\n";
  return kExitOk;
}

}  // namespace tessera::app
