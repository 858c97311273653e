#include "data/tiff/ome_xml.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "data/tiff/xml_lite.h"

namespace tessera::data {
namespace {

constexpr std::int64_t kMaxPlanes = std::int64_t{1} << 22;

std::optional<std::int64_t> intAttr(const XmlElement& e, std::string_view key) {
  const std::string* v = e.attribute(key);
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size()) return std::nullopt;
  return out;
}

std::optional<double> doubleAttr(const XmlElement& e, std::string_view key) {
  const std::string* v = e.attribute(key);
  if (!v || v->empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(v->c_str(), &end);
  if (end != v->c_str() + v->size()) return std::nullopt;
  return d;
}

// One of the schema's six orders: XY, then Z, C and T once each. Anything else would index
// planes with a stride that is not the table's (found by fuzz_tiff: "XYC^T" read past it).
bool validDimensionOrder(std::string_view order) {
  if (order.size() != 5 || order.substr(0, 2) != "XY") return false;
  std::string rest(order.substr(2));
  std::sort(rest.begin(), rest.end());
  return rest == "CTZ";
}

// The dimensions after XY in `order`, fastest varying first.
void orderedDims(const std::string& order, char dims[3]) {
  const std::string& o = validDimensionOrder(order) ? order : std::string("XYZCT");
  dims[0] = o[2], dims[1] = o[3], dims[2] = o[4];
}

}  // namespace

std::int64_t omePlaneIndex(const std::string& order, std::int64_t z, std::int64_t c, std::int64_t t,
                           std::int64_t sizeZ, std::int64_t sizeC, std::int64_t sizeT) {
  char dims[3];
  orderedDims(order, dims);
  std::int64_t index = 0, stride = 1;
  for (char d : dims) {
    const std::int64_t v = d == 'Z' ? z : d == 'C' ? c : t;
    const std::int64_t s = d == 'Z' ? sizeZ : d == 'C' ? sizeC : sizeT;
    index += v * stride;
    stride *= s;
  }
  return index;
}

Expected<std::vector<OmeImageXml>> parseOmeXml(std::string_view xml, const std::string& where) {
  std::string why;
  auto elements = parseXmlElements(xml, &why);
  if (!elements) return fail(Errc::Corrupt, where + ": malformed OME-XML: " + why);
  std::vector<OmeImageXml> images;
  std::vector<int> imageOf(elements->size(), -1);  // element -> index into images
  std::string documentUuid;
  for (std::size_t i = 0; i < elements->size(); ++i) {
    const XmlElement& e = (*elements)[i];
    const int parentImage = e.parent >= 0 ? imageOf[static_cast<std::size_t>(e.parent)] : -1;
    imageOf[i] = parentImage;
    if (e.name == "OME" && e.parent < 0) {
      if (const auto* u = e.attribute("UUID")) documentUuid = *u;
    }
    if (e.name == "Image" && parentImage < 0) {
      images.emplace_back();
      if (const auto* n = e.attribute("Name")) images.back().name = *n;
      imageOf[i] = static_cast<int>(images.size()) - 1;
      continue;
    }
    if (parentImage < 0) continue;
    OmeImageXml& im = images[static_cast<std::size_t>(parentImage)];
    if (e.name == "Pixels") {
      if (const auto* v = e.attribute("DimensionOrder")) im.dimensionOrder = *v;
      if (const auto* v = e.attribute("Type")) im.type = *v;
      im.sizeX = intAttr(e, "SizeX").value_or(0);
      im.sizeY = intAttr(e, "SizeY").value_or(0);
      im.sizeZ = intAttr(e, "SizeZ").value_or(1);
      im.sizeC = intAttr(e, "SizeC").value_or(1);
      im.sizeT = intAttr(e, "SizeT").value_or(1);
      im.physicalSizeX = doubleAttr(e, "PhysicalSizeX");
      im.physicalSizeY = doubleAttr(e, "PhysicalSizeY");
      im.physicalSizeZ = doubleAttr(e, "PhysicalSizeZ");
      if (const auto* v = e.attribute("PhysicalSizeXUnit")) im.unitX = *v;
      if (const auto* v = e.attribute("PhysicalSizeYUnit")) im.unitY = *v;
      if (const auto* v = e.attribute("PhysicalSizeZUnit")) im.unitZ = *v;
    } else if (e.name == "Channel") {
      OmeChannelXml ch;
      if (const auto* v = e.attribute("Name")) ch.name = *v;
      if (auto c = intAttr(e, "Color")) ch.color = static_cast<std::int32_t>(*c);
      ch.samplesPerPixel =
          static_cast<int>(std::max<std::int64_t>(1, intAttr(e, "SamplesPerPixel").value_or(1)));
      im.channels.push_back(std::move(ch));
    } else if (e.name == "TiffData") {
      OmeTiffDataXml td;
      td.ifd = intAttr(e, "IFD");
      td.planeCount = intAttr(e, "PlaneCount");
      td.firstZ = intAttr(e, "FirstZ").value_or(0);
      td.firstC = intAttr(e, "FirstC").value_or(0);
      td.firstT = intAttr(e, "FirstT").value_or(0);
      im.tiffData.push_back(td);
    } else if (e.name == "UUID" && e.parent >= 0 &&
               (*elements)[static_cast<std::size_t>(e.parent)].name == "TiffData") {
      if (im.tiffData.empty()) continue;
      if (const auto* v = e.attribute("FileName")) im.tiffData.back().fileName = *v;
      im.tiffData.back().uuid = e.text;
    }
  }
  if (images.empty()) return fail(Errc::Corrupt, where + ": OME-XML has no Image");
  for (auto& im : images)
    im.documentUuid = documentUuid;
  for (const auto& im : images)
    if (!validDimensionOrder(im.dimensionOrder))
      return fail(Errc::Corrupt, where + ": OME-XML Pixels of image \"" + im.name +
                                     "\" have DimensionOrder \"" + im.dimensionOrder +
                                     "\", which is not XY followed by Z, C and T");
  for (const auto& im : images)
    if (im.sizeX <= 0 || im.sizeY <= 0 || im.sizeZ <= 0 || im.sizeC <= 0 || im.sizeT <= 0)
      return fail(Errc::Corrupt, where + ": OME-XML Pixels of image \"" + im.name +
                                     "\" have missing or invalid sizes");
  // The plane table is allocated from these sizes, so absurd ones are refused up front.
  for (const auto& im : images)
    if (static_cast<double>(im.sizeZ) * static_cast<double>(im.sizeC) *
            static_cast<double>(im.sizeT) >
        static_cast<double>(kMaxPlanes))
      return fail(Errc::Unsupported,
                  where + ": OME-XML declares more than " + std::to_string(kMaxPlanes) + " planes");
  return images;
}

std::vector<OmePlaneRef> omePlaneRefs(const OmeImageXml& im, std::int64_t planeChannels,
                                      const std::string& thisFileName,
                                      std::vector<std::string>& warnings) {
  const std::int64_t total = im.sizeZ * planeChannels * im.sizeT;
  std::vector<OmePlaneRef> refs(static_cast<std::size_t>(total));
  if (im.tiffData.empty()) {
    for (std::int64_t p = 0; p < total; ++p)
      refs[static_cast<std::size_t>(p)].ifd = p;
    return refs;
  }
  bool singleFile = true;
  for (const auto& td : im.tiffData)
    singleFile = singleFile && td.fileName == im.tiffData.front().fileName &&
                 td.uuid == im.tiffData.front().uuid;
  std::string unnamed;  // a UUID whose file is not named: those planes cannot be found
  for (const auto& td : im.tiffData) {
    const std::int64_t start = omePlaneIndex(im.dimensionOrder, td.firstZ, td.firstC, td.firstT,
                                             im.sizeZ, planeChannels, im.sizeT);
    // Bio-Formats' defaults: no IFD and no PlaneCount means "all the rest"; a lone TiffData
    // with an IFD also covers the rest; otherwise one plane.
    std::int64_t count =
        td.planeCount.value_or((!td.ifd || im.tiffData.size() == 1) ? total - start : 1);
    const std::int64_t ifd = td.ifd.value_or(0);
    const bool here = singleFile || (td.fileName.empty() && td.uuid.empty()) ||
                      td.fileName == thisFileName ||
                      (!td.uuid.empty() && td.uuid == im.documentUuid);
    if (!here && td.fileName.empty()) unnamed = td.uuid;
    for (std::int64_t k = 0; k < count && start + k < total && start + k >= 0; ++k) {
      OmePlaneRef& r = refs[static_cast<std::size_t>(start + k)];
      r.file = here ? std::string() : td.fileName;
      r.ifd = here || !td.fileName.empty() ? ifd + k : -1;
    }
  }
  if (!unnamed.empty())
    warnings.push_back("OME-XML TiffData names the file with UUID " + unnamed +
                       " by UUID only; its planes read as empty");
  else if (std::any_of(refs.begin(), refs.end(), [](const OmePlaneRef& r) { return r.ifd < 0; }))
    warnings.push_back("OME-XML TiffData does not map every plane; unmapped planes read as empty");
  return refs;
}

std::optional<std::string> omeBinaryOnlyMetadataFile(std::string_view xml) {
  std::string why;
  auto elements = parseXmlElements(xml, &why);
  if (!elements) return std::nullopt;
  for (const auto& e : *elements)
    if (e.name == "BinaryOnly")
      if (const auto* f = e.attribute("MetadataFile"); f && !f->empty()) return *f;
  return std::nullopt;
}

std::string omeUnitName(const std::string& s) {
  if (s == "\u00b5m" || s == "\u03bcm" || s == "um") return "micrometer";
  if (s == "nm") return "nanometer";
  if (s == "mm") return "millimeter";
  if (s == "cm") return "centimeter";
  if (s == "m") return "meter";
  if (s == "\u00c5" || s == "\u212b") return "angstrom";
  if (s == "pm") return "picometer";
  return s;
}

}  // namespace tessera::data
