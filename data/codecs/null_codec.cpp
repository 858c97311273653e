#include <cstring>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

class NullCodec final : public BytesCodec {
 public:
  const char* name() const override { return "none"; }
  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    if (in.size() != out.size())
      return fail(Errc::Corrupt, "uncompressed chunk has " + std::to_string(in.size()) +
                                     " bytes, expected " + std::to_string(out.size()));
    if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    return {};
  }
  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    if (in.size() > maxSize)
      return fail(Errc::Corrupt, "uncompressed chunk has " + std::to_string(in.size()) +
                                     " bytes, more than the " + std::to_string(maxSize) +
                                     " expected");
    return Bytes(in.begin(), in.end());
  }
  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    return Bytes(in.begin(), in.end());
  }
};

}  // namespace

BytesCodecPtr makeNullCodec() {
  return std::make_shared<NullCodec>();
}

}  // namespace tessera::data
