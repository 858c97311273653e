// Rendering benchmark (issue 4): opens an OME-Zarr in a real 1600x1000 window, runs a scripted
// 600-frame sweep (zoom from fit to 1:1, then pan across the whole image) and prints frame-time
// percentiles, uncovered frames, cache hits and peak RSS; then measures the floor: a bare VTK
// window drawing the same number of 512² textured quads at the same size.
// Memory: the process takes the app's allocator policy (app/memory_policy.h) unless
// --no-memory-policy is given, and the sample of the sweep with the highest RSS is broken down
// (allocator arenas and mappings, cache bytes, tile textures).
//   bench_render IMAGE.ome.zarr [--cache-mb N] [--no-memory-policy]   (under xvfb-run if no
//   display)
#include <QApplication>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSurfaceFormat>
#include <QtTest>

#include <vtkActor.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkTexture.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "app/memory_policy.h"
#include "data/image_open.h"
#include "data/thread_pool.h"
#include "data/tile_cache.h"
#include "render/scene.h"
#include "widgets/image_view.h"
#include "widgets/vtk_gl_window.h"

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// A /proc/self/status field in MB ("VmHWM:" peak RSS, "VmRSS:" current).
long statusMb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field))) / 1024;
  return -1;
}

// Where the memory is at one moment of the sweep.
struct MemorySample {
  long rssMb = 0;
  std::size_t arenaMb = 0, arenaFreeMb = 0, mmappedMb = 0, cacheMb = 0, actors = 0;
  int frame = 0;
};

// The floor: plain textured quads in a bare VTK window, no tiling logic at all.
std::vector<double> floorFrames(int quads, int frames) {
  vtkNew<vtkRenderer> renderer;
  tessera::render::setupRenderer(renderer);
  vtkNew<vtkRenderWindow> window;
  window->SetMultiSamples(0);
  // Tessera's frame time (VtkGlWindow::paintGL) covers drawing into VTK's framebuffers, not
  // Qt's buffer swap to the X server; the floor must time the same work.
  window->SwapBuffersOff();
  window->SetSize(1600, 1000);
  window->AddRenderer(renderer);
  const int side = static_cast<int>(std::ceil(std::sqrt(quads)));
  for (int i = 0; i < quads; ++i) {
    vtkNew<vtkImageData> img;
    img->SetDimensions(512, 512, 1);
    img->AllocateScalars(VTK_UNSIGNED_CHAR, 4);
    auto* p = static_cast<unsigned char*>(img->GetScalarPointer());
    for (int k = 0; k < 512 * 512 * 4; ++k)
      p[k] = static_cast<unsigned char>(k * 7 + i);
    vtkNew<vtkTexture> tex;
    tex->SetInputData(img);
    tex->InterpolateOn();
    vtkNew<vtkPlaneSource> plane;
    const double x = (i % side) * 512.0, y = (i / side) * 512.0;
    plane->SetOrigin(x, y, 1);
    plane->SetPoint1(x + 512, y, 1);
    plane->SetPoint2(x, y + 512, 1);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(plane->GetOutputPort());
    vtkNew<vtkActor> actor;
    actor->SetMapper(mapper);
    actor->SetTexture(tex);
    actor->GetProperty()->LightingOff();
    renderer->AddActor(actor);
  }
  tessera::render::ViewCamera cam;
  cam.setViewport(1600, 1000);
  cam.fit({0, 0, side * 512.0, side * 512.0});
  std::vector<double> times;
  for (int f = 0; f < frames; ++f) {
    cam.pan(3, 2);
    tessera::render::applyCamera(renderer, cam);
    QElapsedTimer t;
    t.start();
    window->Render();
    times.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  bool policy = true;
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]) == "--no-memory-policy") policy = false;
  if (policy) tessera::app::applyMemoryPolicy();
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_render IMAGE.ome.zarr [--cache-mb N]\n");
    return 2;
  }
  std::size_t cacheMb = 1024;
  for (int i = 2; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--cache-mb") cacheMb = std::stoul(argv[i + 1]);
  auto source = tessera::data::openImage(argv[1]);
  if (!source) {
    std::fprintf(stderr, "bench_render: %s\n", source.error().message.c_str());
    return 2;
  }
  tessera::data::ThreadPool pool(2);
  tessera::data::TileCache cache(cacheMb << 20, pool);
  tessera::widgets::ImageView view(cache);
  view.resize(1600, 1000);
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) return 1;
  auto* gl = view.glWindow();
  const double vw = gl->deviceSize().width(), vh = gl->deviceSize().height();
  const int quads = std::max(
      1, static_cast<int>(std::ceil(vw / 512.0) + 1) * static_cast<int>(std::ceil(vh / 512.0) + 1));
  // The machine is shared: the floor is measured before and after the sweep, to bracket it.
  const auto floorBefore = floorFrames(quads, 100);
  view.setSource(*source);

  std::vector<double> frameMs;
  int uncovered = 0, framesSeen = 0;
  std::size_t maxActors = 0;
  MemorySample peak;
  QObject::connect(&view, &tessera::widgets::ImageView::frameRendered, [&](double ms) {
    frameMs.push_back(ms);
    ++framesSeen;
    if (view.layer().status().uncovered > 0 && framesSeen > 1) ++uncovered;
    maxActors = std::max(maxActors, view.layer().actorCount());
    const long rss = statusMb("VmRSS:");
    if (rss <= peak.rssMb) return;
    const struct mallinfo2 mi = mallinfo2();
    peak = {rss,
            mi.arena >> 20,
            mi.fordblks >> 20,
            mi.hblkhd >> 20,
            cache.stats().bytes >> 20,
            view.layer().actorCount(),
            framesSeen};
  });
  // First frame: fit, and let the coarsest level arrive.
  QTest::qWait(500);
  const auto& info = (*source)->info();
  const double w = static_cast<double>(info.width()), h = static_cast<double>(info.height());
  const double fitZoom = std::min(gl->deviceSize().width() / w, gl->deviceSize().height() / h);
  const long startMb = statusMb("VmRSS:");
  frameMs.clear();
  framesSeen = 1;
  uncovered = 0;
  const int zoomFrames = 200, panFrames = 400;
  QElapsedTimer wall;
  wall.start();
  auto frame = [&](double cx, double cy, double zoom) {
    QSignalSpy drawn(&view, &tessera::widgets::ImageView::frameRendered);
    view.centerOn(cx, cy, zoom);
    // One frame per step, as a user's drag would: wait for it to be drawn, not for tiles.
    drawn.wait(2000);
  };
  for (int f = 0; f < zoomFrames; ++f) {
    const double t = f / double(zoomFrames - 1);
    frame(w / 2, h / 2, fitZoom * std::pow(1.0 / fitZoom, t));
  }
  // A serpentine pan over the whole image at 1:1.
  const int rows = std::max(1, static_cast<int>(std::ceil(h / vh)));
  for (int f = 0; f < panFrames; ++f) {
    const double t = f / double(panFrames - 1) * rows;
    const int row = std::min(rows - 1, static_cast<int>(t));
    double fx = t - row;
    if (row % 2) fx = 1 - fx;
    frame(vw / 2 + fx * std::max(0.0, w - vw), std::min(h - vh / 2, vh / 2 + row * vh), 1.0);
  }
  const double wallS = wall.elapsed() / 1000.0;
  const long sweepPeakMb = statusMb("VmHWM:");
  const auto stats = cache.stats();
  const auto floor = floorFrames(quads, 100);

  std::printf("bench_render: %s, %lld x %lld, %zu channels, window %gx%g device px\n", argv[1],
              static_cast<long long>(w), static_cast<long long>(h), info.channels.size(), vw, vh);
  std::printf("  tessera   frames %zu in %.1f s: p50 %.1f ms  p95 %.1f ms  max %.1f ms\n",
              frameMs.size(), wallS, percentile(frameMs, 0.5), percentile(frameMs, 0.95),
              percentile(frameMs, 1.0));
  std::printf(
      "  floor     %d plain 512² quads, bare VTK window: before the sweep p50 %.1f ms  "
      "p95 %.1f ms, after p50 %.1f ms  p95 %.1f ms\n",
      quads, percentile(floorBefore, 0.5), percentile(floorBefore, 0.95), percentile(floor, 0.5),
      percentile(floor, 0.95));
  const double p95 = percentile(frameMs, 0.95);
  std::printf(
      "  ratio     p95 tessera / p95 floor = %.2f (before) %.2f (after) (target <= 1.2, or "
      "p95 <= 33 ms)\n",
      p95 / std::max(1e-9, percentile(floorBefore, 0.95)),
      p95 / std::max(1e-9, percentile(floor, 0.95)));
  std::printf("  uncovered frames after the first: %d of %zu\n", uncovered, frameMs.size());
  std::printf("  tile textures alive at most: %zu\n", maxActors);
  const auto& layer = view.layer();
  std::printf(
      "  layer     tile channels needed over all frames %llu: resident %llu (%.1f %%), requested "
      "%llu\n",
      static_cast<unsigned long long>(layer.hits() + layer.misses()),
      static_cast<unsigned long long>(layer.hits()),
      100.0 * static_cast<double>(layer.hits()) /
          std::max<double>(1, static_cast<double>(layer.hits() + layer.misses())),
      static_cast<unsigned long long>(layer.misses()));
  std::printf(
      "  cache     hits %llu misses %llu reads %llu cancelled %llu peak %zu MB of %zu MB\n",
      static_cast<unsigned long long>(stats.hits), static_cast<unsigned long long>(stats.misses),
      static_cast<unsigned long long>(stats.reads),
      static_cast<unsigned long long>(stats.cancelled), stats.peakBytes >> 20, stats.budget >> 20);
  std::printf(
      "  peak RSS  %ld MB over the sweep (budget %zu MB + 300 MB allowed), %ld MB with the "
      "floor's window; before the sweep %ld MB; allocator policy %s\n",
      sweepPeakMb, cacheMb, statusMb("VmHWM:"), startMb, policy ? "app" : "glibc default");
  std::printf(
      "  at the highest RSS seen after a frame (%ld MB, frame %d): malloc arenas %zu MB (%zu MB "
      "free in "
      "them), mmapped blocks %zu MB, cache %zu MB, tile textures %zu\n",
      peak.rssMb, peak.frame, peak.arenaMb, peak.arenaFreeMb, peak.mmappedMb, peak.cacheMb,
      peak.actors);
  return 0;
}
