// Rendering benchmark: opens an OME-Zarr in a real 1600x1000 window, runs a scripted sweep
// (200 zoom steps from fit to 1:1, then 400 pan steps across the whole image at 1:1) and prints
// frame-time percentiles for zoom steps, pan steps and frames triggered by tile arrival apart,
// uncovered frames, cache hits and peak RSS; and first, the time from opening the image to its
// first complete frame, beside a bare VTK window showing the same level decoded by zarr-python
// (bench_first_frame_peer.py).
// The floor replays the same frames in a bare VTK window: for each frame of the sweep it draws
// as many 512² textured quads at 1:1 as the viewer drew tiles in that frame, and uploads as
// many new textures (fresh buffers through the same TileTexture) as the viewer uploaded in that
// frame; only the render call and its completion are timed, as the viewer's frame time covers
// only its render (VtkGlWindow::paintGL, no buffer swap). So the ratio measures Tessera's tiling
// and layer logic over the bare cost of drawing and uploading the same tiles. Memory: the process
// takes the app's allocator policy (app/memory_policy.h) unless
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
#include <vtkNew.h>
#include <vtkPlaneSource.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "app/core/memory_policy.h"
#include "data/image_open.h"
#include "data/thread_pool.h"
#include "data/tile_cache.h"
#include "render/scene.h"
#include "render/tile_texture.h"
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

// One frame of the viewer's sweep, as the floor replays it.
enum class FrameKind { Zoom, Pan, Arrival };
struct Frame {
  double ms = 0;
  FrameKind kind = FrameKind::Arrival;
  std::size_t drawn = 0;      ///< tile actors visible in the frame
  std::uint64_t uploads = 0;  ///< textures uploaded by the frame
};

std::vector<double> msOf(const std::vector<Frame>& frames, FrameKind kind) {
  std::vector<double> out;
  for (const auto& f : frames)
    if (f.kind == kind) out.push_back(f.ms);
  return out;
}

// The floor: the viewer's frames replayed with plain 512² textured quads at 1:1 in a bare VTK
// window; returns one time per replayed frame, in the same order.
std::vector<double> floorReplay(const std::vector<Frame>& frames, int width, int height) {
  std::size_t pool = 1;
  for (const auto& f : frames)
    pool = std::max(pool, f.drawn);
  vtkNew<vtkRenderer> renderer;
  tessera::render::setupRenderer(renderer);
  vtkNew<vtkRenderWindow> window;
  window->SetMultiSamples(0);
  window->SwapBuffersOff();  // as VtkGlWindow::paintGL's timed part: no swap
  window->SetSize(width, height);
  window->AddRenderer(renderer);
  // Laid out as the viewer's tiles at 1:1: a grid one tile wider than the window.
  const int side = static_cast<int>(std::ceil(width / 512.0)) + 1;
  std::vector<std::uint8_t> texels(512 * 512 * 4);
  for (std::size_t k = 0; k < texels.size(); ++k)
    texels[k] = static_cast<std::uint8_t>(k * 7);
  std::vector<vtkSmartPointer<vtkActor>> actors;
  std::vector<vtkSmartPointer<tessera::render::TileTexture>> textures;
  for (std::size_t i = 0; i < pool; ++i) {
    auto tex = vtkSmartPointer<tessera::render::TileTexture>::New();
    tex->setPixels(512, 512, texels, false);
    tex->InterpolateOn();
    vtkNew<vtkPlaneSource> plane;
    const double x = static_cast<double>(i % side) * 512.0,
                 y = static_cast<double>(i / side) * 512.0;
    plane->SetOrigin(x, y, 1);
    plane->SetPoint1(x + 512, y, 1);
    plane->SetPoint2(x, y + 512, 1);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputConnection(plane->GetOutputPort());
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->SetTexture(tex);
    actor->GetProperty()->LightingOff();
    renderer->AddActor(actor);
    actors.push_back(actor);
    textures.push_back(tex);
  }
  tessera::render::ViewCamera cam;
  cam.setViewport(width, height);
  cam.setZoom(1.0);
  cam.setCenter(width / 2.0 + 256.0, height / 2.0 + 256.0);
  tessera::render::applyCamera(renderer, cam);
  window->Render();  // first upload of the pool, untimed
  std::vector<double> times;
  std::size_t next = 0;
  for (const auto& f : frames) {
    for (std::size_t i = 0; i < pool; ++i)
      actors[i]->SetVisibility(i < f.drawn);
    // New textures arrive as fresh buffers, as the compositor hands them to the layer.
    for (std::uint64_t u = 0; u < f.uploads && f.drawn > 0; ++u)
      textures[next++ % f.drawn]->setPixels(512, 512, texels, false);
    QElapsedTimer t;
    t.start();
    window->Render();
    // llvmpipe rasterizes when the commands are flushed: without a swap, Render() returns with
    // the frame still queued (a frame without uploads then "took" 0.7 ms). The viewer's frame
    // includes it (VTK's blit into Qt's framebuffer waits for the drawing), so the floor waits.
    window->WaitForCompletion();
    times.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
  }
  return times;
}

// Open → first complete frame, as a user opening the image waits for it: from the open call
// (metadata read) to the first frame whose visible tiles are all drawn at the level the view
// wants, in a new window with an empty tile cache (the OS cache is warm). Returns the time and
// the level drawn.
struct FirstFrame {
  double ms = 0;
  int level = 0;
};
FirstFrame openToFirstComplete(const char* path, tessera::data::ThreadPool& pool) {
  tessera::data::TileCache cache(std::size_t{1024} << 20, pool);
  tessera::widgets::ImageView view(cache);
  view.resize(1600, 1000);
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) return {};
  FirstFrame out;
  bool done = false;
  QElapsedTimer t;
  QObject::connect(&view, &tessera::widgets::ImageView::frameRendered, [&](double) {
    const auto st = view.layer().status();
    if (done || st.visibleTiles == 0 || !st.complete()) return;
    out = {static_cast<double>(t.nsecsElapsed()) / 1e6, st.level};
    done = true;
  });
  t.start();
  auto source = tessera::data::openImage(path);
  if (!source) return {};
  view.setSource(*source);
  if (!QTest::qWaitFor([&] { return done; }, 10000)) return {};
  return out;
}

void printRow(const char* name, const std::vector<double>& tessera,
              const std::vector<double>& floor) {
  const double tp95 = percentile(tessera, 0.95), fp95 = percentile(floor, 0.95);
  std::printf(
      "  %-8s frames %4zu: tessera p50 %6.1f ms  p95 %6.1f ms | floor p50 %6.1f ms  p95 "
      "%6.1f ms | p95 ratio %.2f\n",
      name, tessera.size(), percentile(tessera, 0.5), tp95, percentile(floor, 0.5), fp95,
      tp95 / std::max(1e-9, fp95));
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
  tessera::data::ThreadPool pool(2);
  // Open → first complete frame: one warm-up, then 5 timed. The peer (its own process, timed
  // around the calls, under the same display) is a bare VTK window showing the same level
  // decoded by zarr-python.
  std::vector<double> firstMs;
  int firstLevel = -1;
  for (int run = 0; run < 6; ++run) {
    const FirstFrame f = openToFirstComplete(argv[1], pool);
    if (f.ms <= 0) {
      std::fprintf(stderr, "bench_render: no complete first frame within 10 s\n");
      return 1;
    }
    if (run > 0) firstMs.push_back(f.ms);
    firstLevel = f.level;
  }
  const std::string peerCmd = std::string(TESSERA_PYTHON) + " " + TESSERA_SOURCE_DIR +
                              "/tests/bench/bench_first_frame_peer.py '" + argv[1] + "' " +
                              std::to_string(firstLevel) + " 5";
  std::string peerLine;
  if (FILE* p = ::popen(peerCmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p))
      peerLine += buf;
    if (::pclose(p) != 0) peerLine.clear();
  }
  if (peerLine.empty()) {
    std::fprintf(stderr, "bench_render: the zarr-python peer failed (%s)\n", peerCmd.c_str());
    return 1;
  }
  const double peerMs = std::stod(peerLine) * 1000;

  auto source = tessera::data::openImage(argv[1]);
  if (!source) {
    std::fprintf(stderr, "bench_render: %s\n", source.error().message.c_str());
    return 2;
  }
  tessera::data::TileCache cache(cacheMb << 20, pool);
  tessera::widgets::ImageView view(cache);
  view.resize(1600, 1000);
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) return 1;
  auto* gl = view.glWindow();
  const double vw = gl->deviceSize().width(), vh = gl->deviceSize().height();
  view.setSource(*source);

  std::vector<Frame> frames;
  int uncovered = 0, framesSeen = 0;
  std::size_t maxActors = 0;
  MemorySample peak;
  // The kind of the next frame: the first frame after a step is that step's; any other frame
  // (drawn because tiles arrived) is an arrival frame.
  FrameKind nextKind = FrameKind::Arrival;
  std::uint64_t uploadsBefore = tessera::render::TileTexture::uploads();
  QObject::connect(&view, &tessera::widgets::ImageView::frameRendered, [&](double ms) {
    const std::uint64_t uploads = tessera::render::TileTexture::uploads();
    frames.push_back({ms, nextKind, view.layer().visibleActorCount(), uploads - uploadsBefore});
    uploadsBefore = uploads;
    nextKind = FrameKind::Arrival;
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
  frames.clear();
  framesSeen = 1;
  uncovered = 0;
  const int zoomFrames = 200, panFrames = 400;
  QElapsedTimer wall;
  wall.start();
  auto frame = [&](double cx, double cy, double zoom, FrameKind kind) {
    QSignalSpy drawn(&view, &tessera::widgets::ImageView::frameRendered);
    nextKind = kind;
    view.centerOn(cx, cy, zoom);
    // One frame per step, as a user's drag would: wait for it to be drawn, not for tiles.
    drawn.wait(2000);
  };
  for (int f = 0; f < zoomFrames; ++f) {
    const double t = f / double(zoomFrames - 1);
    frame(w / 2, h / 2, fitZoom * std::pow(1.0 / fitZoom, t), FrameKind::Zoom);
  }
  // A serpentine pan over the whole image at 1:1.
  const int rows = std::max(1, static_cast<int>(std::ceil(h / vh)));
  for (int f = 0; f < panFrames; ++f) {
    const double t = f / double(panFrames - 1) * rows;
    const int row = std::min(rows - 1, static_cast<int>(t));
    double fx = t - row;
    if (row % 2) fx = 1 - fx;
    frame(vw / 2 + fx * std::max(0.0, w - vw), std::min(h - vh / 2, vh / 2 + row * vh), 1.0,
          FrameKind::Pan);
  }
  const double wallS = wall.elapsed() / 1000.0;
  const long sweepPeakMb = statusMb("VmHWM:");
  const auto stats = cache.stats();
  const auto floor = floorReplay(frames, static_cast<int>(vw), static_cast<int>(vh));
  std::vector<Frame> floorFrames = frames;
  for (std::size_t i = 0; i < frames.size(); ++i)
    floorFrames[i].ms = floor[i];
  std::vector<double> allMs;
  std::uint64_t totalUploads = 0;
  for (const auto& f : frames) {
    allMs.push_back(f.ms);
    totalUploads += f.uploads;
  }

  std::printf("bench_render: %s, %lld x %lld, %zu channels, window %gx%g device px\n", argv[1],
              static_cast<long long>(w), static_cast<long long>(h), info.channels.size(), vw, vh);
  double load[3] = {0, 0, 0};
  std::ifstream("/proc/loadavg") >> load[0] >> load[1] >> load[2];
  std::printf("  load %.2f %.2f %.2f; %zu frames in %.1f s, %llu texture uploads\n", load[0],
              load[1], load[2], frames.size(), wallS,
              static_cast<unsigned long long>(totalUploads));
  std::printf(
      "  open -> first complete frame (level %d, new window, empty tile cache, OS cache warm): "
      "tessera median %.0f ms of 5 | bare VTK showing that level read by zarr-python: %.0f "
      "ms | ratio %.2f; target <= 500 ms\n",
      firstLevel, percentile(firstMs, 0.5), peerMs, peerMs / percentile(firstMs, 0.5));
  printRow("zoom", msOf(frames, FrameKind::Zoom), msOf(floorFrames, FrameKind::Zoom));
  printRow("pan", msOf(frames, FrameKind::Pan), msOf(floorFrames, FrameKind::Pan));
  printRow("arrival", msOf(frames, FrameKind::Arrival), msOf(floorFrames, FrameKind::Arrival));
  std::printf("  target: pan p95 ratio <= 1.2; all frames tessera p95 %.1f ms, max %.1f ms\n",
              percentile(allMs, 0.95), percentile(allMs, 1.0));
  std::printf("  uncovered frames after the first: %d of %zu\n", uncovered, frames.size());
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
