#include "data/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <system_error>

namespace tessera::data {

Expected<void> writeFileAtomic(const std::filesystem::path& target, const std::string& text) {
  // A name no other writer in this process or another one picks.
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = target;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(Errc::Io,
                target.string() + ": cannot write: " + std::generic_category().message(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::generic_category().message(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(Errc::Io, target.string() + ": write failed: " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string why = std::generic_category().message(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(Errc::Io, target.string() + ": flush failed: " + why);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) {
    const std::string why = std::generic_category().message(errno);
    ::unlink(tmp.c_str());
    return fail(Errc::Io, target.string() + ": cannot replace: " + why);
  }
  return {};
}

}  // namespace tessera::data
