// xz (LZMA2 in the .xz container) through liblzma (N5 "xz"). The decoder's memory is capped
// and the decoded size bounded by the caller.
#include <lzma.h>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

// Enough for any preset (preset 9 extreme needs 65 MiB to decode).
constexpr std::uint64_t kMemLimit = std::uint64_t{256} << 20;

class XzCodec final : public BoundedDecodeCodec {
 public:
  explicit XzCodec(int preset) : preset_(preset) {}
  const char* name() const override { return "xz"; }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    Bytes out(lzma_stream_buffer_bound(in.size()));
    std::size_t pos = 0;
    const auto preset = static_cast<std::uint32_t>(preset_ < 0 || preset_ > 9 ? 6 : preset_);
    if (lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nullptr, in.data(), in.size(), out.data(),
                                &pos, out.size()) != LZMA_OK)
      return fail(Errc::Io, "xz: compression failed");
    out.resize(pos);
    return out;
  }

 private:
  Expected<std::size_t> decodeUpTo(std::span<const std::uint8_t> in,
                                   std::span<std::uint8_t> out) const override {
    std::uint64_t memlimit = kMemLimit;
    std::size_t inPos = 0, outPos = 0;
    // Concatenated streams are allowed by the format; xz-java writes one.
    const lzma_ret r =
        lzma_stream_buffer_decode(&memlimit, LZMA_CONCATENATED, nullptr, in.data(), &inPos,
                                  in.size(), out.data(), &outPos, out.size());
    switch (r) {
      case LZMA_OK:
        return outPos;
      case LZMA_BUF_ERROR:
        return fail(Errc::Corrupt, outPos == out.size()
                                       ? "xz: chunk decodes to more than the " +
                                             std::to_string(out.size()) + " bytes expected"
                                       : std::string("xz: truncated stream"));
      case LZMA_MEMLIMIT_ERROR:
        return fail(Errc::Corrupt, "xz: stream needs more than 256 MiB to decode");
      case LZMA_FORMAT_ERROR:
        return fail(Errc::Corrupt, "xz: not an xz stream");
      case LZMA_OPTIONS_ERROR:
        return fail(Errc::Unsupported, "xz: unsupported stream options");
      default:
        return fail(Errc::Corrupt, "xz: damaged stream (" + std::to_string(int(r)) + ")");
    }
  }

  int preset_;
};

}  // namespace

BytesCodecPtr makeXzCodec(int preset) {
  return std::make_shared<XzCodec>(preset);
}

}  // namespace tessera::data
