#include "data/plain/image_file_decode.h"

#include <jpeglib.h>
// after jpeglib.h, which it needs
#include <jerror.h>
#include <png.h>

#include <array>
#include <bit>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

namespace tessera::data {

namespace {

// OpenCV's own default cap (CV_IO_MAX_IMAGE_PIXELS): a header can claim any size, and a plain
// image is decoded whole into memory.
constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 30;

Expected<cv::Mat> tooLarge(const std::string& path, std::uint64_t w, std::uint64_t h) {
  return fail(Errc::Unsupported, path + ": " + std::to_string(w) + " × " + std::to_string(h) +
                                     " pixels is too large to decode whole; convert it to "
                                     "OME-TIFF or OME-Zarr");
}

// ---- PNG ----------------------------------------------------------------------------------

struct PngRead {
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
  char message[256] = "";
  ~PngRead() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    if (file) std::fclose(file);
  }
};

void pngError(png_structp png, png_const_charp text) {
  auto* r = static_cast<PngRead*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof r->message, "%s", text);
  png_longjmp(png, 1);
}

// Warnings ("iCCP: known incorrect sRGB profile" and the like) do not stop a decode.
void pngWarning(png_structp, png_const_charp) {}

struct Shape {
  std::uint32_t width = 0, height = 0;
  int channels = 0, depth = 8;
};

// libpng and libjpeg report errors by longjmp back into these frames, so nothing with a
// destructor lives in them (the state is in PngRead / JpegRead, owned by the caller).
bool pngHeader(PngRead& r, Shape& s) {
  if (setjmp(png_jmpbuf(r.png))) return false;
  png_init_io(r.png, r.file);
  png_read_info(r.png, r.info);
  const int colour = png_get_color_type(r.png, r.info);
  const int depth = png_get_bit_depth(r.png, r.info);
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r.png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(r.png);
  if (png_get_valid(r.png, r.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(r.png);
  // PNG stores 16-bit samples big-endian.
  if (depth == 16 && std::endian::native == std::endian::little) png_set_swap(r.png);
  png_read_update_info(r.png, r.info);
  s.width = png_get_image_width(r.png, r.info);
  s.height = png_get_image_height(r.png, r.info);
  s.channels = png_get_channels(r.png, r.info);
  s.depth = png_get_bit_depth(r.png, r.info);
  return true;
}

bool pngRows(PngRead& r, png_bytepp rows) {
  if (setjmp(png_jmpbuf(r.png))) return false;
  png_read_image(r.png, rows);
  png_read_end(r.png, nullptr);
  return true;
}

Expected<cv::Mat> decodePng(const std::string& path) {
  PngRead r;
  r.file = std::fopen(path.c_str(), "rb");
  if (!r.file) return fail(Errc::NotFound, path + ": cannot be opened for reading");
  r.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, pngError, pngWarning);
  if (r.png) r.info = png_create_info_struct(r.png);
  if (!r.png || !r.info) return fail(Errc::Io, path + ": libpng could not start (out of memory)");
  Shape s;
  if (!pngHeader(r, s))
    return fail(Errc::Corrupt, path + ": damaged PNG header (" + r.message + ")");
  if (std::uint64_t{s.width} * s.height > kMaxPixels) return tooLarge(path, s.width, s.height);
  cv::Mat out(static_cast<int>(s.height), static_cast<int>(s.width),
              CV_MAKETYPE(s.depth == 16 ? CV_16U : CV_8U, s.channels));
  std::vector<png_bytep> rows(s.height);
  for (std::uint32_t y = 0; y < s.height; ++y)
    rows[y] = out.ptr<png_byte>(static_cast<int>(y));
  if (!pngRows(r, rows.data()))
    return fail(Errc::Corrupt, path + ": damaged or truncated PNG (" + r.message + ")");
  return out;
}

// ---- JPEG ---------------------------------------------------------------------------------

struct JpegRead {
  std::FILE* file = nullptr;
  jpeg_decompress_struct cinfo{};
  struct Err {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    bool truncated;
  } err{};
  bool created = false;
  ~JpegRead() {
    if (created) jpeg_destroy_decompress(&cinfo);
    if (file) std::fclose(file);
  }
};

void jpegErrorExit(j_common_ptr c) {
  auto* e = reinterpret_cast<JpegRead::Err*>(c->err);
  (*c->err->format_message)(c, e->message);
  std::longjmp(e->jump, 1);
}

// libjpeg only warns at a premature end of file and fills the rest with grey; a truncated
// file is reported as one. Other warnings (extraneous bytes, say) are harmless.
void jpegMessage(j_common_ptr c, int level) {
  auto* e = reinterpret_cast<JpegRead::Err*>(c->err);
  if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) e->truncated = true;
}

bool jpegHeader(JpegRead& r, Shape& s, bool& cmyk) {
  if (setjmp(r.err.jump)) return false;
  jpeg_create_decompress(&r.cinfo);
  r.created = true;
  jpeg_stdio_src(&r.cinfo, r.file);
  jpeg_read_header(&r.cinfo, TRUE);
  cmyk = r.cinfo.jpeg_color_space == JCS_CMYK || r.cinfo.jpeg_color_space == JCS_YCCK;
  if (cmyk) return true;
  r.cinfo.out_color_space = r.cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_calc_output_dimensions(&r.cinfo);
  s.width = r.cinfo.output_width;
  s.height = r.cinfo.output_height;
  s.channels = r.cinfo.output_components;
  return true;
}

bool jpegRows(JpegRead& r, cv::Mat* out) {
  if (setjmp(r.err.jump)) return false;
  jpeg_start_decompress(&r.cinfo);
  while (r.cinfo.output_scanline < r.cinfo.output_height) {
    JSAMPROW row = out->ptr<JSAMPLE>(static_cast<int>(r.cinfo.output_scanline));
    jpeg_read_scanlines(&r.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&r.cinfo);
  return true;
}

Expected<cv::Mat> decodeJpeg(const std::string& path) {
  JpegRead r;
  r.file = std::fopen(path.c_str(), "rb");
  if (!r.file) return fail(Errc::NotFound, path + ": cannot be opened for reading");
  r.cinfo.err = jpeg_std_error(&r.err.mgr);
  r.err.mgr.error_exit = jpegErrorExit;
  r.err.mgr.emit_message = jpegMessage;
  Shape s;
  bool cmyk = false;
  if (!jpegHeader(r, s, cmyk))
    return fail(Errc::Corrupt, path + ": damaged JPEG header (" + r.err.message + ")");
  if (cmyk)
    return fail(Errc::Unsupported,
                path + ": a CMYK JPEG (print colour) is not read; save it as RGB");
  if (std::uint64_t{s.width} * s.height > kMaxPixels) return tooLarge(path, s.width, s.height);
  cv::Mat out(static_cast<int>(s.height), static_cast<int>(s.width), CV_8UC(s.channels));
  if (!jpegRows(r, &out))
    return fail(Errc::Corrupt, path + ": damaged JPEG data (" + r.err.message + ")");
  if (r.err.truncated) return fail(Errc::Corrupt, path + ": truncated JPEG (the data ends early)");
  return out;
}

// ---- BMP ----------------------------------------------------------------------------------

std::uint32_t le32(const std::vector<unsigned char>& b, std::size_t at) {
  return std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 | std::uint32_t{b[at + 2]} << 16 |
         std::uint32_t{b[at + 3]} << 24;
}
std::uint16_t le16(const std::vector<unsigned char>& b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

/// One colour field of a BI_BITFIELDS pixel: where it sits and how to widen it to 8 bits.
struct Field {
  std::uint32_t mask = 0;
  int shift = 0, bits = 0;
  explicit Field(std::uint32_t m = 0) : mask(m) {
    if (!m) return;
    shift = std::countr_zero(m);
    bits = std::popcount(m);
  }
  unsigned char get(std::uint32_t px) const {
    if (!bits) return 0;
    const std::uint32_t v = (px & mask) >> shift;
    if (bits >= 8) return static_cast<unsigned char>(v >> (bits - 8));
    // Replicate the high bits into the low ones: 5-bit 31 becomes 255, not 248.
    std::uint32_t w = v << (8 - bits);
    for (int have = bits; have < 8; have += bits)
      w |= w >> bits;
    return static_cast<unsigned char>(w & 0xFF);
  }
};

Expected<cv::Mat> decodeBmp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::NotFound, path + ": cannot be opened for reading");
  const std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
  auto corrupt = [&](const std::string& what) {
    return fail(Errc::Corrupt, path + ": damaged BMP (" + what + ")");
  };
  if (b.size() < 26) return corrupt("the header is cut short");
  const std::uint32_t offset = le32(b, 10), dib = le32(b, 14);
  if (dib != 12 && dib < 40) return corrupt("unknown header size " + std::to_string(dib));
  if (14 + std::uint64_t{dib} > b.size()) return corrupt("the header is cut short");
  std::int64_t width = 0, height = 0;
  int bpp = 0;
  std::uint32_t compression = 0, colours = 0;
  std::array<std::uint32_t, 4> masks{};
  if (dib == 12) {
    width = le16(b, 18);
    height = static_cast<std::int16_t>(le16(b, 20));
    bpp = le16(b, 24);
  } else {
    width = static_cast<std::int32_t>(le32(b, 18));
    height = static_cast<std::int32_t>(le32(b, 22));
    bpp = le16(b, 28);
    compression = le32(b, 30);
    colours = le32(b, 46);
    // BITFIELDS masks follow a 40-byte header, or are part of a V2+ (52+ byte) one.
    const std::size_t maskAt = 54;
    const int nmasks = compression == 6 ? 4 : 3;
    if ((compression == 3 || compression == 6 || dib >= 52) &&
        maskAt + 4u * static_cast<std::size_t>(nmasks) <= b.size())
      for (int i = 0; i < nmasks; ++i)
        masks[static_cast<std::size_t>(i)] = le32(b, maskAt + 4u * static_cast<std::size_t>(i));
    if (dib >= 56 && maskAt + 16 <= b.size()) masks[3] = le32(b, maskAt + 12);
  }
  if (compression == 1 || compression == 2 || compression == 4 || compression == 5)
    return fail(Errc::Unsupported, path +
                                       ": a compressed BMP (RLE, JPEG or PNG inside) is not "
                                       "read; save it uncompressed or as PNG");
  if (compression != 0 && compression != 3 && compression != 6)
    return corrupt("unknown compression " + std::to_string(compression));
  const bool topDown = height < 0;
  height = std::abs(height);
  if (width <= 0 || height <= 0) return corrupt("the image has no pixels");
  if (static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > kMaxPixels)
    return tooLarge(path, static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height));
  if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
    return corrupt(std::to_string(bpp) + " bits per pixel");

  // Palette: after the header (and a 40-byte header's masks), BGR0 quads (BGR triples in the
  // 12-byte OS/2 header).
  std::vector<std::array<unsigned char, 3>> palette;
  bool greyPalette = true;
  if (bpp <= 8) {
    const std::size_t entry = dib == 12 ? 3 : 4;
    std::size_t at = 14 + dib + (dib == 40 && compression == 3 ? 12 : 0);
    const std::size_t n = colours ? colours : std::size_t{1} << bpp;
    if (n > 256 || at + n * entry > b.size()) return corrupt("the palette is cut short");
    for (std::size_t i = 0; i < n; ++i, at += entry) {
      palette.push_back({b[at + 2], b[at + 1], b[at]});
      greyPalette = greyPalette && b[at] == b[at + 1] && b[at + 1] == b[at + 2];
    }
  }
  const std::uint64_t stride = (static_cast<std::uint64_t>(width) * bpp + 31) / 32 * 4;
  if (offset > b.size() || stride * static_cast<std::uint64_t>(height) > b.size() - offset)
    return corrupt("the pixel data is cut short");

  if (bpp == 16 && compression == 0) masks = {0x7C00, 0x03E0, 0x001F, 0};
  if (bpp == 32 && compression == 0) masks = {0x00FF0000, 0x0000FF00, 0x000000FF, 0};
  const bool alpha = (bpp == 32 || bpp == 16) && masks[3] != 0;
  const int channels = bpp <= 8 ? (greyPalette ? 1 : 3) : (alpha ? 4 : 3);
  const int w = static_cast<int>(width), h = static_cast<int>(height);
  cv::Mat out(h, w, CV_8UC(channels));
  const Field fr(masks[0]), fg(masks[1]), fb(masks[2]), fa(masks[3]);
  for (int y = 0; y < h; ++y) {
    const unsigned char* row =
        b.data() + offset + stride * static_cast<std::uint64_t>(topDown ? y : h - 1 - y);
    unsigned char* o = out.ptr<unsigned char>(y);
    for (int x = 0; x < w; ++x, o += channels) {
      if (bpp <= 8) {
        const int perByte = 8 / bpp;
        const unsigned shift = static_cast<unsigned>(8 - bpp * (1 + x % perByte));
        const std::size_t i = (row[x / perByte] >> shift) & ((1u << bpp) - 1);
        if (i >= palette.size())
          return corrupt("a pixel names colour " + std::to_string(i) + " of a " +
                         std::to_string(palette.size()) + "-colour palette");
        o[0] = palette[i][0];
        if (channels == 3) o[1] = palette[i][1], o[2] = palette[i][2];
      } else if (bpp == 24) {
        const unsigned char* p = row + 3 * x;
        o[0] = p[2], o[1] = p[1], o[2] = p[0];
      } else {
        const unsigned char* p = row + (bpp / 8) * x;
        const std::uint32_t px = bpp == 16
                                     ? std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8
                                     : std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                           std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
        o[0] = fr.get(px), o[1] = fg.get(px), o[2] = fb.get(px);
        if (alpha) o[3] = fa.get(px);
      }
    }
  }
  return out;
}

}  // namespace

Expected<cv::Mat> decodeImageFile(const std::string& path, const std::string& kind) {
  if (kind == "png") return decodePng(path);
  if (kind == "jpeg") return decodeJpeg(path);
  if (kind == "bmp") return decodeBmp(path);
  return fail(Errc::Unsupported, path + ": not a PNG, JPEG or BMP file");
}

}  // namespace tessera::data
