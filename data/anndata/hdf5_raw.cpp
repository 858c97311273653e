#include "data/anndata/hdf5_raw.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <span>

#include "data/anndata/hdf5_object_header.h"
#include "data/anndata/lzf_filter.h"
#include "data/codecs/codec.h"

namespace tessera::data::h5 {
namespace {

// Where the references of a dataset live and how wide the file's addresses are.
struct RefLayout : FileGeometry {
  std::uint64_t element() const { return 4 + sizeofAddr + 4; }  // length, address, index
};

// The heap collections seen so far: address -> (object index -> object size).
using Collections = std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>>;

class RefChecker {
 public:
  RefChecker(hid_t dataset, const RefLayout& layout, const std::string& where)
      : dataset_(dataset), layout_(layout), where_(where) {}

  std::unexpected<Error> bad(const std::string& why) const {
    return fail(Errc::Corrupt, where_ + ": damaged string storage (" + why + ")");
  }

  // Checks `count` serialised references at `refs`; `first` numbers them in messages.
  Expected<void> check(const unsigned char* refs, std::size_t count, std::uint64_t first) {
    const std::size_t a = layout_.sizeofAddr;
    for (std::size_t i = 0; i < count; ++i) {
      const unsigned char* r = refs + i * layout_.element();
      const std::uint64_t length = readLe(r, 4), addr = readLe(r + 4, a);
      const std::uint64_t index = readLe(r + 4 + a, 4);
      if (addr == 0 && length == 0) continue;  // an empty string
      auto it = collections_.find(addr);
      if (it == collections_.end()) {
        auto objects = readCollection(addr);
        if (!objects) return std::unexpected(objects.error());
        it = collections_.emplace(addr, std::move(*objects)).first;
      }
      const auto obj = it->second.find(index);
      if (obj == it->second.end() || length > obj->second)
        return bad("string " + std::to_string(first + i) + " points to no heap object");
    }
    return {};
  }

 private:
  Expected<std::map<std::uint64_t, std::uint64_t>> readCollection(std::uint64_t addr) const {
    const std::uint64_t fileBytes = layout_.fileBytes, userblock = layout_.userblock;
    const std::size_t sizeofSize = layout_.sizeofSize;
    if (addr >= fileBytes - userblock) return bad("heap address past the end of the file");
    const auto head = readFileBytes(dataset_, userblock + addr, 8 + sizeofSize);
    if (head.size() != 8 + sizeofSize || std::memcmp(head.data(), "GCOL", 4) != 0)
      return bad("no heap collection where a string points");
    const std::uint64_t size = readLe(head.data() + 8, sizeofSize);
    if (size < 8 + sizeofSize || size > fileBytes - userblock - addr)
      return bad("heap collection larger than the file");
    const auto heap = readFileBytes(dataset_, userblock + addr, size);
    if (heap.size() != size) return bad("heap collection unreadable");
    // Walked as HDF5 1.10 walks it when it loads the collection (H5HG__cache_heap_deserialize),
    // so that whatever would make that walk fail here is refused first: HDF5 steps past a free
    // space object by its size, and loops forever on one of size 0.
    std::map<std::uint64_t, std::uint64_t> objects;
    const std::uint64_t header = 8 + sizeofSize;
    for (std::uint64_t pos = header; pos < size;) {
      if (pos + header > size) break;  // a tail too small for an object: free space
      const std::uint64_t id = readLe(heap.data() + pos, 2);
      const std::uint64_t bytes = readLe(heap.data() + pos + 8, sizeofSize);
      if (id == 0) {
        if (bytes == 0 || bytes > size - pos) return bad("heap free space of a wrong size");
        pos += bytes;
        continue;
      }
      if (bytes > size - pos - header) return bad("heap object larger than its collection");
      objects[id] = bytes;
      pos += header + ((bytes + 7) & ~std::uint64_t{7});
    }
    return objects;
  }

  hid_t dataset_;
  RefLayout layout_;
  const std::string& where_;
  Collections collections_;
};

Expected<void> checkContiguous(hid_t dataset, const RefLayout& layout, std::size_t n,
                               RefChecker& checker) {
  const haddr_t offset = H5Dget_offset(dataset);
  if (offset == HADDR_UNDEF) {  // no storage allocated: every string is the fill value
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  const std::uint64_t fileBytes = layout.fileBytes, element = layout.element();
  if (n > fileBytes / element || layout.userblock + offset > fileBytes - n * element)
    return checker.bad("references past the end of the file");
  const auto refs = readFileBytes(dataset, layout.userblock + offset, n * element);
  if (refs.size() != n * element) return checker.bad("references unreadable");
  return checker.check(refs.data(), n, 0);
}

// Each stored chunk of a 1-d (or n-d) chunked dataset, inflated when h5py compressed it.
Expected<void> checkChunked(hid_t dataset, hid_t dcpl, const RefLayout& layout,
                            RefChecker& checker) {
  // h5py and Tessera's writer compress with gzip or lzf, optionally after shuffle; each chunk
  // may skip a filter (its bit in the chunk's filter mask).
  H5Z_filter_t compression = H5Z_FILTER_NONE;
  int compressionIndex = -1, shuffleIndex = -1;
  const int filters = H5Pget_nfilters(dcpl);
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    std::size_t nValues = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nValues,
                                           nullptr, 0, nullptr, nullptr);
    if (id == H5Z_FILTER_SHUFFLE && shuffleIndex < 0 && compressionIndex < 0) {
      shuffleIndex = i;
      continue;
    }
    if ((id != H5Z_FILTER_DEFLATE && id != kLzfFilterId) || compressionIndex >= 0)
      return checker.bad("strings stored through a filter other than shuffle, gzip or lzf");
    compression = id;
    compressionIndex = i;
  }
  Handle space(H5Dget_space(dataset));
  const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
  std::vector<hsize_t> chunkDims(static_cast<std::size_t>(std::max(rank, 0)));
  hsize_t chunks = 0;
  if (rank < 1 || H5Pget_chunk(dcpl, rank, chunkDims.data()) != rank ||
      H5Dget_num_chunks(dataset, space.get(), &chunks) < 0)
    return checker.bad("chunk layout unreadable");
  std::uint64_t perChunk = 1;
  for (hsize_t d : chunkDims) {
    if (d == 0 || d > layout.fileBytes) return checker.bad("chunks larger than the file");
    perChunk *= d;
    if (perChunk > layout.fileBytes) return checker.bad("chunks larger than the file");
  }
  const std::uint64_t chunkBytes = perChunk * layout.element();
  // A deflated chunk inflates at most ~1032:1; anything beyond is damage, not compression.
  if (chunks > layout.fileBytes || chunkBytes / 1032 > layout.fileBytes)
    return checker.bad("chunks larger than the file");
  std::vector<hsize_t> offset(chunkDims.size());
  std::vector<std::uint8_t> plain, unshuffled;
  for (hsize_t c = 0; c < chunks; ++c) {
    unsigned mask = 0;
    haddr_t addr = HADDR_UNDEF;
    hsize_t size = 0;
    if (H5Dget_chunk_info(dataset, space.get(), c, offset.data(), &mask, &addr, &size) < 0 ||
        addr == HADDR_UNDEF)
      return checker.bad("chunk index unreadable");
    if (addr >= layout.fileBytes - layout.userblock ||
        size > layout.fileBytes - layout.userblock - addr)
      return checker.bad("chunk past the end of the file");
    auto raw = readFileBytes(dataset, layout.userblock + addr, size);
    if (raw.size() != size) return checker.bad("chunk unreadable");
    const unsigned char* refs = raw.data();
    if (compressionIndex >= 0 && !(mask & (1u << compressionIndex))) {
      plain.resize(chunkBytes);
      const std::span<const std::uint8_t> in(raw.data(), raw.size());
      const bool ok = compression == H5Z_FILTER_DEFLATE
                          ? makeZlibCodec()->decodeInto(in, plain).has_value()
                          : lzfDecodeExact(in, plain);
      if (!ok) return checker.bad("a compressed chunk does not inflate to its size");
      refs = plain.data();
    } else if (size != chunkBytes) {
      return checker.bad("a chunk of the wrong size");
    }
    if (shuffleIndex >= 0 && !(mask & (1u << shuffleIndex))) {
      // Shuffle stored byte b of element i at b * count + i.
      const std::size_t width = layout.element(), count = perChunk;
      unshuffled.resize(chunkBytes);
      for (std::size_t i = 0; i < count; ++i)
        for (std::size_t b = 0; b < width; ++b)
          unshuffled[i * width + b] = refs[b * count + i];
      refs = unshuffled.data();
    }
    if (auto ok = checker.check(refs, perChunk, offset[0]); !ok) return ok;
  }
  return {};
}

enum class Match { Other, Found, Malformed };

// The raw value bytes of an attribute message (format spec §IV.A.2.m), when it is the attribute
// named `name` (`nameBytes` long with its NUL).
Match attributeValues(std::span<const unsigned char> msg, const char* name, std::size_t nameBytes,
                      std::span<const unsigned char>& values) {
  if (msg.size() < 8) return Match::Malformed;
  const unsigned version = msg[0];
  if (version < 1 || version > 3) return Match::Malformed;
  const std::uint64_t nameSize = readLe(&msg[2], 2), typeSize = readLe(&msg[4], 2);
  const std::uint64_t spaceSize = readLe(&msg[6], 2);
  // Version 1 pads each part to 8 bytes; version 3 adds the name's character set.
  auto padded = [version](std::uint64_t n) { return version == 1 ? (n + 7) & ~7ull : n; };
  const std::uint64_t nameAt = version == 3 ? 9 : 8;
  const std::uint64_t dataAt = nameAt + padded(nameSize) + padded(typeSize) + padded(spaceSize);
  if (dataAt > msg.size()) return Match::Malformed;
  if (nameSize != nameBytes || std::memcmp(&msg[nameAt], name, nameBytes) != 0) return Match::Other;
  values = msg.subspan(dataAt);
  return Match::Found;
}

// The raw bytes of a compact dataset, from its layout message (§IV.A.2.i): versions 3 and 4
// (what HDF5 1.8+ writes) and 1–2; nullopt for a layout this does not know.
std::optional<std::span<const unsigned char>> compactData(std::span<const unsigned char> msg) {
  if (msg.size() < 4) return std::nullopt;
  if (msg[0] == 3 || msg[0] == 4) {
    if (msg[1] != 0) return std::nullopt;
    const std::uint64_t size = readLe(&msg[2], 2);
    if (size > msg.size() - 4) return std::span<const unsigned char>{};
    return msg.subspan(4, size);
  }
  if ((msg[0] == 1 || msg[0] == 2) && msg.size() >= 8 && msg[2] == 0) {
    const std::uint64_t at = 8 + 4ull * msg[1];
    if (at + 4 > msg.size()) return std::span<const unsigned char>{};
    const std::uint64_t size = readLe(&msg[at], 4);
    if (size > msg.size() - at - 4) return std::span<const unsigned char>{};
    return msg.subspan(at + 4, size);
  }
  return std::nullopt;
}

// Compact datasets keep their references in the object header.
Expected<void> checkCompact(hid_t dataset, const RefLayout& layout, std::size_t n,
                            RefChecker& checker) {
  std::vector<unsigned char> refs;
  bool known = false;
  auto walked = forEachHeaderMessage(dataset, layout, [&](unsigned type, auto data) {
    if (type != kLayoutMessage) return false;
    const auto raw = compactData(data);
    if ((known = raw.has_value())) refs.assign(raw->begin(), raw->end());
    return true;
  });
  if (!walked) return checker.bad(walked.error().message);
  if (!known) return {};  // a layout message of a version not known here: HDF5's alone
  if (n > refs.size() / layout.element()) return checker.bad("references past their storage");
  return checker.check(refs.data(), n, 0);
}

}  // namespace

std::uint64_t fileSizeOf(hid_t obj) {
  Handle file(H5Iget_file_id(obj));
  hsize_t size = 0;
  if (!file || H5Fget_filesize(file.get(), &size) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return 0;
  }
  return size;
}

std::vector<unsigned char> readFileBytes(hid_t obj, std::uint64_t offset, std::uint64_t length) {
  Handle file(H5Iget_file_id(obj));
  const ssize_t n = file ? H5Fget_name(file.get(), nullptr, 0) : -1;
  if (n <= 0) return {};
  std::string name(static_cast<std::size_t>(n), '\0');
  H5Fget_name(file.get(), name.data(), name.size() + 1);
  std::vector<unsigned char> out(length);
  std::FILE* f = std::fopen(name.c_str(), "rb");
  const bool ok = f && std::fseek(f, static_cast<long>(offset), SEEK_SET) == 0 &&
                  std::fread(out.data(), 1, out.size(), f) == out.size();
  if (f) std::fclose(f);
  return ok ? out : std::vector<unsigned char>{};
}

Expected<void> checkVlenReferences(hid_t dataset, std::size_t n, const std::string& where) {
  Handle dcpl(H5Dget_create_plist(dataset));
  const auto geometry = fileGeometry(dataset);
  if (!dcpl || !geometry) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  RefLayout layout{*geometry};
  RefChecker checker(dataset, layout, where);
  if (n == 0) return {};
  switch (H5Pget_layout(dcpl.get())) {
    case H5D_CONTIGUOUS:
      return checkContiguous(dataset, layout, n, checker);
    case H5D_CHUNKED:
      return checkChunked(dataset, dcpl.get(), layout, checker);
    case H5D_COMPACT:
      return checkCompact(dataset, layout, n, checker);
    default:
      return {};
  }
}

Expected<void> checkAttributeMessages(hid_t obj, const std::string& where) {
  const auto geometry = fileGeometry(obj);
  if (!geometry) return {};
  std::string bad;
  auto walked = forEachHeaderMessage(obj, *geometry, [&](unsigned type, auto msg) {
    if (type != kAttributeMessage) return false;
    if (msg.size() < 8 || msg[0] < 1 || msg[0] > 3) {
      bad = "an attribute message of unknown form";
      return true;
    }
    const std::uint64_t nameAt = msg[0] == 3 ? 9 : 8, nameSize = readLe(&msg[2], 2);
    // HDF5 copies the name with strdup: it must end inside the message.
    if (nameSize == 0 || nameAt > msg.size() || nameSize > msg.size() - nameAt ||
        std::memchr(&msg[nameAt], 0, nameSize) == nullptr) {
      bad = "an attribute name runs past its message";
      return true;
    }
    return false;
  });
  if (!walked)
    return fail(Errc::Corrupt, where + ": damaged attributes (" + walked.error().message + ")");
  if (!bad.empty()) return fail(Errc::Corrupt, where + ": damaged attributes (" + bad + ")");
  return {};
}

Expected<void> checkAttributeReferences(hid_t obj, const char* name, std::size_t n,
                                        const std::string& where) {
  const auto geometry = fileGeometry(obj);
  if (!geometry || n == 0) return {};
  RefLayout layout{*geometry};
  RefChecker checker(obj, layout, where);
  const std::size_t nameBytes = std::strlen(name) + 1;
  std::vector<unsigned char> values;
  Match match = Match::Other;
  auto walked = forEachHeaderMessage(obj, layout, [&](unsigned type, auto data) {
    if (type != kAttributeMessage) return false;
    std::span<const unsigned char> found;
    match = attributeValues(data, name, nameBytes, found);
    if (match == Match::Found) values.assign(found.begin(), found.end());
    return match != Match::Other;
  });
  if (!walked) return checker.bad(walked.error().message);
  if (match == Match::Malformed) return checker.bad("attribute message unreadable");
  // Not in the header: kept in dense storage (a fractal heap), which is not walked here.
  if (match == Match::Other) return {};
  if (n > values.size() / layout.element())
    return checker.bad("attribute shorter than its strings");
  return checker.check(values.data(), n, 0);
}

}  // namespace tessera::data::h5
