// zlib (RFC 1950) and gzip (RFC 1952) through zlib's inflate/deflate; they differ only in the
// window-bits flag that selects the container.
#include <zlib.h>

#include <algorithm>
#include <climits>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

constexpr int kZlibWindow = 15;
constexpr int kGzipWindow = 15 + 16;

// z_stream counts in uInt; feed it in pieces so >4 GiB buffers cannot wrap.
constexpr std::size_t kMaxPiece = UINT_MAX / 2;

class DeflateCodec final : public BytesCodec {
 public:
  DeflateCodec(bool gzip, int level) : gzip_(gzip), level_(level) {}
  const char* name() const override { return gzip_ ? "gzip" : "zlib"; }

  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    auto n = inflateInto(in, out, false);
    if (!n) return std::unexpected(n.error());
    if (*n != out.size())
      return fail(Errc::Corrupt, std::string(name()) + ": chunk decodes to " + std::to_string(*n) +
                                     " bytes, expected " + std::to_string(out.size()));
    return {};
  }

  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    // Grow geometrically up to the bound instead of trusting any declared size.
    std::size_t cap = std::min<std::size_t>(maxSize, std::max<std::size_t>(in.size() * 4, 4096));
    for (;;) {
      Bytes out(cap);
      auto n = inflateInto(in, out, true);
      if (n) {
        out.resize(*n);
        return out;
      }
      if (n.error().code != Errc::Unsupported) return std::unexpected(n.error());
      if (cap >= maxSize)
        return fail(Errc::Corrupt, std::string(name()) + ": chunk decodes to more than the " +
                                       std::to_string(maxSize) + " bytes expected");
      cap = std::min(maxSize, cap * 2);
    }
  }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    z_stream s{};
    if (deflateInit2(&s, level_, Z_DEFLATED, gzip_ ? kGzipWindow : kZlibWindow, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
      return fail(Errc::InvalidArgument, std::string(name()) + ": bad compression level");
    Bytes out(deflateBound(&s, static_cast<uLong>(in.size())));
    s.next_in = const_cast<Bytef*>(in.data());
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = out.data();
    s.avail_out = static_cast<uInt>(out.size());
    const int r = deflate(&s, Z_FINISH);
    const std::size_t n = s.total_out;
    deflateEnd(&s);
    if (r != Z_STREAM_END) return fail(Errc::Io, std::string(name()) + ": compression failed");
    out.resize(n);
    return out;
  }

 private:
  // Returns the decoded size. With `growable`, a full output buffer reports Errc::Unsupported
  // so that decode() can retry larger; otherwise it is corruption (too much data).
  Expected<std::size_t> inflateInto(std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                                    bool growable) const {
    z_stream s{};
    if (inflateInit2(&s, gzip_ ? kGzipWindow : kZlibWindow) != Z_OK)
      return fail(Errc::Io, std::string(name()) + ": cannot initialise inflate");
    std::size_t inPos = 0, outPos = 0;
    int r = Z_OK;
    while (r != Z_STREAM_END) {
      if (s.avail_in == 0 && inPos < in.size()) {
        const std::size_t piece = std::min(kMaxPiece, in.size() - inPos);
        s.next_in = const_cast<Bytef*>(in.data() + inPos);
        s.avail_in = static_cast<uInt>(piece);
        inPos += piece;
      }
      std::uint8_t spill = 0;
      const bool full = outPos == out.size();
      const std::size_t piece = std::min(kMaxPiece, out.size() - outPos);
      // When the output is full, inflate into one spare byte to learn whether more would come.
      s.next_out = full ? &spill : out.data() + outPos;
      s.avail_out = full ? 1u : static_cast<uInt>(piece);
      const uInt before = s.avail_out;
      r = inflate(&s, Z_NO_FLUSH);
      const std::size_t produced = before - s.avail_out;
      if (full && produced > 0) {
        inflateEnd(&s);
        if (growable) return fail(Errc::Unsupported, "grow");
        return fail(Errc::Corrupt, std::string(name()) + ": chunk decodes to more than the " +
                                       std::to_string(out.size()) + " bytes expected");
      }
      if (!full) outPos += produced;
      if (r == Z_STREAM_END) break;
      if (r != Z_OK && r != Z_BUF_ERROR) {
        inflateEnd(&s);
        return fail(Errc::Corrupt, std::string(name()) + ": " + (s.msg ? s.msg : "bad data"));
      }
      if (r == Z_BUF_ERROR && s.avail_in == 0 && inPos == in.size()) {
        inflateEnd(&s);
        return fail(Errc::Corrupt, std::string(name()) + ": truncated stream");
      }
      if (full && produced == 0 && r == Z_BUF_ERROR) {
        inflateEnd(&s);
        return fail(Errc::Corrupt, std::string(name()) + ": truncated stream");
      }
    }
    inflateEnd(&s);
    return outPos;
  }

  bool gzip_;
  int level_;
};

}  // namespace

BytesCodecPtr makeZlibCodec(int level) {
  return std::make_shared<DeflateCodec>(false, level);
}
BytesCodecPtr makeGzipCodec(int level) {
  return std::make_shared<DeflateCodec>(true, level);
}

}  // namespace tessera::data
