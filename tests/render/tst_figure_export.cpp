// Figure export: a view drawn tile by tile equals the same view drawn in one piece (image,
// scale bar and its backing, title), at sizes larger than the screen; PNG and TIFF files hold
// those pixels; bad sizes and formats are refused; cancelling stops and leaves no file; the
// tiles held while drawing stay bounded whatever the figure's size.
#include <QCryptographicHash>
#include <QImage>
#include <QProcess>
#include <QtTest>

#include <filesystem>

#include "../support/memory_source.h"
#include "data/thread_pool.h"
#include "render/figure_export.h"

using namespace tessera;
using test::MemorySource;

namespace {

std::shared_ptr<MemorySource> source() {
  // 6000 x 4000, two channels of smooth structure, 3 levels of 256 px tiles.
  return std::make_shared<MemorySource>(
      data::DType::U16, 6000, 4000, 2, 3, 256,
      [](int level, std::int64_t c, std::int64_t x, std::int64_t y) {
        const double s = 1 << level;
        const double u = x * s, v = y * s;
        return c == 0 ? 2000 + 1800 * std::sin(u / 310.0) * std::cos(v / 170.0)
                      : std::fmod(u * 0.7 + v * 1.3, 4000.0);
      });
}

render::FigureOptions options(int w, int h, int tile) {
  render::FigureOptions o;
  o.view.width = w;
  o.view.height = h;
  o.view.region = render::Rect{500, 300, 5500, 3633};
  o.tileSize = tile;
  o.title = "Tiled figure";
  return o;
}

// Fraction of pixels differing by more than 2 in any channel.
double mismatch(const render::RenderedImage& a, const render::RenderedImage& b) {
  if (a.width != b.width || a.height != b.height) return 1;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.rgb.size(); i += 3)
    for (int k = 0; k < 3; ++k)
      if (std::abs(int(a.rgb[i + k]) - int(b.rgb[i + k])) > 2) {
        ++bad;
        break;
      }
  return static_cast<double>(bad) / (a.rgb.size() / 3);
}

}  // namespace

class TestFigureExport : public QObject {
  Q_OBJECT
 private slots:
  void tiledEqualsOnePiece() {
    // 3000 x 2000 is larger than the Xvfb screen; one piece and 7 x 4 tiles of 448 px.
    data::ThreadPool pool(2);
    data::TileCache cache(256 << 20, pool);
    auto src = source();
    auto whole = render::renderFigure(src, cache, options(3000, 2000, 3000));
    QVERIFY2(whole, whole ? "" : whole.error().message.c_str());
    auto tiled = render::renderFigure(src, cache, options(3000, 2000, 448));
    QVERIFY2(tiled, tiled ? "" : tiled.error().message.c_str());
    QCOMPARE(tiled->level, whole->level);
    const double bad = mismatch(*whole, *tiled);
    QVERIFY2(bad < 0.001, QByteArray::number(bad));
    // The scale bar (white, bottom left) and its dark backing are in the tiled frame too.
    auto px = [&](int x, int y) {
      return tiled->rgb[(static_cast<std::size_t>(y) * 3000 + x) * 3];
    };
    QCOMPARE(int(px(30, 2000 - 22)), 255);
    // One piece without a title or scale bar differs only where those are drawn.
    auto plain = options(3000, 2000, 448);
    plain.title.clear();
    plain.view.scaleBar = false;
    auto bare = render::renderFigure(src, cache, plain);
    QVERIFY(bare);
    const double decorated = mismatch(*bare, *tiled);
    QVERIFY2(decorated > 0 && decorated < 0.02, QByteArray::number(decorated));
  }

  void matchesRenderOffscreen() {
    // Without a title or backing the figure is what `tessera render` draws.
    data::ThreadPool pool(2);
    data::TileCache cache(256 << 20, pool);
    auto src = source();
    auto o = options(1800, 1200, 512);
    o.title.clear();
    o.scaleBarBacking = false;
    auto fig = render::renderFigure(src, cache, o);
    QVERIFY(fig);
    auto ref = render::renderOffscreen(src, cache, o.view);
    QVERIFY(ref);
    const double bad = mismatch(*fig, *ref);
    QVERIFY2(bad < 0.001, QByteArray::number(bad));
  }

  void writesPngAndTiff() {
    data::ThreadPool pool(2);
    data::TileCache cache(256 << 20, pool);
    auto src = source();
    const auto dir = std::filesystem::path(TESSERA_TEST_WORK_DIR);
    auto o = options(2500, 1667, 1024);
    o.dpi = 300;
    auto mem = render::renderFigure(src, cache, o);
    QVERIFY(mem);
    // Auto-contrast depends on which coarse tiles arrived first; the files must be drawn with
    // the windows this render chose, so that they can be compared byte for byte.
    o.view.displays = mem->displays;
    for (auto& d : *o.view.displays)
      d.windowFromData = false;
    const QByteArray expected =
        QCryptographicHash::hash(
            QByteArray::fromRawData(reinterpret_cast<const char*>(mem->rgb.data()),
                                    static_cast<qsizetype>(mem->rgb.size())),
            QCryptographicHash::Sha256)
            .toHex();
    for (const char* name : {"figure.png", "figure.tif"}) {
      const auto path = (dir / name).string();
      auto r = render::exportFigure(src, cache, o, path);
      QVERIFY2(r, r ? "" : r.error().message.c_str());
      QCOMPARE(r->width, 2500);
      // Read back by an independent reader: tifffile for TIFF, Qt for PNG.
      QProcess py;
      py.start(TESSERA_PYTHON, {"-c", R"(
import sys, hashlib, numpy as np, cv2, tifffile
p = sys.argv[1]
if p.endswith('.tif'):
    with tifffile.TiffFile(p) as t:
        a = t.pages[0].asarray(); dpi = t.pages[0].tags['XResolution'].value
        dpi = round(dpi[0] / dpi[1])
else:
    a = cv2.imread(p, cv2.IMREAD_UNCHANGED)[:, :, ::-1]; dpi = 0
print(a.shape[1], a.shape[0], dpi, hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest())
)",
                                QString::fromStdString(path)});
      QVERIFY(py.waitForFinished(60000));
      const auto words = py.readAllStandardOutput().trimmed().split(' ');
      QVERIFY2(words.size() == 4, py.readAllStandardError().constData());
      QCOMPARE(words[0], QByteArray("2500"));
      QCOMPARE(words[1], QByteArray("1667"));
      if (std::string(name).ends_with(".tif")) QCOMPARE(words[2], QByteArray("300"));
      QCOMPARE(words[3], expected);
    }
    QImage png(QString::fromStdString((dir / "figure.png").string()));
    QCOMPARE(qRound(png.dotsPerMeterX() * 0.0254), 300);
  }

  void holdsTwoViewsOfTilesWhateverTheSize() {
    // A large figure reads every tile of its level but holds only those of the view it draws
    // and the next one, so its memory does not grow with its size; and it reads through a cache
    // of its own, leaving the caller's (the window's tiles) as it was, however large that is.
    data::ThreadPool pool(2);
    data::TileCache cache(1024 << 20, pool);
    auto src = source();
    const auto id = cache.registerSource(src);
    const data::CacheKey windowTile{id, data::TileKey{0, 0, 1, 0, 3, 5}};
    QVERIFY(cache.readBlocking(windowTile));
    const auto before = cache.stats();
    auto draw = [&](int w, int h) {
      auto o = options(w, h, 512);
      o.view.region.reset();  // the whole 6000 x 4000 image
      o.title.clear();
      data::TileCacheStats used;
      o.tilesUsed = [&](const data::TileCacheStats& s) { used = s; };
      auto r = render::renderFigure(src, cache, o);
      if (!r) qWarning("%s", r.error().message.c_str());
      return r ? used : data::TileCacheStats{};
    };
    const auto small = draw(1500, 1000);  // level 2: 6 x 4 tiles
    const auto large = draw(6000, 4000);  // level 0: 24 x 16 tiles
    QVERIFY(small.reads > 0 && large.reads > 0);
    constexpr std::size_t kTile = 256 * 256 * 2;  // bytes of one channel of one tile
    // All 384 level-0 tiles of both channels (96 MiB) passed through the large figure's cache...
    QVERIFY2(large.reads >= 24 * 16 * 2, QByteArray::number(qulonglong(large.reads)));
    // ...which held at most two views' worth: a 512 px view meets 3 x 3 tiles of level 0 and
    // 2 x 2 of level 2, and the auto-contrast preview all 6 x 4 of level 2 (2 channels each).
    QVERIFY2(large.peakBytes <= 2 * 24 * 2 * (kTile + sizeof(data::Tile)),
             QByteArray::number(qulonglong(large.peakBytes)));
    QVERIFY2(large.peakBytes * 8 < large.reads * kTile,
             QByteArray::number(qulonglong(large.peakBytes)));
    // 16 times the pixels, about twice what the small one held (all of level 2 at once).
    QVERIFY2(10 * large.peakBytes <= 21 * small.peakBytes,
             QByteArray::number(qulonglong(large.peakBytes)) + " vs " +
                 QByteArray::number(qulonglong(small.peakBytes)));
    const auto after = cache.stats();
    QCOMPARE(after.bytes, before.bytes);
    QCOMPARE(after.reads, before.reads);
    QVERIFY(cache.peek(windowTile));
  }

  void refusesBadRequestsAndCancels() {
    data::ThreadPool pool(2);
    data::TileCache cache(64 << 20, pool);
    auto src = source();
    const auto dir = std::filesystem::path(TESSERA_TEST_WORK_DIR);
    auto r =
        render::exportFigure(src, cache, options(16001, 100, 1024), (dir / "big.png").string());
    QVERIFY(!r && r.error().code == data::Errc::InvalidArgument);
    r = render::exportFigure(src, cache, options(100, 100, 1024), (dir / "x.bmp").string());
    QVERIFY(!r && r.error().message.find("unknown figure format") != std::string::npos);
    auto o = options(2000, 2000, 512);
    o.progress = [](double f) { return f < 0.3; };
    const auto path = (dir / "cancelled.png").string();
    r = render::exportFigure(src, cache, o, path);
    QVERIFY(!r && r.error().code == data::Errc::Cancelled);
    QVERIFY(!std::filesystem::exists(path));
  }
};

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
