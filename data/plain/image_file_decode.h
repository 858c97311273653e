#pragma once
/// Whole-file decoding of PNG, JPEG and BMP into an interleaved cv::Mat, through libpng and
/// libjpeg directly and a BMP reader of our own.
///
/// Why not OpenCV's imgcodecs: Debian builds it against GDAL and GDCM, which bring about 100
/// shared libraries into every process that links it. Loading them cost every `tessera`
/// command about 130 ms of start-up (0.20 s of 0.21 s for `tessera --help`), more than a whole
/// `tessera fetch` of a small tree takes. imgcodecs itself decodes these formats with the same
/// libpng and libjpeg.
#include <opencv2/core.hpp>
#include <string>

#include "data/error.h"

namespace tessera::data {

/// Decodes `path` (kind "png", "jpeg" or "bmp", as plainImageKind names it) as
/// `cv::imread(path, IMREAD_UNCHANGED)` would, except that colour comes in R, G, B(, A) order
/// rather than OpenCV's BGR. Samples stay 8- or 16-bit; grey (+ alpha) stays one (two)
/// channel(s); palettes are expanded (to grey when every entry is grey). PNG 16-bit keeps its
/// values (no gamma transform). Errors name the file: Corrupt for a damaged or truncated file,
/// Unsupported for a variant not read (CMYK JPEG, compressed BMP) or an image too large to hold.
Expected<cv::Mat> decodeImageFile(const std::string& path, const std::string& kind);

}  // namespace tessera::data
