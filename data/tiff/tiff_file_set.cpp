#include "data/tiff/tiff_file_set.h"

#include <tiffio.h>

#include <algorithm>

namespace tessera::data {
namespace {
constexpr std::size_t kMaxIfds = 1'000'000;  // bounds the IFD walk of hostile files
}  // namespace

struct TiffFileSet::File {
  std::string key;
  std::mutex mutex;  // guards the lazy open below; the members are immutable once ready
  bool ready = false;
  std::vector<std::uint64_t> ifds;
  std::unique_ptr<TiffHandlePool> pool;
};

std::vector<std::uint64_t> walkTiffIfds(TiffHandle& h, std::size_t maxIfds) {
  TIFF* tif = h.tif();
  std::vector<std::uint64_t> ifds;
  if (!TIFFSetDirectory(tif, 0)) return ifds;
  do {
    ifds.push_back(TIFFCurrentDirOffset(tif));
  } while (ifds.size() < maxIfds && TIFFReadDirectory(tif));
  h.clearError();  // a failed read of a trailing IFD is not fatal
  return ifds;
}

TiffFileSet::TiffFileSet(std::shared_ptr<const Store> store, std::size_t maxHandlesPerFile)
    : store_(std::move(store)), maxHandles_(maxHandlesPerFile) {}

TiffFileSet::~TiffFileSet() = default;

std::uint32_t TiffFileSet::addOpened(std::string key, std::unique_ptr<TiffHandle> handle) {
  auto f = std::make_unique<File>();
  f->key = std::move(key);
  f->ifds = walkTiffIfds(*handle, kMaxIfds);
  f->pool = std::make_unique<TiffHandlePool>(store_, f->key, maxHandles_);
  f->pool->adopt(std::move(handle));
  f->ready = true;
  files_.push_back(std::move(f));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

std::uint32_t TiffFileSet::add(const std::string& key) {
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (files_[i]->key == key) return static_cast<std::uint32_t>(i);
  auto f = std::make_unique<File>();
  f->key = key;
  files_.push_back(std::move(f));
  return static_cast<std::uint32_t>(files_.size() - 1);
}

const std::string& TiffFileSet::key(std::uint32_t file) const {
  return files_.at(file)->key;
}

Expected<TiffFileSet::File*> TiffFileSet::ready(std::uint32_t file) const {
  if (file >= files_.size()) return fail(Errc::InvalidArgument, "TiffFileSet: no such file");
  File& f = *files_[file];
  std::lock_guard lock(f.mutex);
  if (f.ready) return &f;
  auto handle = TiffHandle::open(store_, f.key);
  if (!handle)
    return fail(handle.error().code, storeKeyName(*store_, f.key) +
                                         " (a file of the multi-file OME-TIFF set) cannot be "
                                         "opened: " +
                                         handle.error().message);
  f.ifds = walkTiffIfds(**handle, kMaxIfds);
  f.pool = std::make_unique<TiffHandlePool>(store_, f.key, maxHandles_);
  f.pool->adopt(std::move(*handle));
  f.ready = true;
  return &f;
}

Expected<std::vector<std::uint64_t>> TiffFileSet::ifdOffsets(std::uint32_t file) const {
  auto f = ready(file);
  if (!f) return std::unexpected(f.error());
  return (*f)->ifds;
}

Expected<TiffHandlePool::Lease> TiffFileSet::acquire(std::uint32_t file, std::int64_t ifd) const {
  auto f = ready(file);
  if (!f) return std::unexpected(f.error());
  if (ifd < 0 || static_cast<std::size_t>(ifd) >= (*f)->ifds.size())
    return fail(Errc::Corrupt, storeKeyName(*store_, (*f)->key) + ": no IFD " +
                                   std::to_string(ifd) + " (the file has " +
                                   std::to_string((*f)->ifds.size()) + ")");
  auto lease = (*f)->pool->acquire();
  if (!lease) return std::unexpected(lease.error());
  if (auto r = (**lease).setDirectoryOffset((*f)->ifds[static_cast<std::size_t>(ifd)]); !r)
    return std::unexpected(r.error());
  return lease;
}

}  // namespace tessera::data
