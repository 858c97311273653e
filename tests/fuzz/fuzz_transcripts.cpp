// Xenium transcripts (gzip CSV): the input is the CSV text, gzip-compressed here so that the
// fuzzer works on the CSV parser; when the first byte is odd the rest is taken as the .csv.gz
// file itself (the inflate layer). The second byte picks the whole-file or streamed path.
#include <zlib.h>

#include <cstdlib>

#include "data/spatial/transcripts.h"
#include "tests/fuzz/fuzz_support.h"

using namespace tessera;

namespace {
// One deflate stream for the whole run, reset per input, at the smallest memory level: a fresh
// deflateInit2 allocated and cleared ~256 KiB per input, which under ASan (fresh pages for every
// allocation while the quarantine holds the old ones) cost more than the reader being fuzzed.
// The compressed bytes differ, the CSV text the reader sees does not.
std::vector<std::uint8_t> gzip(const std::uint8_t* data, std::size_t size) {
  static z_stream z = [] {
    z_stream s{};
    if (deflateInit2(&s, 1, Z_DEFLATED, 15 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
    return s;
  }();
  std::vector<std::uint8_t> out(deflateBound(&z, static_cast<uLong>(size)) + 64);
  deflateReset(&z);
  z.next_in = const_cast<Bytef*>(data);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
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
