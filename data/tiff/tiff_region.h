#pragma once
/// Reading a y/x box of one sample out of the current directory of a TiffHandle, from tiles or
/// strips alike (a stripped file is thereby served as a virtual tile grid). The caller holds
/// the handle exclusively. Output is native-endian (libtiff byte-swaps as it decodes).
#include <cstdint>
#include <optional>
#include <stop_token>

#include "data/dtype.h"
#include "data/error.h"
#include "data/store.h"
#include "data/tiff/tiff_handle.h"

namespace tessera::data {

struct TiffDirLayout {
  std::uint32_t width = 0, height = 0;
  std::uint16_t samplesPerPixel = 1, bitsPerSample = 8;
  bool separatePlanes = false;
  bool tiled = false;
  std::uint32_t tileWidth = 0, tileHeight = 0;  ///< tiled only
  std::uint32_t rowsPerStrip = 0;               ///< stripped only
  DType dtype = DType::U8;
};

/// Layout of the current directory; Unsupported for sample formats Tessera cannot show
/// (1-bit, 12-bit, complex). Also asks libtiff to convert JPEG YCbCr to RGB.
Expected<TiffDirLayout> readTiffLayout(TiffHandle& h);

/// Row-major `w`×`h` elements of `sample` starting at (x0, y0); Errc::Cancelled if `stop` is
/// requested between decodes.
Expected<Bytes> readTiffRegion(TiffHandle& h, const TiffDirLayout& layout, std::int64_t x0,
                               std::int64_t y0, std::int64_t w, std::int64_t hgt, int sample,
                               const std::stop_token& stop);

}  // namespace tessera::data
