#pragma once
/// A read-only byte store addressed by '/'-separated keys (tensorstore's kvstore shape).
/// Implementations are thread-safe: any worker may call any method concurrently.
/// Readers (zarr, NGFF, TIFF) depend only on this interface, never on a concrete store.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/error.h"

namespace tessera::data {

using Bytes = std::vector<std::uint8_t>;

class Store {
 public:
  virtual ~Store() = default;
  /// Where the store points (a directory path or URL); used in error messages.
  virtual std::string describe() const = 0;
  /// The whole object. Errc::NotFound when the key does not exist.
  virtual Expected<Bytes> read(std::string_view key) const = 0;
  /// `length` bytes from `offset`. Errc::Corrupt if the object is shorter than asked for.
  virtual Expected<Bytes> readRange(std::string_view key, std::uint64_t offset,
                                    std::uint64_t length) const = 0;
  /// The last `length` bytes (an HTTP suffix range); used for shard indexes at the end.
  virtual Expected<Bytes> readSuffix(std::string_view key, std::uint64_t length) const = 0;
  virtual bool exists(std::string_view key) const = 0;
  /// Size of the object in bytes.
  virtual Expected<std::uint64_t> size(std::string_view key) const = 0;
  /// Keys directly below `prefix` ("" for the root); names only, directories without a slash.
  virtual Expected<std::vector<std::string>> list(std::string_view prefix) const = 0;
};

/// "describe()/key" for error messages.
std::string storeKeyName(const Store& store, std::string_view key);

}  // namespace tessera::data
