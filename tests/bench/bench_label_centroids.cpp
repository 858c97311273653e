// Label-centroid benchmark (SpatialData cells placed at their label regions): generates a
// SIZE² uint32 NGFF label image tiled with CELL² regions (default 4096², 16 px: 65k cells) with
// bench_label_centroids.py, then times, in the same run, Tessera's labelCentroids (open + every
// tile of the finest level with at most 16M pixels, single thread) and the Python peer
// (zarr read + scipy.ndimage.center_of_mass). Prints medians of R runs. Run by hand:
//   bench_label_centroids [SIZE] [CELL] [R] [WORK_DIR]
#include <QProcess>
#include <QString>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "data/image_open.h"
#include "data/spatial/label_centroids.h"

using namespace tessera::data;
namespace fs = std::filesystem;

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

QString runPython(const QStringList& args) {
  QProcess p;
  p.start(TESSERA_PYTHON, args);
  p.waitForFinished(-1);
  if (p.exitCode() != 0) std::fprintf(stderr, "%s", p.readAllStandardError().constData());
  return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}
}  // namespace

int main(int argc, char** argv) {
  const int size = argc > 1 ? std::atoi(argv[1]) : 4096;
  const int cell = argc > 2 ? std::atoi(argv[2]) : 16;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  const fs::path dir =
      argc > 4 ? fs::path(argv[4]) : fs::temp_directory_path() / "tessera-bench-centroids";
  const fs::path store = dir / "labels.zarr";
  const QString script = QString(TESSERA_SOURCE_DIR) + "/tests/bench/bench_label_centroids.py";
  fs::create_directories(dir);
  runPython({script, "gen", QString::fromStdString(store.string()), QString::number(size),
             QString::number(cell)});
  std::vector<double> wall;
  std::size_t count = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    auto source = openImage(store.string());
    if (!source) {
      std::fprintf(stderr, "%s\n", source.error().message.c_str());
      return 1;
    }
    auto c = labelCentroids(**source, std::int64_t(16) << 20);
    if (!c) {
      std::fprintf(stderr, "%s\n", c.error().message.c_str());
      return 1;
    }
    count = c->size();
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const QString peer =
      runPython({script, "peer", QString::fromStdString(store.string()), QString::number(reps)});
  std::printf("label image %dx%d, %zu labels, median of %d runs\n", size, size, count, reps);
  std::printf("  tessera labelCentroids (open + read + centroids): %.3f s\n", median(wall));
  std::printf("  python zarr + scipy.ndimage.center_of_mass:       %s\n",
              peer.toUtf8().constData());
  return 0;
}
