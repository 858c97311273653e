#include "data/pread_all.h"

#include <unistd.h>

#include <cerrno>

namespace tessera::data {

bool preadAll(int fd, void* p, std::size_t n, std::uint64_t off) {
  auto* b = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::pread(fd, b, n, static_cast<off_t>(off));
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) {
      errno = EIO;
      return false;
    }
    b += r, n -= static_cast<std::size_t>(r), off += static_cast<std::uint64_t>(r);
  }
  return true;
}

}  // namespace tessera::data
