#include "render/figure_writer.h"

#include <png.h>
#include <tiffio.h>

#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <filesystem>

namespace tessera::render {
namespace {

std::string lowerExtension(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  for (auto& c : ext)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

class PngWriter final : public FigureWriter {
 public:
  PngWriter(std::string path, int width) : path_(std::move(path)), width_(width) {}
  ~PngWriter() override {
    if (png_) png_destroy_write_struct(&png_, &info_);
    if (file_) std::fclose(file_);
  }
  data::Expected<void> start(int height, double dpi) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) return data::fail(data::Errc::Io, path_ + ": cannot create the file");
    png_ = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    info_ = png_ ? png_create_info_struct(png_) : nullptr;
    if (!info_) return data::fail(data::Errc::Io, path_ + ": libpng could not start");
    if (setjmp(png_jmpbuf(png_)))
      return data::fail(data::Errc::Io, path_ + ": could not write PNG");
    png_init_io(png_, file_);
    png_set_IHDR(png_, info_, static_cast<png_uint_32>(width_), static_cast<png_uint_32>(height), 8,
                 PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (dpi > 0) {
      const auto ppm = static_cast<png_uint_32>(std::lround(dpi / 0.0254));
      png_set_pHYs(png_, info_, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png_, info_);
    return {};
  }
  data::Expected<void> writeRows(const std::uint8_t* rgb, int rows) override {
    if (setjmp(png_jmpbuf(png_)))
      return data::fail(data::Errc::Io, path_ + ": could not write PNG");
    for (int y = 0; y < rows; ++y)
      png_write_row(png_, rgb + static_cast<std::size_t>(y) * width_ * 3);
    return {};
  }
  data::Expected<void> finish() override {
    if (setjmp(png_jmpbuf(png_)))
      return data::fail(data::Errc::Io, path_ + ": could not write PNG");
    png_write_end(png_, nullptr);
    png_destroy_write_struct(&png_, &info_);
    png_ = nullptr;
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) return data::fail(data::Errc::Io, path_ + ": could not write PNG");
    return {};
  }

 private:
  std::string path_;
  int width_;
  std::FILE* file_ = nullptr;
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

class TiffWriter final : public FigureWriter {
 public:
  TiffWriter(std::string path, int width) : path_(std::move(path)), width_(width) {}
  ~TiffWriter() override {
    if (tif_) TIFFClose(tif_);
  }
  data::Expected<void> start(int height, double dpi) {
    // BigTIFF ("w8") only when the pixels alone near 4 GiB.
    const bool big = static_cast<double>(width_) * height * 3 > 3.9e9;
    tif_ = TIFFOpen(path_.c_str(), big ? "w8" : "w");
    if (!tif_) return data::fail(data::Errc::Io, path_ + ": cannot create the file");
    TIFFSetField(tif_, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(width_));
    TIFFSetField(tif_, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(height));
    TIFFSetField(tif_, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(tif_, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tif_, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tif_, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tif_, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif_, TIFFTAG_ROWSPERSTRIP, 16);
    if (dpi > 0) {
      TIFFSetField(tif_, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
      TIFFSetField(tif_, TIFFTAG_XRESOLUTION, static_cast<float>(dpi));
      TIFFSetField(tif_, TIFFTAG_YRESOLUTION, static_cast<float>(dpi));
    }
    return {};
  }
  data::Expected<void> writeRows(const std::uint8_t* rgb, int rows) override {
    for (int y = 0; y < rows; ++y) {
      auto* row = const_cast<std::uint8_t*>(rgb + static_cast<std::size_t>(y) * width_ * 3);
      if (TIFFWriteScanline(tif_, row, static_cast<std::uint32_t>(row_++), 0) < 0)
        return data::fail(data::Errc::Io, path_ + ": could not write TIFF");
    }
    return {};
  }
  data::Expected<void> finish() override {
    TIFFClose(tif_);
    tif_ = nullptr;
    return {};
  }

 private:
  std::string path_;
  int width_;
  int row_ = 0;
  TIFF* tif_ = nullptr;
};

}  // namespace

data::Expected<std::unique_ptr<FigureWriter>> FigureWriter::open(const std::string& path, int width,
                                                                 int height, double dpi) {
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    return data::fail(data::Errc::NotFound, path + ": folder does not exist");
  const auto ext = lowerExtension(path);
  if (ext == ".png") {
    auto w = std::make_unique<PngWriter>(path, width);
    if (auto s = w->start(height, dpi); !s) return std::unexpected(s.error());
    return w;
  }
  if (ext == ".tif" || ext == ".tiff") {
    auto w = std::make_unique<TiffWriter>(path, width);
    if (auto s = w->start(height, dpi); !s) return std::unexpected(s.error());
    return w;
  }
  return data::fail(data::Errc::InvalidArgument,
                    path + ": unknown figure format (use .png, .tif or .tiff)");
}

}  // namespace tessera::render
