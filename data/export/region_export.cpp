#include "data/export/region_export.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tessera::data {
namespace {

constexpr std::int64_t kTile = OmeTiffWriter::kTile;
/// Output tiles per column strip: bounds the band buffer to 16 × 512² elements.
constexpr std::int64_t kStripTiles = 16;

struct TilePos {
  std::int64_t row, col;
  auto operator<=>(const TilePos&) const = default;
};

/// Reads `keys` (all distinct), on `executor` when given; the first error wins.
Expected<std::vector<Tile>> readTiles(const TileSource& source, const std::vector<TileKey>& keys,
                                      Executor* executor, const std::stop_token& stop) {
  std::vector<Expected<Tile>> results(keys.size(), fail(Errc::Cancelled, "not read"));
  if (executor && keys.size() > 1) {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = keys.size();
    for (std::size_t i = 0; i < keys.size(); ++i)
      executor->post(
          [&, i] {
            auto r = source.readTile(keys[i], stop);
            std::lock_guard lock(mutex);
            results[i] = std::move(r);
            if (--left == 0) done.notify_all();
          },
          Priority::Visible);
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return left == 0; });
  } else {
    for (std::size_t i = 0; i < keys.size(); ++i)
      results[i] = source.readTile(keys[i], stop);
  }
  std::vector<Tile> tiles;
  tiles.reserve(keys.size());
  for (auto& r : results) {
    if (!r) return std::unexpected(std::move(r.error()));
    tiles.push_back(std::move(*r));
  }
  return tiles;
}

std::string rangeText(std::int64_t n) {
  return "0.." + std::to_string(n - 1);
}

}  // namespace

Expected<void> validateRegionExport(const ImageInfo& info, const RegionExportRequest& r) {
  if (info.levels.empty()) return fail(Errc::Corrupt, info.source + ": image has no levels");
  const auto nLevels = static_cast<std::int64_t>(info.levels.size());
  if (r.level < 0 || r.level >= nLevels)
    return fail(Errc::InvalidArgument, "level " + std::to_string(r.level) +
                                           " does not exist (levels " + rangeText(nLevels) + ")");
  const LevelInfo& l = info.levels[static_cast<std::size_t>(r.level)];
  if (r.t < 0 || r.t >= l.shape[kT])
    return fail(Errc::InvalidArgument, "t " + std::to_string(r.t) + " outside the image (t " +
                                           rangeText(l.shape[kT]) + ")");
  if (r.z < 0 || r.z >= l.shape[kZ])
    return fail(Errc::InvalidArgument, "z " + std::to_string(r.z) + " outside the image (z " +
                                           rangeText(l.shape[kZ]) + ")");
  for (auto c : r.channels)
    if (c < 0 || c >= l.shape[kC])
      return fail(Errc::InvalidArgument, "channel " + std::to_string(c) +
                                             " does not exist (channels " + rangeText(l.shape[kC]) +
                                             ")");
  const std::int64_t w = l.shape[kX], h = l.shape[kY];
  if (r.width < 1 || r.height < 1 || r.x < 0 || r.y < 0 || r.x > w - r.width || r.y > h - r.height)
    return fail(Errc::InvalidArgument, "region " + std::to_string(r.x) + "," + std::to_string(r.y) +
                                           "," + std::to_string(r.width) + "," +
                                           std::to_string(r.height) + " lies outside level " +
                                           std::to_string(r.level) + " (" + std::to_string(w) +
                                           "x" + std::to_string(h) + ")");
  return {};
}

Expected<RegionExportResult> exportRegion(const TileSource& source,
                                          const RegionExportRequest& request,
                                          const std::filesystem::path& out, Executor* executor,
                                          const std::stop_token& stop,
                                          const std::function<void(double)>& progress) {
  const ImageInfo& info = source.info();
  if (auto v = validateRegionExport(info, request); !v) return std::unexpected(v.error());
  const LevelInfo& level = info.levels[static_cast<std::size_t>(request.level)];
  std::vector<std::int64_t> channels = request.channels;
  if (channels.empty())
    for (std::int64_t c = 0; c < level.shape[kC]; ++c)
      channels.push_back(c);

  OmeTiffImage image;
  image.width = request.width;
  image.height = request.height;
  image.dtype = info.dtype;
  image.name = std::filesystem::path(info.source).filename().string();
  for (auto c : channels) {
    OmeTiffChannel ch{"Channel " + std::to_string(c), 0xFFFFFF};
    if (c < static_cast<std::int64_t>(info.channels.size())) {
      const auto& src = info.channels[static_cast<std::size_t>(c)];
      if (!src.name.empty()) ch.name = src.name;
      ch.color = src.color;
    }
    image.channels.push_back(std::move(ch));
  }
  image.physicalSizeX = level.scale[kX];
  image.physicalSizeY = level.scale[kY];
  image.unit = info.spaceUnit;

  auto writer = OmeTiffWriter::create(out, image, request.tiff);
  if (!writer) return std::unexpected(writer.error());

  RegionExportResult result;
  result.width = request.width;
  result.height = request.height;
  result.channels = static_cast<std::int64_t>(channels.size());
  result.dtype = info.dtype;
  result.bigTiff = (*writer)->bigTiff();

  const std::size_t esz = dtypeSize(info.dtype);
  const std::int64_t chunkW = level.chunk[kX], chunkH = level.chunk[kY];
  const std::int64_t outRows = (*writer)->tileRows(), outCols = (*writer)->tileCols();
  const std::size_t tileBytes = static_cast<std::size_t>(kTile * kTile) * esz;
  std::vector<std::uint8_t> band;
  const double totalSteps = static_cast<double>(channels.size()) *
                            static_cast<double>((outCols + kStripTiles - 1) / kStripTiles) *
                            static_cast<double>(outRows);
  double steps = 0;

  for (std::size_t p = 0; p < channels.size(); ++p) {
    for (std::int64_t col0 = 0; col0 < outCols; col0 += kStripTiles) {
      const std::int64_t nCols = std::min(kStripTiles, outCols - col0);
      const std::int64_t stripX = request.x + col0 * kTile;  // level pixels
      const std::int64_t stripEnd = std::min(request.x + request.width, stripX + nCols * kTile);
      // Source tiles of the previous band that reach into the next one.
      std::map<TilePos, Tile> kept;
      for (std::int64_t row = 0; row < outRows; ++row) {
        if (stop.stop_requested()) return fail(Errc::Cancelled, out.string() + ": cancelled");
        const std::int64_t bandY = request.y + row * kTile;
        const std::int64_t bandEnd = std::min(request.y + request.height, bandY + kTile);
        band.assign(static_cast<std::size_t>(nCols) * tileBytes, 0);

        std::vector<TileKey> keys;
        std::vector<TilePos> positions;
        for (std::int64_t r = bandY / chunkH; r <= (bandEnd - 1) / chunkH; ++r)
          for (std::int64_t c = stripX / chunkW; c <= (stripEnd - 1) / chunkW; ++c)
            if (!kept.contains({r, c})) {
              keys.push_back({request.level, request.t, channels[p], request.z, r, c});
              positions.push_back({r, c});
            }
        auto tiles = readTiles(source, keys, executor, stop);
        if (!tiles) return std::unexpected(tiles.error());
        result.tilesRead += static_cast<std::int64_t>(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i)
          kept.emplace(positions[i], std::move((*tiles)[i]));

        for (const auto& [pos, tile] : kept) {
          const std::int64_t tx = pos.col * chunkW, ty = pos.row * chunkH;
          const std::int64_t expectW = std::min(chunkW, level.shape[kX] - tx);
          const std::int64_t expectH = std::min(chunkH, level.shape[kY] - ty);
          if (tile.width != expectW || tile.height != expectH || tile.dtype != info.dtype ||
              tile.data.size() != static_cast<std::size_t>(expectW * expectH) * esz)
            return fail(Errc::Corrupt, info.source + ": tile " + std::to_string(pos.row) + "," +
                                           std::to_string(pos.col) + " of level " +
                                           std::to_string(request.level) +
                                           " has the wrong size or type");
          const std::int64_t y0 = std::max(ty, bandY), y1 = std::min(ty + expectH, bandEnd);
          const std::int64_t x0 = std::max(tx, stripX), x1 = std::min(tx + expectW, stripEnd);
          for (std::int64_t y = y0; y < y1; ++y) {
            // Split the row at output tile boundaries.
            for (std::int64_t x = x0; x < x1;) {
              const std::int64_t ox = x - stripX;  // strip-relative
              const std::int64_t k = ox / kTile, inTileX = ox % kTile;
              const std::int64_t n = std::min(x1 - x, kTile - inTileX);
              std::uint8_t* dst = band.data() + static_cast<std::size_t>(k) * tileBytes +
                                  static_cast<std::size_t>((y - bandY) * kTile + inTileX) * esz;
              const std::uint8_t* src =
                  tile.data.data() + static_cast<std::size_t>((y - ty) * expectW + (x - tx)) * esz;
              std::memcpy(dst, src, static_cast<std::size_t>(n) * esz);
              x += n;
            }
          }
        }
        for (std::int64_t k = 0; k < nCols; ++k)
          if (auto w = (*writer)->writeTile(static_cast<int>(p), row, col0 + k,
                                            band.data() + static_cast<std::size_t>(k) * tileBytes);
              !w)
            return std::unexpected(w.error());
        std::erase_if(kept, [&](const auto& e) { return (e.first.row + 1) * chunkH <= bandEnd; });
        steps += 1;
        if (progress) progress(steps / totalSteps);
      }
    }
  }
  if (auto f = (*writer)->finish(); !f) return std::unexpected(f.error());
  return result;
}

}  // namespace tessera::data
