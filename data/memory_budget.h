#pragma once
/// How much memory one read may take. Sizes declared in a file (shapes, counts, chunk sizes)
/// are checked against this before anything is allocated, so a damaged header is refused with
/// a message instead of ending the process in std::bad_alloc. Thread-safe.
#include <unistd.h>

#include <cstdint>

namespace tessera::data {

/// Physical memory of this machine; 8 GiB when the system does not say.
inline std::uint64_t physicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || pageSize <= 0) return std::uint64_t{8} << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(pageSize);
}

/// Half of physical memory: the most one read may allocate before a declared size is taken
/// for damage.
inline std::uint64_t readBudgetBytes() {
  return physicalMemoryBytes() / 2;
}

}  // namespace tessera::data
