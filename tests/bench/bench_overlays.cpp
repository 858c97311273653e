// Overlay frame times on the software renderer, by hand (not a ctest test):
//   bench_overlays [frames] [blend]
// `blend` runs only the translucent-layers scenario: the demo image, a label layer at 50 % and
// 50k cells at 60 %, blended in the opaque pass (blend_order.h) against VTK's translucent pass
// (the previous path), alternating, in the same run.
// Renders 1M points and 200k polygons in a 1600x1000 off-screen VTK window (needs an X display:
// run under xvfb-run) and prints p50/p95 frame times per scenario, the sprite/density crossover
// for points, the cost of recolouring, and 10M transcript-like points (Xenium scale) with a
// gene filter. Each frame pans a little so that nothing is cached
// on screen, and waits for the GPU (glFinish) before stopping the clock.
#include <vtkNew.h>
#include <vtkOpenGLRenderWindow.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../support/memory_source.h"
#include "../support/offscreen_scene.h"
#include "data/demo/demo_dataset.h"
#include "data/image_open.h"
#include "data/thread_pool.h"
#include "render/blend_order.h"
#include "render/label_layer.h"
#include "render/point_overlay.h"
#include "render/polygon_overlay.h"
#include "render/scene.h"

using namespace tessera;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kW = 1600, kH = 1000;

struct Stats {
  double p50 = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto q = [&](double f) {
    return ms[std::min(ms.size() - 1, static_cast<std::size_t>(f * ms.size()))];
  };
  return {q(0.5), q(0.95), ms.back()};
}

struct Bench {
  vtkNew<vtkRenderer> renderer;
  vtkNew<vtkRenderWindow> window;
  Bench() {
    render::setupRenderer(renderer);
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(0);
    window->SetSize(kW, kH);
    window->AddRenderer(renderer);
  }
  // Frame time of `frames` frames, panning by 3 px per frame; `each` runs before each render.
  Stats run(render::ViewCamera cam, int frames,
            const std::function<void(const render::ViewCamera&)>& each) {
    std::vector<double> ms;
    for (int i = 0; i < frames + 2; ++i) {
      cam.pan(3, 2);
      const auto t0 = Clock::now();
      each(cam);
      render::applyCamera(renderer, cam);
      window->Render();
      static_cast<vtkOpenGLRenderWindow*>(window.Get())->WaitForCompletion();
      const double t = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (i >= 2) ms.push_back(t);  // the first frames upload buffers and compile shaders
    }
    return stats(ms);
  }
};

render::ViewCamera camera(double cx, double cy, double zoom) {
  render::ViewCamera cam;
  cam.setViewport(kW, kH);
  cam.setCenter(cx, cy);
  cam.setZoom(zoom);
  return cam;
}

void print(const char* name, const Stats& s, const std::string& extra = {}) {
  std::printf("%-44s p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms  %s\n", name, s.p50, s.p95, s.max,
              extra.c_str());
  std::fflush(stdout);
}

// Blob-like cell labels (ids on a 40-pixel grid, 6-pixel gaps) over the demo image's extent.
std::shared_ptr<test::MemorySource> demoLabels(std::int64_t w, std::int64_t h) {
  return std::make_shared<test::MemorySource>(
      data::DType::U32, w, h, 1, 5, 512, [](int l, std::int64_t, std::int64_t x, std::int64_t y) {
        x <<= l;
        y <<= l;
        if (x % 40 < 6 || y % 40 < 6) return 0.0;
        return double(1 + x / 40 + 10000 * (y / 40));
      });
}

// Demo image + labels at 50 % + 50k cells at 60 % at fit; `translucentPass` sends the blended
// actors back through VTK's translucent pass (the path before blend_order).
Stats blendScene(data::TileCache& cache, std::shared_ptr<data::TileSource> image, int frames,
                 bool translucentPass) {
  Bench b;
  test::Queue q;
  render::PointOverlay cells(b.renderer, "cells");
  render::LabelLayer labels(b.renderer, cache, q.post(), {});
  render::ImageLayer layer(b.renderer, cache, q.post(), {});
  layer.setSource(std::move(image));
  const auto bounds = layer.worldBounds();
  labels.setSource(
      demoLabels(static_cast<std::int64_t>(bounds.x1), static_cast<std::int64_t>(bounds.y1)));
  labels.setOpacity(0.5);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> ux(0, static_cast<float>(bounds.x1)),
      uy(0, static_cast<float>(bounds.y1));
  std::vector<float> x(50000), y(50000);
  std::vector<std::int32_t> codes(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = ux(rng);
    y[i] = uy(rng);
    codes[i] = static_cast<std::int32_t>(i % 12);
  }
  (void)cells.setPoints(x, y);
  (void)cells.setColoring(render::OverlayColoring::categorical(codes));
  cells.setSize(5, render::SizeUnit::ScreenPixels);
  cells.setOpacity(0.6);
  const double zoom = std::min(kW / bounds.x1, kH / bounds.y1);
  const auto fit = camera(bounds.x1 / 2, bounds.y1 / 2, zoom);
  for (int i = 0; i < 1000 && !(layer.status().complete() && labels.status().complete()); ++i) {
    layer.update(fit);
    labels.update(fit);
    q.pump();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto upd = [&](const render::ViewCamera& c) {
    q.pump();
    layer.update(c);
    labels.update(c);
    cells.update(c);
    if (translucentPass) render::useTranslucentPass(b.renderer);
  };
  return b.run(fit, frames, upd);
}

void blendBenchmark(int frames) {
  data::ThreadPool pool(2);
  auto demo = data::ensureDemoDataset(data::defaultCacheDir(), pool);
  if (!demo) {
    std::printf("demo: %s\n", demo.error().message.c_str());
    return;
  }
  auto image = data::openImage(demo->image.string());
  if (!image) {
    std::printf("demo image: %s\n", image.error().message.c_str());
    return;
  }
  data::TileCache cache(512 << 20, pool);
  std::vector<double> blended, translucent;
  for (int round = 0; round < 3; ++round) {
    const auto o = blendScene(cache, *image, frames, false);
    const auto t = blendScene(cache, *image, frames, true);
    std::printf(
        "  round %d: opaque-pass blending p50 %6.1f ms p95 %6.1f | translucent pass p50 "
        "%6.1f ms p95 %6.1f\n",
        round, o.p50, o.p95, t.p50, t.p95);
    blended.push_back(o.p50);
    translucent.push_back(t.p50);
  }
  std::sort(blended.begin(), blended.end());
  std::sort(translucent.begin(), translucent.end());
  std::printf(
      "demo image + labels 50%% + 50k cells 60%% (fit): median p50 %.1f ms blended in the "
      "opaque pass, %.1f ms through the translucent pass\n",
      blended[1], translucent[1]);
}

}  // namespace

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::max(5, std::atoi(argv[1])) : 60;
  std::printf("overlay benchmark: %dx%d off-screen, %d frames per scenario\n", kW, kH, frames);
  if (argc > 2 && std::string(argv[2]) == "blend") {
    blendBenchmark(frames);
    return 0;
  }
  blendBenchmark(frames);

  // 1M points over a 40000 x 25000 slide, 12 clusters.
  {
    Bench b;
    render::PointOverlay points(b.renderer);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> ux(0, 40000), uy(0, 25000);
    const std::size_t n = 1000000;
    std::vector<float> x(n), y(n), v(n);
    std::vector<std::int32_t> codes(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = ux(rng);
      y[i] = uy(rng);
      v[i] = uy(rng);
      codes[i] = static_cast<std::int32_t>(i % 12);
    }
    auto t0 = Clock::now();
    (void)points.setPoints(x, y);
    (void)points.setColoring(render::OverlayColoring::categorical(codes));
    std::printf("1M points: setPoints + colouring %.0f ms\n",
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    auto upd = [&](const render::ViewCamera& c) { points.update(c); };
    const auto fit = camera(20000, 12500, 0.04);
    for (const double size : {1.0, 3.0}) {
      points.setSize(size, render::SizeUnit::ScreenPixels);
      points.setLodPolicy({size, std::size_t(1) << 40});
      print(("points 1M fit, sprites " + std::to_string(int(size)) + " px").c_str(),
            b.run(fit, frames, upd));
      points.setLodPolicy({size, 0});
      print(("points 1M fit, density stand-in (" + std::to_string(int(size)) + " px)").c_str(),
            b.run(fit, frames, upd));
    }
    points.setSize(6, render::SizeUnit::ScreenPixels);
    points.setLodPolicy({});
    const auto mid = camera(20000, 12500, 0.5);
    const auto midStats = b.run(mid, frames, upd);
    print("points 1M zoom 0.5 (~6k in view), 6 px", midStats,
          "in view " + std::to_string(points.visibleInView()));

    std::printf("crossover (1 px points): zoom, points in view, sprites p50, density p50\n");
    points.setSize(1, render::SizeUnit::ScreenPixels);
    for (const double zoom : {0.04, 0.08, 0.16, 0.32, 0.64}) {
      const auto c = camera(20000, 12500, zoom);
      points.setLodPolicy({1, std::size_t(1) << 40});
      const auto s = b.run(c, frames / 2, upd);
      const auto inView = points.visibleInView();
      points.setLodPolicy({1, 0});
      const auto d = b.run(c, frames / 2, upd);
      std::printf("  zoom %.2f  %8zu  %7.1f ms  %7.1f ms\n", zoom, inView, s.p50, d.p50);
    }

    std::vector<double> ms;
    points.setSize(3, render::SizeUnit::ScreenPixels);
    points.setLodPolicy({1, std::size_t(1) << 40});
    for (int i = 0; i < 10; ++i) {
      const auto t = Clock::now();
      if (i % 2)
        (void)points.setColoring(render::OverlayColoring::scalar(v, render::Lut::Magma, 0, 25000));
      else
        (void)points.setColoring(render::OverlayColoring::categorical(codes));
      points.update(fit);
      render::applyCamera(b.renderer, fit);
      b.window->Render();
      static_cast<vtkOpenGLRenderWindow*>(b.window.Get())->WaitForCompletion();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    }
    print("points 1M recolour + frame (sprites 3 px)", stats(ms));
  }

  // 10M transcripts over 40000 x 25000, 300 genes, 1 µm (4.7 px) wide: density stand-in at
  // fit, sprites at 1:1, and the gene filter (one gene shown).
  {
    Bench b;
    render::PointOverlay points(b.renderer, "transcripts");
    std::mt19937 rng(2);
    std::uniform_real_distribution<float> ux(0, 40000), uy(0, 25000);
    const std::size_t n = 10000000;
    std::vector<float> x(n), y(n);
    std::vector<std::int32_t> codes(n);
    for (std::size_t i = 0; i < n; ++i) {
      x[i] = ux(rng);
      y[i] = uy(rng);
      codes[i] = static_cast<std::int32_t>(i % 300);
    }
    // Sorted and coloured on the loading thread (TranscriptsLayer); handed over on the GUI one.
    auto t0 = Clock::now();
    auto prepared = render::PointOverlay::prepare(x, y, render::OverlayColoring::categorical(codes),
                                                  0.2, "transcripts");
    const auto t1 = Clock::now();
    (void)points.setPoints(std::move(*prepared));
    const auto t2 = Clock::now();
    auto ms = [](auto a, auto b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    std::printf("10M transcripts: prepare %.0f ms (worker), then setPoints %.0f ms (GUI thread)\n",
                ms(t0, t1), ms(t1, t2));
    points.setSize(4.7, render::SizeUnit::World);
    auto upd = [&](const render::ViewCamera& c) { points.update(c); };
    const auto fit = camera(20000, 12500, 0.04);
    // Stats first: the order in which function arguments are evaluated is unspecified.
    const auto fitStats = b.run(fit, frames, upd);
    print("transcripts 10M fit, density stand-in", fitStats,
          points.lod() == render::PointLod::Density ? "(density)" : "(sprites!)");
    const auto one = camera(20000, 12500, 1.0);
    const auto oneStats = b.run(one, frames, upd);
    print("transcripts 10M zoom 1, sprites", oneStats,
          "submitted " + std::to_string(points.submitted()));
    std::vector<std::uint8_t> hidden(n);
    for (std::size_t i = 0; i < n; ++i)
      hidden[i] = codes[i] != 7;
    t0 = Clock::now();
    (void)points.setHidden(hidden);
    points.update(fit);
    render::applyCamera(b.renderer, fit);
    b.window->Render();
    static_cast<vtkOpenGLRenderWindow*>(b.window.Get())->WaitForCompletion();
    std::printf("transcripts 10M gene filter (1 of 300 genes) + frame at fit: %.0f ms\n",
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    const auto oneGene = b.run(fit, frames, upd);
    print("transcripts 10M fit, one gene shown", oneGene,
          points.lod() == render::PointLod::Density ? "(density)" : "(sprites)");
  }

  // 200k octagonal cells (radius 8, 20 apart) over 10000 x 8000.
  {
    Bench b;
    render::PolygonOverlay polys(b.renderer);
    std::vector<float> xy;
    std::vector<std::uint32_t> off{0};
    for (int j = 0; j < 400; ++j)
      for (int i = 0; i < 500; ++i) {
        const float cx = 20.f * i + 10, cy = 20.f * j + 10;
        for (int k = 0; k < 8; ++k)
          xy.insert(xy.end(), {cx + 8 * std::cos(k * 0.785398f), cy + 8 * std::sin(k * 0.785398f)});
        off.push_back(static_cast<std::uint32_t>(xy.size() / 2));
      }
    std::vector<std::int32_t> codes(200000);
    for (std::size_t i = 0; i < codes.size(); ++i)
      codes[i] = static_cast<std::int32_t>(i % 9);
    auto t0 = Clock::now();
    (void)polys.setPolygons(xy, off);
    (void)polys.setColoring(render::OverlayColoring::categorical(codes));
    std::printf("200k polygons: setPolygons + colouring %.0f ms (typical diameter %.1f)\n",
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count(),
                polys.typicalDiameter());
    auto upd = [&](const render::ViewCamera& c) { polys.update(c); };
    const auto fit = camera(5000, 4000, 0.16);
    polys.setLodMinDiameterPx(0);
    print("polygons 200k fit, outlines", b.run(fit, frames, upd));
    polys.setFill(render::PolygonFill::Filled);
    print("polygons 200k fit, filled", b.run(fit, frames, upd));
    polys.setLodMinDiameterPx(2);
    const auto far = camera(5000, 4000, 0.12);
    const auto farStats = b.run(far, frames, upd);
    print("polygons 200k zoom 0.12, centroid stand-in", farStats,
          polys.standIn() ? "(stand-in)" : "(polygons!)");
    polys.setFill(render::PolygonFill::Outline);
    print("polygons 200k zoom 1 (~4k in view), outlines",
          b.run(camera(5000, 4000, 1.0), frames, upd));
    std::vector<double> ms;
    for (int i = 0; i < 10; ++i) {
      const auto t = Clock::now();
      std::vector<std::int32_t> c2(codes);
      for (auto& c : c2)
        c = (c + i) % 9;
      (void)polys.setColoring(render::OverlayColoring::categorical(std::move(c2)));
      polys.update(fit);
      render::applyCamera(b.renderer, fit);
      b.window->Render();
      static_cast<vtkOpenGLRenderWindow*>(b.window.Get())->WaitForCompletion();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    }
    print("polygons 200k recolour + frame (outlines)", stats(ms));
  }
  return 0;
}
