#include "data/cells/affine.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include "data/json_number.h"

namespace tessera::data {
namespace {

using nlohmann::json;

// Index of x and y among `axes`; the trailing two when the names do not say.
std::pair<std::size_t, std::size_t> xyIndex(const std::vector<std::string>& axes, std::size_t n) {
  std::size_t xi = n >= 1 ? n - 1 : 0, yi = n >= 2 ? n - 2 : 0;
  for (std::size_t i = 0; i < axes.size() && i < n; ++i) {
    if (axes[i] == "x") xi = i;
    if (axes[i] == "y") yi = i;
  }
  return {xi, yi};
}

Expected<std::vector<double>> numbers(const json& j, const std::string& what,
                                      const std::string& field) {
  if (!j.is_array()) return fail(Errc::Corrupt, what + ": " + field + " must be a list of numbers");
  std::vector<double> v;
  for (const auto& x : j) {
    if (!x.is_number()) return fail(Errc::Corrupt, what + ": " + field + " must hold numbers");
    v.push_back(x.get<double>());
  }
  return v;
}

std::vector<std::string> inputAxes(const json& t, const std::vector<std::string>& fallback) {
  if (t.contains("input") && t["input"].is_object() && t["input"].contains("axes")) {
    std::vector<std::string> axes;
    for (const auto& a : t["input"]["axes"])
      axes.push_back(a.is_string() ? a.get<std::string>() : jsonStringOr(a, "name"));
    return axes;
  }
  return fallback;
}

}  // namespace

Affine2D Affine2D::after(const Affine2D& p) const {
  return {a * p.a + b * p.d, a * p.b + b * p.e, a * p.c + b * p.f + c,
          d * p.a + e * p.d, d * p.b + e * p.e, d * p.c + e * p.f + f};
}

std::optional<Affine2D> Affine2D::inverse() const {
  const double det = determinant();
  if (std::abs(det) < 1e-15) return std::nullopt;
  const double ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return Affine2D{ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)};
}

json affineToJson(const Affine2D& m) {
  return json::array({json::array({m.a, m.b, m.c}), json::array({m.d, m.e, m.f})});
}

Expected<Affine2D> affineFromJson(const json& j, const std::string& what) {
  std::vector<double> v;
  if (j.is_array() && (j.size() == 2 || j.size() == 3) && j[0].is_array()) {
    for (std::size_t r = 0; r < 2; ++r) {
      if (!j[r].is_array() || j[r].size() != 3)
        return fail(Errc::Corrupt, what + ": affine rows must have 3 numbers");
      for (const auto& x : j[r]) {
        if (!x.is_number()) return fail(Errc::Corrupt, what + ": affine holds a non-number");
        v.push_back(x.get<double>());
      }
    }
  } else if (j.is_array() && j.size() == 6) {
    auto n = numbers(j, what, "affine");
    if (!n) return std::unexpected(n.error());
    v = *n;
  } else {
    return fail(Errc::Corrupt, what + ": affine must be [[a,b,c],[d,e,f]]");
  }
  for (double x : v)
    if (!std::isfinite(x)) return fail(Errc::Corrupt, what + ": affine holds a non-finite number");
  return Affine2D{v[0], v[1], v[2], v[3], v[4], v[5]};
}

Expected<Affine2D> affineFromNgffTransform(const json& t, const std::vector<std::string>& axes0,
                                           const std::string& what) {
  if (!t.is_object() || !t.contains("type") || !t["type"].is_string())
    return fail(Errc::Corrupt, what + ": a coordinate transformation has no \"type\"");
  const std::string type = t["type"];
  const std::vector<std::string> axes = inputAxes(t, axes0);
  if (type == "identity") return Affine2D::identity();
  if (type == "scale" || type == "translation") {
    if (t.contains("path"))
      return fail(Errc::Unsupported, what + ": " + type + " stored at a path is not supported");
    auto v = numbers(t.value(type, json()), what, type);
    if (!v) return std::unexpected(v.error());
    if (v->size() < 2) return fail(Errc::Corrupt, what + ": " + type + " needs at least 2 values");
    auto [xi, yi] = xyIndex(axes, v->size());
    if (type == "scale") return Affine2D::scale((*v)[xi], (*v)[yi]);
    return Affine2D::translation((*v)[xi], (*v)[yi]);
  }
  if (type == "affine") {
    const json& m = t.value("affine", json());
    if (!m.is_array() || m.size() < 2 || !m[0].is_array())
      return fail(Errc::Corrupt, what + ": affine must be a matrix (list of rows)");
    const std::size_t cols = m[0].size();
    if (cols < 3) return fail(Errc::Corrupt, what + ": affine rows need at least 3 entries");
    const std::size_t nIn = cols - 1;
    const std::size_t nOut = m.size() == nIn + 1 ? nIn : m.size();
    auto [xi, yi] = xyIndex(axes, nIn);
    auto [xo, yo] = xyIndex(axes, nOut);
    auto row = [&](std::size_t r) -> Expected<std::vector<double>> {
      if (r >= m.size() || !m[r].is_array() || m[r].size() != cols)
        return fail(Errc::Corrupt, what + ": affine rows differ in length");
      return numbers(m[r], what, "affine");
    };
    auto rx = row(xo);
    if (!rx) return std::unexpected(rx.error());
    auto ry = row(yo);
    if (!ry) return std::unexpected(ry.error());
    return Affine2D{(*rx)[xi], (*rx)[yi], (*rx)[nIn], (*ry)[xi], (*ry)[yi], (*ry)[nIn]};
  }
  if (type == "sequence") {
    return affineFromNgffTransforms(t.value("transformations", json()), axes, what);
  }
  if (type == "mapAxis") {
    const json& map = t.value("mapAxis", json());
    if (!map.is_object()) return fail(Errc::Corrupt, what + ": mapAxis must be an object");
    // output axis -> input axis; only an x/y swap changes the plane.
    if (jsonStringOr(map, "x", "x") == "y" && jsonStringOr(map, "y", "y") == "x")
      return Affine2D{0, 1, 0, 1, 0, 0};
    return Affine2D::identity();
  }
  return fail(Errc::Unsupported,
              what + ": coordinate transformation type \"" + type + "\" is not supported");
}

Expected<Affine2D> affineFromNgffTransforms(const json& ts, const std::vector<std::string>& axes,
                                            const std::string& what) {
  if (ts.is_null()) return Affine2D::identity();
  if (ts.is_object()) return affineFromNgffTransform(ts, axes, what);
  if (!ts.is_array())
    return fail(Errc::Corrupt, what + ": coordinateTransformations is not a list");
  Affine2D m;
  for (const auto& t : ts) {
    auto step = affineFromNgffTransform(t, axes, what);
    if (!step) return std::unexpected(step.error());
    m = step->after(m);
  }
  return m;
}

Expected<LandmarkFit> fitLandmarkAffine(const std::vector<LandmarkPair>& pairs) {
  if (pairs.size() < 3)
    return fail(Errc::InvalidArgument,
                "landmark fit needs at least 3 pairs, got " + std::to_string(pairs.size()));
  std::vector<cv::Point2d> src, dst;
  double mx = 0, my = 0;
  for (const auto& p : pairs) {
    if (!std::isfinite(p.srcX) || !std::isfinite(p.srcY) || !std::isfinite(p.dstX) ||
        !std::isfinite(p.dstY))
      return fail(Errc::InvalidArgument, "landmark fit: a landmark has a non-finite coordinate");
    src.emplace_back(p.srcX, p.srcY);
    dst.emplace_back(p.dstX, p.dstY);
    mx += p.srcX;
    my += p.srcY;
  }
  mx /= double(pairs.size());
  my /= double(pairs.size());
  // Spread of the source points: the smaller eigenvalue of their covariance must not vanish.
  double sxx = 0, syy = 0, sxy = 0;
  for (const auto& p : pairs) {
    sxx += (p.srcX - mx) * (p.srcX - mx);
    syy += (p.srcY - my) * (p.srcY - my);
    sxy += (p.srcX - mx) * (p.srcY - my);
  }
  const double tr = sxx + syy, det = sxx * syy - sxy * sxy;
  const double minEig = tr / 2 - std::sqrt(std::max(0.0, tr * tr / 4 - det));
  if (!(minEig > 1e-12 * std::max(1.0, tr)))
    return fail(Errc::InvalidArgument, "landmark fit: the dataset landmarks are collinear");
  cv::Mat inliers;
  // A threshold no residual reaches keeps every pair an inlier, so the Levenberg-Marquardt
  // refinement that follows minimises the squared error over all of them: least squares.
  cv::Mat m = cv::estimateAffine2D(src, dst, inliers, cv::RANSAC, 1e300, 2000, 0.99, 50);
  if (m.empty() || m.rows != 2 || m.cols != 3)
    return fail(Errc::InvalidArgument, "landmark fit: OpenCV found no affine for these pairs");
  LandmarkFit fit;
  fit.affine = {m.at<double>(0, 0), m.at<double>(0, 1), m.at<double>(0, 2),
                m.at<double>(1, 0), m.at<double>(1, 1), m.at<double>(1, 2)};
  double sum = 0;
  for (const auto& p : pairs) {
    const double dx = fit.affine.mapX(p.srcX, p.srcY) - p.dstX;
    const double dy = fit.affine.mapY(p.srcX, p.srcY) - p.dstY;
    fit.residuals.push_back(std::hypot(dx, dy));
    sum += dx * dx + dy * dy;
  }
  fit.rms = std::sqrt(sum / double(pairs.size()));
  return fit;
}

}  // namespace tessera::data
