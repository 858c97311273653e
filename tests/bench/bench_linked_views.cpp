// Linked-views benchmark (issue 6), by hand:
//   bench_linked_views IMAGE.ome.zarr [--cells N] [--genes G] [--shots DIR]
//   (under xvfb-run without a display; --shots saves the fit and 1:1 frames as PNGs to look at)
// Synthetic cells (default 1M, uniform over the image, 12 clusters, a sparse matrix with G
// genes at ~5% density) over a real image in a real 1600x1000 window. Prints medians of:
//  - lasso of ~100k cells: PointGrid (Tessera) vs brute-force point-in-polygon over every cell
//    (what matplotlib Path.contains_points / napari do), same run;
//  - recolour after a gene switch: column extraction, colouring upload, the next frame;
//  - frame-time p50/p95 while panning with every cell coloured, at fit (density stand-in) and
//    at 1:1 (sprites), beside the same pans with the cells hidden (the image alone: the floor);
//  - gene switch -> recoloured frame: from the colouring handed to the overlay to the end of
//    the frame that shows it, at fit and at 1:1.
#include <QApplication>
#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "app/cells/cells_coloring.h"
#include "app/cells/cells_data.h"
#include "app/cells/cells_overlay.h"
#include "data/image_open.h"
#include "data/thread_pool.h"
#include "data/tile_cache.h"
#include "widgets/image_view.h"
#include "widgets/vtk_gl_window.h"

using namespace tessera;

namespace {
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

std::shared_ptr<const app::CellsData> synthetic(std::size_t n, int genes, double w, double h,
                                                data::Executor& workers) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> ux(0, static_cast<float>(w)), uy(0, static_cast<float>(h));
  std::uniform_real_distribution<float> u01(0, 1);
  auto table = std::make_shared<data::CellTable>();
  table->location = "synthetic";
  data::CellColumn cluster;
  cluster.name = "cluster";
  cluster.kind = data::CellColumnKind::Categorical;
  for (int c = 0; c < 12; ++c)
    cluster.categories.push_back("c" + std::to_string(c));
  for (int g = 0; g < genes; ++g)
    table->geneNames.push_back("G" + std::to_string(g));
  auto d = std::make_shared<app::CellsData>();
  d->px.resize(n);
  d->py.resize(n);
  d->ex.resize(n);
  d->ey.resize(n);
  std::vector<std::vector<std::int32_t>> rows(static_cast<std::size_t>(genes));
  std::vector<std::vector<float>> vals(static_cast<std::size_t>(genes));
  for (std::size_t i = 0; i < n; ++i) {
    table->cellIds.push_back("cell" + std::to_string(i));
    d->px[i] = ux(rng);
    d->py[i] = uy(rng);
    const int c = static_cast<int>(d->px[i] / w * 3) * 4 + static_cast<int>(d->py[i] / h * 4);
    cluster.codes.push_back(c);
    d->ex[i] = static_cast<float>(std::cos(c * 0.52) * 10 + u01(rng) * 3);
    d->ey[i] = static_cast<float>(std::sin(c * 0.52) * 10 + u01(rng) * 3);
    for (int g = 0; g < genes; ++g)
      if (u01(rng) < 0.05f)
        rows[g].push_back(static_cast<std::int32_t>(i)), vals[g].push_back(1 + u01(rng) * 5);
  }
  table->obs.push_back(std::move(cluster));
  table->x.assign(d->px.begin(), d->px.end());
  table->y.assign(d->py.begin(), d->py.end());
  data::CscMatrix m;
  m.rows = static_cast<std::int64_t>(n);
  m.cols = genes;
  m.colptr.push_back(0);
  for (int g = 0; g < genes; ++g) {
    m.rowIdx.insert(m.rowIdx.end(), rows[g].begin(), rows[g].end());
    m.values.insert(m.values.end(), vals[g].begin(), vals[g].end());
    m.colptr.push_back(m.nnz());
  }
  d->expression = std::make_shared<data::ExpressionEngine>(std::move(m), "synthetic", workers,
                                                           data::ExpressionEngine::Options{});
  QElapsedTimer t;
  t.start();
  d->spatialGrid.build(d->px, d->py);
  d->spatialGrid.get();
  std::printf("grid build: %.1f ms for %zu cells\n", t.nsecsElapsed() / 1e6, n);
  d->embeddingGrid.build(d->ex, d->ey);
  d->table = table;
  return d;
}
}  // namespace

int main(int argc, char** argv) {
  QApplication qapp(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_linked_views IMAGE.ome.zarr [--cells N] [--genes G]\n");
    return 2;
  }
  std::size_t n = 1000000;
  int genes = 100;
  std::string shots;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--cells") n = std::stoul(argv[i + 1]);
    if (std::string(argv[i]) == "--genes") genes = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--shots") shots = argv[i + 1];
  }
  auto source = data::openImage(argv[1]);
  if (!source) {
    std::fprintf(stderr, "bench_linked_views: %s\n", source.error().message.c_str());
    return 2;
  }
  const double W = static_cast<double>((*source)->info().width()),
               H = static_cast<double>((*source)->info().height());
  QElapsedTimer build;
  build.start();
  data::ThreadPool workers(2);
  auto d = synthetic(n, genes, W, H, workers);
  std::printf("synthetic data: %zu cells, %d genes, %zu bytes of expression in %.1f s\n", n, genes,
              static_cast<std::size_t>(d->expression->indexStatus().bytes),
              build.elapsed() / 1000.0);

  // Lasso: a wobbly 256-vertex loop holding ~10% of the cells.
  const double r = std::sqrt(0.1 * W * H / M_PI);
  std::vector<widgets::Vec2> lasso;
  for (int k = 0; k < 256; ++k) {
    const double a = k * 2 * M_PI / 256, rr = r * (1 + 0.03 * std::sin(7 * a));
    lasso.push_back({W / 2 + rr * std::cos(a), H / 2 + rr * std::sin(a)});
  }
  std::vector<double> gridMs, bruteMs;
  std::size_t picked = 0, brutePicked = 0;
  for (int rep = 0; rep < 15; ++rep) {
    QElapsedTimer t;
    t.start();
    picked = d->spatialGrid.get().inPolygon(lasso).size();
    gridMs.push_back(t.nsecsElapsed() / 1e6);
    t.restart();
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < n; ++i)
      if (widgets::pointInPolygon(lasso, d->px[i], d->py[i]))
        out.push_back(static_cast<std::uint32_t>(i));
    brutePicked = out.size();
    bruteMs.push_back(t.nsecsElapsed() / 1e6);
  }
  std::printf(
      "lasso (%zu of %zu cells, 256 vertices): Tessera grid median %.2f ms | brute force median "
      "%.2f ms (%zu)\n",
      picked, n, percentile(gridMs, 0.5), percentile(bruteMs, 0.5), brutePicked);

  data::ThreadPool pool(2);
  data::TileCache cache(std::size_t{1024} << 20, pool);
  widgets::ImageView view(cache);
  view.resize(1600, 1000);
  view.show();
  if (!QTest::qWaitForWindowExposed(&view)) return 1;
  view.setSource(*source);
  app::CellsOverlay overlay(view.glWindow()->renderer());
  if (auto e = overlay.setData(d); !e) {
    std::fprintf(stderr, "%s\n", e.error().message.c_str());
    return 1;
  }
  auto colouring = app::resolveColoring(*d, app::ColorBy{});
  overlay.setColoring(colouring->coloring);
  overlay.setLegend(colouring->legend);
  view.setOverlayHook([&](const render::ViewCamera& c) { overlay.update(c); });
  std::vector<double> frameMs;
  QObject::connect(&view, &widgets::ImageView::frameRendered,
                   [&](double ms) { frameMs.push_back(ms); });
  QTest::qWait(800);
  auto frame = [&](double cx, double cy, double zoom) {
    const auto before = frameMs.size();
    view.centerOn(cx, cy, zoom);
    // processEvents returns at once when nothing is queued: wait for the frame itself.
    QElapsedTimer wait;
    wait.start();
    while (frameMs.size() == before && wait.elapsed() < 3000)
      QTest::qWait(1);
  };
  const double fitZoom = std::min(view.glWindow()->deviceSize().width() / W,
                                  view.glWindow()->deviceSize().height() / H);
  // Warm the tiles, then measure: the image alone (cells hidden), then with the cells.
  for (int f = 0; f < 30; ++f)
    frame(W / 2 + f, H / 2, fitZoom);
  for (int f = 0; f < 150; ++f)
    frame(W / 2 + (f % 75) * 12, H / 2 + (f / 75) * 300, 1.0);
  QTest::qWait(1000);
  struct Pans {
    std::vector<double> fit, one;
  };
  auto pans = [&] {
    Pans p;
    frameMs.clear();
    for (int f = 0; f < 150; ++f)
      frame(W / 2 + (f % 50) * 20 / fitZoom, H / 2, fitZoom);
    p.fit = frameMs;
    frameMs.clear();
    for (int f = 0; f < 150; ++f)
      frame(W / 2 + (f % 75) * 12, H / 2 + (f / 75) * 300, 1.0);
    p.one = frameMs;
    return p;
  };
  overlay.setVisible(false);
  const Pans alone = pans();
  overlay.setVisible(true);
  frame(W / 2, H / 2, fitZoom);
  const Pans with = pans();
  frame(W / 2, H / 2, fitZoom);
  const char* fitLod =
      overlay.points()->lod() == render::PointLod::Density ? "density stand-in" : "sprites";
  if (!shots.empty()) view.grabFrame().save(QString::fromStdString(shots + "/fit.png"));
  frame(W / 2, H / 2, 1.0);
  if (!shots.empty()) view.grabFrame().save(QString::fromStdString(shots + "/one.png"));
  std::printf(
      "pan with %zu coloured cells, fit (%s): p50 %.1f ms p95 %.1f ms; 1:1 (sprites, "
      "%zu in view, %zu submitted): p50 %.1f ms p95 %.1f ms (%zu + %zu frames)\n",
      n, fitLod, percentile(with.fit, 0.5), percentile(with.fit, 0.95),
      overlay.points()->visibleInView(), overlay.points()->submitted(), percentile(with.one, 0.5),
      percentile(with.one, 0.95), with.fit.size(), with.one.size());
  std::printf(
      "pan, image alone (cells hidden), same run: fit p50 %.1f ms p95 %.1f ms; 1:1 p50 %.1f ms "
      "p95 %.1f ms\n",
      percentile(alone.fit, 0.5), percentile(alone.fit, 0.95), percentile(alone.one, 0.5),
      percentile(alone.one, 0.95));

  // Gene switch: column (from the in-memory CSC), colouring upload, the frame drawing it.
  for (const double zoom : {fitZoom, 1.0}) {
    std::vector<double> columnMs, uploadMs, nextFrameMs, totalMs;
    frame(W / 2, H / 2, zoom);
    QTest::qWait(300);
    for (int g = 0; g < std::min(genes, 15); ++g) {
      QElapsedTimer t;
      t.start();
      app::ColorBy by;
      by.kind = app::ColorBy::Kind::Gene;
      by.name = d->table->geneNames[static_cast<std::size_t>(g)];
      // The engine's column, then the colouring (the window gets the column on a worker).
      auto c = app::resolveCliColoring(*d, by);
      if (!c) {
        std::fprintf(stderr, "bench_linked_views: %s\n", c.error().message.c_str());
        return 1;
      }
      columnMs.push_back(t.nsecsElapsed() / 1e6);
      QElapsedTimer total;
      total.start();
      t.restart();
      overlay.setColoring(c->coloring);
      overlay.setLegend(c->legend);
      uploadMs.push_back(t.nsecsElapsed() / 1e6);
      const auto before = frameMs.size();
      view.requestRender();
      while (frameMs.size() == before && total.elapsed() < 3000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
      totalMs.push_back(total.nsecsElapsed() / 1e6);
      nextFrameMs.push_back(frameMs.empty() ? 0 : frameMs.back());
    }
    std::printf(
        "gene switch at %s: column + LUT %.1f ms; colour upload %.1f ms + the frame drawing it "
        "%.1f ms; gene switch -> recoloured frame %.1f ms (medians, %s)\n",
        zoom == 1.0 ? "1:1" : "fit", percentile(columnMs, 0.5), percentile(uploadMs, 0.5),
        percentile(nextFrameMs, 0.5), percentile(totalMs, 0.5),
        overlay.points()->lod() == render::PointLod::Density ? "density" : "sprites");
  }
  view.setOverlayHook(nullptr);
  return 0;
}
