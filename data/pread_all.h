#pragma once
/// Positional reads that finish: pread until `n` bytes are in, across short reads and EINTR.
#include <cstddef>
#include <cstdint>

namespace tessera::data {

/// Bytes [off, off + n) of `fd` into `p`. False on an error (errno set) or when the file ends
/// first (errno = EIO): the caller names the file and what it was reading. Any thread.
bool preadAll(int fd, void* p, std::size_t n, std::uint64_t off);

}  // namespace tessera::data
