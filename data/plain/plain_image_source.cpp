#include "data/plain/plain_image_source.h"

#include "data/plain/image_file_decode.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <system_error>

namespace tessera::data {

namespace fs = std::filesystem;

struct PlainImageSource::Level {
  std::int64_t width = 0, height = 0;
  std::vector<cv::Mat> planes;  ///< one single-channel Mat per channel once built
  std::atomic<bool> built{false};
};

namespace {

/// 2×2 mean (rounded half up) of the box [x0, x0 + w) × [y0, y0 + h) of `src`; x0 and y0 are
/// even, so a box gives the same values as the same part of the whole plane. Edge pixels with
/// fewer than four sources average those there are.
template <class T>
cv::Mat halve(const cv::Mat& src, int x0, int y0, int w, int h) {
  const int ow = (w + 1) / 2, oh = (h + 1) / 2;
  cv::Mat out(oh, ow, src.type());
  for (int oy = 0; oy < oh; ++oy) {
    const int sy = y0 + 2 * oy;
    const T* r0 = src.ptr<T>(sy) + x0;
    const T* r1 = sy + 1 < y0 + h ? src.ptr<T>(sy + 1) + x0 : nullptr;
    T* o = out.ptr<T>(oy);
    const int pairs = w / 2;
    if (r1) {
      for (int ox = 0; ox < pairs; ++ox) {
        const unsigned s = r0[2 * ox] + r0[2 * ox + 1] + r1[2 * ox] + r1[2 * ox + 1];
        o[ox] = static_cast<T>((s + 2) / 4);
      }
      if (w % 2) o[pairs] = static_cast<T>((r0[w - 1] + r1[w - 1] + 1u) / 2);
    } else {
      for (int ox = 0; ox < pairs; ++ox)
        o[ox] = static_cast<T>((r0[2 * ox] + r0[2 * ox + 1] + 1u) / 2);
      if (w % 2) o[pairs] = r0[w - 1];
    }
  }
  return out;
}

cv::Mat halveBox(const cv::Mat& src, int x0, int y0, int w, int h) {
  return src.depth() == CV_8U ? halve<std::uint8_t>(src, x0, y0, w, h)
                              : halve<std::uint16_t>(src, x0, y0, w, h);
}

bool startsWith(const unsigned char* head, std::size_t n, const char* magic, std::size_t m) {
  return n >= m && std::memcmp(head, magic, m) == 0;
}

}  // namespace

std::string plainImageKind(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[8] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const auto n = static_cast<std::size_t>(in.gcount());
  if (startsWith(head, n, "\x89PNG\r\n\x1a\n", 8)) return "png";
  if (startsWith(head, n, "\xff\xd8\xff", 3)) return "jpeg";
  // "BM" plus a plausible header: the reserved bytes 6..9 are zero in every BMP writer.
  if (startsWith(head, n, "BM", 2) && n >= 8 && head[6] == 0 && head[7] == 0) return "bmp";
  return "";
}

int probePlainImage(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(path), ec)) return 0;
  return plainImageKind(path).empty() ? 0 : 60;
}

PlainImageSource::~PlainImageSource() = default;

Expected<std::shared_ptr<PlainImageSource>> PlainImageSource::open(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(path), ec))
    return fail(Errc::NotFound, path + ": no such file");
  const std::string kind = plainImageKind(path);
  if (kind.empty()) return fail(Errc::Unsupported, path + ": not a PNG, JPEG or BMP file");
  auto decoded = decodeImageFile(path, kind);
  if (!decoded) return std::unexpected(decoded.error());
  cv::Mat image = std::move(*decoded);
  DType dtype;
  if (image.depth() == CV_8U)
    dtype = DType::U8;
  else if (image.depth() == CV_16U)
    dtype = DType::U16;
  else
    return fail(Errc::Unsupported, path + ": only 8- and 16-bit unsigned samples are supported");

  std::shared_ptr<PlainImageSource> src(new PlainImageSource());
  ImageInfo& info = src->info_;
  info.format = kind;
  info.source = path;
  info.dtype = dtype;
  std::vector<cv::Mat> planes;
  cv::split(image, planes);
  image.release();
  const std::size_t stored = planes.size();
  if (stored == 2 || stored == 4) {
    info.warnings.push_back(path + ": alpha channel ignored");
    planes.pop_back();
  }
  if (planes.size() == 3) {
    info.storedAxes = {"y", "x", "c"};
    const char* names[] = {"red", "green", "blue"};
    const std::uint32_t colors[] = {0xFF0000, 0x00FF00, 0x0000FF};
    for (int c = 0; c < 3; ++c) {
      ChannelInfo ch;
      ch.name = names[c];
      ch.color = colors[c];
      ch.window = std::array<double, 2>{0, dtype == DType::U8 ? 255.0 : 65535.0};
      info.channels.push_back(ch);
    }
  } else {
    planes.resize(1);
    info.storedAxes = {"y", "x"};
    ChannelInfo ch;
    ch.name = "gray";
    if (dtype == DType::U8) ch.window = std::array<double, 2>{0, 255};
    info.channels.push_back(ch);
  }

  std::int64_t w = planes[0].cols, h = planes[0].rows;
  const auto channels = static_cast<std::int64_t>(planes.size());
  double factor = 1;
  for (int k = 0;; ++k) {
    LevelInfo l;
    l.path = std::to_string(k);
    l.shape = {1, channels, 1, h, w};
    l.chunk = {1, 1, 1, kTile, kTile};
    l.scale = {1, 1, 1, factor, factor};
    info.levels.push_back(l);
    auto level = std::make_unique<Level>();
    level->width = w;
    level->height = h;
    src->levels_.push_back(std::move(level));
    const bool pyramid = std::max(info.width(), info.height()) > kPyramidThreshold;
    if (!pyramid || std::max(w, h) <= kTile) break;
    w = (w + 1) / 2;
    h = (h + 1) / 2;
    factor *= 2;
  }
  src->levels_[0]->planes = std::move(planes);
  src->levels_[0]->built.store(true, std::memory_order_release);
  return src;
}

int PlainImageSource::builtLevels() const {
  int n = 0;
  for (const auto& l : levels_)
    n += l->built.load(std::memory_order_acquire);
  return n;
}

Expected<Tile> PlainImageSource::readTile(const TileKey& key, const std::stop_token& stop) const {
  if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": cancelled");
  if (key.level < 0 || key.level >= static_cast<int>(levels_.size()) || key.t != 0 || key.z != 0 ||
      key.c < 0 || key.c >= static_cast<std::int64_t>(info_.channels.size()))
    return fail(Errc::InvalidArgument, info_.source + ": no tile at level " +
                                           std::to_string(key.level) + " channel " +
                                           std::to_string(key.c));
  const Level& level = *levels_[static_cast<std::size_t>(key.level)];
  const std::int64_t x0 = key.col * kTile, y0 = key.row * kTile;
  if (key.row < 0 || key.col < 0 || x0 >= level.width || y0 >= level.height)
    return fail(Errc::InvalidArgument, info_.source + ": tile " + std::to_string(key.row) + "," +
                                           std::to_string(key.col) + " outside level " +
                                           std::to_string(key.level));
  const int tw = static_cast<int>(std::min<std::int64_t>(kTile, level.width - x0));
  const int th = static_cast<int>(std::min<std::int64_t>(kTile, level.height - y0));

  cv::Mat pixels;  // th × tw, possibly a view
  if (level.built.load(std::memory_order_acquire)) {
    pixels = level.planes[static_cast<std::size_t>(key.c)](
        cv::Rect(static_cast<int>(x0), static_cast<int>(y0), tw, th));
  } else {
    // Halve the matching box of the finest built level as often as the build would.
    int j = key.level - 1;
    while (!levels_[static_cast<std::size_t>(j)]->built.load(std::memory_order_acquire))
      --j;
    const Level& base = *levels_[static_cast<std::size_t>(j)];
    const std::int64_t f = std::int64_t{1} << (key.level - j);
    const int bx = static_cast<int>(x0 * f), by = static_cast<int>(y0 * f);
    const int bw = static_cast<int>(std::min<std::int64_t>(kTile * f, base.width - bx));
    const int bh = static_cast<int>(std::min<std::int64_t>(kTile * f, base.height - by));
    pixels = halveBox(base.planes[static_cast<std::size_t>(key.c)], bx, by, bw, bh);
    for (int step = j + 1; step < key.level; ++step) {
      if (stop.stop_requested()) return fail(Errc::Cancelled, info_.source + ": cancelled");
      pixels = halveBox(pixels, 0, 0, pixels.cols, pixels.rows);
    }
  }
  if (pixels.cols != tw || pixels.rows != th)
    return fail(Errc::Corrupt, info_.source + ": internal tile size mismatch");
  Tile t;
  t.dtype = info_.dtype;
  t.width = tw;
  t.height = th;
  const std::size_t rowBytes = static_cast<std::size_t>(tw) * dtypeSize(info_.dtype);
  t.data.resize(rowBytes * static_cast<std::size_t>(th));
  for (int y = 0; y < th; ++y)
    std::memcpy(t.data.data() + rowBytes * static_cast<std::size_t>(y), pixels.ptr(y), rowBytes);
  return t;
}

void PlainImageSource::buildPyramid(Executor& executor, std::function<void(double)> progress,
                                    std::stop_token stop) {
  if (levels_.size() < 2 || buildStarted_.exchange(true)) {
    if (levels_.size() < 2 && progress) progress(1.0);
    return;
  }
  executor.post([self = shared_from_this(), progress = std::move(progress),
                 stop = std::move(stop)] { self->build(progress, stop); },
                Priority::Background);
}

void PlainImageSource::build(const std::function<void(double)>& progress,
                             const std::stop_token& stop) {
  // Work is proportional to the pixels read: each level reads the one before it.
  double total = 0, done = 0;
  for (std::size_t k = 1; k < levels_.size(); ++k)
    total += static_cast<double>(levels_[k - 1]->width * levels_[k - 1]->height);
  for (std::size_t k = 1; k < levels_.size(); ++k) {
    const Level& prev = *levels_[k - 1];
    Level& level = *levels_[k];
    std::vector<cv::Mat> planes;
    for (const auto& p : prev.planes) {
      if (stop.stop_requested()) return;
      planes.push_back(halveBox(p, 0, 0, p.cols, p.rows));
      done +=
          static_cast<double>(prev.width * prev.height) / static_cast<double>(prev.planes.size());
      if (progress) progress(std::min(0.99, done / total));
    }
    level.planes = std::move(planes);
    level.built.store(true, std::memory_order_release);
  }
  if (progress) progress(1.0);
}

}  // namespace tessera::data
