// Writes .zarray/.zgroup/.zattrs byte-for-byte the way zarr-python 2 does (json.dumps with
// indent=4, sorted keys, ASCII only, no trailing newline) so that diffs against reference
// stores stay quiet. Chunks go to a unique temporary file that is renamed into place, which
// makes concurrent writers of different chunks (and readers during a write) safe.
#include "data/zarr/zarr_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>

#include "data/codecs/codec.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

std::string pyJson(const nlohmann::json& j) {
  return j.dump(4, ' ', true);
}

Expected<void> writeFileAtomically(const fs::path& path, std::span<const std::uint8_t> bytes) {
  static std::atomic<std::uint64_t> counter{0};
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(Errc::Io, tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Errc::Io, tmp.string() + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return fail(Errc::Io, path.string() + ": " + why);
  }
  return {};
}

Expected<void> writeText(const fs::path& path, const std::string& text) {
  return writeFileAtomically(
      path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

// create_directories can race with another thread creating the same directory; what matters
// is that the directory exists afterwards.
Expected<void> ensureDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (fs::is_directory(dir)) return {};
  return fail(Errc::Io, dir.string() + ": cannot create directory (" + ec.message() + ")");
}

nlohmann::json fillValueJson(DType t, double v) {
  if (t == DType::Bool) return v != 0;
  if (dtypeIsFloat(t)) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    return v;
  }
  if (dtypeIsSigned(t)) return static_cast<std::int64_t>(v);
  return static_cast<std::uint64_t>(v);
}

nlohmann::json compressorJson(ZarrCompressor c) {
  switch (c) {
    case ZarrCompressor::None:
      return nullptr;
    case ZarrCompressor::BloscLz4:
      return {{"id", "blosc"}, {"cname", "lz4"}, {"clevel", 5}, {"shuffle", 1}, {"blocksize", 0}};
    case ZarrCompressor::Zstd:
      return {{"id", "zstd"}, {"level", 1}};
    case ZarrCompressor::Zlib:
      return {{"id", "zlib"}, {"level", 1}};
  }
  return nullptr;
}

BytesCodecPtr codecFor(ZarrCompressor c, DType t) {
  switch (c) {
    case ZarrCompressor::None:
      return makeNullCodec();
    case ZarrCompressor::BloscLz4:
      return makeBloscCodec({"lz4", 5, 1, dtypeSize(t), 0});
    case ZarrCompressor::Zstd:
      return makeZstdCodec(1);
    case ZarrCompressor::Zlib:
      return makeZlibCodec(1);
  }
  return makeNullCodec();
}

}  // namespace

Expected<ZarrWriter> ZarrWriter::create(const fs::path& arrayDir, ZarrWriteOptions opts,
                                        const nlohmann::json& attributes) {
  const std::string where = arrayDir.string();
  if (opts.shape.size() != opts.chunks.size())
    return fail(Errc::InvalidArgument, where + ": shape and chunks differ in rank");
  for (std::size_t i = 0; i < opts.shape.size(); ++i)
    if (opts.shape[i] < 0 || opts.chunks[i] <= 0)
      return fail(Errc::InvalidArgument, where + ": negative shape or non-positive chunk size");
  if (!checkedElementCount(opts.chunks, dtypeSize(opts.dtype)))
    return fail(Errc::InvalidArgument, where + ": chunk shape is too large");
  if (opts.dimensionSeparator != '.' && opts.dimensionSeparator != '/')
    return fail(Errc::InvalidArgument, where + ": dimension separator must be '.' or '/'");
  if (auto r = ensureDirectory(arrayDir); !r) return std::unexpected(r.error());

  nlohmann::json meta = {{"zarr_format", 2},
                         {"shape", opts.shape},
                         {"chunks", opts.chunks},
                         {"dtype", numpyTypestr(opts.dtype)},
                         {"compressor", compressorJson(opts.compressor)},
                         {"fill_value", fillValueJson(opts.dtype, opts.fillValue)},
                         {"order", "C"},
                         {"filters", nullptr}};
  // Always recorded, as zarr-python 2 does when given a separator explicitly.
  meta["dimension_separator"] = std::string(1, opts.dimensionSeparator);
  if (auto r = writeText(arrayDir / ".zarray", pyJson(meta)); !r) return std::unexpected(r.error());
  if (attributes.is_object() && !attributes.empty()) {
    if (auto r = writeText(arrayDir / ".zattrs", pyJson(attributes)); !r)
      return std::unexpected(r.error());
  }
  return ZarrWriter(arrayDir, std::move(opts));
}

Expected<void> ZarrWriter::writeChunk(std::span<const std::int64_t> chunkIndex,
                                      std::span<const std::uint8_t> data) const {
  const std::string where = dir_.string();
  if (chunkIndex.size() != opts_.shape.size())
    return fail(Errc::InvalidArgument, where + ": chunk index has the wrong rank");
  for (std::size_t i = 0; i < chunkIndex.size(); ++i) {
    const std::int64_t n = ceilDiv(opts_.shape[i], opts_.chunks[i]);
    if (chunkIndex[i] < 0 || chunkIndex[i] >= std::max<std::int64_t>(n, 1))
      return fail(Errc::InvalidArgument, where + ": chunk index out of range");
  }
  const auto expected = checkedElementCount(opts_.chunks, dtypeSize(opts_.dtype));
  if (!expected || data.size() != *expected)
    return fail(Errc::InvalidArgument, where + ": chunk has " + std::to_string(data.size()) +
                                           " bytes, expected " +
                                           std::to_string(expected ? *expected : 0));
  const std::string key = chunkKeyJoin(chunkIndex, opts_.dimensionSeparator);
  const fs::path path = dir_ / key;
  if (opts_.dimensionSeparator == '/' && chunkIndex.size() > 1) {
    if (auto r = ensureDirectory(path.parent_path()); !r) return std::unexpected(r.error());
  }
  auto encoded = codecFor(opts_.compressor, opts_.dtype)->encode(data);
  if (!encoded) return fail(encoded.error().code, path.string() + ": " + encoded.error().message);
  return writeFileAtomically(path, *encoded);
}

Expected<void> writeZarrGroup(const fs::path& groupDir, const nlohmann::json& attributes) {
  if (auto r = ensureDirectory(groupDir); !r) return r;
  if (auto r = writeText(groupDir / ".zgroup", pyJson({{"zarr_format", 2}})); !r) return r;
  const nlohmann::json attrs = attributes.is_object() ? attributes : nlohmann::json::object();
  return writeText(groupDir / ".zattrs", pyJson(attrs));
}

}  // namespace tessera::data
