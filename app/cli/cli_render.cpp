#include "app/cli/cli_render.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>

#include "app/cells/cells_overlay.h"
#include "app/cells/session_render.h"
#include "app/cells/story_pages.h"
#include "app/cli/cells_cli_options.h"
#include "app/cli/cli_common.h"
#include "app/cli/display_options.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/core/layer_order.h"
#include "app/core/session_display.h"
#include "app/core/session_open.h"
#include "data/annotation/geojson.h"
#include "data/session/session_file.h"
#include "data/session/waypoint.h"
#include "render/channel_display.h"
#include "render/figure_export.h"
#include "render/offscreen_render.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("render", message);
}

}  // namespace

int runRender(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out, saveSession;
  std::string table;       ///< --table: the table of a SpatialData INPUT ("" = its first)
  long long waypoint = 0;  ///< 1-based; 0 = the session's own view
  std::string selection;   ///< the named selection a waypoint highlights
  bool revealed = false;   ///< the waypoint's reveal shown, as after the presenter's click
  data::ImageSelection select;
  render::RenderRequest req;
  std::vector<DisplayEdit> edits;
  CellsOptions cells;
  // --title, --dpi, --scale-bar-backing, TIFF output or sizes over 4096: the tiled export.
  render::FigureOptions figure;
  figure.scaleBarBacking = false;
  bool tiled = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::vector<long long> nums;
    std::string selectError;
    if (auto sel = parseSelectOption(args, i, select, selectError); sel != SelectOption::NotMine) {
      if (sel == SelectOption::Bad) return usageError(selectError);
    } else if (a == "--out") {
      auto v = value();
      if (!v) return usageError("--out needs a file name");
      out = *v;
    } else if (a == "--save-session") {
      auto v = value();
      if (!v || !data::isSessionFile(*v))
        return usageError("--save-session needs a file name ending in .tessera");
      saveSession = *v;
    } else if (a == "--table") {
      auto v = value();
      if (!v || v->empty()) return usageError("--table needs the name of a SpatialData table");
      table = *v;
    } else if (a == "--waypoint") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 1)
        return usageError("--waypoint expects a waypoint number (1 is the first)");
      waypoint = nums[0];
    } else if (a == "--revealed") {
      revealed = true;
    } else if (a == "--size") {
      auto v = value();
      if (!v || !parseInts(*v, 'x', nums) || nums.size() != 2 || nums[0] < 1 || nums[1] < 1 ||
          nums[0] > render::kMaxFigureSide || nums[1] > render::kMaxFigureSide)
        return usageError("--size expects WxH, each 1..16000, e.g. 1600x1000");
      tiled = tiled || nums[0] > 4096 || nums[1] > 4096;
      req.width = static_cast<int>(nums[0]);
      req.height = static_cast<int>(nums[1]);
    } else if (a == "--title") {
      auto v = value();
      if (!v) return usageError("--title needs a text");
      figure.title = *v;
      tiled = true;
    } else if (a == "--annotations") {
      auto v = value();
      if (!v) return usageError("--annotations needs a GeoJSON file");
      auto imported = data::readGeoJson(*v);
      if (!imported) {
        std::cerr << "tessera: " << imported.error().message << "\n";
        return exitCodeFor(imported.error());
      }
      for (const auto& w : imported->warnings)
        std::cerr << "tessera: note: " << w << "\n";
      figure.annotations = std::move(imported->annotations);
      tiled = true;
    } else if (a == "--scale-bar-backing") {
      figure.scaleBarBacking = true;
      tiled = true;
    } else if (a == "--dpi") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 1 || nums[0] > 4800)
        return usageError("--dpi expects a whole number 1..4800");
      figure.dpi = static_cast<double>(nums[0]);
      tiled = true;
    } else if (a == "--region") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 4 || nums[2] < 1 || nums[3] < 1)
        return usageError("--region expects x,y,w,h in full-resolution pixels with w, h > 0");
      req.region = render::Rect{static_cast<double>(nums[0]), static_cast<double>(nums[1]),
                                static_cast<double>(nums[0] + nums[2]),
                                static_cast<double>(nums[1] + nums[3])};
    } else if (a == "--t" || a == "--z") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 0)
        return usageError(a + " expects a non-negative index");
      (a == "--t" ? req.t : req.z) = nums[0];
    } else if (a == "--level") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 0)
        return usageError("--level expects a non-negative level index");
      req.level = static_cast<int>(nums[0]);
    } else if (a == "--lut" && i + 1 < args.size() && args[i + 1].find('=') == std::string::npos) {
      render::Lut lut;
      if (!render::lutFromName(args[++i], lut))
        return usageError("--lut: unknown LUT '" + args[i] + "'");
      cells.lut = lut;
    } else if (auto c = parseCellsOption(a, value, cells); c != CellsOption::NotMine) {
      if (c == CellsOption::Bad) return usageError(cells.error);
    } else if (isDisplayOption(a)) {
      auto v = value();
      if (!v) return usageError(a + " needs a value");
      edits.push_back({a, *v});
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one INPUT is accepted");
    }
  }
  if (input.empty()) return usageError("INPUT is required");
  if (out.empty()) return usageError("--out FILE.png is required");
  const bool fromSession = data::isSessionFile(input);
  if (fromSession && (!edits.empty() || req.region || !select.empty() || req.level >= 0 || req.t ||
                      req.z || !cells.cells.empty() || !cells.colorBy.empty() || cells.lut ||
                      cells.range || cells.style || !table.empty()))
    return usageError(
        "a session file renders as saved; only --out, --size, --waypoint and --save-session "
        "go with it");
  if (waypoint && !fromSession) return usageError("--waypoint needs a session file (.tessera)");
  if (!table.empty() && !cells.cells.empty())
    return usageError("--table picks a table of the INPUT; it does not go with --cells");
  if (revealed && !waypoint) return usageError("--revealed goes with --waypoint N");

  if (!ensureDisplay("render", args)) return kExitInternal;

  AppContext ctx(cacheMb);
  // The render draws a session, built here from the options or read from the file, exactly as
  // the window shows one; --save-session writes it after the render.
  data::Expected<OpenedSession> opened = data::fail(data::Errc::Cancelled, "not opened");
  if (fromSession) {
    auto saved = data::readSessionFile(input);
    if (!saved) {
      std::cerr << "tessera: " << saved.error().message << "\n";
      return exitCodeFor(saved.error());
    }
    if (waypoint > static_cast<long long>(saved->waypoints.size()))
      return usageError(input + ": there is no waypoint " + std::to_string(waypoint) + " (it has " +
                        std::to_string(saved->waypoints.size()) + ")");
    opened = openSession(std::move(*saved), ctx);
  } else {
    opened = openInputsAsSession({input}, select, ctx, {}, nullptr, table);
  }
  if (!opened) {
    std::cerr << "tessera: " << opened.error().message << "\n";
    return exitCodeFor(opened.error());
  }
  for (const auto& e : opened->errors)
    std::cerr << "tessera: " << e << "\n";
  if (waypoint) {
    // The waypoint's view and layers; what the session lacks is left out, with a note.
    auto applied =
        data::applyWaypoint(opened->session, static_cast<std::size_t>(waypoint - 1), revealed);
    for (const auto& n : applied.notes)
      std::cerr << "tessera: note: " << input << ": " << n << "\n";
    selection = opened->session.waypoints[static_cast<std::size_t>(waypoint - 1)].selection;
    opened->session = std::move(applied.session);
  }
  data::Session& session = opened->session;
  const auto* annotationsLayer = session.firstLayer(data::LayerKind::Annotations);
  if (fromSession && session.annotations.is_array() && !session.annotations.empty() &&
      (!annotationsLayer || annotationsLayer->visible)) {
    // The session's annotations, as the window draws them (hidden ones are left out).
    auto drawn = data::geoJsonAnnotations(session.annotations, input);
    if (!drawn) return reportError(drawn.error());
    figure.annotations = std::move(drawn->annotations);
    tiled = std::any_of(figure.annotations.begin(), figure.annotations.end(),
                        [](const data::Annotation& a) { return a.visible; });
  }
  const OpenedDataset& shown = opened->shown;
  if (!shown.image) return usageError(input + " has no image to render");
  const auto& info = shown.image->info();
  const auto& l0 = info.levels[0];
  data::SessionLayer* imageLayer = nullptr;
  for (auto& l : session.layers)
    if (l.kind == data::LayerKind::Image && !imageLayer) imageLayer = &l;
  if (!fromSession) {
    if (req.t >= l0.shape[data::kT] || req.z >= l0.shape[data::kZ])
      return usageError("--t/--z outside the image (" + std::to_string(l0.shape[data::kT]) +
                        " t, " + std::to_string(l0.shape[data::kZ]) + " z)");
    if (req.region && (req.region->x0 < 0 || req.region->y0 < 0 ||
                       req.region->x1 > static_cast<double>(info.width()) ||
                       req.region->y1 > static_cast<double>(info.height())))
      return usageError("--region lies outside the image (" + std::to_string(info.width()) + "x" +
                        std::to_string(info.height()) + ")");
    if (req.level >= static_cast<int>(info.levels.size()))
      return usageError("--level " + std::to_string(req.level) + " does not exist (levels 0.." +
                        std::to_string(info.levels.size() - 1) + ")");
    auto displays = toChannelDisplays(imageLayer->channels);
    std::string error;
    if (!applyDisplayEdits(edits, displays, error)) return usageError(error);
    imageLayer->channels = toChannelStates(displays);
    auto& cam = session.camera;
    if (req.region) {
      cam.centerX = (req.region->x0 + req.region->x1) / 2;
      cam.centerY = (req.region->y0 + req.region->y1) / 2;
      cam.width = req.region->width();
      cam.height = req.region->height();
    }
    cam.t = req.t;
    cam.z = req.z;
    cam.level = req.level;
    if (req.width > 0) cam.viewport = std::pair{req.width, req.height};
  } else if (req.width > 0) {
    session.camera.viewport = std::pair{req.width, req.height};
  }
  // What the session says, as a render request.
  req = sessionRenderRequest(session, info);

  // The table: --cells adds it to the session; otherwise the session's own cells layer.
  if (!cells.cells.empty()) {
    const std::string imageId = imageLayer->dataset;  // the layers move below
    data::SessionDataset table;
    table.id = session.freshId("cells");
    table.kind = data::DatasetKind::Table;
    table.path = std::filesystem::absolute(cells.cells).lexically_normal().string();
    table.name = cells.cells.filename().string();
    std::erase_if(session.layers, [](auto& l) { return l.kind == data::LayerKind::Cells; });
    session.datasets.push_back(table);
    data::SessionLayer layer;
    layer.id = session.freshId("cells");
    layer.kind = data::LayerKind::Cells;
    layer.dataset = table.id;
    layer.name = table.name;
    session.layers.push_back(layer);
    session.pairings.push_back({table.id, imageId, std::nullopt, ""});
  }
  data::SessionLayer* cellsLayer = nullptr;
  imageLayer = nullptr;  // again: adding the table's layer may have moved the layers
  for (auto& l : session.layers) {
    if (l.kind == data::LayerKind::Cells && !cellsLayer) cellsLayer = &l;
    if (l.kind == data::LayerKind::Image && !imageLayer) imageLayer = &l;
  }
  if (!cells.colorBy.empty() && !cellsLayer)
    return usageError("--color-by needs --cells FILE (or an INPUT with a linked table)");
  // A table linked to the input is drawn when asked for (--color-by, --cells) or when the
  // session file shows it.
  const bool drawCells =
      cellsLayer && cellsLayer->visible &&
      (fromSession || !cells.cells.empty() || !cells.colorBy.empty() || !table.empty());
  if (cellsLayer && !drawCells && !fromSession) {
    // Not drawn: not part of what this render shows.
    std::erase_if(session.pairings, [&](auto& p) { return p.table == cellsLayer->dataset; });
    const std::string id = cellsLayer->id, dataset = cellsLayer->dataset;
    std::erase_if(session.layers, [&](auto& l) { return l.id == id; });
    if (!std::any_of(session.layers.begin(), session.layers.end(),
                     [&](auto& l) { return l.dataset == dataset; }))
      std::erase_if(session.datasets, [&](auto& d) { return d.id == dataset; });
    cellsLayer = nullptr;
  }
  if (drawCells) {
    const auto* tableDs = session.dataset(cellsLayer->dataset);
    std::filesystem::path table =
        cells.cells.empty() && shown.cells ? *shown.cells : std::filesystem::path();
    if (!cells.cells.empty()) table = tableDs->path;
    const auto* pairing = session.pairingOf(cellsLayer->dataset);
    const std::string frame = pairing ? pairing->frame : std::string();
    auto loaded = loadCellsForRender(table, frame, static_cast<double>(info.width()),
                                     static_cast<double>(info.height()), ctx,
                                     pairing ? pairing->affine : std::nullopt);
    if (!loaded) {
      std::cerr << "tessera: " << loaded.error().message << "\n";
      return exitCodeFor(loaded.error());
    }
    if (!(*loaded)->hasSpatialCells())
      return usageError(table.string() + " has no spatial coordinates to draw over the image");
    auto& display = cellsLayer->cells;
    if (!fromSession) {
      const ColorBy by = cells.toColorBy(**loaded);
      display.colorKind = by.kind == ColorBy::Kind::Gene     ? "gene"
                          : by.kind == ColorBy::Kind::Column ? "column"
                                                             : "";
      display.colorName = by.name;
      display.lut = render::lutName(by.lut);
      display.range = by.range;
      if (cells.style)
        display.style = *cells.style == CellStyle::Points     ? "points"
                        : *cells.style == CellStyle::Outlines ? "outlines"
                                                              : "filled";
    }
    auto look = resolveCellsLook(*loaded, session, *cellsLayer, selection);
    if (!look) return usageError(look.error().message);
    for (const auto& m : (*loaded)->table->messages)
      std::cerr << "tessera: note: " << m << "\n";
    req.decorate = cellsDecorate(std::move(*look), shown.labels, ctx);
  }
  setImageOrder(req, session);  // the layers as drawn: --cells may add one
  figure.annotationsDepth = layerDepths(session).annotations;
  if (annotationsLayer) figure.annotationsOpacity = annotationsLayer->opacity;
  const auto ext = std::filesystem::path(out).extension().string();
  if (tiled || ext == ".tif" || ext == ".tiff" || ext == ".TIF") {
    figure.view = req;
    auto image = render::exportFigure(shown.image, ctx.cache, figure, out);
    if (!image) {
      std::cerr << "tessera: " << image.error().message << "\n";
      return exitCodeFor(image.error());
    }
    std::cerr << "tessera: wrote " << out << " (" << image->width << "x" << image->height
              << ", level " << image->level << ")\n";
    return kExitOk;
  }
  auto image = render::renderOffscreen(shown.image, ctx.cache, req);
  if (!image) {
    std::cerr << "tessera: " << image.error().message << "\n";
    return exitCodeFor(image.error());
  }
  if (auto w = render::writePng(*image, out); !w) {
    std::cerr << "tessera: " << w.error().message << "\n";
    return exitCodeFor(w.error());
  }
  std::cerr << "tessera: wrote " << out << " (" << image->width << "x" << image->height
            << ", level " << image->level << ")\n";
  if (!saveSession.empty()) {
    // What was drawn, exactly: the frame's region and size and the windows auto-contrast chose,
    // so that rendering the file gives the same pixels.
    const auto region = req.region.value_or(
        render::Rect{0, 0, static_cast<double>(info.width()), static_cast<double>(info.height())});
    auto& c = session.camera;
    c.centerX = (region.x0 + region.x1) / 2;
    c.centerY = (region.y0 + region.y1) / 2;
    c.width = region.width();
    c.height = region.height();
    c.viewport = std::pair{image->width, image->height};
    imageLayer->channels = toChannelStates(image->displays);
    if (auto w = data::writeSessionFile(session, saveSession); !w) {
      std::cerr << "tessera: " << w.error().message << "\n";
      return exitCodeFor(w.error());
    }
    std::cerr << "tessera: wrote " << saveSession << "\n";
  }
  return kExitOk;
}

}  // namespace tessera::app
