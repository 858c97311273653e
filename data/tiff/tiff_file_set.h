#pragma once
/// The TIFF files of an OME-TIFF set (one file, or the several files of a multi-file set),
/// all read through one Store. The first file is opened by whoever builds the set; the others
/// are registered by key and opened on first use, so a missing member fails only the planes
/// stored in it (with an error naming the file), and is retried on the next read.
///
/// Threads: add()/addOpened() are for the opener only, before the set is shared; acquire() may
/// run on many workers at once (each file's lazy open is guarded by its own mutex, and every
/// reader borrows its own libtiff handle from that file's TiffHandlePool).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/tiff/tiff_handle.h"

namespace tessera::data {

/// Byte offsets of the file's top-level IFDs in chain order (at most `maxIfds`); leaves the
/// handle on an arbitrary directory. A failed read of a trailing IFD ends the walk silently.
std::vector<std::uint64_t> walkTiffIfds(TiffHandle& handle, std::size_t maxIfds);

class TiffFileSet {
 public:
  TiffFileSet(std::shared_ptr<const Store> store, std::size_t maxHandlesPerFile);
  ~TiffFileSet();

  /// Registers an opened file (its IFDs are walked now) and returns its index.
  std::uint32_t addOpened(std::string key, std::unique_ptr<TiffHandle> handle);
  /// Registers `key` without opening it (an existing registration is reused).
  std::uint32_t add(const std::string& key);

  /// A handle of file `file` positioned on its IFD number `ifd`. Errors name the file:
  /// the Store's error when it cannot be opened, Errc::Corrupt when it has no such IFD.
  Expected<TiffHandlePool::Lease> acquire(std::uint32_t file, std::int64_t ifd) const;

  /// IFD offsets of file `file`, opening it if needed.
  Expected<std::vector<std::uint64_t>> ifdOffsets(std::uint32_t file) const;

  const std::string& key(std::uint32_t file) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File;
  Expected<File*> ready(std::uint32_t file) const;
  std::shared_ptr<const Store> store_;
  std::size_t maxHandles_;
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace tessera::data
