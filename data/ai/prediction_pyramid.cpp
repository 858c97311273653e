#include "data/ai/prediction_pyramid.h"

#include <opencv2/imgproc.hpp>

#include "data/ai/tiled_predict.h"
#include "data/image_open.h"
#include "data/zarr/zarr_writer.h"

namespace tessera::data::ai {

Expected<void> writePredictionPyramid(const std::filesystem::path& group, nlohmann::json attrs,
                                      const std::stop_token& stop) {
  constexpr std::int64_t kChunk = 512;
  auto& datasets = attrs["multiscales"][0]["datasets"];
  const nlohmann::json first = datasets.at(0);
  for (int level = 0;; ++level) {
    auto image = openImage(group.string());
    if (!image) return std::unexpected(image.error());
    const auto& info = (*image)->info();
    const auto& l = info.levels.at(static_cast<std::size_t>(level));
    const std::int64_t W = l.shape[kX], H = l.shape[kY], C = l.shape[kC];
    if (std::max(W, H) <= kChunk) return {};
    const std::int64_t w = (W + 1) / 2, h = (H + 1) / 2;
    ZarrWriteOptions opts;
    opts.shape = {C, h, w};
    opts.chunks = {1, kChunk, kChunk};
    opts.dtype = DType::F32;
    auto writer = ZarrWriter::create(group / std::to_string(level + 1), opts);
    if (!writer) return std::unexpected(writer.error());
    std::vector<std::uint8_t> chunk(kChunk * kChunk * sizeof(float));
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t r = 0; r * kChunk < h; ++r)
        for (std::int64_t q = 0; q * kChunk < w; ++q) {
          if (stop.stop_requested()) return fail(Errc::Cancelled, "cancelled");
          const std::int64_t x0 = 2 * q * kChunk, y0 = 2 * r * kChunk;
          const std::int64_t sw = std::min(2 * kChunk, W - x0), sh = std::min(2 * kChunk, H - y0);
          auto window = readWindow(**image, level, 0, 0, {c}, x0, y0, sw, sh, stop);
          if (!window) return std::unexpected(window.error());
          // An odd edge repeats itself, so its 2×2 mean is the mean of the pixels there are.
          cv::Mat even, half;
          cv::copyMakeBorder((*window)[0], even, 0, static_cast<int>(sh % 2), 0,
                             static_cast<int>(sw % 2), cv::BORDER_REPLICATE);
          cv::resize(even, half, {even.cols / 2, even.rows / 2}, 0, 0, cv::INTER_AREA);
          cv::Mat full(static_cast<int>(kChunk), static_cast<int>(kChunk), CV_32F, chunk.data());
          full.setTo(0);
          half.copyTo(full(cv::Rect(0, 0, half.cols, half.rows)));
          const std::int64_t idx[3] = {c, r, q};
          if (auto wr = writer->writeChunk(idx, chunk); !wr) return wr;
        }
    nlohmann::json next = first;
    next["path"] = std::to_string(level + 1);
    const double f = static_cast<double>(std::int64_t{2} << level);
    for (auto& t : next["coordinateTransformations"])
      if (t.value("type", "") == "scale")
        for (std::size_t a = 1; a < t["scale"].size(); ++a)
          t["scale"][a] = t["scale"][a].get<double>() * f;
    datasets.push_back(next);
    if (auto g = writeZarrGroup(group, attrs); !g) return g;
  }
}

}  // namespace tessera::data::ai
