#include <string>

#include "data/codecs/codec.h"

namespace tessera::data {

Expected<void> BoundedDecodeCodec::decodeInto(std::span<const std::uint8_t> in,
                                              std::span<std::uint8_t> out) const {
  auto n = decodeUpTo(in, out);
  if (!n) return std::unexpected(n.error());
  if (*n != out.size())
    return fail(Errc::Corrupt, std::string(name()) + ": chunk decodes to " + std::to_string(*n) +
                                   " bytes, expected " + std::to_string(out.size()));
  return {};
}

Expected<Bytes> BoundedDecodeCodec::decode(std::span<const std::uint8_t> in,
                                           std::size_t maxSize) const {
  Bytes out(maxSize);
  auto n = decodeUpTo(in, out);
  if (!n) return std::unexpected(n.error());
  out.resize(*n);
  return out;
}

}  // namespace tessera::data
