// numcodecs LZ4: a 4-byte little-endian decoded size, then one raw LZ4 block (not an LZ4 frame).
#include <lz4.h>

#include <cstring>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

constexpr std::size_t kHeader = 4;

Expected<std::size_t> declaredSize(std::span<const std::uint8_t> in) {
  if (in.size() < kHeader)
    return fail(Errc::Corrupt, "lz4: truncated header (" + std::to_string(in.size()) + " bytes)");
  return std::size_t{in[0]} | std::size_t{in[1]} << 8 | std::size_t{in[2]} << 16 |
         std::size_t{in[3]} << 24;
}

class Lz4Codec final : public BytesCodec {
 public:
  explicit Lz4Codec(int acceleration) : acceleration_(acceleration) {}
  const char* name() const override { return "lz4"; }

  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    auto n = declaredSize(in);
    if (!n) return std::unexpected(n.error());
    if (*n != out.size())
      return fail(Errc::Corrupt, "lz4: header declares " + std::to_string(*n) +
                                     " decoded bytes, expected " + std::to_string(out.size()));
    const std::size_t body = in.size() - kHeader;
    if (body > LZ4_MAX_INPUT_SIZE || out.size() > LZ4_MAX_INPUT_SIZE)
      return fail(Errc::Unsupported, "lz4: block larger than LZ4 allows");
    const int r = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + kHeader),
                                      reinterpret_cast<char*>(out.data()), static_cast<int>(body),
                                      static_cast<int>(out.size()));
    if (r < 0 || static_cast<std::size_t>(r) != out.size())
      return fail(Errc::Corrupt, "lz4: corrupt or truncated block");
    return {};
  }

  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    auto n = declaredSize(in);
    if (!n) return std::unexpected(n.error());
    if (*n > maxSize)
      return fail(Errc::Corrupt, "lz4: header declares " + std::to_string(*n) +
                                     " decoded bytes, more than the " + std::to_string(maxSize) +
                                     " expected");
    Bytes out(*n);
    if (auto r = decodeInto(in, out); !r) return std::unexpected(r.error());
    return out;
  }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    if (in.size() > LZ4_MAX_INPUT_SIZE)
      return fail(Errc::InvalidArgument, "lz4: chunk larger than LZ4 allows");
    const int bound = LZ4_compressBound(static_cast<int>(in.size()));
    Bytes out(kHeader + static_cast<std::size_t>(bound));
    const auto size = static_cast<std::uint32_t>(in.size());
    for (std::size_t i = 0; i < kHeader; ++i)
      out[i] = static_cast<std::uint8_t>(size >> (8 * i));
    const int n = LZ4_compress_fast(reinterpret_cast<const char*>(in.data()),
                                    reinterpret_cast<char*>(out.data() + kHeader),
                                    static_cast<int>(in.size()), bound, acceleration_);
    if (n <= 0 && !in.empty()) return fail(Errc::Io, "lz4: compression failed");
    out.resize(kHeader + static_cast<std::size_t>(n));
    return out;
  }

 private:
  int acceleration_;
};

}  // namespace

BytesCodecPtr makeLz4Codec(int acceleration) {
  return std::make_shared<Lz4Codec>(acceleration);
}

}  // namespace tessera::data
