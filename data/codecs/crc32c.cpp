// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8. The zarr v3 crc32c codec
// appends it little-endian; shard indexes carry one, so it sits on the read path of every shard.
#include <array>
#include <cstring>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

using Table = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Table makeTable() {
  Table t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    t[0][i] = c;
  }
  for (std::size_t i = 0; i < 256; ++i)
    for (std::size_t s = 1; s < 8; ++s)
      t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  return t;
}

constexpr Table kTable = makeTable();

std::uint32_t readLe32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

class Crc32cCodec final : public BytesCodec {
 public:
  const char* name() const override { return "crc32c"; }

  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    auto payload = verified(in);
    if (!payload) return std::unexpected(payload.error());
    if (payload->size() != out.size())
      return fail(Errc::Corrupt, "crc32c: payload has " + std::to_string(payload->size()) +
                                     " bytes, expected " + std::to_string(out.size()));
    if (!out.empty()) std::memcpy(out.data(), payload->data(), out.size());
    return {};
  }

  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    auto payload = verified(in);
    if (!payload) return std::unexpected(payload.error());
    if (payload->size() > maxSize)
      return fail(Errc::Corrupt,
                  "crc32c: payload larger than the " + std::to_string(maxSize) + " bytes expected");
    return Bytes(payload->begin(), payload->end());
  }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    Bytes out(in.size() + 4);
    if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    const std::uint32_t c = crc32c(in);
    for (int i = 0; i < 4; ++i)
      out[in.size() + i] = static_cast<std::uint8_t>(c >> (8 * i));
    return out;
  }

 private:
  static Expected<std::span<const std::uint8_t>> verified(std::span<const std::uint8_t> in) {
    return crc32cVerifiedPayload(in);
  }
};

}  // namespace

Expected<std::span<const std::uint8_t>> crc32cVerifiedPayload(std::span<const std::uint8_t> in) {
  if (in.size() < 4) return fail(Errc::Corrupt, "crc32c: shorter than its 4-byte checksum");
  const auto payload = in.first(in.size() - 4);
  const std::uint32_t stored = readLe32(in.data() + payload.size());
  const std::uint32_t actual = crc32c(payload);
  if (stored != actual)
    return fail(Errc::Corrupt, "crc32c: checksum mismatch (stored " + std::to_string(stored) +
                                   ", computed " + std::to_string(actual) + ")");
  return payload;
}

std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc) {
  crc = ~crc;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    const std::uint32_t lo = readLe32(p) ^ crc;
    const std::uint32_t hi = readLe32(p + 4);
    crc = kTable[7][lo & 0xFF] ^ kTable[6][(lo >> 8) & 0xFF] ^ kTable[5][(lo >> 16) & 0xFF] ^
          kTable[4][lo >> 24] ^ kTable[3][hi & 0xFF] ^ kTable[2][(hi >> 8) & 0xFF] ^
          kTable[1][(hi >> 16) & 0xFF] ^ kTable[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--)
    crc = (crc >> 8) ^ kTable[0][(crc ^ *p++) & 0xFF];
  return ~crc;
}

BytesCodecPtr makeCrc32cCodec() {
  return std::make_shared<Crc32cCodec>();
}

}  // namespace tessera::data
