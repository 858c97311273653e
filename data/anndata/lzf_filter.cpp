#include "data/anndata/lzf_filter.h"

#include <hdf5.h>

#include <cstddef>
#include <cstdint>

namespace tessera::data::h5 {
namespace {

enum class LzfResult { Ok, OutputTooSmall, Corrupt };

// LZF stream: a control byte c < 32 starts a literal run of c+1 bytes; otherwise the top three
// bits hold a length (7 means "add the next byte") and the rest, with the following byte, a
// back-reference offset minus one. A back-reference copies length+2 bytes, possibly
// overlapping its own output.
LzfResult lzfDecompress(const std::uint8_t* in, std::size_t inLen, std::uint8_t* out,
                        std::size_t outCap, std::size_t* outLen) {
  const std::uint8_t* ip = in;
  const std::uint8_t* const inEnd = in + inLen;
  std::uint8_t* op = out;
  std::uint8_t* const outEnd = out + outCap;
  while (ip < inEnd) {
    std::size_t ctrl = *ip++;
    if (ctrl < 32) {
      const std::size_t run = ctrl + 1;
      if (static_cast<std::size_t>(inEnd - ip) < run) return LzfResult::Corrupt;
      if (static_cast<std::size_t>(outEnd - op) < run) return LzfResult::OutputTooSmall;
      for (std::size_t i = 0; i < run; ++i)
        *op++ = *ip++;
      continue;
    }
    std::size_t len = ctrl >> 5;
    std::size_t back = (ctrl & 0x1f) << 8;
    if (ip >= inEnd) return LzfResult::Corrupt;
    if (len == 7) {
      len += *ip++;
      if (ip >= inEnd) return LzfResult::Corrupt;
    }
    back += *ip++;
    back += 1;
    len += 2;
    if (back > static_cast<std::size_t>(op - out)) return LzfResult::Corrupt;
    if (static_cast<std::size_t>(outEnd - op) < len) return LzfResult::OutputTooSmall;
    const std::uint8_t* ref = op - back;
    for (std::size_t i = 0; i < len; ++i)
      *op++ = *ref++;
  }
  *outLen = static_cast<std::size_t>(op - out);
  return LzfResult::Ok;
}

// h5py stores the uncompressed chunk size in cd_values[2]; without it the output buffer grows
// until the chunk fits, as h5py's own filter does.
size_t lzfFilter(unsigned int flags, size_t cdNelmts, const unsigned int cdValues[], size_t nbytes,
                 size_t* bufSize, void** buf) {
  if (!(flags & H5Z_FLAG_REVERSE)) return 0;  // decode only: Tessera never writes LZF
  std::size_t cap = (cdNelmts >= 3 && cdValues[2] != 0) ? cdValues[2] : nbytes * 4 + 64;
  for (int attempt = 0; attempt < 16; ++attempt) {
    auto* out = static_cast<std::uint8_t*>(H5allocate_memory(cap, false));
    if (!out) return 0;
    std::size_t produced = 0;
    const LzfResult r =
        lzfDecompress(static_cast<const std::uint8_t*>(*buf), nbytes, out, cap, &produced);
    if (r == LzfResult::Ok && produced > 0) {
      H5free_memory(*buf);
      *buf = out;
      *bufSize = cap;
      return produced;
    }
    H5free_memory(out);
    if (r != LzfResult::OutputTooSmall) return 0;
    cap *= 2;
  }
  return 0;
}

}  // namespace

bool lzfDecodeExact(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  std::size_t produced = 0;
  return lzfDecompress(in.data(), in.size(), out.data(), out.size(), &produced) == LzfResult::Ok &&
         produced == out.size();
}

bool registerLzfFilter() {
  if (H5Zfilter_avail(kLzfFilterId) > 0) return true;
  static const H5Z_class2_t kLzfClass = {H5Z_CLASS_T_VERS,
                                         static_cast<H5Z_filter_t>(kLzfFilterId),
                                         0,
                                         1,
                                         "lzf (tessera decoder)",
                                         nullptr,
                                         nullptr,
                                         lzfFilter};
  return H5Zregister(&kLzfClass) >= 0;
}

}  // namespace tessera::data::h5
