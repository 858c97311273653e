#include "data/anndata/hdf5_raw.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <unordered_map>

#include "data/anndata/hdf5_object_header.h"
#include "data/anndata/lzf_filter.h"
#include "data/codecs/codec.h"

namespace tessera::data::h5 {
namespace {

// Where the references of a dataset live and how wide the file's addresses are.
struct RefLayout : FileGeometry {
  std::uint64_t element() const { return 4 + sizeofAddr + 4; }  // length, address, index
};

// The name of the file holding `obj`, as HDF5 opened it; empty when unknown.
std::string fileNameOf(hid_t obj) {
  Handle file(H5Iget_file_id(obj));
  const ssize_t n = file ? H5Fget_name(file.get(), nullptr, 0) : -1;
  if (n <= 0) return {};
  std::string name(static_cast<std::size_t>(n), '\0');
  H5Fget_name(file.get(), name.data(), name.size() + 1);
  return name;
}

// One global heap collection: its bytes, and where each object lies in them by index.
struct HeapCollection {
  struct Object {
    std::uint64_t pos = 0, bytes = 0;  // the object's data: bytes [pos, pos + bytes)
  };
  std::vector<unsigned char> bytes;
  std::vector<Object> objects;  // by object index (16 bits); bytes == 0 && pos == 0: none
};

class RefChecker {
 public:
  RefChecker(hid_t dataset, const RefLayout& layout, const std::string& where)
      : file_(dataset), layout_(layout), where_(where) {}

  std::unexpected<Error> bad(const std::string& why) const {
    return fail(Errc::Corrupt, where_ + ": damaged string storage (" + why + ")");
  }
  const FileBytes& file() const { return file_; }

  // Checks `count` serialised references at `refs`; `first` numbers them in messages. With
  // `out`, the strings of those below out->size() are stored there as HDF5 reads them (each
  // up to its first NUL: H5Dread terminates them and readStrings copies them as C strings).
  Expected<void> check(const unsigned char* refs, std::size_t count, std::uint64_t first,
                       std::vector<std::string>* out = nullptr) {
    const std::size_t a = layout_.sizeofAddr;
    for (std::size_t i = 0; i < count; ++i) {
      const unsigned char* r = refs + i * layout_.element();
      const std::uint64_t length = readLe(r, 4), addr = readLe(r + 4, a);
      const std::uint64_t index = readLe(r + 4 + a, 4);
      if (addr == 0 && length == 0) continue;  // an empty string
      const HeapCollection* c = collection(addr);
      if (!c) return std::unexpected(error_);
      if (index >= c->objects.size() || !present(c->objects[index]) ||
          length > c->objects[index].bytes)
        return bad("string " + std::to_string(first + i) + " points to no heap object");
      if (out && first + i < out->size()) {
        const char* p = reinterpret_cast<const char*>(c->bytes.data() + c->objects[index].pos);
        const void* nul = std::memchr(p, 0, length);
        (*out)[first + i].assign(p, nul ? static_cast<const char*>(nul) - p : length);
      }
    }
    return {};
  }

 private:
  static bool present(const HeapCollection::Object& o) { return o.pos != 0; }

  // The collection at `addr`, read and walked once; null with error_ set when it is damaged.
  // References run through collections in order, so the last one is looked up first; read
  // ones are kept up to kKeptBytes, then dropped (a later reference reads its collection again).
  const HeapCollection* collection(std::uint64_t addr) {
    if (last_ && lastAddr_ == addr) return last_;
    auto it = collections_.find(addr);
    if (it == collections_.end()) {
      if (keptBytes_ > kKeptBytes) {
        collections_.clear();
        keptBytes_ = 0;
      }
      auto c = readCollection(addr);
      if (!c) {
        error_ = c.error();
        return nullptr;
      }
      keptBytes_ += c->bytes.size() + c->objects.size() * sizeof(HeapCollection::Object);
      it = collections_.emplace(addr, std::move(*c)).first;
    }
    lastAddr_ = addr;
    last_ = &it->second;
    return last_;
  }

  Expected<HeapCollection> readCollection(std::uint64_t addr) const {
    const std::uint64_t fileBytes = layout_.fileBytes, userblock = layout_.userblock;
    const std::size_t sizeofSize = layout_.sizeofSize;
    if (addr >= fileBytes - userblock) return bad("heap address past the end of the file");
    HeapCollection c;
    std::vector<unsigned char> head;
    if (!file_.read(userblock + addr, 8 + sizeofSize, head) ||
        std::memcmp(head.data(), "GCOL", 4) != 0)
      return bad("no heap collection where a string points");
    const std::uint64_t size = readLe(head.data() + 8, sizeofSize);
    if (size < 8 + sizeofSize || size > fileBytes - userblock - addr)
      return bad("heap collection larger than the file");
    if (!file_.read(userblock + addr, size, c.bytes)) return bad("heap collection unreadable");
    const auto& heap = c.bytes;
    // Walked as HDF5 1.10 walks it when it loads the collection (H5HG__cache_heap_deserialize),
    // so that whatever would make that walk fail here is refused first: HDF5 steps past a free
    // space object by its size, and loops forever on one of size 0.
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
      if (id >= c.objects.size()) c.objects.resize(id + 1);
      c.objects[id] = {pos + header, bytes};  // as std::map's operator[]: a repeated id wins
      pos += header + ((bytes + 7) & ~std::uint64_t{7});
    }
    return c;
  }

  static constexpr std::size_t kKeptBytes = std::size_t{64} << 20;

  FileBytes file_;
  RefLayout layout_;
  const std::string& where_;
  std::unordered_map<std::uint64_t, HeapCollection> collections_;
  std::size_t keptBytes_ = 0;
  std::uint64_t lastAddr_ = 0;
  const HeapCollection* last_ = nullptr;
  Error error_{Errc::Corrupt, {}};
};

// The check functions below return true when they stored every one of the `n` strings in `out`
// (sized n), false when some are left to HDF5 (fill values, layouts not read here).
Expected<bool> checkContiguous(hid_t dataset, const RefLayout& layout, std::size_t n,
                               RefChecker& checker, std::vector<std::string>& out) {
  const haddr_t offset = H5Dget_offset(dataset);
  if (offset == HADDR_UNDEF) {  // no storage allocated: every string is the fill value
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  const std::uint64_t fileBytes = layout.fileBytes, element = layout.element();
  if (n > fileBytes / element || layout.userblock + offset > fileBytes - n * element)
    return checker.bad("references past the end of the file");
  std::vector<unsigned char> refs;
  if (!checker.file().read(layout.userblock + offset, n * element, refs))
    return checker.bad("references unreadable");
  if (auto ok = checker.check(refs.data(), n, 0, &out); !ok) return std::unexpected(ok.error());
  return true;
}

// Each stored chunk of a 1-d (or n-d) chunked dataset, inflated when h5py compressed it. The
// strings are stored for a 1-d dataset whose every chunk is allocated.
Expected<bool> checkChunked(hid_t dataset, hid_t dcpl, const RefLayout& layout, RefChecker& checker,
                            std::size_t n, std::vector<std::string>& out) {
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
  std::vector<std::uint8_t> raw, plain, unshuffled;
  // 1-d: which chunks were read, so that a missing one (fill values) leaves the read to HDF5.
  std::vector<char> seen(rank == 1 ? (n + perChunk - 1) / perChunk : 0, 0);
  std::size_t covered = 0;
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
    if (!checker.file().read(layout.userblock + addr, size, raw))
      return checker.bad("chunk unreadable");
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
    const bool store = rank == 1 && offset[0] % perChunk == 0 && offset[0] < n;
    if (auto ok = checker.check(refs, perChunk, offset[0], store ? &out : nullptr); !ok)
      return std::unexpected(ok.error());
    if (store && !seen[offset[0] / perChunk]) {
      seen[offset[0] / perChunk] = 1;
      ++covered;
    }
  }
  return rank == 1 && covered == seen.size();
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

// Where an attribute's value ends in its message (§IV.A.2.m) as HDF5 reckons it when it
// decodes the message: after the name, datatype and dataspace, the datatype's size times the
// dataspace's element count (HDF5 1.10 copies that many bytes without comparing them with the
// message). Past the end when the parts before the value overrun the message already; nullopt
// when the datatype or dataspace is shared, or of a form not known here. A variable-length
// element must be declared at its stored size (length, heap address, index): one declared at 9
// bytes made HDF5 read 16 from a 9-byte value (ASan heap-buffer-overflow in H5A__read, found by
// fuzz_hdf5).
std::optional<std::uint64_t> attributeValueEnd(std::span<const unsigned char> msg,
                                               const FileGeometry& file) {
  const std::size_t sizeofSize = file.sizeofSize;
  if (msg.size() < 8 || msg[0] < 1 || msg[0] > 3) return std::nullopt;
  const unsigned version = msg[0];
  if (version >= 2 && (msg[1] & 3) != 0) return std::nullopt;  // shared datatype or dataspace
  const std::uint64_t nameSize = readLe(&msg[2], 2), typeSize = readLe(&msg[4], 2);
  const std::uint64_t spaceSize = readLe(&msg[6], 2);
  auto padded = [version](std::uint64_t n) { return version == 1 ? (n + 7) & ~7ull : n; };
  const std::uint64_t typeAt = (version == 3 ? 9 : 8) + padded(nameSize);
  const std::uint64_t spaceAt = typeAt + padded(typeSize);
  const std::uint64_t dataAt = spaceAt + padded(spaceSize);
  // HDF5 steps over the parts by their declared sizes and copies the value from there.
  if (dataAt > msg.size()) return std::uint64_t{msg.size()} + 1;
  if (typeSize < 8 || spaceSize < 4 || sizeofSize < 1 || sizeofSize > 8) return std::nullopt;
  const std::uint64_t elementBytes = readLe(&msg[typeAt + 4], 4);
  // HDF5 keeps a value of the declared size but copies variable-length elements out of it at
  // their stored size: any other declared size reads past the value.
  constexpr unsigned kVariableLengthClass = 9;
  if ((msg[typeAt] & 0x0F) == kVariableLengthClass && elementBytes != 4 + file.sizeofAddr + 4)
    return std::uint64_t{msg.size()} + 1;
  const unsigned char* space = &msg[spaceAt];
  const unsigned rank = space[1];
  std::uint64_t dimsAt = 0;
  if (space[0] == 1) {
    dimsAt = 8;
  } else if (space[0] == 2) {
    if (space[3] == 2) return dataAt;  // null dataspace: no value
    dimsAt = 4;
  } else {
    return std::nullopt;
  }
  if (dimsAt + std::uint64_t{rank} * sizeofSize > spaceSize) return std::nullopt;
  // Saturates at the message size: any count beyond it is past the end anyway.
  const unsigned __int128 limit = msg.size();
  unsigned __int128 bytes = elementBytes;
  for (unsigned i = 0; i < rank && bytes <= limit; ++i)
    bytes *= readLe(space + dimsAt + std::uint64_t{i} * sizeofSize, sizeofSize);
  if (bytes > limit) return std::uint64_t{msg.size()} + 1;
  return dataAt + static_cast<std::uint64_t>(bytes);
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
Expected<bool> checkCompact(hid_t dataset, const RefLayout& layout, std::size_t n,
                            RefChecker& checker, std::vector<std::string>& out) {
  std::vector<unsigned char> refs;
  bool known = false;
  auto walked = forEachHeaderMessage(dataset, layout, [&](unsigned type, auto data) {
    if (type != kLayoutMessage) return false;
    const auto raw = compactData(data);
    if ((known = raw.has_value())) refs.assign(raw->begin(), raw->end());
    return true;
  });
  if (!walked) return checker.bad(walked.error().message);
  if (!known) return false;  // a layout message of a version not known here: HDF5's alone
  if (n > refs.size() / layout.element()) return checker.bad("references past their storage");
  if (auto ok = checker.check(refs.data(), n, 0, &out); !ok) return std::unexpected(ok.error());
  return true;
}

}  // namespace

FileBytes::FileBytes(const std::string& name) {
  if (!name.empty()) fd_ = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
}

FileBytes::FileBytes(hid_t obj) : FileBytes(fileNameOf(obj)) {}

FileBytes::~FileBytes() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileBytes::read(std::uint64_t offset, std::uint64_t length,
                     std::vector<unsigned char>& out) const {
  out.resize(length);
  std::uint64_t done = 0;
  while (fd_ >= 0 && done < length) {
    const ssize_t r =
        ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    done += static_cast<std::uint64_t>(r);
  }
  if (done == length) return true;
  out.clear();
  return false;
}

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
  std::vector<unsigned char> out;
  FileBytes(obj).read(offset, length, out);
  return out;
}

Expected<std::optional<std::vector<std::string>>> readCheckedVlenStrings(hid_t dataset,
                                                                         std::size_t n,
                                                                         const std::string& where) {
  using Strings = std::optional<std::vector<std::string>>;
  Handle dcpl(H5Dget_create_plist(dataset));
  const auto geometry = fileGeometry(dataset);
  if (!dcpl || !geometry) {
    H5Eclear2(H5E_DEFAULT);
    return Strings{};
  }
  RefLayout layout{*geometry};
  RefChecker checker(dataset, layout, where);
  if (n == 0) return Strings{};
  std::vector<std::string> out(n);
  Expected<bool> stored = false;
  switch (H5Pget_layout(dcpl.get())) {
    case H5D_CONTIGUOUS:
      stored = checkContiguous(dataset, layout, n, checker, out);
      break;
    case H5D_CHUNKED:
      stored = checkChunked(dataset, dcpl.get(), layout, checker, n, out);
      break;
    case H5D_COMPACT:
      stored = checkCompact(dataset, layout, n, checker, out);
      break;
    default:
      break;
  }
  if (!stored) return std::unexpected(stored.error());
  return *stored ? Strings(std::move(out)) : Strings{};
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
    // And the names inside its datatype, when it is stored in the message (not shared).
    if (const std::size_t typeAt = nameAt + (msg[0] == 1 ? (nameSize + 7) & ~7ull : nameSize);
        (msg[0] == 1 || (msg[1] & 1) == 0) && typeAt < msg.size()) {
      const std::size_t typeEnd = std::min<std::size_t>(msg.size(), typeAt + readLe(&msg[4], 2));
      if (!datatypeEnd(msg, typeAt, typeEnd)) {
        bad = "an attribute datatype runs past its message";
        return true;
      }
    }
    // So is its value, with memcpy: it must end inside the message too.
    if (const auto end = attributeValueEnd(msg, *geometry); end && *end > msg.size()) {
      bad = "an attribute value runs past its message";
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
