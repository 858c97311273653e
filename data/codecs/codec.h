#pragma once
/// Bytes-to-bytes codecs used by zarr (numcodecs compressors and zarr v3 bytes->bytes codecs).
/// Codec objects are immutable after construction and safe to share between threads.
/// Errors are values; messages start with the codec name ("blosc: ...") and carry no store
/// key, so callers prefix them with storeKeyName(). No decoder allocates more than the caller's
/// bound: declared sizes in headers are checked against it before any allocation.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "data/error.h"
#include "data/store.h"

namespace tessera::data {

class BytesCodec {
 public:
  virtual ~BytesCodec() = default;
  /// Short name used in error messages and metadata ("blosc", "zstd", ...).
  virtual const char* name() const = 0;
  /// Decodes `in` into exactly `out.size()` bytes. Errc::Corrupt if the payload is damaged or
  /// decodes to any other size.
  virtual Expected<void> decodeInto(std::span<const std::uint8_t> in,
                                    std::span<std::uint8_t> out) const = 0;
  /// Decodes when the decoded size is not known in advance; Errc::Corrupt beyond `maxSize`.
  virtual Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const = 0;
  virtual Expected<Bytes> encode(std::span<const std::uint8_t> in) const = 0;
};

using BytesCodecPtr = std::shared_ptr<const BytesCodec>;

/// A codec whose decoder fills a buffer of bounded size and reports how much it wrote (bzip2, xz,
/// lz4 block streams): decodeInto and decode are both that one call.
class BoundedDecodeCodec : public BytesCodec {
 public:
  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const final;
  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const final;

 protected:
  /// Decodes into `out`; the count written, or Errc::Corrupt when the stream is damaged,
  /// truncated or longer than `out`.
  virtual Expected<std::size_t> decodeUpTo(std::span<const std::uint8_t> in,
                                           std::span<std::uint8_t> out) const = 0;
};

struct BloscParams {
  std::string cname = "lz4";  ///< lz4, lz4hc, blosclz, zstd, zlib, snappy (encode only)
  int clevel = 5;
  int shuffle = 1;  ///< 0 none, 1 byte, 2 bit
  std::size_t typesize = 1;
  std::size_t blocksize = 0;  ///< 0 = automatic
};

/// Identity ("no compressor").
BytesCodecPtr makeNullCodec();
BytesCodecPtr makeBloscCodec(BloscParams params = {});
BytesCodecPtr makeZstdCodec(int level = 3, bool checksum = false);
/// zlib stream (RFC 1950).
BytesCodecPtr makeZlibCodec(int level = 1);
/// gzip container (RFC 1952).
BytesCodecPtr makeGzipCodec(int level = 1);
/// numcodecs LZ4 framing: 4-byte little-endian decoded size, then one LZ4 block.
BytesCodecPtr makeLz4Codec(int acceleration = 1);
/// bzip2 stream (N5 "bzip2"); `blockSize` 1-9 (×100 kB) for encoding.
BytesCodecPtr makeBzip2Codec(int blockSize = 9);
/// xz container (N5 "xz"); `preset` 0-9 for encoding.
BytesCodecPtr makeXzCodec(int preset = 6);
/// lz4-java's LZ4BlockOutputStream framing (N5 "lz4", n5-java's Lz4Compression): blocks with a
/// 21-byte "LZ4Block" header each, checksums verified, ended by an empty block.
BytesCodecPtr makeLz4BlockStreamCodec();
/// zarr v3 crc32c: the payload followed by its CRC-32C, 4 bytes little-endian.
BytesCodecPtr makeCrc32cCodec();

/// The payload of a crc32c-framed buffer without copying it; Errc::Corrupt on a mismatch.
Expected<std::span<const std::uint8_t>> crc32cVerifiedPayload(std::span<const std::uint8_t> in);

/// XXH32; xxhash32("", 0) == 0x02CC5D05.
std::uint32_t xxhash32(std::span<const std::uint8_t> data, std::uint32_t seed);

/// CRC-32C (Castagnoli), as used by iSCSI and zarr v3; crc32c("123456789") == 0xE3069283.
std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

}  // namespace tessera::data
