// zarr metadata: the input is a v2 `.zarray` (plus the same text as `.zattrs`) when its first
// byte is even, else a v3 `zarr.json`; opened through ZarrArray::open on an in-memory store,
// then chunk 0 is read (absent, so the fill value: exercises the declared shapes and sizes).
#include <nlohmann/json.hpp>

#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_metadata.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool v3 = data[0] & 1;
  const data::Bytes text(data + 1, data + size);
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!j.is_discarded()) {
    (void)data::parseZarrayMetadata(j, "fuzz/.zarray");
    (void)data::parseZarrJsonMetadata(j, "fuzz/zarr.json");
  }
  auto store = std::make_shared<fuzz::MemoryStore>();
  if (v3) {
    store->objects["zarr.json"] = text;
  } else {
    store->objects[".zarray"] = text;
    store->objects[".zattrs"] = text;
  }
  (void)data::readZarrAttributes(*store, "");
  auto array = data::ZarrArray::open(store, "");
  if (!array) return 0;
  const std::vector<std::int64_t> zero((*array)->shape().size(), 0);
  (void)(*array)->readChunk(zero);
  return 0;
}
