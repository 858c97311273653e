#include "data/ai/segment_region.h"

#include "data/ai/prediction_output.h"
#include "data/anndata/h5ad_writer.h"
#include "data/zarr/zarr_writer.h"

namespace tessera::data::ai {
namespace {

// Written into "<out>.partial" and renamed at the end, as predictions are.
Expected<void> writeLabels(const cv::Mat& labels, const ImageInfo& info, int level,
                           const PredictPlan& plan, const std::filesystem::path& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(out, ec))
    return fail(Errc::InvalidArgument,
                out.string() + ": already exists; remove it or choose another name");
  fs::path partial = out;
  partial += ".partial";
  fs::remove_all(partial, ec);
  constexpr std::int64_t kChunk = 512;
  ZarrWriteOptions opts;
  opts.shape = {1, labels.rows, labels.cols};
  opts.chunks = {1, kChunk, kChunk};
  opts.dtype = DType::I32;
  auto writer = ZarrWriter::create(partial / "0", opts);
  if (!writer) return std::unexpected(writer.error());
  std::vector<std::uint8_t> chunk(kChunk * kChunk * sizeof(std::int32_t));
  for (std::int64_t r = 0; r * kChunk < labels.rows; ++r)
    for (std::int64_t c = 0; c * kChunk < labels.cols; ++c) {
      cv::Mat full(static_cast<int>(kChunk), static_cast<int>(kChunk), CV_32S, chunk.data());
      full.setTo(0);
      const cv::Rect part(
          static_cast<int>(c * kChunk), static_cast<int>(r * kChunk),
          static_cast<int>(std::min<std::int64_t>(kChunk, labels.cols - c * kChunk)),
          static_cast<int>(std::min<std::int64_t>(kChunk, labels.rows - r * kChunk)));
      labels(part).copyTo(full(cv::Rect(0, 0, part.width, part.height)));
      const std::int64_t idx[3] = {0, r, c};
      if (auto w = writer->writeChunk(idx, chunk); !w) return w;
    }
  double lo = 0, hi = 0;
  cv::minMaxLoc(labels, &lo, &hi);
  auto attrs = predictionAttributes(info, level, plan, {"labels"}, {{0.0, hi}}, "labels");
  if (auto g = writeZarrGroup(partial, attrs); !g) return g;
  fs::rename(partial, out, ec);
  if (ec) {
    fs::remove_all(partial, ec);
    return fail(Errc::Io, out.string() + ": cannot move the finished labels into place");
  }
  return {};
}

}  // namespace

Expected<SegmentResult> segmentToH5ad(const TileSource& source, const PredictRequest& req,
                                      const PredictPlan& plan, const TileSource& prediction,
                                      const SegmentRequest& seg, const std::filesystem::path& out) {
  if (plan.width * plan.height > kMaxSegmentPixels)
    return fail(Errc::InvalidArgument,
                "segmenting " + std::to_string(plan.width) + "x" + std::to_string(plan.height) +
                    " pixels at once is more than Tessera holds in memory; choose a coarser "
                    "--level or a smaller --region");
  const auto& pinfo = prediction.info();
  const auto pc = pinfo.levels.at(0).shape[kC];
  for (int c : {seg.foregroundChannel, seg.boundaryChannel.value_or(0)})
    if (c < 0 || c >= pc)
      return fail(Errc::InvalidArgument, "the prediction has channels 0.." +
                                             std::to_string(pc - 1) + ", not " + std::to_string(c));
  std::vector<std::int64_t> pch{seg.foregroundChannel};
  if (seg.boundaryChannel) pch.push_back(*seg.boundaryChannel);
  auto maps = readWindow(prediction, 0, 0, 0, pch, 0, 0, plan.width, plan.height);
  if (!maps) return std::unexpected(maps.error());
  auto labels =
      watershedLabels((*maps)[0], seg.boundaryChannel ? &(*maps)[1] : nullptr, seg.options);
  if (!labels) return std::unexpected(labels.error());
  maps->clear();
  if (!seg.labelsOut.empty())
    if (auto w = writeLabels(*labels, source.info(), req.level, plan, seg.labelsOut); !w)
      return std::unexpected(w.error());

  const auto& info = source.info();
  std::vector<std::int64_t> channels;
  std::vector<std::string> names;
  for (std::int64_t c = 0; c < info.levels[0].shape[kC]; ++c) {
    channels.push_back(c);
    names.push_back(static_cast<std::size_t>(c) < info.channels.size() &&
                            !info.channels[static_cast<std::size_t>(c)].name.empty()
                        ? info.channels[static_cast<std::size_t>(c)].name
                        : "channel " + std::to_string(c));
  }
  auto intensities = readWindow(source, req.level, req.t, req.z, channels, plan.x, plan.y,
                                plan.width, plan.height);
  if (!intensities) return std::unexpected(intensities.error());
  const auto& l0 = info.levels[0];
  const auto& l = info.levels[static_cast<std::size_t>(req.level)];
  LabelGeometry g;
  g.scale = static_cast<double>(l0.shape[kX]) / static_cast<double>(l.shape[kX]);
  g.originX = static_cast<double>(plan.x) * g.scale;
  g.originY = static_cast<double>(plan.y) * g.scale;
  auto table = cellTableFromLabels(*labels, *intensities, names, g, out.string());
  if (!table) return std::unexpected(table.error());

  AnnDataWrite a;
  const auto n = table->size();
  a.obsNames = table->cellIds;
  a.varNames = table->geneNames;
  a.X.rows = n;
  a.X.cols = static_cast<std::int64_t>(names.size());
  a.X.indptr.push_back(0);
  std::vector<std::vector<float>> genes;
  for (std::size_t c = 0; c < names.size(); ++c) {
    auto v = table->genes->readGene(static_cast<std::int64_t>(c));
    if (!v) return std::unexpected(v.error());
    genes.push_back(std::move(*v));
  }
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < names.size(); ++c) {
      a.X.indices.push_back(static_cast<std::int32_t>(c));
      a.X.data.push_back(genes[c][static_cast<std::size_t>(i)]);
    }
    a.X.indptr.push_back(static_cast<std::int64_t>(a.X.data.size()));
  }
  std::vector<std::int32_t> label;
  for (double v : table->column("label")->numbers)
    label.push_back(static_cast<std::int32_t>(v));
  a.obs.emplace_back("label", std::move(label));
  a.obs.emplace_back("area", table->column("area")->numbers);
  DenseMatrix spatial{n, 2, {}};
  for (std::int64_t i = 0; i < n; ++i) {
    spatial.values.push_back(table->x[static_cast<std::size_t>(i)]);
    spatial.values.push_back(table->y[static_cast<std::size_t>(i)]);
  }
  a.obsm["spatial"] = std::move(spatial);
  if (auto w = writeH5ad(out, a); !w) return std::unexpected(w.error());
  return SegmentResult{n};
}

}  // namespace tessera::data::ai
