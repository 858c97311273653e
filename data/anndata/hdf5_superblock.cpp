#include "data/anndata/hdf5_superblock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "data/anndata/hdf5_object_header.h"

namespace tessera::data::h5 {
namespace {

constexpr unsigned char kSignature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
constexpr std::uint64_t kUndefined = ~std::uint64_t{0};

class Fd {
 public:
  explicit Fd(const std::string& name) : fd_(::open(name.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  std::uint64_t size() const {
    struct stat st {};
    return fd_ >= 0 && ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  }
  std::vector<unsigned char> read(std::uint64_t offset, std::uint64_t length) const {
    std::vector<unsigned char> out(length);
    std::uint64_t done = 0;
    while (fd_ >= 0 && done < length) {
      const ssize_t r =
          ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return {};
      done += static_cast<std::uint64_t>(r);
    }
    return out;
  }

 private:
  int fd_;
};

// HDF5 looks for the signature at 0, then at 512 and each power of two after it (a user block).
std::optional<std::uint64_t> findSignature(const Fd& fd, std::uint64_t fileBytes) {
  for (std::uint64_t at = 0; at + sizeof kSignature <= fileBytes; at = at ? at * 2 : 512) {
    const auto bytes = fd.read(at, sizeof kSignature);
    if (bytes.size() == sizeof kSignature && std::memcmp(bytes.data(), kSignature, 8) == 0)
      return at;
  }
  return std::nullopt;
}

}  // namespace

Expected<void> checkSuperblock(const std::string& name) {
  const Fd fd(name);
  const std::uint64_t fileBytes = fd.size();
  const auto damaged = [&](const std::string& why) {
    return fail(Errc::Corrupt, name + ": damaged HDF5 file (" + why + ")");
  };
  const auto at = findSignature(fd, fileBytes);
  if (!at) return damaged("no superblock");
  // Up to the root group's address, at most 28 + 5 addresses of 8 bytes (format spec §II.A).
  const auto sb = fd.read(*at, std::min<std::uint64_t>(128, fileBytes - *at));
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
  const RawReader read = [&fd](std::uint64_t offset, std::uint64_t length) {
    return fd.read(offset, length);
  };
  if (auto ok = checkHeaderAt(read, g, readLe(sb.data() + rootAt, g.sizeofAddr)); !ok)
    return damaged("root group: " + ok.error().message);
  if (extensionAt) {
    const std::uint64_t ext = readLe(sb.data() + extensionAt, g.sizeofAddr);
    const bool undefined =
        g.sizeofAddr == 8 ? ext == kUndefined : ext == (std::uint64_t{1} << 8 * g.sizeofAddr) - 1;
    if (!undefined)
      if (auto ok = checkHeaderAt(read, g, ext); !ok)
        return damaged("superblock extension: " + ok.error().message);
  }
  return {};
}

}  // namespace tessera::data::h5
