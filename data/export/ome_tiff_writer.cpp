#include "data/export/ome_tiff_writer.h"

#include <tiffio.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace tessera::data {

namespace fs = std::filesystem;

struct TiffWriteHandlers {
  static int onError(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    auto* w = static_cast<OmeTiffWriter*>(user);
    w->lastError_ = module && *module ? std::string(module) + ": " + buf : std::string(buf);
    return 1;
  }
  static int onWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }
};

namespace {

// Above this many bytes of pixel data a classic TIFF's 32-bit offsets may overflow (deflate can
// expand incompressible data slightly, and the IFDs and XML need room too).
constexpr std::uint64_t kClassicTiffLimit = 0xF0000000ull;

std::string xmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(ch) >= 0x20 || ch == '\t' || ch == '\n') out += ch;
    }
  }
  return out;
}

const char* omePixelType(DType t) {
  switch (t) {
    case DType::Bool:
    case DType::U8:
      return "uint8";
    case DType::I8:
      return "int8";
    case DType::U16:
      return "uint16";
    case DType::I16:
      return "int16";
    case DType::U32:
      return "uint32";
    case DType::I32:
      return "int32";
    case DType::F32:
      return "float";
    case DType::F64:
      return "double";
    default:
      return nullptr;
  }
}

std::string formatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

std::string OmeTiffWriter::omeUnitSymbol(const std::string& unit) {
  static const std::pair<const char*, const char*> kUnits[] = {{"micrometer", "\u00b5m"},
                                                               {"nanometer", "nm"},
                                                               {"millimeter", "mm"},
                                                               {"centimeter", "cm"},
                                                               {"meter", "m"},
                                                               {"angstrom", "\u00c5"},
                                                               {"picometer", "pm"},
                                                               {"kilometer", "km"},
                                                               {"decimeter", "dm"},
                                                               {"femtometer", "fm"},
                                                               {"inch", "in"},
                                                               {"foot", "ft"},
                                                               {"yard", "yd"},
                                                               {"mile", "mi"},
                                                               {"um", "\u00b5m"}};
  for (const auto& [name, symbol] : kUnits)
    if (unit == name || unit == symbol) return symbol;
  if (unit == "\u03bcm") return "\u00b5m";
  return "";
}

std::string OmeTiffWriter::omeXml(const OmeTiffImage& image) {
  const char* type = omePixelType(image.dtype);
  std::string x =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.openmicroscopy.org/Schemas/OME/2016-06 "
      "http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd\" "
      "Creator=\"Tessera " TESSERA_VERSION "\">";
  x += "<Image ID=\"Image:0\" Name=\"" + xmlEscape(image.name) + "\">";
  x += "<Pixels ID=\"Pixels:0\" DimensionOrder=\"XYCZT\" Type=\"" + std::string(type ? type : "") +
       "\" SizeX=\"" + std::to_string(image.width) + "\" SizeY=\"" + std::to_string(image.height) +
       "\" SizeC=\"" + std::to_string(image.channels.size()) +
       "\" SizeZ=\"1\" SizeT=\"1\" BigEndian=\"false\" Interleaved=\"false\"";
  const std::string symbol = omeUnitSymbol(image.unit);
  auto physical = [&](const char* axis, const std::optional<double>& v) {
    if (!v || !std::isfinite(*v) || *v <= 0 || symbol.empty()) return;
    x += std::string(" PhysicalSize") + axis + "=\"" + formatDouble(*v) + "\" PhysicalSize" + axis +
         "Unit=\"" + symbol + "\"";
  };
  physical("X", image.physicalSizeX);
  physical("Y", image.physicalSizeY);
  x += ">";
  for (std::size_t c = 0; c < image.channels.size(); ++c) {
    const auto& ch = image.channels[c];
    // OME colours are signed 32-bit RGBA.
    const auto rgba = static_cast<std::int32_t>((ch.color & 0xFFFFFFu) << 8 | 0xFFu);
    x += "<Channel ID=\"Channel:0:" + std::to_string(c) + "\" Name=\"" + xmlEscape(ch.name) +
         "\" SamplesPerPixel=\"1\" Color=\"" + std::to_string(rgba) + "\"><LightPath/></Channel>";
  }
  x += "<TiffData IFD=\"0\" PlaneCount=\"" + std::to_string(image.channels.size()) + "\"/>";
  for (std::size_t c = 0; c < image.channels.size(); ++c)
    x += "<Plane TheC=\"" + std::to_string(c) + "\" TheZ=\"0\" TheT=\"0\"/>";
  x += "</Pixels></Image></OME>";
  return x;
}

Error OmeTiffWriter::error(Errc code, const std::string& what) {
  std::string msg = path_.string() + ": " + what;
  if (!lastError_.empty()) msg += ": " + lastError_;
  lastError_.clear();
  return Error{code, std::move(msg)};
}

Expected<std::unique_ptr<OmeTiffWriter>> OmeTiffWriter::create(const fs::path& path,
                                                               const OmeTiffImage& image,
                                                               const OmeTiffOptions& options) {
  if (!omePixelType(image.dtype))
    return fail(Errc::Unsupported,
                path.string() + ": OME-TIFF has no pixel type for " + dtypeName(image.dtype));
  if (image.width < 1 || image.height < 1 || image.channels.empty())
    return fail(Errc::InvalidArgument, path.string() + ": nothing to write (empty region)");
  if (image.width > 0x7FFFFFFF || image.height > 0x7FFFFFFF)
    return fail(Errc::InvalidArgument, path.string() + ": image too large for TIFF");

  std::error_code ec;
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(parent, ec))
    return fail(Errc::InvalidArgument,
                path.string() + ": cannot write: no such directory " + parent.string());
  if (fs::is_directory(path, ec))
    return fail(Errc::InvalidArgument, path.string() + ": cannot write: is a directory");
  if (::access(parent.c_str(), W_OK) != 0)
    return fail(Errc::InvalidArgument, path.string() + ": cannot write: " + std::strerror(errno));

  std::unique_ptr<OmeTiffWriter> w(new OmeTiffWriter());
  w->image_ = image;
  w->options_ = options;
  w->path_ = path;
  w->partial_ = path;
  w->partial_ += ".partial";
  const std::uint64_t bytes = static_cast<std::uint64_t>(image.width) * image.height *
                              image.channels.size() * dtypeSize(image.dtype);
  w->bigTiff_ = options.bigTiff == BigTiffMode::Always ||
                (options.bigTiff == BigTiffMode::Auto && bytes >= kClassicTiffLimit);
  if (options.bigTiff == BigTiffMode::Never && bytes >= kClassicTiffLimit)
    return fail(Errc::InvalidArgument,
                path.string() + ": too large for a classic TIFF; BigTIFF is required");

  TIFFOpenOptions* opts = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(opts, &TiffWriteHandlers::onError, w.get());
  TIFFOpenOptionsSetWarningHandlerExtR(opts, &TiffWriteHandlers::onWarning, w.get());
  w->tif_ = TIFFOpenExt(w->partial_.c_str(), w->bigTiff_ ? "w8" : "w", opts);
  TIFFOpenOptionsFree(opts);
  if (!w->tif_) return std::unexpected(w->error(Errc::InvalidArgument, "cannot create file"));
  return w;
}

OmeTiffWriter::~OmeTiffWriter() {
  if (tif_) TIFFClose(tif_);
  if (!finished_ && !partial_.empty()) {
    std::error_code ec;
    fs::remove(partial_, ec);
  }
}

Expected<void> OmeTiffWriter::startPlane(int plane) {
  if (plane != plane_ + 1 || plane >= static_cast<int>(image_.channels.size()))
    return fail(Errc::InvalidArgument, path_.string() + ": planes must be written in order");
  if (plane_ >= 0 && !TIFFWriteDirectory(tif_))
    return std::unexpected(error(Errc::Io, "writing plane " + std::to_string(plane_)));
  plane_ = plane;
  const DType t = image_.dtype;
  const int bits = static_cast<int>(dtypeSize(t) * 8);
  const int format = dtypeIsFloat(t)    ? SAMPLEFORMAT_IEEEFP
                     : dtypeIsSigned(t) ? SAMPLEFORMAT_INT
                                        : SAMPLEFORMAT_UINT;
  TIFFSetField(tif_, TIFFTAG_SUBFILETYPE, 0);
  TIFFSetField(tif_, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(image_.width));
  TIFFSetField(tif_, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(image_.height));
  TIFFSetField(tif_, TIFFTAG_BITSPERSAMPLE, bits);
  TIFFSetField(tif_, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(tif_, TIFFTAG_SAMPLEFORMAT, format);
  TIFFSetField(tif_, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(tif_, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(tif_, TIFFTAG_TILEWIDTH, kTile);
  TIFFSetField(tif_, TIFFTAG_TILELENGTH, kTile);
  TIFFSetField(tif_, TIFFTAG_SOFTWARE, "Tessera " TESSERA_VERSION);
  if (options_.compression == TiffCompression::Deflate) {
    TIFFSetField(tif_, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif_, TIFFTAG_ZIPQUALITY, 6);
  } else {
    TIFFSetField(tif_, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
  }
  if (plane == 0) {
    const std::string xml = omeXml(image_);
    TIFFSetField(tif_, TIFFTAG_IMAGEDESCRIPTION, xml.c_str());
  }
  return {};
}

Expected<void> OmeTiffWriter::writeTile(int plane, std::int64_t tileRow, std::int64_t tileCol,
                                        const std::uint8_t* data) {
  if (finished_ || !tif_) return fail(Errc::InvalidArgument, path_.string() + ": writer closed");
  if (plane != plane_)
    if (auto s = startPlane(plane); !s) return s;
  if (tileRow < 0 || tileCol < 0 || tileRow >= tileRows() || tileCol >= tileCols())
    return fail(Errc::InvalidArgument, path_.string() + ": tile outside the image");
  const tmsize_t size = static_cast<tmsize_t>(kTile) * kTile * dtypeSize(image_.dtype);
  const std::uint32_t tile = TIFFComputeTile(tif_, static_cast<std::uint32_t>(tileCol * kTile),
                                             static_cast<std::uint32_t>(tileRow * kTile), 0, 0);
  // libtiff may modify the buffer while encoding (byte swapping, predictors); it does neither
  // here (native order, no predictor), so the caller's buffer is passed through.
  if (TIFFWriteEncodedTile(tif_, tile, const_cast<std::uint8_t*>(data), size) < 0)
    return std::unexpected(error(Errc::Io, "writing tile " + std::to_string(tileRow) + "," +
                                               std::to_string(tileCol) + " of plane " +
                                               std::to_string(plane)));
  return {};
}

Expected<void> OmeTiffWriter::finish() {
  if (finished_ || !tif_) return fail(Errc::InvalidArgument, path_.string() + ": writer closed");
  if (plane_ != static_cast<int>(image_.channels.size()) - 1)
    return fail(Errc::InvalidArgument, path_.string() + ": not every plane was written");
  if (!TIFFWriteDirectory(tif_))
    return std::unexpected(error(Errc::Io, "writing plane " + std::to_string(plane_)));
  TIFFClose(tif_);
  tif_ = nullptr;
  std::error_code ec;
  fs::rename(partial_, path_, ec);
  if (ec)
    return fail(Errc::Io, path_.string() + ": cannot rename the finished file: " + ec.message());
  finished_ = true;
  return {};
}

}  // namespace tessera::data
