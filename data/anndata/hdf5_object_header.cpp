#include "data/anndata/hdf5_object_header.h"

#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "data/anndata/hdf5_raw.h"

namespace tessera::data::h5 {
namespace {

std::unexpected<Error> damaged(const std::string& why) {
  return fail(Errc::Corrupt, "damaged object header (" + why + ")");
}

// A chunk of messages still to walk: its file address (relative to the base) and length.
struct Chunk {
  std::uint64_t addr = 0, length = 0;
};

// A header has a few chunks; a damaged one could chain thousands, each a read.
constexpr std::size_t kMaxChunks = 4096;

class HeaderWalk {
 public:
  HeaderWalk(const RawReader& readAt, const FileGeometry& file, const HeaderVisitor& visit)
      : readAt_(readAt), file_(file), visit_(visit) {}

  Expected<void> run(std::uint64_t addr) {
    const auto prefix = read(addr, 16);
    if (prefix.size() != 16) return damaged("header past the end of the file");
    std::vector<Chunk> pending;
    if (std::memcmp(prefix.data(), "OHDR", 4) == 0) {
      if (prefix[4] != 2) return damaged("unknown version");
      const unsigned flags = prefix[5];
      creationOrder_ = (flags & 0x04) != 0;
      std::size_t pos = 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
      const std::size_t width = std::size_t{1} << (flags & 0x03);
      const auto sizeField = read(addr + pos, width);
      if (sizeField.size() != width) return damaged("header past the end of the file");
      version_ = 2;
      pending.push_back({addr + pos + width, readLe(sizeField.data(), width)});
    } else {
      if (prefix[0] != 1) return damaged("unknown version");
      version_ = 1;
      pending.push_back({addr + 16, readLe(prefix.data() + 8, 4)});
    }
    std::set<std::uint64_t> seen;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (i >= kMaxChunks || !seen.insert(pending[i].addr).second)
        return damaged("continuation chunks loop");
      bool stop = false;
      if (auto ok = walkChunk(pending[i], i > 0, pending, stop); !ok) return ok;
      if (stop) return {};
    }
    return {};
  }

 private:
  std::vector<unsigned char> read(std::uint64_t addr, std::uint64_t length) const {
    const std::uint64_t base = file_.userblock;
    if (addr >= file_.fileBytes - base || length > file_.fileBytes - base - addr) return {};
    return readAt_(base + addr, length);
  }

  Expected<void> walkChunk(const Chunk& chunk, bool continuation, std::vector<Chunk>& pending,
                           bool& stop) {
    const auto bytes = read(chunk.addr, chunk.length);
    if (bytes.size() != chunk.length || chunk.length == 0)
      return damaged("chunk past the end of the file");
    std::size_t pos = 0, end = bytes.size();
    if (version_ == 2) {
      // v2 continuation chunks are signed; every v2 chunk ends in a checksum. The first chunk's
      // declared length excludes its checksum, which lies just past it.
      if (continuation) {
        if (end < 8 || std::memcmp(bytes.data(), "OCHK", 4) != 0)
          return damaged("continuation chunk unsigned");
        pos = 4;
        end -= 4;
      }
    }
    const std::size_t head = version_ == 1 ? 8 : (creationOrder_ ? 6 : 4);
    while (pos + head <= end) {
      const unsigned char* m = bytes.data() + pos;
      unsigned type, flags;
      std::uint64_t size;
      if (version_ == 1) {
        type = static_cast<unsigned>(readLe(m, 2));
        size = readLe(m + 2, 2);
        flags = m[4];
      } else {
        type = m[0];
        size = readLe(m + 1, 2);
        flags = m[3];
      }
      if (size > end - pos - head) return damaged("message past the end of its chunk");
      const std::span<const unsigned char> data(m + head, size);
      if (type == kContinuationMessage) {
        const std::size_t a = file_.sizeofAddr, s = file_.sizeofSize;
        if (size < a + s) return damaged("continuation message too short");
        pending.push_back({readLe(data.data(), a), readLe(data.data() + a, s)});
      } else if (flags & kSharedMessage) {
        // A reference to the message kept elsewhere (a committed datatype, the shared-message
        // heap), not the message: no visitor could read it as one.
      } else if (visit_(type, data)) {
        stop = true;
        return {};
      }
      pos += head + size;
    }
    return {};
  }

  const RawReader& readAt_;
  const FileGeometry& file_;
  const HeaderVisitor& visit_;
  int version_ = 1;
  bool creationOrder_ = false;
};

// One descriptor for all the reads of a walk (a chunk index has hundreds of nodes).
RawReader readerOver(std::shared_ptr<const FileBytes> bytes) {
  return [bytes](std::uint64_t offset, std::uint64_t length) {
    std::vector<unsigned char> out;
    bytes->read(offset, length, out);
    return out;
  };
}

}  // namespace

std::optional<FileGeometry> fileGeometry(hid_t obj) {
  Handle file(H5Iget_file_id(obj));
  Handle fcpl(file ? H5Fget_create_plist(file.get()) : H5I_INVALID_HID);
  FileGeometry g;
  hsize_t userblock = 0;
  if (!fcpl || H5Pget_userblock(fcpl.get(), &userblock) < 0 ||
      H5Pget_sizes(fcpl.get(), &g.sizeofAddr, &g.sizeofSize) < 0 || g.sizeofAddr > 8 ||
      g.sizeofSize > 8) {
    H5Eclear2(H5E_DEFAULT);
    return std::nullopt;
  }
  g.userblock = userblock;
  g.fileBytes = fileSizeOf(obj);
  if (g.fileBytes == 0 || g.userblock >= g.fileBytes) return std::nullopt;
  return g;
}

Expected<void> forEachHeaderMessage(hid_t obj, const FileGeometry& file,
                                    const HeaderVisitor& visit) {
  H5O_info_t info{};
  if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return damaged("header unreadable");
  }
  return HeaderWalk(readerOf(obj), file, visit).run(info.addr);
}

RawReader readerOf(hid_t obj) {
  return readerOver(std::make_shared<const FileBytes>(obj));
}

RawReader readerOf(const std::string& name) {
  return readerOver(std::make_shared<const FileBytes>(name));
}

Expected<void> checkHeaderAt(const RawReader& readAt, const FileGeometry& file,
                             std::uint64_t addr) {
  std::string layoutDamage;
  // Every message is visited (never stopping at the first layout or datatype): the walk is
  // also what checks each continuation chunk, and one after the layout message went unchecked
  // (a 3.9 GB header allocation, found by fuzz_hdf5).
  const HeaderVisitor layouts = [&](unsigned type, std::span<const unsigned char> data) {
    if (!layoutDamage.empty()) return false;
    if (type == kDatatypeMessage && !datatypeEnd(data, 0, data.size()))
      layoutDamage = "datatype message does not parse";
    if (type == kLayoutMessage)
      if (auto ok = parseChunkLayout(data, file); !ok) layoutDamage = ok.error().message;
    return false;
  };
  if (auto ok = HeaderWalk(readAt, file, layouts).run(addr); !ok) return ok;
  if (!layoutDamage.empty()) return damaged(layoutDamage);
  return {};
}

Expected<std::optional<ChunkLayout>> parseChunkLayout(std::span<const unsigned char> m,
                                                      const FileGeometry& g) {
  const std::size_t o = g.sizeofAddr, l = g.sizeofSize;
  const auto bad = [] { return fail(Errc::Corrupt, "layout message does not parse"); };
  ChunkLayout c;
  std::size_t ndims = 0, dimsAt = 0, dimBytes = 4;
  if (m.size() < 2) return bad();
  if (m[0] == 1 || m[0] == 2) {
    if (m.size() < 3) return bad();
    if (m[2] != 2) return std::nullopt;
    if (m.size() < 8 + o) return bad();
    c.index = ChunkLayout::Index::BTree1;
    ndims = m[1];
    c.addr = readLe(m.data() + 8, o);
    dimsAt = 8 + o;
  } else if (m[0] == 3) {
    if (m[1] != 2) return std::nullopt;
    if (m.size() < 3 + o) return bad();
    c.index = ChunkLayout::Index::BTree1;
    ndims = m[2];
    c.addr = readLe(m.data() + 3, o);
    dimsAt = 3 + o;
  } else if (m[0] == 4) {
    if (m[1] != 2) return std::nullopt;
    if (m.size() < 5) return bad();
    const unsigned flags = m[2];
    ndims = m[3];
    dimBytes = m[4];
    dimsAt = 5;
    std::size_t pos = dimsAt + ndims * dimBytes;
    if (dimBytes == 0 || dimBytes > 8 || pos >= m.size()) return bad();
    const unsigned type = m[pos++];
    if (type == 1 && (flags & 0x02)) {
      if (pos + l + 4 + o > m.size()) return bad();
      c.index = ChunkLayout::Index::SingleFiltered;
      c.singleSize = readLe(m.data() + pos, l);
      c.singleMask = static_cast<unsigned>(readLe(m.data() + pos + l, 4));
      c.addr = readLe(m.data() + pos + l + 4, o);
    }
  } else {
    return bad();
  }
  if (ndims == 0 || dimsAt + ndims * dimBytes > m.size()) return bad();
  for (std::size_t d = 0; d < ndims; ++d) {
    c.dims.push_back(readLe(m.data() + dimsAt + d * dimBytes, dimBytes));
    if (c.dims.back() == 0) return fail(Errc::Corrupt, "a chunk dimension of 0");
  }
  return c;
}

std::optional<std::size_t> datatypeEnd(std::span<const unsigned char> m, std::size_t pos,
                                       std::size_t end, int depth) {
  if (depth > 8 || pos > end || end - pos < 8) return std::nullopt;
  const unsigned cls = m[pos] & 0x0F, version = m[pos] >> 4;
  const std::uint64_t bits = readLe(&m[pos + 1], 3), size = readLe(&m[pos + 4], 4);
  pos += 8;
  const auto skip = [&](std::uint64_t n) -> bool {
    if (n > end - pos) return false;
    pos += n;
    return true;
  };
  // A NUL-terminated name, padded to 8 bytes in versions 1 and 2.
  const auto name = [&]() -> bool {
    const void* nul = std::memchr(m.data() + pos, 0, end - pos);
    if (!nul) return false;
    std::uint64_t n = static_cast<const unsigned char*>(nul) - (m.data() + pos) + 1;
    if (version < 3) n = (n + 7) & ~7ull;
    return skip(n);
  };
  // The bits HDF5 converts numbers through must lie inside the element.
  const auto bitsInside = [&](std::uint64_t offset, std::uint64_t precision) {
    return size > 0 && size <= 16 && precision > 0 && offset + precision <= 8 * size;
  };
  switch (cls) {
    case 0:
    case 4: {  // integer, bitfield: bit offset, precision
      if (end - pos < 4 || !bitsInside(readLe(&m[pos], 2), readLe(&m[pos + 2], 2)))
        return std::nullopt;
      return skip(4) ? std::optional(pos) : std::nullopt;
    }
    case 1: {  // float: bit offset, precision, exponent and mantissa positions and sizes, bias
      if (end - pos < 12) return std::nullopt;
      const std::uint64_t precision = readLe(&m[pos + 2], 2);
      if (!bitsInside(readLe(&m[pos], 2), precision) || m[pos + 5] == 0 || m[pos + 7] == 0 ||
          std::uint64_t{m[pos + 4]} + m[pos + 5] > precision ||
          std::uint64_t{m[pos + 6]} + m[pos + 7] > precision)
        return std::nullopt;
      return skip(12) ? std::optional(pos) : std::nullopt;
    }
    case 2:
      return skip(2) ? std::optional(pos) : std::nullopt;  // time
    case 3:
    case 7:
      return pos;  // string, reference
    case 5: {      // opaque: its tag
      const std::uint64_t tag = bits & 0xFF;
      if (tag > end - pos || (tag > 0 && std::memchr(m.data() + pos, 0, tag) == nullptr))
        return std::nullopt;
      return skip(tag) ? std::optional(pos) : std::nullopt;
    }
    case 6: {  // compound: each member's name, offset (and in version 1 its dimensions), type
      const std::size_t offsetBytes = size < (1u << 8)    ? 1
                                      : size < (1u << 16) ? 2
                                      : size < (1u << 24) ? 3
                                                          : 4;
      for (std::uint64_t i = 0; i < (bits & 0xFFFF); ++i) {
        if (!name() || !skip(version == 3 ? offsetBytes : 4) || (version == 1 && !skip(28)))
          return std::nullopt;
        const auto member = datatypeEnd(m, pos, end, depth + 1);
        if (!member) return std::nullopt;
        pos = *member;
      }
      return pos;
    }
    case 8: {  // enumeration: the base type, the names, then the values
      const auto base = datatypeEnd(m, pos, end, depth + 1);
      if (!base) return std::nullopt;
      const std::uint64_t baseSize = readLe(&m[pos + 4], 4);
      pos = *base;
      const std::uint64_t n = bits & 0xFFFF;
      for (std::uint64_t i = 0; i < n; ++i)
        if (!name()) return std::nullopt;
      if (baseSize != 0 && n > (end - pos) / baseSize) return std::nullopt;
      return skip(n * baseSize) ? std::optional(pos) : std::nullopt;
    }
    case 9:
      return datatypeEnd(m, pos, end, depth + 1);  // variable-length: its base type
    case 10: {                                     // array: dimensions, then the base
      if (pos >= end) return std::nullopt;
      const std::uint64_t rank = m[pos];
      if (!skip(version < 3 ? 4 : 1) || !skip(rank * (version < 3 ? 8 : 4))) return std::nullopt;
      return datatypeEnd(m, pos, end, depth + 1);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace tessera::data::h5
