// c-blosc 1 frames. Only the *_ctx entry points are used: they take no global lock and need no
// blosc_init(), so any number of workers can decode at once.
#include <blosc.h>

#include <climits>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

// Validates the 16-byte header against the buffer and returns the declared decoded size.
Expected<std::size_t> checkedDecodedSize(std::span<const std::uint8_t> in) {
  if (in.size() < BLOSC_MIN_HEADER_LENGTH)
    return fail(Errc::Corrupt, "blosc: truncated header (" + std::to_string(in.size()) +
                                   " bytes, need " + std::to_string(BLOSC_MIN_HEADER_LENGTH) + ")");
  std::size_t nbytes = 0, cbytes = 0, blocksize = 0;
  blosc_cbuffer_sizes(in.data(), &nbytes, &cbytes, &blocksize);
  if (cbytes > in.size())
    return fail(Errc::Corrupt, "blosc: header declares " + std::to_string(cbytes) +
                                   " compressed bytes but only " + std::to_string(in.size()) +
                                   " are present (truncated chunk)");
  std::size_t validated = 0;
  if (blosc_cbuffer_validate(in.data(), in.size(), &validated) < 0 || validated != nbytes)
    return fail(Errc::Corrupt, "blosc: bad header (declares " + std::to_string(nbytes) +
                                   " decoded bytes from " + std::to_string(cbytes) + ")");
  return nbytes;
}

class BloscCodec final : public BytesCodec {
 public:
  explicit BloscCodec(BloscParams p) : p_(std::move(p)) {}
  const char* name() const override { return "blosc"; }

  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    auto n = checkedDecodedSize(in);
    if (!n) return std::unexpected(n.error());
    if (*n != out.size())
      return fail(Errc::Corrupt, "blosc: chunk decodes to " + std::to_string(*n) +
                                     " bytes, expected " + std::to_string(out.size()));
    return decompress(in, out);
  }

  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    auto n = checkedDecodedSize(in);
    if (!n) return std::unexpected(n.error());
    if (*n > maxSize)
      return fail(Errc::Corrupt, "blosc: header declares " + std::to_string(*n) +
                                     " decoded bytes, more than the " + std::to_string(maxSize) +
                                     " expected");
    Bytes out(*n);
    if (auto r = decompress(in, out); !r) return std::unexpected(r.error());
    return out;
  }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    if (in.size() > BLOSC_MAX_BUFFERSIZE)
      return fail(Errc::InvalidArgument, "blosc: chunk of " + std::to_string(in.size()) +
                                             " bytes is larger than blosc allows");
    Bytes out(in.size() + BLOSC_MAX_OVERHEAD);
    const int n = blosc_compress_ctx(p_.clevel, p_.shuffle, p_.typesize, in.size(), in.data(),
                                     out.data(), out.size(), p_.cname.c_str(), p_.blocksize, 1);
    if (n <= 0)
      return fail(Errc::InvalidArgument, "blosc: compression failed (cname '" + p_.cname + "')");
    out.resize(static_cast<std::size_t>(n));
    return out;
  }

 private:
  static Expected<void> decompress(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
    if (out.empty()) return {};
    const int n = blosc_decompress_ctx(in.data(), out.data(), out.size(), 1);
    if (n < 0 || static_cast<std::size_t>(n) != out.size())
      return fail(Errc::Corrupt,
                  "blosc: corrupt compressed data (error " + std::to_string(n) + ")");
    return {};
  }
  BloscParams p_;
};

}  // namespace

BytesCodecPtr makeBloscCodec(BloscParams params) {
  return std::make_shared<BloscCodec>(std::move(params));
}

}  // namespace tessera::data
