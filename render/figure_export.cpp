#include "render/figure_export.h"

#include <vtkActor2D.h>
#include <vtkActor2DCollection.h>
#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty2D.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "render/annotation_overlay.h"
#include "render/figure_writer.h"
#include "render/image_layer.h"
#include "render/scale_bar.h"
#include "render/scene.h"
#include "render/task_queue.h"
#include "render/tile_plan.h"

namespace tessera::render {
namespace {

// Every 2D actor's position, to shift the full frame's layout into one tile and back.
struct Actors2D {
  std::vector<std::pair<vtkActor2D*, std::array<double, 2>>> saved;
  explicit Actors2D(vtkRenderer* r) {
    auto* list = r->GetActors2D();
    list->InitTraversal();
    while (auto* a = list->GetNextActor2D()) {
      // World-anchored labels (annotations) follow each tile's camera by themselves.
      const int system = a->GetPositionCoordinate()->GetCoordinateSystem();
      if (system != VTK_DISPLAY && system != VTK_VIEWPORT) continue;
      const double* p = a->GetPosition();
      saved.push_back({a, {p[0], p[1]}});
    }
  }
  void shift(double dx, double dy) {
    for (auto& [a, p] : saved)
      a->SetPosition(p[0] + dx, p[1] + dy);
  }
};

}  // namespace

std::size_t figureViewTileBytes(const data::ImageInfo& info, int level, double zoom, int tileSize,
                                std::size_t channels) {
  const int coarsest = static_cast<int>(info.levels.size()) - 1;
  level = std::clamp(level, 0, coarsest);
  const auto viewBytes = [&](int l) {
    const auto& lv = info.levels[static_cast<std::size_t>(l)];
    const double side = tileSize / (zoom * levelFactor(info, l));  // level px one view spans
    // A view not aligned with the tile grid meets one tile more than its span holds, per axis.
    const auto across = [&](int axis, std::int64_t count) {
      const double n = std::ceil(side / static_cast<double>(lv.chunk[axis])) + 1;
      return static_cast<std::size_t>(std::min(static_cast<double>(count), n));
    };
    const auto tileBytes = static_cast<std::size_t>(lv.chunk[data::kX] * lv.chunk[data::kY]) *
                               data::dtypeSize(info.dtype) +
                           sizeof(data::Tile);
    return across(data::kX, data::tileCols(lv)) * across(data::kY, data::tileRows(lv)) * tileBytes;
  };
  return (viewBytes(level) + (level < coarsest ? viewBytes(coarsest) : 0)) *
         std::max<std::size_t>(1, channels);
}

data::Expected<int> renderFigureBands(std::shared_ptr<const data::TileSource> source,
                                      data::TileCache& cache, const FigureOptions& opt, int& w,
                                      int& h, const BandSink& sink) {
  const auto& req = opt.view;
  const auto& info = source->info();
  const Rect whole{0, 0, static_cast<double>(info.width()), static_cast<double>(info.height())};
  const Rect region = req.region.value_or(whole);
  if (region.width() <= 0 || region.height() <= 0)
    return data::fail(data::Errc::InvalidArgument, "figure: empty region");
  renderSize(req, region, w, h);
  if (w > kMaxFigureSide || h > kMaxFigureSide)
    return data::fail(data::Errc::InvalidArgument,
                      "figure: at most " + std::to_string(kMaxFigureSide) + " px a side");
  if (req.level >= static_cast<int>(info.levels.size()))
    return data::fail(data::Errc::InvalidArgument, "figure: level " + std::to_string(req.level) +
                                                       " does not exist (the image has " +
                                                       std::to_string(info.levels.size()) + ")");
  const int T = std::max(64, std::min(opt.tileSize, std::max(w, h)));

  TaskQueue queue;
  vtkNew<vtkRenderer> renderer;
  setupRenderer(renderer);
  vtkNew<vtkRenderWindow> window;
  window->SetOffScreenRendering(1);
  window->SetMultiSamples(0);
  window->SetSize(T, T);
  window->AddRenderer(renderer);

  ViewCamera full;
  full.setViewport(w, h);
  full.fit(region);
  // Auto-contrast is settled by a throw-away layer drawing the whole region at most 1024 px a
  // side (below); the figure's own tiles pass through a cache sized for the larger of the two.
  ViewCamera small;
  const double s = std::min(1.0, 1024.0 / std::max(w, h));
  small.setViewport(std::max(1, static_cast<int>(w * s)), std::max(1, static_cast<int>(h * s)));
  small.fit(region);
  std::size_t channels = 0;
  for (const auto& d : req.displays.value_or(defaultDisplays(info)))
    channels += d.visible ? 1 : 0;
  const int level = req.level >= 0 ? req.level : chooseLevel(info, full.zoom());
  const std::size_t view = std::max(
      figureViewTileBytes(info, level, full.zoom(), T, channels),
      figureViewTileBytes(info, chooseLevel(info, small.zoom()), small.zoom(), 1024, channels));
  const std::size_t budget = std::max(view, std::min(2 * view, cache.stats().budget));
  // Reading ahead needs room for the next view beside the one drawn.
  const bool readAhead = budget >= 2 * view;
  data::TileCache tiles(budget, cache.executor());
  ImageLayer layer(renderer, tiles, queue.poster(), {});
  layer.setLookahead(std::nullopt);
  layer.setSource(source);
  layer.setDepthOffset(req.imageDepth);
  if (req.displays) {
    if (req.displays->size() != info.channels.size())
      return data::fail(
          data::Errc::InvalidArgument,
          "figure: expected " + std::to_string(info.channels.size()) + " channel settings");
    layer.setDisplays(*req.displays);
  }
  layer.setPlane(req.t, req.z);
  layer.setForcedLevel(req.level);
  // Auto-contrast comes from the first coarse tile that arrives, which would differ from tile
  // to tile: settle it once for the whole frame (as a one-piece render would) with a
  // throw-away layer at screen size, then keep it for every tile.
  const auto pending = [](const std::vector<ChannelDisplay>& ds) {
    return std::any_of(ds.begin(), ds.end(),
                       [](const ChannelDisplay& d) { return d.visible && d.windowFromData; });
  };
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(req.timeoutSeconds);
  if (pending(layer.displays())) {
    ImageLayer preview(renderer, tiles, queue.poster(), {});
    preview.setLookahead(std::nullopt);
    preview.setSource(source);
    preview.setDisplays(layer.displays());
    preview.setPlane(req.t, req.z);
    for (;;) {
      preview.update(small);
      if (!pending(preview.displays()) && preview.status().complete()) break;
      if (std::chrono::steady_clock::now() > deadline)
        return data::fail(data::Errc::Io, "figure: timed out waiting for tiles of " + info.source);
      queue.run(std::chrono::milliseconds(20));
    }
    layer.setDisplays(preview.displays());
  }
  // The upper parts of the image layers, with the windows settled above (offscreen_render.cpp).
  layer.setDrawnChannels(req.imageChannels);
  const auto uppers = upperImageLayers(renderer, tiles, queue.poster(), layer, req.upperImages);
  std::vector<ImageLayer*> layers{&layer};
  for (const auto& u : uppers) {
    u->setLookahead(std::nullopt);
    layers.push_back(u.get());
  }

  // Decorations, laid out once for the full frame (display coordinates, y up).
  std::unique_ptr<ScaleBar> bar;
  if (req.scaleBar) {
    bar = std::make_unique<ScaleBar>(renderer);
    bar->setBacking(opt.scaleBarBacking);
    bar->update(info.levels[0].scale[data::kX] / full.zoom(), info.spaceUnit, w, h);
  }
  vtkNew<vtkTextActor> title;
  if (!opt.title.empty()) {
    title->SetInput(opt.title.c_str());
    auto* p = title->GetTextProperty();
    p->SetFontSize(std::clamp(h / 30, 14, 96));
    p->SetColor(1, 1, 1);
    p->SetJustificationToCentered();
    p->SetVerticalJustificationToTop();
    p->ShadowOn();
    title->SetPosition(w / 2.0, h - 12.0);
    renderer->AddActor2D(title);
  }
  std::shared_ptr<void> decorations;
  if (req.decorate) decorations = req.decorate(renderer, full);
  std::unique_ptr<AnnotationOverlay> annotations;
  if (!opt.annotations.empty()) {
    annotations = std::make_unique<AnnotationOverlay>(renderer);
    annotations->setDepthOffset(opt.annotationsDepth);
    annotations->setOpacity(opt.annotationsOpacity);
    annotations->setAnnotations(opt.annotations);
    annotations->update(full);
  }
  Actors2D actors(renderer);

  const int cols = (w + T - 1) / T, rows = (h + T - 1) / T;
  // Every tile has the full frame's zoom and a centre shifted by its offset.
  const auto tileCamera = [&](int tr, int tc) {
    ViewCamera cam;
    cam.setViewport(T, T);
    cam.setZoom(full.zoom());
    double cx = 0, cy = 0;
    full.screenToWorld(tc * T + T / 2.0, tr * T + T / 2.0, cx, cy);
    cam.setCenter(cx, cy);
    return cam;
  };
  std::vector<std::uint8_t> band;
  vtkNew<vtkUnsignedCharArray> pixels;
  bool displaysReported = false;
  for (int tr = 0; tr < rows; ++tr) {
    const int sy0 = tr * T, bandRows = std::min(T, h - sy0);
    band.assign(static_cast<std::size_t>(w) * bandRows * 3, 0);
    for (int tc = 0; tc < cols; ++tc) {
      const int sx0 = tc * T, tileCols = std::min(T, w - sx0);
      const ViewCamera cam = tileCamera(tr, tc);
      if (readAhead) {
        const bool last = tc + 1 == cols && tr + 1 == rows;
        const auto next = last ? std::nullopt
                               : std::optional<Rect>(tileCamera(tc + 1 < cols ? tr : tr + 1,
                                                                tc + 1 < cols ? tc + 1 : 0)
                                                         .visibleWorld());
        for (auto* l : layers)
          l->setLookahead(next);
      }
      for (;;) {
        for (auto* l : layers)
          l->update(cam);
        if (std::all_of(layers.begin(), layers.end(), [](auto* l) { return l->drawn(); })) break;
        if (std::chrono::steady_clock::now() > deadline)
          return data::fail(data::Errc::Io,
                            "figure: timed out waiting for tiles of " + info.source);
        queue.run(std::chrono::milliseconds(20));
      }
      if (!displaysReported && opt.displaysUsed) opt.displaysUsed(layer.displays());
      displaysReported = true;
      applyCamera(renderer, cam);
      // The tile shows full-frame display x in [sx0, sx0 + T) and y (up) in [h - sy0 - T, h - sy0).
      actors.shift(-sx0, -(h - sy0 - T));
      window->Render();
      window->GetPixelData(0, 0, T - 1, T - 1, /*front=*/0, pixels);
      const auto* src = pixels->GetPointer(0);
      for (int y = 0; y < bandRows; ++y)  // OpenGL rows run bottom-up
        std::memcpy(band.data() + (static_cast<std::size_t>(y) * w + sx0) * 3,
                    src + static_cast<std::size_t>(T - 1 - y) * T * 3,
                    static_cast<std::size_t>(tileCols) * 3);
      actors.shift(0, 0);
      if (opt.progress && !opt.progress(static_cast<double>(tr * cols + tc + 1) /
                                        (static_cast<double>(rows) * cols)))
        return data::fail(data::Errc::Cancelled, "figure export cancelled");
    }
    if (auto s = sink(band.data(), bandRows); !s) return std::unexpected(s.error());
  }
  decorations.reset();
  if (opt.tilesUsed) opt.tilesUsed(tiles.stats());
  return layer.status().level;
}

data::Expected<RenderedImage> exportFigure(std::shared_ptr<const data::TileSource> source,
                                           data::TileCache& cache, const FigureOptions& opt,
                                           const std::string& path) {
  std::unique_ptr<FigureWriter> writer;
  RenderedImage out;
  FigureOptions o = opt;
  o.displaysUsed = [&](const std::vector<ChannelDisplay>& d) {
    out.displays = d;
    if (opt.displaysUsed) opt.displaysUsed(d);
  };
  auto level = renderFigureBands(std::move(source), cache, o, out.width, out.height,
                                 [&](const std::uint8_t* rgb, int rows) -> data::Expected<void> {
                                   if (!writer) {
                                     auto w =
                                         FigureWriter::open(path, out.width, out.height, opt.dpi);
                                     if (!w) return std::unexpected(w.error());
                                     writer = std::move(*w);
                                   }
                                   return writer->writeRows(rgb, rows);
                                 });
  auto done = level && writer ? writer->finish() : data::Expected<void>{};
  if (!level || !done) {
    writer.reset();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return std::unexpected(level ? done.error() : level.error());
  }
  out.level = *level;
  return out;
}

data::Expected<RenderedImage> renderFigure(std::shared_ptr<const data::TileSource> source,
                                           data::TileCache& cache, const FigureOptions& opt) {
  RenderedImage out;
  FigureOptions o = opt;
  o.displaysUsed = [&](const std::vector<ChannelDisplay>& d) { out.displays = d; };
  auto level = renderFigureBands(
      std::move(source), cache, o, out.width, out.height,
      [&](const std::uint8_t* rgb, int rows) -> data::Expected<void> {
        out.rgb.insert(out.rgb.end(), rgb, rgb + static_cast<std::size_t>(rows) * out.width * 3);
        return {};
      });
  if (!level) return std::unexpected(level.error());
  out.level = *level;
  return out;
}

}  // namespace tessera::render
