#include "data/spatial/label_centroids.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "data/image_open.h"

namespace tessera::data {
namespace {

std::vector<std::int64_t> integersOf(const std::vector<double>& numbers) {
  std::vector<std::int64_t> out;
  out.reserve(numbers.size());
  for (const double v : numbers) {
    if (!std::isfinite(v) || v != std::floor(v)) return {};
    out.push_back(static_cast<std::int64_t>(v));
  }
  return out;
}

}  // namespace

Expected<std::unordered_map<std::int64_t, LabelCentroid>> labelCentroids(
    const TileSource& labels, std::int64_t maxPixels, const std::stop_token& stop) {
  const auto& info = labels.info();
  if (info.levels.empty()) return fail(Errc::Corrupt, info.source + ": label image has no levels");
  std::size_t level = info.levels.size() - 1;
  for (std::size_t l = 0; l < info.levels.size(); ++l)
    if (info.levels[l].shape[kY] * info.levels[l].shape[kX] <= maxPixels) {
      level = l;
      break;
    }
  const auto& l0 = info.levels[0];
  const auto& lv = info.levels[level];
  const double sx = static_cast<double>(l0.shape[kX]) / static_cast<double>(lv.shape[kX]);
  const double sy = static_cast<double>(l0.shape[kY]) / static_cast<double>(lv.shape[kY]);
  struct Sum {
    double x = 0, y = 0;
    std::int64_t n = 0;
  };
  std::unordered_map<std::int64_t, Sum> sums;
  for (std::int64_t row = 0; row < tileRows(lv); ++row)
    for (std::int64_t col = 0; col < tileCols(lv); ++col) {
      if (stop.stop_requested()) return fail(Errc::Cancelled, info.source + ": cancelled");
      TileKey key;
      key.level = static_cast<int>(level);
      key.row = row;
      key.col = col;
      auto tile = labels.readTile(key, stop);
      if (!tile) return std::unexpected(tile.error());
      const double x0 = static_cast<double>(col * lv.chunk[kX]);
      const double y0 = static_cast<double>(row * lv.chunk[kY]);
      // Runs of one value are summed at once: label images are mostly long runs.
      for (int r = 0; r < tile->height; ++r) {
        const std::size_t base = static_cast<std::size_t>(r) * tile->width;
        int c = 0;
        while (c < tile->width) {
          const std::int64_t v = tileInteger(*tile, base + c);
          int e = c + 1;
          while (e < tile->width && tileInteger(*tile, base + e) == v)
            ++e;
          if (v != 0) {
            auto& s = sums[v];
            const double n = e - c;
            s.x += n * (x0 + (c + e - 1) / 2.0);
            s.y += n * (y0 + r);
            s.n += e - c;
          }
          c = e;
        }
      }
    }
  std::unordered_map<std::int64_t, LabelCentroid> out;
  out.reserve(sums.size());
  // Pixel j of a level covers level-0 pixels [j * s, (j + 1) * s): its centre index is
  // (j + 0.5) * s - 0.5.
  for (const auto& [v, s] : sums)
    out[v] = {(s.x / s.n + 0.5) * sx - 0.5, (s.y / s.n + 0.5) * sy - 0.5, s.n};
  return out;
}

std::vector<std::int64_t> cellLabelValues(const CellTable& t) {
  std::vector<std::string> names;
  if (!t.instanceKey.empty()) names.push_back(t.instanceKey);
  for (const char* n : {"instance_id", "cell_id", "label_id", "label"})
    names.emplace_back(n);
  for (const auto& name : names)
    if (const auto* c = t.column(name); c && c->kind == CellColumnKind::Numeric)
      if (auto v = integersOf(c->numbers); !v.empty()) return v;
  std::vector<std::int64_t> out;
  out.reserve(t.cellIds.size());
  for (const auto& id : t.cellIds) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (ec != std::errc() || end != id.data() + id.size()) return {};
    out.push_back(v);
  }
  return out;
}

Expected<void> placeAtLabelCentroids(CellTable& t, const std::stop_token& stop) {
  const auto values = cellLabelValues(t);
  if (values.empty() || values.size() != t.cellIds.size())
    return fail(Errc::InvalidArgument, t.location +
                                           ": no integer instance column (instance_key \"" +
                                           t.instanceKey + "\") to find each cell's label region");
  const auto fromImage = t.toImage.inverse();
  if (!fromImage) return fail(Errc::Corrupt, t.location + ": the affine to the labels is singular");
  auto source = openImage(t.imagePath.string());
  if (!source) return std::unexpected(source.error());
  auto centroids = labelCentroids(**source, std::int64_t(4) << 20, stop);
  if (!centroids) return std::unexpected(centroids.error());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  t.x.assign(values.size(), nan);
  t.y.assign(values.size(), nan);
  std::size_t missing = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto it = centroids->find(values[i]);
    if (it == centroids->end()) {
      ++missing;
      continue;
    }
    t.x[i] = fromImage->mapX(it->second.x, it->second.y);
    t.y[i] = fromImage->mapY(it->second.x, it->second.y);
  }
  if (t.affineSource.find("centroids") == std::string::npos)
    t.affineSource += "; positions = label centroids";
  if (missing)
    t.messages.push_back(t.location + ": " + std::to_string(missing) + " of " +
                         std::to_string(values.size()) + " cells have no region in " +
                         t.imagePath.string() + " and are not placed");
  return {};
}

}  // namespace tessera::data
