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
      unsigned type;
      std::uint64_t size;
      if (version_ == 1) {
        type = static_cast<unsigned>(readLe(m, 2));
        size = readLe(m + 2, 2);
      } else {
        type = m[0];
        size = readLe(m + 1, 2);
      }
      if (size > end - pos - head) return damaged("message past the end of its chunk");
      const std::span<const unsigned char> data(m + head, size);
      if (type == kContinuationMessage) {
        const std::size_t a = file_.sizeofAddr, s = file_.sizeofSize;
        if (size < a + s) return damaged("continuation message too short");
        pending.push_back({readLe(data.data(), a), readLe(data.data() + a, s)});
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
  const HeaderVisitor layouts = [&](unsigned type, std::span<const unsigned char> data) {
    if (type != kLayoutMessage) return false;
    if (auto ok = parseChunkLayout(data, file); !ok) layoutDamage = ok.error().message;
    return true;
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

}  // namespace tessera::data::h5
