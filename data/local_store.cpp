#include "data/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace tessera::data {
namespace {

// RAII fd so that every early return closes the file.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Expected<Bytes> preadExactly(int fd, std::uint64_t offset, std::uint64_t length,
                             const std::string& name) {
  Bytes out(length);
  std::uint64_t done = 0;
  while (done < length) {
    const ssize_t n =
        ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(Errc::Io, name + ": " + std::strerror(errno));
    }
    if (n == 0)
      return fail(Errc::Corrupt, name + ": truncated (wanted " + std::to_string(length) +
                                     " bytes at offset " + std::to_string(offset) + ")");
    done += static_cast<std::uint64_t>(n);
  }
  return out;
}

}  // namespace

std::string storeKeyName(const Store& store, std::string_view key) {
  std::string s = store.describe();
  if (!key.empty()) {
    if (!s.empty() && s.back() != '/') s += '/';
    s += key;
  }
  return s;
}

LocalStore::LocalStore(std::filesystem::path root) : root_(std::move(root)) {}

std::string LocalStore::describe() const {
  return root_.string();
}

std::filesystem::path LocalStore::pathOf(std::string_view key) const {
  return key.empty() ? root_ : root_ / std::filesystem::path(std::string(key));
}

Expected<Bytes> LocalStore::read(std::string_view key) const {
  const auto n = size(key);
  if (!n) return std::unexpected(n.error());
  return readRange(key, 0, *n);
}

Expected<Bytes> LocalStore::readRange(std::string_view key, std::uint64_t offset,
                                      std::uint64_t length) const {
  const std::string name = storeKeyName(*this, key);
  Fd f{::open(pathOf(key).c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return fail(Errc::NotFound, name + ": no such file");
    return fail(Errc::Io, name + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return fail(Errc::Io, name + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(Errc::NotFound, name + ": is a directory");
  const auto fileSize = static_cast<std::uint64_t>(st.st_size);
  if (offset > fileSize || length > fileSize - offset)
    return fail(Errc::Corrupt, name + ": range " + std::to_string(offset) + "+" +
                                   std::to_string(length) + " is past the end (" +
                                   std::to_string(fileSize) + " bytes)");
  return preadExactly(f.fd, offset, length, name);
}

Expected<Bytes> LocalStore::readSuffix(std::string_view key, std::uint64_t length) const {
  const auto n = size(key);
  if (!n) return std::unexpected(n.error());
  if (length > *n)
    return fail(Errc::Corrupt,
                storeKeyName(*this, key) + ": shorter than " + std::to_string(length) + " bytes");
  return readRange(key, *n - length, length);
}

bool LocalStore::exists(std::string_view key) const {
  std::error_code ec;
  return std::filesystem::exists(pathOf(key), ec);
}

Expected<std::uint64_t> LocalStore::size(std::string_view key) const {
  std::error_code ec;
  const auto p = pathOf(key);
  const auto st = std::filesystem::status(p, ec);
  if (ec || !std::filesystem::exists(st))
    return fail(Errc::NotFound, storeKeyName(*this, key) + ": no such file");
  if (std::filesystem::is_directory(st))
    return fail(Errc::NotFound, storeKeyName(*this, key) + ": is a directory");
  const auto n = std::filesystem::file_size(p, ec);
  if (ec) return fail(Errc::Io, storeKeyName(*this, key) + ": " + ec.message());
  return n;
}

Expected<std::vector<std::string>> LocalStore::list(std::string_view prefix) const {
  std::error_code ec;
  std::vector<std::string> names;
  for (auto it = std::filesystem::directory_iterator(pathOf(prefix), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return fail(Errc::NotFound, storeKeyName(*this, prefix) + ": " + ec.message());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace tessera::data
