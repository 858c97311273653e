// bzip2 through libbz2's one-shot buffer API (N5 "bzip2"). The decoded size is bounded by the
// caller's buffer; one bzip2 stream per chunk, as commons-compress writes it for n5-java.
#include <bzlib.h>

#include <algorithm>
#include <climits>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

// libbz2 counts in unsigned int.
constexpr std::size_t kMaxPiece = UINT_MAX / 2;

class Bzip2Codec final : public BoundedDecodeCodec {
 public:
  explicit Bzip2Codec(int blockSize) : blockSize_(blockSize) {}
  const char* name() const override { return "bzip2"; }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    if (in.size() > kMaxPiece) return fail(Errc::InvalidArgument, "bzip2: chunk too large");
    // libbz2's documented worst case: 1% larger plus 600 bytes.
    auto cap = static_cast<unsigned>(in.size() + in.size() / 100 + 601);
    Bytes out(cap);
    const int r = BZ2_bzBuffToBuffCompress(
        reinterpret_cast<char*>(out.data()), &cap,
        const_cast<char*>(reinterpret_cast<const char*>(in.data())),
        static_cast<unsigned>(in.size()), std::clamp(blockSize_, 1, 9), 0, 0);
    if (r != BZ_OK) return fail(Errc::Io, "bzip2: compression failed (" + std::to_string(r) + ")");
    out.resize(cap);
    return out;
  }

 private:
  // Decodes into `out`; the count decoded, or Corrupt when the stream is damaged, truncated or
  // longer than `out`.
  Expected<std::size_t> decodeUpTo(std::span<const std::uint8_t> in,
                                   std::span<std::uint8_t> out) const override {
    if (in.size() > kMaxPiece || out.size() > kMaxPiece)
      return fail(Errc::Unsupported, "bzip2: chunks over 2 GiB are not supported");
    auto n = static_cast<unsigned>(out.size());
    const int r =
        BZ2_bzBuffToBuffDecompress(reinterpret_cast<char*>(out.data()), &n,
                                   const_cast<char*>(reinterpret_cast<const char*>(in.data())),
                                   static_cast<unsigned>(in.size()), 0, 0);
    switch (r) {
      case BZ_OK:
        return std::size_t{n};
      case BZ_OUTBUFF_FULL:
        return fail(Errc::Corrupt, "bzip2: chunk decodes to more than the " +
                                       std::to_string(out.size()) + " bytes expected");
      case BZ_UNEXPECTED_EOF:
        return fail(Errc::Corrupt, "bzip2: truncated stream");
      case BZ_DATA_ERROR_MAGIC:
        return fail(Errc::Corrupt, "bzip2: not a bzip2 stream");
      case BZ_MEM_ERROR:
        return fail(Errc::Io, "bzip2: out of memory");
      default:
        return fail(Errc::Corrupt, "bzip2: damaged stream (" + std::to_string(r) + ")");
    }
  }

  int blockSize_;
};

}  // namespace

BytesCodecPtr makeBzip2Codec(int blockSize) {
  return std::make_shared<Bzip2Codec>(blockSize);
}

}  // namespace tessera::data
