#pragma once
/// Checks made beneath HDF5, on the file's own bytes, before HDF5 follows what a damaged file
/// says: HDF5 trusts some of its on-disk structures and crashes on damaged ones (OSS-Fuzz still
/// lists such bugs), so the readers look first. Same thread rule as the rest of the adapter:
/// one thread at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/anndata/hdf5_util.h"

namespace tessera::data::h5 {

/// Reads of one file through one descriptor: a million strings sit in thousands of heap
/// collections, and opening the file for each read cost more than the reads.
class FileBytes {
 public:
  explicit FileBytes(const std::string& name);
  explicit FileBytes(hid_t obj);  ///< the file holding `obj`, by the name HDF5 opened it by
  ~FileBytes();
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  /// Bytes [offset, offset + length) into `out`; false (and `out` empty) when they cannot all
  /// be read.
  bool read(std::uint64_t offset, std::uint64_t length, std::vector<unsigned char>& out) const;

 private:
  int fd_ = -1;
};

/// Size in bytes of the file holding `obj` (0 when unknown).
std::uint64_t fileSizeOf(hid_t obj);

/// Bytes [offset, offset + length) of the file holding `obj`; empty when unreadable.
std::vector<unsigned char> readFileBytes(hid_t obj, std::uint64_t offset, std::uint64_t length);

/// Variable-length strings are references into global heap collections ("GCOL"), which HDF5
/// follows without checking the object index or the collection's size (H5HG_read crashes on a
/// damaged one, found by tests/fuzz/mutate_inputs.py). The references of `dataset` (`n`
/// elements) are read raw and each one is checked against its collection: inside the file,
/// signed "GCOL", walkable as HDF5 walks it, an object of that index, long enough for the string.
/// Contiguous, compact and chunked datasets (unfiltered, gzip or lzf, after shuffle or not) are
/// checked; Errc::Corrupt naming `where`. Chunked datasets with other filters are refused: no
/// writer of string columns uses them, and they could not be checked.
/// The checked bytes are the strings themselves, so they are returned as H5Dread gives them
/// (each up to its first NUL; empty for an empty reference): reading them again through HDF5
/// took as long as the check. nullopt when HDF5 must read them (some are fill values: no storage
/// or unallocated chunks; a chunked dataset of more than one dimension; an unknown layout).
Expected<std::optional<std::vector<std::string>>> readCheckedVlenStrings(hid_t dataset,
                                                                         std::size_t n,
                                                                         const std::string& where);

/// The attribute messages of `obj`'s header, checked before HDF5 decodes them (it does for any
/// attribute query, H5Aexists included): each name must end inside its message, since HDF5
/// copies it with strdup (a heap overflow found by fuzz_hdf5). Errc::Corrupt naming `where`.
Expected<void> checkAttributeMessages(hid_t obj, const std::string& where);

/// The same check for the variable-length strings of attribute `name` of `obj` (`n` elements),
/// whose references sit in the object header: HDF5 1.10 loops forever loading a collection with a
/// free-space object of size 0 (found by fuzz_hdf5). Attributes kept in dense storage are not
/// found in the header and pass unchecked.
Expected<void> checkAttributeReferences(hid_t obj, const char* name, std::size_t n,
                                        const std::string& where);

}  // namespace tessera::data::h5
