// TIFF and OME-TIFF through the reader: the input is the file, served to libtiff by an
// in-memory store (the reader's own TIFFClientOpen client), opened, and the first tile of the
// first and last level read.
#include "data/tiff/ome_tiff_source.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto store = std::make_shared<fuzz::MemoryStore>();
  store->objects[""] = data::Bytes(data, data + size);
  (void)data::probeTiff(*store, "", "fuzz.ome.tif");
  auto source = data::OmeTiffSource::open(store, "");
  if (!source) return 0;
  const auto& levels = (*source)->info().levels;
  (void)(*source)->readTile({}, {});
  if (levels.size() > 1) {
    data::TileKey last;
    last.level = static_cast<int>(levels.size()) - 1;
    (void)(*source)->readTile(last, {});
  }
  return 0;
}
