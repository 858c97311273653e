// OME-XML: the input is the ImageDescription text of an OME-TIFF (or a companion file),
// parsed, then mapped to planes for every Image, as the OME-TIFF reader does.
#include "data/tiff/ome_xml.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  (void)data::omeBinaryOnlyMetadataFile(xml);
  auto images = data::parseOmeXml(xml, "fuzz.ome.tif");
  if (!images) return 0;
  for (const auto& image : *images) {
    std::vector<std::string> warnings;
    (void)data::omePlaneRefs(image, image.sizeC, "fuzz.ome.tif", warnings);
    (void)data::omeUnitName(image.unitX);
  }
  return 0;
}
