#pragma once
/// A reader of HDF5 object headers from the file's own bytes (format spec §IV.A), so that the
/// raw data HDF5 keeps inside a header (attribute values, compact datasets) can be checked
/// before HDF5 follows what it says. Version 1 and 2 headers with their continuation chunks are
/// walked; nothing is read from a size the file declares without checking it against the
/// file's length first.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/anndata/hdf5_util.h"

namespace tessera::data::h5 {

/// Little-endian unsigned integer of `n` (≤ 8) bytes at `p`.
inline std::uint64_t readLe(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;)
    v = (v << 8) | p[i];
  return v;
}

/// Whether `a`, an address `width` bytes wide, is HDF5's "undefined address" (all bits set).
inline bool undefinedAddress(std::uint64_t a, std::size_t width) {
  return width >= 8 ? a == ~std::uint64_t{0} : a == (std::uint64_t{1} << 8 * width) - 1;
}

/// What a raw reader needs to know of the file holding an object.
struct FileGeometry {
  std::uint64_t fileBytes = 0, userblock = 0;
  std::size_t sizeofAddr = 8, sizeofSize = 8;
};

/// Reads bytes [offset, offset + length) of a file (absolute offsets); empty when it cannot.
using RawReader = std::function<std::vector<unsigned char>(std::uint64_t, std::uint64_t)>;

/// Reads the file holding `obj`, or the file `name`, through one descriptor.
RawReader readerOf(hid_t obj);
RawReader readerOf(const std::string& name);

/// The geometry of the file holding `obj`; nullopt when HDF5 cannot say.
std::optional<FileGeometry> fileGeometry(hid_t obj);

/// Calls `visit(type, data)` for each message of `obj`'s object header, in file order, until it
/// returns true. A header that does not parse (bad version or signature, a message or chunk past
/// its bounds, a continuation loop) is Errc::Corrupt.
using HeaderVisitor = std::function<bool(unsigned type, std::span<const unsigned char> data)>;
Expected<void> forEachHeaderMessage(hid_t obj, const FileGeometry& file,
                                    const HeaderVisitor& visit);

/// The object header at `addr` (relative to the base), every chunk of it, must lie inside the
/// file: HDF5 allocates the length a header declares before it reads it, so a damaged length
/// asked HDF5 for 21 GB for a 17 kB file (found by fuzz_hdf5). A chunked layout message in it
/// must parse (parseChunkLayout). Errc::Corrupt otherwise.
Expected<void> checkHeaderAt(const RawReader& readAt, const FileGeometry& file, std::uint64_t addr);

/// Where a chunked dataset's chunks are indexed, from its layout message (format spec
/// §IV.A.2.i), and the chunk's dimensions (the element size's last).
struct ChunkLayout {
  enum class Index { BTree1, SingleFiltered, Other } index = Index::Other;
  std::uint64_t addr = 0;        ///< B-tree root or the single chunk
  std::uint64_t singleSize = 0;  ///< stored size of a filtered single chunk
  unsigned singleMask = 0;       ///< the filters it skipped
  std::vector<std::uint64_t> dims;
};

/// The layout message `m`: nullopt when it is not a chunked layout, Errc::Corrupt when it does
/// not parse or a chunk dimension is 0 (HDF5 divides by each when it opens the dataset: SIGFPE,
/// found by fuzz_hdf5).
Expected<std::optional<ChunkLayout>> parseChunkLayout(std::span<const unsigned char> m,
                                                      const FileGeometry& g);

/// Where a datatype (format spec §IV.A.2.d) stored in `m` from `pos` ends, every part of it before
/// `end`: each name in it (compound and enumeration members, opaque tags, at any depth) ending
/// in a NUL, since HDF5 copies names with strdup when it decodes a type (a read past the header,
/// found by fuzz_hdf5), and the bits of integers and floats inside their element, since HDF5
/// converts numbers through them (SIGBUS in H5T__bit_copy, found by fuzz_hdf5). nullopt when a
/// part does not fit or the type is of no known form.
std::optional<std::size_t> datatypeEnd(std::span<const unsigned char> m, std::size_t pos,
                                       std::size_t end, int depth = 0);

/// Message types used by the checks.
inline constexpr unsigned kDatatypeMessage = 0x0003;
inline constexpr unsigned kLayoutMessage = 0x0008;
inline constexpr unsigned kAttributeMessage = 0x000C;
inline constexpr unsigned kContinuationMessage = 0x0010;
/// Message flag: the message is shared (kept elsewhere; this one refers to it).
inline constexpr unsigned kSharedMessage = 0x02;

}  // namespace tessera::data::h5
