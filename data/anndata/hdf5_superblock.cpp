#include "data/anndata/hdf5_superblock.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

#include "data/anndata/hdf5_object_header.h"

namespace tessera::data::h5 {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// HDF5 looks for the signature at 0, then at 512 and each power of two after it (a user block).
std::optional<std::uint64_t> findSignature(const RawReader& read, std::uint64_t fileBytes) {
  for (std::uint64_t at = 0; at + sizeof kSignature <= fileBytes; at = at ? at * 2 : 512) {
    const auto bytes = read(at, sizeof kSignature);
    if (bytes.size() == sizeof kSignature && std::memcmp(bytes.data(), kSignature, 8) == 0)
      return at;
  }
  return std::nullopt;
}

}  // namespace

Expected<void> checkSuperblock(const std::string& name) {
  const RawReader read = readerOf(name);
  std::error_code ec;
  const std::uint64_t fileBytes = std::filesystem::file_size(name, ec);
  if (ec) return fail(Errc::Io, name + ": cannot read (" + ec.message() + ")");
  const auto damaged = [&](const std::string& why) {
    return fail(Errc::Corrupt, name + ": damaged HDF5 file (" + why + ")");
  };
  const auto at = findSignature(read, fileBytes);
  if (!at) return damaged("no superblock");
  // Up to the root group's address, at most 28 + 5 addresses of 8 bytes (format spec §II.A).
  const auto sb = read(*at, std::min<std::uint64_t>(128, fileBytes - *at));
  if (sb.size() < 16) return damaged("superblock past the end of the file");
  const unsigned version = sb[8];
  FileGeometry g;
  g.fileBytes = fileBytes;
  g.userblock = *at;  // HDF5 takes addresses from the superblock's own position
  std::size_t rootAt = 0, extensionAt = 0;
  if (version <= 1) {
    g.sizeofAddr = sb[13];
    g.sizeofSize = sb[14];
    const std::size_t fixed = version == 0 ? 24 : 28;
    // base, free space, end of file and driver addresses, then the root group's symbol table
    // entry: link name offset, object header address.
    rootAt = fixed + 5 * g.sizeofAddr;
  } else if (version <= 3) {
    g.sizeofAddr = sb[9];
    g.sizeofSize = sb[10];
    // base, extension, end of file, then the root group's object header address.
    extensionAt = 12 + g.sizeofAddr;
    rootAt = 12 + 3 * g.sizeofAddr;
  } else {
    return damaged("superblock version " + std::to_string(version));
  }
  for (const std::size_t width : {g.sizeofAddr, g.sizeofSize})
    if (width != 2 && width != 4 && width != 8)
      return damaged("address width " + std::to_string(width));
  if (rootAt + g.sizeofAddr > sb.size()) return damaged("superblock past the end of the file");
  if (auto ok = checkHeaderAt(read, g, readLe(sb.data() + rootAt, g.sizeofAddr)); !ok)
    return damaged("root group: " + ok.error().message);
  if (extensionAt) {
    const std::uint64_t ext = readLe(sb.data() + extensionAt, g.sizeofAddr);
    if (!undefinedAddress(ext, g.sizeofAddr))
      if (auto ok = checkHeaderAt(read, g, ext); !ok)
        return damaged("superblock extension: " + ok.error().message);
  }
  return {};
}

}  // namespace tessera::data::h5
