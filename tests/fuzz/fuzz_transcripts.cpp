// Xenium transcripts (gzip CSV): the input is the CSV text, gzip-compressed here so that the
// fuzzer works on the CSV parser; when the first byte is odd the rest is taken as the .csv.gz
// file itself (the inflate layer). The second byte picks the whole-file or streamed path.
#include <zlib.h>

#include "data/spatial/transcripts.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

namespace {
std::vector<std::uint8_t> gzip(const std::uint8_t* data, std::size_t size) {
  z_stream z{};
  std::vector<std::uint8_t> out(compressBound(static_cast<uLong>(size)) + 64);
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const bool raw = data[0] & 1;
  const bool stream = data[1] & 1;
  const auto file =
      raw ? std::vector<std::uint8_t>(data + 2, data + size) : gzip(data + 2, size - 2);
  fuzz::ScratchFile scratch(file.data(), file.size(), "transcripts.csv.gz");
  if (!scratch.ok()) return 0;
  (void)data::loadTranscriptsCsvGz(scratch.path(), nullptr, {},
                                   stream ? std::optional<std::size_t>(0) : std::nullopt);
  return 0;
}
