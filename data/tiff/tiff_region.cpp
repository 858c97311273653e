#include "data/tiff/tiff_region.h"

#include <tiffio.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace tessera::data {
namespace {

// One decoded tile or strip may not exceed this; bigger ones mean a broken or hostile file.
constexpr std::uint64_t kMaxBlockBytes = 512ull << 20;
constexpr std::uint16_t kMaxSamples = 1024;

std::optional<DType> sampleType(std::uint16_t bits, std::uint16_t format) {
  switch (format) {
    case SAMPLEFORMAT_IEEEFP:
      return bits == 16   ? std::optional(DType::F16)
             : bits == 32 ? std::optional(DType::F32)
             : bits == 64 ? std::optional(DType::F64)
                          : std::nullopt;
    case SAMPLEFORMAT_INT:
      return bits == 8    ? std::optional(DType::I8)
             : bits == 16 ? std::optional(DType::I16)
             : bits == 32 ? std::optional(DType::I32)
             : bits == 64 ? std::optional(DType::I64)
                          : std::nullopt;
    case SAMPLEFORMAT_UINT:
    case SAMPLEFORMAT_VOID:
      return bits == 8    ? std::optional(DType::U8)
             : bits == 16 ? std::optional(DType::U16)
             : bits == 32 ? std::optional(DType::U32)
             : bits == 64 ? std::optional(DType::U64)
                          : std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

Expected<TiffDirLayout> readTiffLayout(TiffHandle& h) {
  TIFF* tif = h.tif();
  TiffDirLayout l;
  std::uint16_t format = SAMPLEFORMAT_UINT, planar = PLANARCONFIG_CONTIG;
  std::uint16_t compression = COMPRESSION_NONE, photometric = PHOTOMETRIC_MINISBLACK;
  TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l.width);
  TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l.height);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l.samplesPerPixel);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l.bitsPerSample);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PHOTOMETRIC, &photometric);
  if (l.width == 0 || l.height == 0)
    return std::unexpected(h.error(Errc::Corrupt, "image has no width or height"));
  const auto type = sampleType(l.bitsPerSample, format);
  if (!type)
    return std::unexpected(
        h.error(Errc::Unsupported, std::to_string(l.bitsPerSample) + "-bit samples of format " +
                                       std::to_string(format) + " are not supported"));
  l.dtype = *type;
  if (l.samplesPerPixel == 0 || l.samplesPerPixel > kMaxSamples)
    return std::unexpected(h.error(Errc::Unsupported, std::to_string(l.samplesPerPixel) +
                                                          " samples per pixel are not supported"));
  l.separatePlanes = planar == PLANARCONFIG_SEPARATE && l.samplesPerPixel > 1;
  l.tiled = TIFFIsTiled(tif) != 0;
  if (l.tiled) {
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &l.tileWidth);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &l.tileHeight);
    if (l.tileWidth == 0 || l.tileHeight == 0)
      return std::unexpected(h.error(Errc::Corrupt, "tiled image without a tile size"));
  } else {
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &l.rowsPerStrip);
    l.rowsPerStrip = std::clamp<std::uint32_t>(l.rowsPerStrip, 1, l.height);
  }
  // libtiff decodes JPEG YCbCr to RGB itself when asked; the sizes below then follow RGB.
  if (compression == COMPRESSION_JPEG && photometric == PHOTOMETRIC_YCBCR)
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  return l;
}

Expected<Bytes> readTiffRegion(TiffHandle& h, const TiffDirLayout& l, std::int64_t x0,
                               std::int64_t y0, std::int64_t w, std::int64_t hgt, int sample,
                               const std::stop_token& stop) {
  TIFF* tif = h.tif();
  const std::size_t es = dtypeSize(l.dtype);
  const std::size_t pixelSamples = l.separatePlanes ? 1 : l.samplesPerPixel;
  const std::size_t pixelBytes = pixelSamples * es;
  const std::size_t sampleOffset = l.separatePlanes ? 0 : static_cast<std::size_t>(sample) * es;
  const auto plane = static_cast<std::uint16_t>(l.separatePlanes ? sample : 0);
  Bytes out(static_cast<std::size_t>(w * hgt) * es);
  // The block is not zero-filled up front: libtiff writes it, and a short decode is padded
  // below. Zero-filling a block of the size a file declares (up to kMaxBlockBytes, for any
  // file) cost a page fault per 4 KiB before the first byte was read.
  std::unique_ptr<std::uint8_t[]> block;
  // Pads what a codec left undecoded (a truncated tile) so that no stale bytes reach pixels.
  auto padShortDecode = [&](tmsize_t got, std::uint64_t want) {
    if (static_cast<std::uint64_t>(got) < want)
      std::memset(block.get() + got, 0, static_cast<std::size_t>(want - got));
  };

  // Copies rows [ry0, ry1) x cols [bx0, bx0 + blockW) of a decoded block starting at (bx0, by0).
  auto copyBlock = [&](std::int64_t bx0, std::int64_t by0, std::int64_t blockW, std::int64_t ry0,
                       std::int64_t ry1) {
    const std::int64_t cx0 = std::max(x0, bx0), cx1 = std::min(x0 + w, bx0 + blockW);
    if (cx1 <= cx0) return;
    for (std::int64_t y = ry0; y < ry1; ++y) {
      const std::uint8_t* src =
          block.get() + static_cast<std::size_t>((y - by0) * blockW + (cx0 - bx0)) * pixelBytes +
          sampleOffset;
      std::uint8_t* dst = out.data() + static_cast<std::size_t>((y - y0) * w + (cx0 - x0)) * es;
      if (pixelSamples == 1) {
        std::memcpy(dst, src, static_cast<std::size_t>(cx1 - cx0) * es);
      } else {
        for (std::int64_t x = cx0; x < cx1; ++x, src += pixelBytes, dst += es)
          std::memcpy(dst, src, es);
      }
    }
  };

  if (l.tiled) {
    const std::uint64_t tileBytes = static_cast<std::uint64_t>(TIFFTileSize64(tif));
    if (tileBytes == 0 || tileBytes > kMaxBlockBytes)
      return std::unexpected(h.error(Errc::Unsupported, "tile size out of range"));
    const std::uint64_t expect = std::uint64_t{l.tileWidth} * l.tileHeight * pixelBytes;
    if (tileBytes < expect) return std::unexpected(h.error(Errc::Corrupt, "tile size mismatch"));
    block.reset(new std::uint8_t[tileBytes]);
    const std::int64_t tw = l.tileWidth, th = l.tileHeight;
    for (std::int64_t ty = y0 / th * th; ty < y0 + hgt; ty += th) {
      for (std::int64_t tx = x0 / tw * tw; tx < x0 + w; tx += tw) {
        if (stop.stop_requested()) return fail(Errc::Cancelled, h.name() + ": read cancelled");
        const std::uint32_t index = TIFFComputeTile(tif, static_cast<std::uint32_t>(tx),
                                                    static_cast<std::uint32_t>(ty), 0, plane);
        const tmsize_t got =
            TIFFReadEncodedTile(tif, index, block.get(), static_cast<tmsize_t>(tileBytes));
        if (got < 0)
          return std::unexpected(
              h.error(Errc::Corrupt, "cannot decode tile " + std::to_string(index)));
        padShortDecode(got, tileBytes);
        copyBlock(tx, ty, tw, std::max(y0, ty), std::min(y0 + hgt, ty + th));
      }
    }
    return out;
  }

  const std::int64_t rps = l.rowsPerStrip;
  // In floating point first: width * rows * bytes can overflow 64 bits in a hostile file.
  if (static_cast<double>(l.width) * static_cast<double>(rps) * static_cast<double>(pixelBytes) >
      static_cast<double>(kMaxBlockBytes))
    return std::unexpected(h.error(Errc::Unsupported, "strip size out of range"));
  const std::uint64_t stripBytes =
      std::uint64_t{l.width} * static_cast<std::uint64_t>(rps) * pixelBytes;
  if (stripBytes == 0)
    return std::unexpected(h.error(Errc::Unsupported, "strip size out of range"));
  block.reset(new std::uint8_t[stripBytes]);
  for (std::int64_t sy = y0 / rps * rps; sy < y0 + hgt; sy += rps) {
    if (stop.stop_requested()) return fail(Errc::Cancelled, h.name() + ": read cancelled");
    const std::uint32_t index = TIFFComputeStrip(tif, static_cast<std::uint32_t>(sy), plane);
    const std::int64_t rows = std::min<std::int64_t>(rps, l.height - sy);
    const auto want =
        static_cast<tmsize_t>(static_cast<std::uint64_t>(rows) * l.width * pixelBytes);
    const tmsize_t got = TIFFReadEncodedStrip(tif, index, block.get(), want);
    if (got < 0)
      return std::unexpected(
          h.error(Errc::Corrupt, "cannot decode strip " + std::to_string(index)));
    padShortDecode(got, static_cast<std::uint64_t>(want));
    copyBlock(0, sy, l.width, std::max(y0, sy), std::min(y0 + hgt, sy + rows));
  }
  return out;
}

}  // namespace tessera::data
