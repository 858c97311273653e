// lz4-java's LZ4BlockOutputStream format, which n5-java's Lz4Compression writes: a sequence of
// blocks, each a 21-byte header ("LZ4Block", a token whose high nibble is the method, 0x10 raw
// or 0x20 LZ4, then compressed length, decoded length and checksum, all little-endian) and its
// payload, ended by an empty block. The checksum is XXH32 (seed 0x9747b28c) of the decoded
// block, which lz4-java stores masked to its low 28 bits.
#include <lz4.h>

#include <algorithm>
#include <cstring>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

constexpr std::uint8_t kMagic[8] = {'L', 'Z', '4', 'B', 'l', 'o', 'c', 'k'};
constexpr std::size_t kHeader = 21;
constexpr std::uint8_t kMethodRaw = 0x10;
constexpr std::uint8_t kMethodLz4 = 0x20;
constexpr std::uint32_t kSeed = 0x9747b28c;
// lz4-java's MAX_BLOCK_SIZE (32 MiB) and its default block size.
constexpr std::size_t kMaxBlock = std::size_t{1} << 25;
constexpr std::size_t kEncodeBlock = std::size_t{1} << 16;

std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

void putLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

Expected<std::size_t> inflate(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  std::size_t pos = 0, produced = 0;
  for (int block = 0;; ++block) {
    const std::string where = "lz4: block " + std::to_string(block) + ": ";
    if (in.size() - pos < kHeader)
      return fail(Errc::Corrupt, where + "truncated header (no end-of-stream block)");
    const std::uint8_t* h = in.data() + pos;
    if (std::memcmp(h, kMagic, sizeof kMagic) != 0)
      return fail(Errc::Corrupt, where + "no \"LZ4Block\" magic (not lz4-java's block format)");
    const std::uint8_t method = h[8] & 0xF0;
    const std::size_t compressed = le32(h + 9), decoded = le32(h + 13);
    const std::uint32_t check = le32(h + 17);
    pos += kHeader;
    if (method != kMethodRaw && method != kMethodLz4)
      return fail(Errc::Corrupt, where + "unknown compression method");
    if (decoded == 0 && compressed == 0) return produced;  // end of stream
    if (decoded > kMaxBlock || compressed > kMaxBlock ||
        (method == kMethodRaw && compressed != decoded))
      return fail(Errc::Corrupt, where + "implausible lengths");
    if (compressed > in.size() - pos) return fail(Errc::Corrupt, where + "truncated payload");
    if (decoded > out.size() - produced)
      return fail(Errc::Corrupt, "lz4: chunk decodes to more than the " +
                                     std::to_string(out.size()) + " bytes expected");
    std::uint8_t* dst = out.data() + produced;
    if (method == kMethodRaw) {
      std::memcpy(dst, in.data() + pos, decoded);
    } else {
      const int r = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data() + pos),
                                        reinterpret_cast<char*>(dst), static_cast<int>(compressed),
                                        static_cast<int>(decoded));
      if (r < 0 || static_cast<std::size_t>(r) != decoded)
        return fail(Errc::Corrupt, where + "corrupt LZ4 data");
    }
    const std::uint32_t sum = xxhash32({dst, decoded}, kSeed);
    if (check != (sum & 0x0FFFFFFF) && check != sum)
      return fail(Errc::Corrupt, where + "checksum mismatch");
    pos += compressed;
    produced += decoded;
  }
}

class Lz4BlockStreamCodec final : public BoundedDecodeCodec {
 public:
  const char* name() const override { return "lz4"; }

 protected:
  Expected<std::size_t> decodeUpTo(std::span<const std::uint8_t> in,
                                   std::span<std::uint8_t> out) const override {
    return inflate(in, out);
  }

 public:
  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    Bytes out;
    const int bound = LZ4_compressBound(static_cast<int>(kEncodeBlock));
    std::vector<char> scratch(static_cast<std::size_t>(bound));
    auto header = [&](std::uint8_t method, std::size_t compressed, std::size_t decoded,
                      std::uint32_t check) {
      std::uint8_t h[kHeader];
      std::memcpy(h, kMagic, sizeof kMagic);
      h[8] = static_cast<std::uint8_t>(method | 6);  // lz4-java's level nibble for 64 KiB
      putLe32(h + 9, static_cast<std::uint32_t>(compressed));
      putLe32(h + 13, static_cast<std::uint32_t>(decoded));
      putLe32(h + 17, check);
      out.insert(out.end(), h, h + kHeader);
    };
    for (std::size_t pos = 0; pos < in.size(); pos += kEncodeBlock) {
      const std::size_t n = std::min(kEncodeBlock, in.size() - pos);
      const std::uint32_t check = xxhash32(in.subspan(pos, n), kSeed) & 0x0FFFFFFF;
      const int c = LZ4_compress_default(reinterpret_cast<const char*>(in.data() + pos),
                                         scratch.data(), static_cast<int>(n), bound);
      if (c > 0 && static_cast<std::size_t>(c) < n) {
        header(kMethodLz4, static_cast<std::size_t>(c), n, check);
        out.insert(out.end(), scratch.begin(), scratch.begin() + c);
      } else {
        header(kMethodRaw, n, n, check);
        out.insert(out.end(), in.begin() + static_cast<std::ptrdiff_t>(pos),
                   in.begin() + static_cast<std::ptrdiff_t>(pos + n));
      }
    }
    header(kMethodRaw, 0, 0, 0);
    return out;
  }
};

constexpr std::uint32_t kP1 = 0x9E3779B1u, kP2 = 0x85EBCA77u, kP3 = 0xC2B2AE3Du, kP4 = 0x27D4EB2Fu,
                        kP5 = 0x165667B1u;

constexpr std::uint32_t rotl(std::uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

}  // namespace

std::uint32_t xxhash32(std::span<const std::uint8_t> data, std::uint32_t seed) {
  const std::uint8_t* p = data.data();
  const std::uint8_t* end = p + data.size();
  std::uint32_t h;
  if (data.size() >= 16) {
    std::uint32_t v[4] = {seed + kP1 + kP2, seed + kP2, seed, seed - kP1};
    for (; end - p >= 16; p += 16)
      for (int i = 0; i < 4; ++i)
        v[i] = rotl(v[i] + le32(p + 4 * i) * kP2, 13) * kP1;
    h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
  } else {
    h = seed + kP5;
  }
  h += static_cast<std::uint32_t>(data.size());
  for (; end - p >= 4; p += 4)
    h = rotl(h + le32(p) * kP3, 17) * kP4;
  for (; p < end; ++p)
    h = rotl(h + *p * kP5, 11) * kP1;
  h ^= h >> 15;
  h *= kP2;
  h ^= h >> 13;
  h *= kP3;
  h ^= h >> 16;
  return h;
}

BytesCodecPtr makeLz4BlockStreamCodec() {
  return std::make_shared<Lz4BlockStreamCodec>();
}

}  // namespace tessera::data
