#include "data/remote/disk_cache.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "data/json_number.h"

namespace tessera::data {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'T', 'S', 'H', 'C', 'A', 'C', 'H', '1'};
constexpr std::uint64_t kMaxMeta = 1 << 20;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool writeAll(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool readAll(int fd, void* data, std::size_t n) {
  auto* p = static_cast<std::uint8_t*>(data);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

std::int64_t mtimeNs(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

fs::path DiskCache::defaultDirectory() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return fs::path(xdg) / "tessera" / "http";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/tmp") / ".cache" / "tessera" / "http";
}

DiskCache::DiskCache(fs::path dir, std::uint64_t cap) : dir_(std::move(dir)), cap_(cap) {}

Expected<std::shared_ptr<DiskCache>> DiskCache::open(fs::path dir, std::uint64_t capBytes) {
  std::error_code ec;
  fs::create_directories(dir / "tmp", ec);
  if (ec) return fail(Errc::Io, dir.string() + ": cannot create the HTTP cache: " + ec.message());
  std::shared_ptr<DiskCache> cache(new DiskCache(std::move(dir), capBytes));
  cache->scan();
  return cache;
}

void DiskCache::scan() {
  std::error_code ec;
  // Temporaries left by a crashed writer are never valid entries.
  for (const auto& e : fs::directory_iterator(dir_ / "tmp", ec))
    fs::remove(e.path(), ec);
  for (const auto& sub : fs::directory_iterator(dir_, ec)) {
    if (!sub.is_directory() || sub.path().filename() == "tmp") continue;
    for (const auto& e : fs::directory_iterator(sub.path(), ec)) {
      struct stat st {};
      if (e.path().extension() != ".entry" || ::stat(e.path().c_str(), &st) != 0) continue;
      items_[e.path().filename().string()] = {static_cast<std::uint64_t>(st.st_size), mtimeNs(st)};
      total_ += static_cast<std::uint64_t>(st.st_size);
    }
  }
  std::lock_guard lock(mutex_);
  evictLocked();
}

fs::path DiskCache::entryPath(const std::string& key) const {
  const std::string h = sha256Hex(key);
  return dir_ / h.substr(0, 2) / (h + ".entry");
}

std::optional<DiskCache::Entry> DiskCache::get(const std::string& key) {
  const fs::path path = entryPath(key);
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return std::nullopt;
  auto bad = [&]() -> std::optional<Entry> {
    f = {};
    remove(key);
    return std::nullopt;
  };
  char magic[8];
  std::uint64_t lens[2];
  if (!readAll(f.fd, magic, 8) || std::memcmp(magic, kMagic, 8) != 0 ||
      !readAll(f.fd, lens, sizeof lens) || lens[0] > kMaxMeta)
    return bad();
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 ||
      static_cast<std::uint64_t>(st.st_size) != 8 + sizeof lens + lens[0] + lens[1])
    return bad();
  std::string metaText(lens[0], '\0');
  Entry e;
  e.body.resize(lens[1]);
  if (!readAll(f.fd, metaText.data(), metaText.size()) ||
      !readAll(f.fd, e.body.data(), e.body.size()))
    return bad();
  auto meta = nlohmann::json::parse(metaText, nullptr, false);
  if (!meta.is_object() || jsonStringOr(meta, "key") != key) return bad();
  const auto crc = crc32(0L, e.body.data(), static_cast<uInt>(e.body.size()));
  if (meta.value("crc32", std::uint64_t(0)) != crc) return bad();
  e.etag = jsonStringOr(meta, "etag");
  e.lastModified = jsonStringOr(meta, "last_modified");
  e.storedAt = meta.value("stored_at", std::int64_t(0));
  ::futimens(f.fd, nullptr);
  std::lock_guard lock(mutex_);
  if (auto it = items_.find(path.filename().string()); it != items_.end())
    it->second.lastUse = nowNs();
  return e;
}

Expected<void> DiskCache::put(const std::string& key, const Bytes& body, const std::string& etag,
                              const std::string& lastModified) {
  if (body.size() > cap_) return {};  // never worth evicting everything for one object
  const fs::path path = entryPath(key);
  const std::string metaText =
      nlohmann::json{{"key", key},
                     {"etag", etag},
                     {"last_modified", lastModified},
                     {"stored_at", nowSeconds()},
                     {"crc32", crc32(0L, body.data(), static_cast<uInt>(body.size()))}}
          .dump();
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const fs::path tmp = dir_ / "tmp" / (std::to_string(rng()) + ".tmp");
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (f.fd < 0) return fail(Errc::Io, tmp.string() + ": " + std::strerror(errno));
    const std::uint64_t lens[2] = {metaText.size(), body.size()};
    const bool ok = writeAll(f.fd, kMagic, 8) && writeAll(f.fd, lens, sizeof lens) &&
                    writeAll(f.fd, metaText.data(), metaText.size()) &&
                    writeAll(f.fd, body.data(), body.size()) && ::fsync(f.fd) == 0;
    if (!ok) {
      const std::string why = std::strerror(errno);
      fs::remove(tmp, ec);
      return fail(Errc::Io, path.string() + ": cannot write the cache entry: " + why);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    fs::remove(tmp, ec);
    return fail(Errc::Io, path.string() + ": " + why);
  }
  std::lock_guard lock(mutex_);
  const std::uint64_t size = 8 + 16 + metaText.size() + body.size();
  auto& item = items_[path.filename().string()];
  total_ = total_ - item.size + size;
  item = {size, nowNs()};
  evictLocked();
  return {};
}

void DiskCache::remove(const std::string& key) {
  const fs::path path = entryPath(key);
  std::error_code ec;
  fs::remove(path, ec);
  std::lock_guard lock(mutex_);
  if (auto it = items_.find(path.filename().string()); it != items_.end()) {
    total_ -= it->second.size;
    items_.erase(it);
  }
}

void DiskCache::evictLocked() {
  if (total_ <= cap_) return;
  std::vector<std::pair<std::int64_t, std::string>> order;
  for (const auto& [name, item] : items_)
    order.emplace_back(item.lastUse, name);
  std::sort(order.begin(), order.end());
  const std::uint64_t target = cap_ - cap_ / 10;
  std::error_code ec;
  for (const auto& [use, name] : order) {
    if (total_ <= target) break;
    fs::remove(dir_ / name.substr(0, 2) / name, ec);
    total_ -= items_[name].size;
    items_.erase(name);
  }
}

std::uint64_t DiskCache::totalBytes() const {
  std::lock_guard lock(mutex_);
  return total_;
}

std::uint64_t DiskCache::capBytes() const {
  std::lock_guard lock(mutex_);
  return cap_;
}

void DiskCache::setCapBytes(std::uint64_t cap) {
  std::lock_guard lock(mutex_);
  cap_ = cap;
  evictLocked();
}

}  // namespace tessera::data
