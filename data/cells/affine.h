#pragma once
/// 2D affines from dataset coordinates (µm, full-resolution pixels, ...) to image pixels, how
/// each format's metadata yields one, and landmark fitting.
/// Values and pure functions; thread-safe. Errors name the source (file/key) and the field.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/error.h"

namespace tessera::data {

/// x' = a x + b y + c, y' = d x + e y + f (the first two rows of a 3x3 homogeneous matrix).
struct Affine2D {
  double a = 1, b = 0, c = 0;
  double d = 0, e = 1, f = 0;

  static Affine2D identity() { return {}; }
  static Affine2D scale(double sx, double sy) { return {sx, 0, 0, 0, sy, 0}; }
  static Affine2D translation(double tx, double ty) { return {1, 0, tx, 0, 1, ty}; }

  double mapX(double x, double y) const { return a * x + b * y + c; }
  double mapY(double x, double y) const { return d * x + e * y + f; }
  /// `this` after `first`: (this ∘ first)(p) = this(first(p)).
  Affine2D after(const Affine2D& first) const;
  double determinant() const { return a * e - b * d; }
  /// nullopt when the matrix is singular (|det| below 1e-15).
  std::optional<Affine2D> inverse() const;
  bool operator==(const Affine2D&) const = default;
};

/// [[a,b,c],[d,e,f]], the shape `tessera info` prints.
nlohmann::json affineToJson(const Affine2D& m);
/// Accepts [[a,b,c],[d,e,f]], [[a,b,c],[d,e,f],[0,0,1]] or six numbers; `what` names the source.
Expected<Affine2D> affineFromJson(const nlohmann::json& j, const std::string& what);

/// An NGFF / SpatialData coordinate transformation restricted to the (y, x) plane and composed
/// into one affine from element pixels to the output coordinate system. Types: identity, scale,
/// translation, affine (2D [[..3]x2/3] or with extra leading axes, using its x/y block), sequence
/// (applied in order) and mapAxis (x/y swap). `axes` names the input axes in order (default
/// the trailing axes are y, x). Errors name `what` and the offending type/field.
Expected<Affine2D> affineFromNgffTransform(const nlohmann::json& transform,
                                           const std::vector<std::string>& axes,
                                           const std::string& what);
/// A list of transformations applied in order (NGFF `coordinateTransformations`).
Expected<Affine2D> affineFromNgffTransforms(const nlohmann::json& transforms,
                                            const std::vector<std::string>& axes,
                                            const std::string& what);

struct LandmarkPair {
  double srcX = 0, srcY = 0;  ///< dataset coordinates
  double dstX = 0, dstY = 0;  ///< image pixels
};

struct LandmarkFit {
  Affine2D affine;
  std::vector<double> residuals;  ///< |affine(src) - dst| per pair, in image pixels
  double rms = 0;
};

/// Least-squares affine through cv::estimateAffine2D (RANSAC off: every pair counts, as a user
/// placing landmarks expects). Errc::InvalidArgument for fewer than 3 pairs or collinear points.
Expected<LandmarkFit> fitLandmarkAffine(const std::vector<LandmarkPair>& pairs);

}  // namespace tessera::data
