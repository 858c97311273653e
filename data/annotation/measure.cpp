#include "data/annotation/measure.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "data/annotation/area_scan.h"
#include "data/annotation/exact_stats.h"

namespace tessera::data {
namespace {

std::optional<double> unitInMicrometres(const std::string& unit) {
  if (unit == "micrometer" || unit == "micrometre" || unit == "µm" || unit == "um" ||
      unit == "micron")
    return 1.0;
  if (unit == "nanometer" || unit == "nm") return 1e-3;
  if (unit == "millimeter" || unit == "mm") return 1e3;
  if (unit == "centimeter" || unit == "cm") return 1e4;
  if (unit == "meter" || unit == "m") return 1e6;
  if (unit == "angstrom") return 1e-4;
  return std::nullopt;
}

// The tiles of one band, requested together so that the cache's workers decode them in
// parallel (coalesced with any read already in flight); results arrive in any order. Shared
// with the callbacks, which may outlive an early return.
class BandFetch {
 public:
  BandFetch(TileCache& cache, std::vector<CacheKey> keys, const std::stop_token& stop)
      : state_(std::make_shared<State>()) {
    state_->results.resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
      cache.request(keys[i], Priority::Visible, stop,
                    [state = state_, i](const CacheKey&, const Expected<TilePtr>& r) {
                      std::lock_guard lock(state->mutex);
                      state->results[i] = r;
                      state->arrived.notify_all();
                    });
  }
  Expected<TilePtr> get(std::size_t i) {
    std::unique_lock lock(state_->mutex);
    state_->arrived.wait(lock, [&] { return state_->results[i].has_value(); });
    return *state_->results[i];
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable arrived;
    std::vector<std::optional<Expected<TilePtr>>> results;
  };
  std::shared_ptr<State> state_;
};

nlohmann::json number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

}  // namespace

std::optional<double> pixelAreaUm2(const ImageInfo& info) {
  const auto f = unitInMicrometres(info.spaceUnit);
  if (!f || info.levels.empty()) return std::nullopt;
  const auto& s = info.levels[0].scale;
  return s[kX] * *f * s[kY] * *f;
}

Expected<Measurement> measureAnnotation(const Annotation& a, TileCache& cache,
                                        std::uint64_t sourceId, const ImageInfo& info,
                                        const MeasureOptions& opt, const std::stop_token& stop) {
  Measurement m;
  m.name = a.name;
  m.classification = a.classification;
  m.kind = a.kind;
  m.area = isArea(a);
  m.perimeterPx = annotationLength(a);
  if (opt.level < 0 || opt.level >= static_cast<int>(info.levels.size()))
    return fail(Errc::InvalidArgument, "level " + std::to_string(opt.level) +
                                           " does not exist (levels 0.." +
                                           std::to_string(info.levels.size() - 1) + ")");
  const auto& level = info.levels[static_cast<std::size_t>(opt.level)];
  if (opt.t < 0 || opt.t >= level.shape[kT] || opt.z < 0 || opt.z >= level.shape[kZ])
    return fail(Errc::InvalidArgument, "t/z outside the image");
  if (!m.area) return m;

  const std::int64_t W = level.shape[kX], H = level.shape[kY];
  const double downX = static_cast<double>(info.width()) / static_cast<double>(W);
  const double downY = static_cast<double>(info.height()) / static_cast<double>(H);
  AreaScanner scan(a, downX, downY, W, H);
  if (scan.clipped())
    m.notes.push_back("reaches outside the image (" + std::to_string(info.width()) + "x" +
                      std::to_string(info.height()) + "); measured the part inside");
  if (selfIntersects(a))
    m.notes.push_back("its outline crosses itself; measured by the even-odd rule");

  const std::int64_t th = level.chunk[kY], tw = level.chunk[kX];
  const std::int64_t bandFirst = scan.rowFirst() / th;
  const std::int64_t bandLast =
      scan.rowLast() > scan.rowFirst() ? (scan.rowLast() - 1) / th + 1 : bandFirst;
  const std::int64_t channels = level.shape[kC];
  std::vector<std::vector<ColumnRun>> runs;
  const std::size_t elem = dtypeSize(info.dtype);

  // Progress counts bands over every channel and pass (pass counts are known per dtype).
  const int passes = ExactStats(info.dtype).passes();
  const double totalSteps = static_cast<double>(std::max<std::int64_t>(1, bandLast - bandFirst)) *
                            static_cast<double>(channels) * passes;
  double steps = 0;

  auto bandRows = [&](std::int64_t b) {
    return std::pair{std::max(b * th, scan.rowFirst()), std::min((b + 1) * th, scan.rowLast())};
  };
  auto tileCols = [&](const std::vector<std::vector<ColumnRun>>& rs) {
    std::int64_t c0 = W, c1 = 0;
    for (const auto& row : rs)
      if (!row.empty()) {
        c0 = std::min(c0, row.front().first);
        c1 = std::max(c1, row.back().second);
      }
    return c1 > c0 ? std::pair{c0 / tw, (c1 - 1) / tw + 1}
                   : std::pair<std::int64_t, std::int64_t>{0, 0};
  };
  auto key = [&](std::int64_t c, std::int64_t row, std::int64_t col) {
    return CacheKey{sourceId, TileKey{opt.level, opt.t, c, opt.z, row, col}};
  };

  for (std::int64_t c = 0; c < channels; ++c) {
    ExactStats stats(info.dtype);
    for (int pass = 0; pass < stats.passes(); ++pass) {
      if (pass > 0 && stats.done()) break;
      stats.beginPass(pass);
      for (std::int64_t b = bandFirst; b < bandLast; ++b) {
        if (stop.stop_requested()) return fail(Errc::Cancelled, "measurement cancelled");
        auto [r0, r1] = bandRows(b);
        scan.band(r0, r1, runs);
        const auto [tc0, tc1] = tileCols(runs);
        std::vector<CacheKey> keys;
        for (std::int64_t tc = tc0; tc < tc1; ++tc)
          keys.push_back(key(c, b, tc));
        BandFetch fetch(cache, keys, stop);
        for (std::int64_t tc = tc0; tc < tc1; ++tc) {
          auto tile = fetch.get(static_cast<std::size_t>(tc - tc0));
          if (!tile) {
            if (tile.error().code == Errc::Cancelled)
              return fail(Errc::Cancelled, "measurement cancelled");
            return std::unexpected(tile.error());
          }
          const Tile& t = **tile;
          const std::int64_t x0 = tc * tw, y0 = b * th;
          for (std::int64_t r = r0; r < r1; ++r) {
            if (r - y0 >= t.height) break;
            for (const auto& [a0, a1] : runs[static_cast<std::size_t>(r - r0)]) {
              const std::int64_t s = std::max(a0, x0), e = std::min({a1, x0 + tw, x0 + t.width});
              if (e <= s) continue;
              stats.add(
                  t.data.data() + (static_cast<std::size_t>(r - y0) * t.width + (s - x0)) * elem,
                  static_cast<std::size_t>(e - s));
            }
          }
        }
        steps += 1;
        if (opt.progress && !opt.progress(steps / totalSteps))
          return fail(Errc::Cancelled, "measurement cancelled");
      }
    }
    if (c == 0) {
      // Member pixels are the same for every channel; count them from the scan, not the values
      // (NaN values are skipped by the statistics but still cover area).
      std::uint64_t pixels = 0;
      for (std::int64_t b = bandFirst; b < bandLast; ++b) {
        auto [r0, r1] = bandRows(b);
        scan.band(r0, r1, runs);
        for (const auto& row : runs)
          for (const auto& [s, e] : row)
            pixels += static_cast<std::uint64_t>(e - s);
      }
      m.pixels = pixels;
    }
    ChannelMeasurement cm;
    cm.name = c < static_cast<std::int64_t>(info.channels.size())
                  ? info.channels[static_cast<std::size_t>(c)].name
                  : "channel " + std::to_string(c);
    cm.count = stats.count();
    cm.mean = stats.mean();
    cm.median = stats.median();
    cm.min = stats.min();
    cm.max = stats.max();
    cm.std = stats.stddev();
    m.channels.push_back(std::move(cm));
  }
  m.areaPx = static_cast<double>(m.pixels) * downX * downY;
  if (auto px = pixelAreaUm2(info)) m.areaUm2 = m.areaPx * *px;
  return m;
}

std::vector<std::int64_t> pointsInside(const Annotation& a, const std::vector<float>& x,
                                       const std::vector<float>& y) {
  std::vector<std::int64_t> out;
  if (!isArea(a)) return out;
  const Bounds b = annotationBounds(a);
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    const double px = x[i], py = y[i];
    if (!(px >= b.x0 && px <= b.x1 && py >= b.y0 && py <= b.y1)) continue;  // NaN fails too
    if (contains(a, px, py)) out.push_back(static_cast<std::int64_t>(i));
  }
  return out;
}

nlohmann::json measurementJson(const Measurement& m) {
  using nlohmann::json;
  json j;
  j["name"] = m.name;
  if (m.classification.name.empty()) {
    j["classification"] = nullptr;
  } else {
    const auto c = m.classification.color;
    j["classification"] = {{"name", m.classification.name},
                           {"color", json::array({(c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF})}};
  }
  j["kind"] = annotationKindName(m.kind);
  j["area_px"] = m.area ? json(m.areaPx) : json();
  j["area_um2"] = m.area && m.areaUm2 ? json(*m.areaUm2) : json();
  j["perimeter_px"] = m.area ? json(m.perimeterPx) : json();
  if (m.kind == AnnotationKind::Line || m.kind == AnnotationKind::Arrow)
    j["length_px"] = m.perimeterPx;
  j["cells"] = m.cells ? json(*m.cells) : json();
  if (!m.geneMeans.empty()) {
    json g = json::object();
    for (const auto& [name, v] : m.geneMeans)
      g[name] = number(v);
    j["genes"] = g;
  }
  json ch = json::array();
  for (const auto& c : m.channels)
    ch.push_back({{"name", c.name},
                  {"mean", number(c.mean)},
                  {"median", number(c.median)},
                  {"min", number(c.min)},
                  {"max", number(c.max)},
                  {"std", number(c.std)}});
  j["channels"] = ch;
  if (!m.notes.empty()) j["notes"] = m.notes;
  return j;
}

}  // namespace tessera::data
