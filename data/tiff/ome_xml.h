#pragma once
/// The parts of OME-XML (the OME-TIFF ImageDescription) a viewer needs: per image the Pixels
/// sizes, DimensionOrder, type, physical sizes, channels and TiffData plane mapping.
/// Pure functions, thread-safe. Errors are Errc::Corrupt naming `where`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/error.h"

namespace tessera::data {

struct OmeChannelXml {
  std::string name;
  std::optional<std::int32_t> color;  ///< OME Color: signed int32 RGBA
  int samplesPerPixel = 1;
};

struct OmeTiffDataXml {
  std::optional<std::int64_t> ifd;
  std::optional<std::int64_t> planeCount;
  std::int64_t firstZ = 0, firstC = 0, firstT = 0;
  std::string fileName;  ///< UUID@FileName, empty when not given
  std::string uuid;      ///< UUID text, empty when not given
};

struct OmeImageXml {
  std::string name;
  std::string dimensionOrder = "XYZCT";
  std::string type;  ///< "uint16", "float", ...
  std::int64_t sizeX = 0, sizeY = 0, sizeZ = 1, sizeC = 1, sizeT = 1;
  std::optional<double> physicalSizeX, physicalSizeY, physicalSizeZ;
  std::string unitX = "µm", unitY = "µm", unitZ = "µm";
  std::vector<OmeChannelXml> channels;
  std::vector<OmeTiffDataXml> tiffData;
  std::string documentUuid;  ///< the OME root's UUID: TiffData with this UUID are in this file
};

/// Parses the images of an OME-XML document. Fails if it is not XML or has no Image/Pixels.
Expected<std::vector<OmeImageXml>> parseOmeXml(std::string_view xml, const std::string& where);

/// Linear plane index of (z, c, t) under `dimensionOrder` ("XYZCT": z fastest, then c, t).
std::int64_t omePlaneIndex(const std::string& dimensionOrder, std::int64_t z, std::int64_t c,
                           std::int64_t t, std::int64_t sizeZ, std::int64_t sizeC,
                           std::int64_t sizeT);

/// Where one plane is stored: `file` is a FileName of the set relative to the OME-XML's
/// directory, "" for the file being read (the one holding the XML, or the primary file of a
/// companion-described set); `ifd` is the IFD index in that file, -1 when unmapped.
struct OmePlaneRef {
  std::string file;
  std::int64_t ifd = -1;
};

/// The location of every plane, indexed by omePlaneIndex, for `planeChannels` channel planes
/// (SizeC divided by samples per pixel). A TiffData is in the file being read when it names no
/// file, its UUID is the document's, its FileName is `thisFileName`, or every TiffData names
/// the same single file (a renamed single-file OME-TIFF). Unmapped planes, and planes in a
/// file known only by UUID, are reported in `warnings`.
std::vector<OmePlaneRef> omePlaneRefs(const OmeImageXml& image, std::int64_t planeChannels,
                                      const std::string& thisFileName,
                                      std::vector<std::string>& warnings);

/// The companion file named by a BinaryOnly OME-XML (`<BinaryOnly MetadataFile="x.companion.ome"
/// .../>`), or nullopt when `xml` is not a BinaryOnly stub.
std::optional<std::string> omeBinaryOnlyMetadataFile(std::string_view xml);

/// OME unit symbols to the names NGFF uses ("µm" -> "micrometer"); unknown ones unchanged.
std::string omeUnitName(const std::string& symbol);

}  // namespace tessera::data
