#include "data/ai/instance_cells.h"

#include <opencv2/imgproc.hpp>

#include <cmath>
#include <map>

namespace tessera::data::ai {

Expected<cv::Mat> watershedLabels(const cv::Mat& foreground, const cv::Mat* boundary,
                                  const InstanceOptions& o) {
  if (foreground.empty() || foreground.type() != CV_32F)
    return fail(Errc::InvalidArgument, "watershed: the foreground map must be a float image");
  if (boundary && (boundary->size() != foreground.size() || boundary->type() != CV_32F))
    return fail(Errc::InvalidArgument,
                "watershed: the boundary map must be a float image of the foreground's size");
  const cv::Mat fg = foreground > o.threshold;  // 0 / 255
  // OpenCV's watershed floods by the difference between neighbouring pixels, so the relief is
  // flat inside the foreground (boundary probability when given) and high outside: seeds grow
  // over their foreground first and meet each other half way (or on the boundary map). The
  // background marker starts one pixel out, so the watershed line (-1) falls outside cells.
  cv::Mat seeds, relief(fg.size(), CV_8U, cv::Scalar(255));
  if (boundary) {
    seeds = fg & (*boundary < o.boundaryThreshold);
    cv::erode(seeds, seeds, cv::Mat());
    cv::Mat inside;
    boundary->convertTo(inside, CV_8U, 127.0);
    inside.copyTo(relief, fg);
  } else {
    cv::Mat dist, peaks;
    cv::distanceTransform(fg, dist, cv::DIST_L2, cv::DIST_MASK_5);
    const int k = 2 * static_cast<int>(std::ceil(o.minSeedDistance)) + 1;
    cv::dilate(dist, peaks, cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
    seeds = (dist >= peaks) & (dist >= o.minSeedDistance);
    relief.setTo(0, fg);
  }
  cv::Mat markers, grown;
  const int n = cv::connectedComponents(seeds, markers, 8, CV_32S);
  cv::dilate(fg, grown, cv::Mat());
  markers.setTo(n, grown == 0);  // the background is one more basin, kept out of the cells
  cv::Mat relief3;
  cv::cvtColor(relief, relief3, cv::COLOR_GRAY2BGR);
  cv::watershed(relief3, markers);
  // Watershed lines (-1) that fall on foreground pixels go to a neighbouring cell, so a cell
  // keeps its whole foreground (the lines between touching cells stay 1 px wide).
  for (int y = 0; y < markers.rows; ++y) {
    int* m = markers.ptr<int>(y);
    const std::uint8_t* f = fg.ptr<std::uint8_t>(y);
    for (int x = 0; x < markers.cols; ++x) {
      if (m[x] != -1 || !f[x]) continue;
      const int nb[4] = {x > 0 ? m[x - 1] : 0, x + 1 < markers.cols ? m[x + 1] : 0,
                         y > 0 ? markers.ptr<int>(y - 1)[x] : 0,
                         y + 1 < markers.rows ? markers.ptr<int>(y + 1)[x] : 0};
      int cell = 0;
      for (int v : nb)
        if (v > 0 && v < n && (cell == 0 || cell == v))
          cell = cell == 0 ? v : cell;
        else if (v > 0 && v < n && v != cell)
          cell = -2;  // between two cells: keep the line
      if (cell > 0) m[x] = cell;
    }
  }
  // Count, drop small regions, renumber in raster order.
  std::vector<std::int64_t> area(static_cast<std::size_t>(n) + 1, 0);
  for (int y = 0; y < markers.rows; ++y) {
    const int* m = markers.ptr<int>(y);
    for (int x = 0; x < markers.cols; ++x)
      if (m[x] > 0 && m[x] < n) ++area[static_cast<std::size_t>(m[x])];
  }
  std::vector<int> renumber(static_cast<std::size_t>(n) + 1, -1);
  int next = 0;
  cv::Mat labels(markers.size(), CV_32S);
  for (int y = 0; y < markers.rows; ++y) {
    const int* m = markers.ptr<int>(y);
    int* l = labels.ptr<int>(y);
    for (int x = 0; x < markers.cols; ++x) {
      const int v = m[x];
      if (v <= 0 || v >= n || area[static_cast<std::size_t>(v)] < o.minArea) {
        l[x] = 0;
        continue;
      }
      int& r = renumber[static_cast<std::size_t>(v)];
      if (r < 0) r = ++next;
      l[x] = r;
    }
  }
  return labels;
}

Expected<CellTable> cellTableFromLabels(const cv::Mat& labels, const Planes& intensities,
                                        const std::vector<std::string>& channelNames,
                                        const LabelGeometry& g, const std::string& location) {
  if (labels.type() != CV_32S)
    return fail(Errc::InvalidArgument, location + ": labels must be 32-bit integers");
  if (channelNames.size() != intensities.size())
    return fail(Errc::InvalidArgument, location + ": one channel name per intensity plane");
  for (const auto& p : intensities)
    if (p.size() != labels.size() || p.type() != CV_32F)
      return fail(Errc::InvalidArgument,
                  location + ": intensity planes must be float images of the labels' size");
  struct Acc {
    double n = 0, sx = 0, sy = 0;
    std::vector<double> sum;
  };
  std::map<int, Acc> cells;
  const std::size_t C = intensities.size();
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      if (l[x] <= 0) continue;
      Acc& a = cells[l[x]];
      if (a.sum.empty()) a.sum.assign(C, 0.0);
      a.n += 1;
      a.sx += x + 0.5;
      a.sy += y + 0.5;
      for (std::size_t c = 0; c < C; ++c)
        a.sum[c] += intensities[c].ptr<float>(y)[x];
    }
  }
  CellTable t;
  t.location = location;
  t.format = "segmentation";
  t.spatialUnit = "pixel";
  t.affineSource = "segmentation centroids in level-0 pixels";
  CellColumn label;
  label.name = "label";
  label.kind = CellColumnKind::Numeric;
  CellColumn area;
  area.name = "area";
  area.kind = CellColumnKind::Numeric;
  const auto n = static_cast<std::int64_t>(cells.size());
  // Dense cells × channels as CSC: column c holds every cell's mean of channel c.
  std::vector<std::int64_t> indptr(C + 1, 0);
  std::vector<std::int32_t> indices;
  std::vector<float> values(static_cast<std::size_t>(n) * C);
  std::int64_t i = 0;
  for (const auto& [id, a] : cells) {
    t.cellIds.push_back("cell_" + std::to_string(id));
    t.x.push_back(a.sx / a.n * g.scale + g.originX);
    t.y.push_back(a.sy / a.n * g.scale + g.originY);
    label.numbers.push_back(id);
    area.numbers.push_back(a.n * g.scale * g.scale);
    for (std::size_t c = 0; c < C; ++c)
      values[c * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)] =
          static_cast<float>(a.sum[c] / a.n);
    ++i;
  }
  for (std::size_t c = 0; c < C; ++c) {
    indptr[c + 1] = static_cast<std::int64_t>(c + 1) * n;
    for (std::int64_t r = 0; r < n; ++r)
      indices.push_back(static_cast<std::int32_t>(r));
  }
  t.obs.push_back(std::move(label));
  t.obs.push_back(std::move(area));
  t.geneNames = makeUniqueNames(channelNames);
  t.genes =
      std::make_shared<CscGeneSource>(n, std::move(indptr), std::move(indices), std::move(values));
  if (auto ok = validateCellTable(t); !ok) return std::unexpected(ok.error());
  return t;
}

}  // namespace tessera::data::ai
