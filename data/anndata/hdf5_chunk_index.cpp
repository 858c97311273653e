#include "data/anndata/hdf5_chunk_index.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "data/anndata/hdf5_object_header.h"

namespace tessera::data::h5 {
namespace {

// What a chunk's record may say: it lies inside the file, and a chunk stored without a filter
// that changes sizes (every filter skipped by its mask, or only shuffle and Fletcher32 left)
// holds exactly one chunk. HDF5 reads such a chunk into a buffer of its stored size and copies
// a whole chunk out of it (ASan heap-buffer-overflow in H5D__scatgath_read, found by fuzz_hdf5).
struct RecordRule {
  std::uint64_t end = 0;         // file bytes after the base
  std::uint64_t chunkBytes = 0;  // a chunk's size unfiltered
  std::vector<H5Z_filter_t> filters;

  std::string problem(std::uint64_t addr, std::uint64_t size, unsigned mask) const {
    if (addr >= end || size > end - addr)
      return "a chunk of " + std::to_string(size) + " bytes past the end of the file";
    std::uint64_t expected = chunkBytes;
    for (std::size_t i = 0; i < filters.size(); ++i) {
      if (i < 32 && (mask >> i) & 1u) continue;  // skipped for this chunk
      if (filters[i] == H5Z_FILTER_FLETCHER32)
        expected += 4;
      else if (filters[i] != H5Z_FILTER_SHUFFLE)
        return "";  // compressed: any stored size
    }
    if (size != expected)
      return "an unfiltered chunk of " + std::to_string(size) + " bytes, not " +
             std::to_string(expected);
    return "";
  }
};

// Walks a version 1 B-tree of chunks (format spec §III.A.1), each leaf record's chunk checked.
class BTree1Walk {
 public:
  BTree1Walk(const RawReader& readAt, const FileGeometry& g, std::size_t dims,
             const RecordRule& rule)
      : readAt_(readAt),
        g_(g),
        end_(g.fileBytes - g.userblock),
        keyBytes_(8 + 8 * dims),
        rule_(rule) {}

  // "" when every chunk lies inside the file, else what is wrong.
  std::string run(std::uint64_t root) {
    if (undefinedAddress(root, g_.sizeofAddr)) return "";  // no chunk written yet
    std::vector<std::pair<std::uint64_t, int>> pending{{root, -1}};
    std::set<std::uint64_t> seen;
    while (!pending.empty()) {
      const auto [addr, level] = pending.back();
      pending.pop_back();
      // A node is at least its 24-byte header: no tree of more nodes fits in the file.
      if (!seen.insert(addr).second || seen.size() > end_ / 24) return "chunk index loops";
      if (auto why = node(addr, level, pending); !why.empty()) return why;
    }
    return "";
  }

 private:
  std::vector<unsigned char> read(std::uint64_t addr, std::uint64_t length) const {
    if (addr >= end_ || length > end_ - addr) return {};
    return readAt_(g_.userblock + addr, length);
  }

  std::string node(std::uint64_t addr, int expectedLevel,
                   std::vector<std::pair<std::uint64_t, int>>& pending) const {
    const std::size_t o = g_.sizeofAddr, head = 8 + 2 * o;
    const auto h = read(addr, head);
    if (h.size() != head || std::memcmp(h.data(), "TREE", 4) != 0 || h[4] != 1)
      return "chunk index node unsigned";
    const int level = h[5];
    const std::uint64_t entries = readLe(h.data() + 6, 2);
    if (expectedLevel >= 0 && level != expectedLevel) return "chunk index of uneven depth";
    const std::uint64_t bytes = (entries + 1) * keyBytes_ + entries * o;
    const auto body = read(addr + head, bytes);
    if (body.size() != bytes) return "chunk index node past the end of the file";
    for (std::uint64_t i = 0; i < entries; ++i) {
      const unsigned char* key = body.data() + i * (keyBytes_ + o);
      const std::uint64_t child = readLe(key + keyBytes_, o);
      if (level > 0) {
        pending.emplace_back(child, level - 1);
        continue;
      }
      const auto mask = static_cast<unsigned>(readLe(key + 4, 4));
      if (auto why = rule_.problem(child, readLe(key, 4), mask); !why.empty()) return why;
    }
    return "";
  }

  const RawReader& readAt_;
  const FileGeometry& g_;
  const std::uint64_t end_;
  const std::size_t keyBytes_;
  const RecordRule& rule_;
};

// Other indexes: HDF5's own queries, each of which walks the index from its start.
std::string checkThroughHdf5(hid_t dataset, const RecordRule& rule) {
  constexpr hsize_t kMaxQueried = 4096;
  Handle space(H5Dget_space(dataset));
  hsize_t chunks = 0;
  if (!space || H5Dget_num_chunks(dataset, space.get(), &chunks) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return "chunk index unreadable";
  }
  for (hsize_t c = 0; c < std::min(chunks, kMaxQueried); ++c) {
    haddr_t addr = 0;
    hsize_t size = 0;
    unsigned mask = 0;
    if (H5Dget_chunk_info(dataset, space.get(), c, nullptr, &mask, &addr, &size) < 0) {
      H5Eclear2(H5E_DEFAULT);
      return "chunk index unreadable";
    }
    if (addr == HADDR_UNDEF) continue;
    if (auto why = rule.problem(addr, size, mask); !why.empty()) return why;
  }
  return "";
}

// Whether elements of `type` are stored at another size than H5Dget_type gives: variable-length
// data (strings included, at any depth) and references.
bool sizedDifferentlyOnDisk(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_VLEN:
    case H5T_REFERENCE:
      return true;
    case H5T_STRING:
      return H5Tis_variable_str(type) != 0;
    case H5T_COMPOUND: {
      const int n = H5Tget_nmembers(type);
      if (n < 0) return true;
      for (int i = 0; i < n; ++i) {
        Handle member(H5Tget_member_type(type, static_cast<unsigned>(i)));
        if (!member || sizedDifferentlyOnDisk(member.get())) return true;
      }
      return false;
    }
    case H5T_ARRAY: {
      Handle base(H5Tget_super(type));
      return !base || sizedDifferentlyOnDisk(base.get());
    }
    default:
      return false;
  }
}

std::string check(hid_t dataset, hid_t dcpl) {
  const auto g = fileGeometry(dataset);
  if (!g) return "";  // HDF5 cannot say where the file ends: nothing to check against
  std::vector<unsigned char> copy;
  auto walked = forEachHeaderMessage(dataset, *g, [&](unsigned type, auto data) {
    if (type != kLayoutMessage) return false;
    copy.assign(data.begin(), data.end());
    return true;
  });
  if (!walked) return walked.error().message;
  const auto parsed = parseChunkLayout(copy, *g);
  if (!parsed) return parsed.error().message;
  const auto& layout = *parsed;
  if (!layout) return "damaged layout message";
  const std::uint64_t end = g->fileBytes - g->userblock;
  // HDF5 allocates a whole chunk (its dimensions' product, the element size's included) to read
  // into. As in checkReadSize: deflate packs at most ~1032:1, and 4096 leaves room for chunks
  // never written (fill values); beyond that the dimensions are damage (3 GB for a 100 kB file,
  // found by fuzz_hdf5).
  constexpr std::uint64_t kMaxRatio = 4096;
  std::uint64_t chunkBytes = 1;
  for (const std::uint64_t d : layout->dims) {
    if (d > end * kMaxRatio / chunkBytes) return "chunks larger than the file can hold";
    chunkBytes *= d;
  }
  // The chunk's last dimension is the element size HDF5 sizes chunk buffers by, and the datatype
  // the one it copies elements by: a 1 MiB string type over 15-byte chunk elements overflowed
  // the buffer (ASan heap-buffer-overflow in H5D__select_read, found by fuzz_hdf5).
  Handle type(H5Dget_type(dataset));
  if (!type) {
    H5Eclear2(H5E_DEFAULT);
    return "datatype unreadable";
  }
  const std::uint64_t typeBytes = H5Tget_size(type.get());
  if (!sizedDifferentlyOnDisk(type.get()) && typeBytes != layout->dims.back())
    return "chunks of " + std::to_string(layout->dims.back()) +
           "-byte elements, but its type's are " + std::to_string(typeBytes) + " bytes";
  RecordRule rule{end, chunkBytes, {}};
  const int nFilters = H5Pget_nfilters(dcpl);
  for (int i = 0; i < nFilters; ++i) {
    unsigned flags = 0, config = 0;
    std::size_t nValues = 0;
    rule.filters.push_back(H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &nValues, nullptr,
                                          0, nullptr, &config));
  }
  switch (layout->index) {
    case ChunkLayout::Index::BTree1:
      return BTree1Walk(readerOf(dataset), *g, layout->dims.size(), rule).run(layout->addr);
    case ChunkLayout::Index::SingleFiltered:
      if (undefinedAddress(layout->addr, g->sizeofAddr)) return "";
      return rule.problem(layout->addr, layout->singleSize, layout->singleMask);
    case ChunkLayout::Index::Other:
      break;
  }
  return checkThroughHdf5(dataset, rule);
}

}  // namespace

Expected<void> checkChunkIndex(hid_t dataset, const std::string& where) {
  Handle dcpl(H5Dget_create_plist(dataset));
  if (!dcpl || H5Pget_layout(dcpl.get()) != H5D_CHUNKED) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  H5O_info_t info{};
  if (H5Oget_info2(dataset, &info, H5O_INFO_BASIC) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return fail(Errc::Corrupt, where + ": damaged dataset (header unreadable)");
  }
  // HDF5 numbers each file it opens once per process, so a checked pair is never another file.
  thread_local std::set<std::pair<unsigned long, haddr_t>> checked;
  const std::pair key{info.fileno, info.addr};
  if (checked.contains(key)) return {};
  if (const std::string why = check(dataset, dcpl.get()); !why.empty())
    return fail(Errc::Corrupt, where + ": damaged dataset (" + why + ")");
  // Bounded: a long session opens many files, and forgetting only costs a walk again.
  if (checked.size() >= 4096) checked.clear();
  checked.insert(key);
  return {};
}

}  // namespace tessera::data::h5
