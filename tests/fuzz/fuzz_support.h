#pragma once
/// Helpers for the libFuzzer targets in tests/fuzz: an in-memory Store (the "client" through
/// which zarr and libtiff read fuzz input without touching the disk) and a scratch file in
/// memory-backed /dev/shm for readers that take a path (HDF5, gzip CSV). Each target defines
/// LLVMFuzzerTestOneInput; it is linked either with libFuzzer (TESSERA_FUZZ, clang) or with
/// fuzz_replay_main.cpp (the normal build), which replays the seed and regression files.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "data/store.h"

namespace tessera::fuzz {

/// Read-only keys -> bytes; NotFound for the rest. Thread-safe (immutable after set-up).
class MemoryStore final : public data::Store {
 public:
  std::map<std::string, data::Bytes, std::less<>> objects;

  std::string describe() const override { return "mem://fuzz"; }
  data::Expected<data::Bytes> read(std::string_view key) const override {
    const auto it = objects.find(key);
    if (it == objects.end()) return data::fail(data::Errc::NotFound, std::string(key) + ": none");
    return it->second;
  }
  data::Expected<data::Bytes> readRange(std::string_view key, std::uint64_t offset,
                                        std::uint64_t length) const override {
    const auto it = objects.find(key);
    if (it == objects.end()) return data::fail(data::Errc::NotFound, std::string(key) + ": none");
    const auto& b = it->second;
    if (offset > b.size() || length > b.size() - offset)
      return data::fail(data::Errc::Corrupt, std::string(key) + ": short");
    return data::Bytes(b.begin() + static_cast<std::ptrdiff_t>(offset),
                       b.begin() + static_cast<std::ptrdiff_t>(offset + length));
  }
  data::Expected<data::Bytes> readSuffix(std::string_view key,
                                         std::uint64_t length) const override {
    const auto it = objects.find(key);
    if (it == objects.end()) return data::fail(data::Errc::NotFound, std::string(key) + ": none");
    const auto& b = it->second;
    if (length > b.size()) return data::fail(data::Errc::Corrupt, std::string(key) + ": short");
    return data::Bytes(b.end() - static_cast<std::ptrdiff_t>(length), b.end());
  }
  bool exists(std::string_view key) const override { return objects.count(key) > 0; }
  data::Expected<std::uint64_t> size(std::string_view key) const override {
    const auto it = objects.find(key);
    if (it == objects.end()) return data::fail(data::Errc::NotFound, std::string(key) + ": none");
    return it->second.size();
  }
  data::Expected<std::vector<std::string>> list(std::string_view prefix) const override {
    std::vector<std::string> out;
    const std::string p = prefix.empty() ? "" : std::string(prefix) + "/";
    for (const auto& [k, v] : objects)
      if (k.compare(0, p.size(), p) == 0) {
        std::string rest = k.substr(p.size());
        rest = rest.substr(0, rest.find('/'));
        if (out.empty() || out.back() != rest) out.push_back(rest);
      }
    return out;
  }
};

/// A scratch file holding `data` in memory-backed /dev/shm (else $TMPDIR or /tmp), named
/// `name` (its extension picks the reader), so readers that take a path run their own open
/// path unchanged. One per process at a time; removed when destroyed.
class ScratchFile {
 public:
  ScratchFile(const std::uint8_t* data, std::size_t size, const std::string& name) {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (tmp ? tmp : "/tmp");
    path_ = dir + "/tessera-fuzz-" + std::to_string(::getpid()) + "-" + name;
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    ok_ = f && (size == 0 || std::fwrite(data, 1, size, f) == size);
    if (f) ok_ = std::fclose(f) == 0 && ok_;
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool ok_ = false;
};

}  // namespace tessera::fuzz
