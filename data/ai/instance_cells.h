#pragma once
/// Instance segmentation from a model's probability maps, and the cells it finds as a cell
/// table the linked views use like any other.
///
/// watershedLabels: foreground = probability > threshold. Seeds are the foreground away from
/// boundaries when a boundary map is given (boundary < boundaryThreshold), else the peaks of
/// the foreground's distance transform at least minSeedDistance from the background; OpenCV's
/// watershed then grows the seeds over the foreground (on the boundary map, or on the inverted
/// distance). Regions smaller than minArea are dropped; labels are renumbered 1..n in raster
/// order of their first pixel. Works on one region in memory (CV_32F in, CV_32S out).
///
/// cellTableFromLabels: one cell per label with its centroid and area and the mean of every
/// intensity plane inside it. The means become the table's genes (named after the channels), so
/// colour-by, lasso and markers work on intensities; obs holds `label` and `area` (level-0
/// pixels²). Coordinates are level-0 pixels: (x * scale + originX, y * scale + originY).
/// Pure functions; thread-safe.
#include <string>
#include <vector>

#include "data/ai/onnx_model.h"
#include "data/cells/cell_table.h"

namespace tessera::data::ai {

struct InstanceOptions {
  double threshold = 0.5;
  double boundaryThreshold = 0.5;
  double minSeedDistance = 2.0;
  int minArea = 8;
};

Expected<cv::Mat> watershedLabels(const cv::Mat& foreground, const cv::Mat* boundary,
                                  const InstanceOptions& options = {});

struct LabelGeometry {
  double originX = 0, originY = 0;  ///< level-0 pixel of the labels' (0, 0)
  double scale = 1;                 ///< level-0 pixels per label pixel
};

/// `intensities` are planes of the labels' size; `channelNames` one per plane.
Expected<CellTable> cellTableFromLabels(const cv::Mat& labels, const Planes& intensities,
                                        const std::vector<std::string>& channelNames,
                                        const LabelGeometry& geometry, const std::string& location);

}  // namespace tessera::data::ai
