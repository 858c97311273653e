// Zstandard frames (numcodecs "zstd", zarr v3 "zstd"). Contexts are per thread and reused: a
// fresh ZSTD_DCtx per chunk costs more than decoding a small chunk.
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <memory>

#include "data/codecs/codec.h"

namespace tessera::data {
namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

ZSTD_DCtx* threadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

std::string zstdError(std::size_t code) {
  return std::string("zstd: ") + ZSTD_getErrorName(code);
}

class ZstdCodec final : public BytesCodec {
 public:
  ZstdCodec(int level, bool checksum) : level_(level), checksum_(checksum) {}
  const char* name() const override { return "zstd"; }

  Expected<void> decodeInto(std::span<const std::uint8_t> in,
                            std::span<std::uint8_t> out) const override {
    const auto declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR)
      return fail(Errc::Corrupt, "zstd: not a valid zstd frame (or truncated)");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != out.size())
      return fail(Errc::Corrupt, "zstd: chunk decodes to " + std::to_string(declared) +
                                     " bytes, expected " + std::to_string(out.size()));
    ZSTD_DCtx* ctx = threadDCtx();
    if (!ctx) return fail(Errc::Io, "zstd: cannot create a context");
    const std::size_t n = ZSTD_decompressDCtx(ctx, out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) {
      if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
        return fail(Errc::Corrupt, "zstd: chunk decodes to more than the expected " +
                                       std::to_string(out.size()) + " bytes");
      return fail(Errc::Corrupt, zstdError(n));
    }
    if (n != out.size())
      return fail(Errc::Corrupt, "zstd: chunk decodes to " + std::to_string(n) +
                                     " bytes, expected " + std::to_string(out.size()));
    return {};
  }

  Expected<Bytes> decode(std::span<const std::uint8_t> in, std::size_t maxSize) const override {
    const auto declared = ZSTD_getFrameContentSize(in.data(), in.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR)
      return fail(Errc::Corrupt, "zstd: not a valid zstd frame (or truncated)");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
      if (declared > maxSize)
        return fail(Errc::Corrupt, "zstd: frame declares " + std::to_string(declared) +
                                       " bytes, more than the " + std::to_string(maxSize) +
                                       " expected");
      Bytes out(declared);
      if (auto r = decodeInto(in, out); !r) return std::unexpected(r.error());
      return out;
    }
    // Unknown content size (streamed frames): grow geometrically, never past maxSize.
    ZSTD_DCtx* ctx = threadDCtx();
    if (!ctx) return fail(Errc::Io, "zstd: cannot create a context");
    ZSTD_DCtx_reset(ctx, ZSTD_reset_session_only);
    Bytes out(std::min<std::size_t>(maxSize, std::max<std::size_t>(in.size() * 4, 4096)));
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    for (;;) {
      const std::size_t r = ZSTD_decompressStream(ctx, &ob, &ib);
      if (ZSTD_isError(r)) return fail(Errc::Corrupt, zstdError(r));
      if (r == 0 && ib.pos == ib.size) break;
      if (ob.pos == ob.size) {
        if (out.size() >= maxSize)
          return fail(Errc::Corrupt, "zstd: chunk decodes to more than the expected " +
                                         std::to_string(maxSize) + " bytes");
        out.resize(std::min(maxSize, out.size() * 2));
        ob.dst = out.data();
        ob.size = out.size();
      } else if (ib.pos == ib.size) {
        return fail(Errc::Corrupt, "zstd: truncated frame");
      }
    }
    out.resize(ob.pos);
    return out;
  }

  Expected<Bytes> encode(std::span<const std::uint8_t> in) const override {
    std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
    if (!ctx) return fail(Errc::Io, "zstd: cannot create a context");
    ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, level_);
    ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, checksum_ ? 1 : 0);
    Bytes out(ZSTD_compressBound(in.size()));
    const std::size_t n = ZSTD_compress2(ctx.get(), out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n)) return fail(Errc::InvalidArgument, zstdError(n));
    out.resize(n);
    return out;
  }

 private:
  int level_;
  bool checksum_;
};

}  // namespace

BytesCodecPtr makeZstdCodec(int level, bool checksum) {
  return std::make_shared<ZstdCodec>(level, checksum);
}

}  // namespace tessera::data
