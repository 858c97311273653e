// OME-NGFF attributes: the input is a group's attributes JSON, parsed by every NGFF function
// and then opened as an image through OmeZarrSource (v2 `.zattrs`, or v3 `zarr.json` when the
// first byte is odd) over an in-memory store holding one small 2x8x8 uint8 array at "0". The
// same attributes are served as the "labels" group and as its label image "labels/a", so the
// `labels` list and `image-label` colours and properties are parsed too.
#include <nlohmann/json.hpp>

#include "data/ome/ngff_metadata.h"
#include "data/ome/ome_zarr_source.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

namespace {
data::Bytes bytesOf(const std::string& s) {
  return data::Bytes(s.begin(), s.end());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool v3 = data[0] & 1;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    const auto attrs = data::ngffAttributes(j, v3);
    if (auto ms = data::parseMultiscale(attrs, "fuzz")) (void)data::mapAxesToCanonical(*ms, "fuzz");
    std::vector<std::string> warnings;
    (void)data::parseOmeroChannels(attrs, 3, warnings);
    if (attrs.ome.is_object() && attrs.ome.contains("plate"))
      (void)data::parsePlate(attrs.ome["plate"], "fuzz");
    if (attrs.ome.is_object() && attrs.ome.contains("well"))
      (void)data::parseWellImages(attrs.ome["well"], "fuzz");
  }
  auto store = std::make_shared<fuzz::MemoryStore>();
  if (v3) {
    nlohmann::json group = {{"zarr_format", 3}, {"node_type", "group"}};
    if (!j.is_discarded()) group["attributes"] = j;
    store->objects["zarr.json"] = bytesOf(group.dump());
    store->objects["labels/zarr.json"] = store->objects["labels/a/zarr.json"] =
        bytesOf(group.dump());
    store->objects["0/zarr.json"] =
        bytesOf(R"({"zarr_format":3,"node_type":"array","shape":[2,8,8],"data_type":"uint8",)"
                R"("chunk_grid":{"name":"regular","configuration":{"chunk_shape":[1,8,8]}},)"
                R"("chunk_key_encoding":{"name":"default"},"fill_value":7,)"
                R"("codecs":[{"name":"bytes"}],"dimension_names":["c","y","x"]})");
  } else {
    store->objects[".zgroup"] = bytesOf(R"({"zarr_format":2})");
    store->objects[".zattrs"] = data::Bytes(text.begin(), text.end());
    for (const char* label : {"labels/", "labels/a/"}) {
      store->objects[std::string(label) + ".zgroup"] = bytesOf(R"({"zarr_format":2})");
      store->objects[std::string(label) + ".zattrs"] = data::Bytes(text.begin(), text.end());
    }
    store->objects["0/.zarray"] =
        bytesOf(R"({"zarr_format":2,"shape":[2,8,8],"chunks":[1,8,8],"dtype":"|u1","fill_value":7,)"
                R"("order":"C","compressor":null,"filters":null})");
  }
  auto source = data::OmeZarrSource::open(store, "");
  if (!source) return 0;
  (void)(*source)->readTile({}, {});
  return 0;
}
