#pragma once
/// Writes a single-image OME-TIFF with libtiff: one tiled (512²) grey plane per channel, in
/// channel order (DimensionOrder XYCZT with SizeZ = SizeT = 1), the OME-XML in the first IFD's
/// ImageDescription. Fiji (Bio-Formats) and tifffile open the result.
///
/// The file is written to "<path>.partial" and renamed onto `path` by finish(); a writer
/// destroyed before finish() removes the partial file, so a failed export leaves nothing behind.
/// Planes are written in order: all tiles of plane 0 (in any order), then plane 1, ...
///
/// Threads: one writer is used by one thread at a time. libtiff messages are captured, never
/// printed. Errors: Errc::InvalidArgument when the output cannot be created (names the path),
/// Errc::Unsupported for dtypes OME-TIFF has no pixel type for (64-bit integers, float16),
/// Errc::Io for write failures.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/dtype.h"
#include "data/error.h"

typedef struct tiff TIFF;

namespace tessera::data {

enum class TiffCompression { None, Deflate };
enum class BigTiffMode { Auto, Always, Never };

struct OmeTiffChannel {
  std::string name;
  std::uint32_t color = 0xFFFFFF;  ///< 0xRRGGBB
};

struct OmeTiffImage {
  std::int64_t width = 0, height = 0;
  DType dtype = DType::U16;  ///< Bool is stored as uint8 0/1 (OME "bit" would need 1-bit TIFF)
  std::vector<OmeTiffChannel> channels;
  std::string name;  ///< Image@Name
  /// Physical size of one pixel; written only together with a unit OME knows.
  std::optional<double> physicalSizeX, physicalSizeY;
  std::string unit;  ///< NGFF unit name ("micrometer") or OME symbol ("µm"); "" = none
};

struct OmeTiffOptions {
  TiffCompression compression = TiffCompression::Deflate;
  BigTiffMode bigTiff = BigTiffMode::Auto;  ///< Auto: BigTIFF when the data nears 4 GiB
};

class OmeTiffWriter {
 public:
  static constexpr int kTile = 512;

  static Expected<std::unique_ptr<OmeTiffWriter>> create(const std::filesystem::path& path,
                                                         const OmeTiffImage& image,
                                                         const OmeTiffOptions& options = {});
  ~OmeTiffWriter();
  OmeTiffWriter(const OmeTiffWriter&) = delete;
  OmeTiffWriter& operator=(const OmeTiffWriter&) = delete;

  std::int64_t tileRows() const { return (image_.height + kTile - 1) / kTile; }
  std::int64_t tileCols() const { return (image_.width + kTile - 1) / kTile; }
  bool bigTiff() const { return bigTiff_; }

  /// Writes one kTile×kTile tile (row-major, native-endian, elements of the image dtype; the
  /// part beyond the image edge is ignored by readers but must be present) of plane `plane`.
  /// `plane` must be the current plane or the next one.
  Expected<void> writeTile(int plane, std::int64_t tileRow, std::int64_t tileCol,
                           const std::uint8_t* data);
  /// Closes the last plane and renames the partial file onto the final path.
  Expected<void> finish();

  /// The OME-XML written into the first IFD (exposed for tests).
  static std::string omeXml(const OmeTiffImage& image);
  /// The OME unit symbol for an NGFF unit name or symbol, or "" when OME has none.
  static std::string omeUnitSymbol(const std::string& unit);

 private:
  OmeTiffWriter() = default;
  Expected<void> startPlane(int plane);
  Error error(Errc code, const std::string& what);
  friend struct TiffWriteHandlers;

  OmeTiffImage image_;
  OmeTiffOptions options_;
  std::filesystem::path path_, partial_;
  TIFF* tif_ = nullptr;
  bool bigTiff_ = false;
  int plane_ = -1;
  bool finished_ = false;
  std::string lastError_;
};

}  // namespace tessera::data
