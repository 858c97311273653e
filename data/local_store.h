#pragma once
/// Store over a local directory (or a single file, addressed with the empty key).
/// Read-only by design: source datasets are never modified. Thread-safe.
#include <filesystem>

#include "data/store.h"

namespace tessera::data {

class LocalStore final : public Store {
 public:
  explicit LocalStore(std::filesystem::path root);
  std::string describe() const override;
  Expected<Bytes> read(std::string_view key) const override;
  Expected<Bytes> readRange(std::string_view key, std::uint64_t offset,
                            std::uint64_t length) const override;
  Expected<Bytes> readSuffix(std::string_view key, std::uint64_t length) const override;
  bool exists(std::string_view key) const override;
  Expected<std::uint64_t> size(std::string_view key) const override;
  Expected<std::vector<std::string>> list(std::string_view prefix) const override;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path pathOf(std::string_view key) const;
  std::filesystem::path root_;
};

}  // namespace tessera::data
