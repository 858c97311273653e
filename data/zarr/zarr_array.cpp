// ZarrArray over any Store. Metadata is parsed once at open(); chunk reads are stateless apart
// from a small cache of decoded shard indexes, so one index read serves every inner chunk of a
// shard. Sharded arrays are read by range: the index (suffix or prefix), then only the inner
// chunks a request touches.
#include "data/zarr/zarr_array.h"

#include <mutex>
#include <new>
#include <optional>
#include <unordered_map>

#include "data/zarr/zarr_metadata.h"
#include "data/zarr/zarr_util.h"

namespace tessera::data {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxCachedShardIndexes = 4096;

std::string joinKey(const std::string& path, std::string_view leaf) {
  return path.empty() ? std::string(leaf) : path + "/" + std::string(leaf);
}

std::string normalisePath(std::string p) {
  while (!p.empty() && p.front() == '/')
    p.erase(p.begin());
  while (!p.empty() && p.back() == '/')
    p.pop_back();
  return p;
}

Expected<json> readJson(const Store& s, const std::string& key) {
  auto b = s.read(key);
  if (!b) return std::unexpected(b.error());
  json j = json::parse(b->begin(), b->end(), nullptr, false);
  if (j.is_discarded()) return fail(Errc::Corrupt, storeKeyName(s, key) + ": malformed JSON");
  return j;
}

// A node as described by consolidated v2 metadata: its .zarray (null for a group) and .zattrs.
struct ConsolidatedNode {
  json zarray;
  json zattrs = json::object();
};

// Looks `path` up in .zmetadata files: at the store root first (where zarr-python and
// bioformats2raw put it), then at each deeper group. nullopt when none describes the node.
Expected<std::optional<ConsolidatedNode>> consolidatedNode(const Store& s, const std::string& path,
                                                           bool includeSelf) {
  std::vector<std::string> prefixes{""};
  for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1))
    prefixes.push_back(path.substr(0, pos));
  if (!path.empty() && includeSelf) prefixes.push_back(path);
  for (const auto& prefix : prefixes) {
    const std::string key = joinKey(prefix, ".zmetadata");
    auto j = readJson(s, key);
    if (!j) {
      if (j.error().code == Errc::NotFound) continue;
      return std::unexpected(j.error());
    }
    if (!j->is_object() || !j->contains("metadata") || !j->at("metadata").is_object())
      return fail(Errc::Corrupt, storeKeyName(s, key) + ": no \"metadata\" object");
    const std::string rel =
        prefix.empty() ? path : path.substr(std::min(path.size(), prefix.size() + 1));
    const json& m = j->at("metadata");
    const bool isArray = m.contains(joinKey(rel, ".zarray"));
    if (!isArray && !m.contains(joinKey(rel, ".zgroup"))) continue;
    ConsolidatedNode node;
    if (isArray) node.zarray = m.at(joinKey(rel, ".zarray"));
    if (m.contains(joinKey(rel, ".zattrs"))) node.zattrs = m.at(joinKey(rel, ".zattrs"));
    return std::optional<ConsolidatedNode>(std::move(node));
  }
  return std::optional<ConsolidatedNode>();
}

// "blosc", "zstd", "sharding_indexed(blosc)", "none": the bytes->bytes codecs in encode order.
std::string describeCodecs(const CodecChain& c) {
  std::string out;
  for (const auto& codec : c.bytesCodecs)
    out += (out.empty() ? "" : "+") + std::string(codec->name());
  if (c.sharding) {
    const std::string inner = describeCodecs(c.sharding->inner);
    out = "sharding_indexed(" + inner + ")" + (out.empty() ? "" : "+" + out);
  }
  return out.empty() ? "none" : out;
}

bool isAllZero(const Bytes& b) {
  for (auto x : b)
    if (x) return false;
  return true;
}

class ZarrArrayImpl final : public ZarrArray {
 public:
  ZarrArrayImpl(std::shared_ptr<const Store> store, std::string path, ZarrMetadata meta)
      : store_(std::move(store)), path_(std::move(path)), meta_(std::move(meta)) {
    const auto& c = meta_.codecs;
    // Range reads need the shard to be the array->bytes codec's direct output.
    shardedRead_ = !meta_.format && c.sharding && c.transpose.empty() && c.bytesCodecs.empty();
    readChunks_ = shardedRead_ ? c.sharding->innerShape : meta_.chunkShape;
    readChunkBytes_ = *checkedElementCount(readChunks_, dtypeSize(meta_.dtype));
    fillIsZero_ = isAllZero(meta_.fillValue);
  }

  int zarrFormat() const override { return meta_.zarrFormat; }
  const std::vector<std::int64_t>& shape() const override { return meta_.shape; }
  const std::vector<std::int64_t>& chunks() const override { return readChunks_; }
  DType dtype() const override { return meta_.dtype; }
  const std::vector<std::string>& dimensionNames() const override { return meta_.dimensionNames; }
  const json& attributes() const override { return meta_.attributes; }
  std::string codecName() const override {
    if (meta_.format) return meta_.format->codecName();
    return describeCodecs(meta_.codecs);
  }

  Expected<Bytes> readChunk(std::span<const std::int64_t> idx,
                            const std::stop_token& stop) const override {
    const std::size_t rank = meta_.shape.size();
    if (idx.size() != rank)
      return fail(Errc::InvalidArgument, name() + ": chunk index has rank " +
                                             std::to_string(idx.size()) + ", array has " +
                                             std::to_string(rank));
    for (std::size_t i = 0; i < rank; ++i)
      if (idx[i] < 0 || idx[i] >= ceilDiv(meta_.shape[i], readChunks_[i]))
        return fail(Errc::InvalidArgument, name() + ": chunk index out of range");
    if (stop.stop_requested()) return fail(Errc::Cancelled, name() + ": cancelled");
    try {
      auto chunk = fetch(idx);
      if (!chunk) return std::unexpected(chunk.error());
      if (*chunk) return std::move(**chunk);
      Bytes out(readChunkBytes_);
      if (!fillIsZero_) fillElements(out, meta_.fillValue);
      return out;
    } catch (const std::bad_alloc&) {
      return fail(Errc::Io, name() + ": out of memory reading a chunk");
    }
  }

  Expected<Bytes> readRegion(std::span<const std::int64_t> start,
                             std::span<const std::int64_t> count,
                             const std::stop_token& stop) const override {
    const std::size_t rank = meta_.shape.size();
    if (start.size() != rank || count.size() != rank)
      return fail(Errc::InvalidArgument, name() + ": region rank differs from the array rank");
    bool wholeChunk = true;
    for (std::size_t i = 0; i < rank; ++i) {
      if (start[i] < 0 || count[i] < 0 || start[i] > meta_.shape[i] ||
          count[i] > meta_.shape[i] - start[i])
        return fail(Errc::InvalidArgument, name() + ": region lies outside the array");
      wholeChunk = wholeChunk && start[i] % readChunks_[i] == 0 && count[i] == readChunks_[i];
    }
    const auto bytes = checkedElementCount(count, dtypeSize(meta_.dtype));
    if (!bytes) return fail(Errc::InvalidArgument, name() + ": region is too large to read");
    if (wholeChunk) {  // the common tile read: decode straight into the returned buffer
      std::vector<std::int64_t> idx(rank);
      for (std::size_t i = 0; i < rank; ++i)
        idx[i] = start[i] / readChunks_[i];
      return readChunk(idx, stop);
    }
    try {
      return assemble(start, count, *bytes, stop);
    } catch (const std::bad_alloc&) {
      return fail(Errc::Io, name() + ": out of memory reading a region");
    }
  }

 private:
  std::string name() const { return storeKeyName(*store_, path_); }

  Expected<Bytes> assemble(std::span<const std::int64_t> start, std::span<const std::int64_t> count,
                           std::size_t bytes, const std::stop_token& stop) const {
    const std::size_t rank = meta_.shape.size();
    const std::size_t es = dtypeSize(meta_.dtype);
    Bytes out(bytes);
    for (std::int64_t c : count)
      if (c == 0) return out;
    std::vector<std::int64_t> lo(rank), hi(rank), idx(rank), boxStart(rank), srcStart(rank),
        dstStart(rank), n(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      lo[i] = start[i] / readChunks_[i];
      hi[i] = (start[i] + count[i] - 1) / readChunks_[i];
      idx[i] = lo[i];
    }
    for (;;) {
      if (stop.stop_requested()) return fail(Errc::Cancelled, name() + ": cancelled");
      for (std::size_t i = 0; i < rank; ++i) {
        const std::int64_t c0 = idx[i] * readChunks_[i];
        boxStart[i] = std::max(start[i], c0);
        n[i] = std::min(start[i] + count[i], c0 + readChunks_[i]) - boxStart[i];
        srcStart[i] = boxStart[i] - c0;
        dstStart[i] = boxStart[i] - start[i];
      }
      auto chunk = fetch(idx);
      if (!chunk) return std::unexpected(chunk.error());
      if (*chunk)
        copyBox((*chunk)->data(), readChunks_, srcStart, out.data(), count, dstStart, n, es);
      else if (!fillIsZero_)
        fillBox(out.data(), count, dstStart, n, meta_.fillValue);
      std::size_t d = rank;
      for (;;) {
        if (d == 0) return out;
        --d;
        if (++idx[d] <= hi[d]) break;
        idx[d] = lo[d];
      }
    }
  }

  // The decoded chunk (read granularity), or nullopt when it is absent (fill value).
  Expected<std::optional<Bytes>> fetch(std::span<const std::int64_t> idx) const {
    if (shardedRead_) return fetchInner(idx);
    const std::string key =
        joinKey(path_, meta_.format ? meta_.format->key(idx) : chunkKey(meta_, idx));
    auto encoded = store_->read(key);
    if (!encoded) {
      if (encoded.error().code == Errc::NotFound) return std::optional<Bytes>();
      return std::unexpected(encoded.error());
    }
    Bytes out(readChunkBytes_);
    auto r = meta_.format ? meta_.format->decode(*encoded, idx, out)
                          : decodeChunk(meta_.codecs, *encoded, meta_.chunkShape, meta_.dtype,
                                        meta_.fillValue, out);
    if (!r) return fail(r.error().code, storeKeyName(*store_, key) + ": " + r.error().message);
    return std::optional<Bytes>(std::move(out));
  }

  Expected<std::optional<Bytes>> fetchInner(std::span<const std::int64_t> idx) const {
    const ShardingSpec& spec = *meta_.codecs.sharding;
    const std::size_t rank = idx.size();
    std::vector<std::int64_t> shardIdx(rank);
    std::size_t k = 0;
    for (std::size_t i = 0; i < rank; ++i) {
      shardIdx[i] = idx[i] / spec.chunksPerShard[i];
      k = k * static_cast<std::size_t>(spec.chunksPerShard[i]) +
          static_cast<std::size_t>(idx[i] % spec.chunksPerShard[i]);
    }
    const std::string key = joinKey(path_, chunkKey(meta_, shardIdx));
    auto index = shardIndex(key);
    if (!index) return std::unexpected(index.error());
    if (!*index) return std::optional<Bytes>();
    const std::uint64_t off = (**index)[2 * k], nb = (**index)[2 * k + 1];
    if (off == kShardEmpty && nb == kShardEmpty) return std::optional<Bytes>();
    const std::string where = storeKeyName(*store_, key) + ": inner chunk " + std::to_string(k) +
                              " (" + std::to_string(off) + "+" + std::to_string(nb) + ")";
    // No real codec inflates a chunk this much; refuse before a store allocates the range.
    if (nb > 2 * readChunkBytes_ + (std::uint64_t{1} << 20) || off > kShardEmpty - nb)
      return fail(Errc::Corrupt, where + ": implausible shard index entry");
    auto encoded = store_->readRange(key, off, nb);
    if (!encoded) {
      if (encoded.error().code == Errc::Corrupt || encoded.error().code == Errc::NotFound)
        return fail(Errc::Corrupt, where + ": shard index points past the end of the shard (" +
                                       encoded.error().message + ")");
      return std::unexpected(encoded.error());
    }
    Bytes out(readChunkBytes_);
    auto r = decodeChunk(spec.inner, *encoded, spec.innerShape, meta_.dtype, meta_.fillValue, out);
    if (!r) return fail(r.error().code, where + ": " + r.error().message);
    return std::optional<Bytes>(std::move(out));
  }

  using Index = std::shared_ptr<const std::vector<std::uint64_t>>;

  // The decoded index of the shard at `key`; null when the shard does not exist.
  Expected<Index> shardIndex(const std::string& key) const {
    {
      std::lock_guard lock(cacheMutex_);
      if (auto it = indexCache_.find(key); it != indexCache_.end()) return it->second;
    }
    const ShardingSpec& spec = *meta_.codecs.sharding;
    const std::uint64_t n = spec.indexEncodedSize;
    auto raw = spec.indexAtEnd ? store_->readSuffix(key, n) : store_->readRange(key, 0, n);
    Index index;
    if (!raw) {
      if (raw.error().code == Errc::Corrupt)
        return fail(Errc::Corrupt, storeKeyName(*store_, key) + ": shard is shorter than its " +
                                       std::to_string(n) + "-byte index");
      if (raw.error().code != Errc::NotFound) return std::unexpected(raw.error());
    } else {
      auto decoded = decodeShardIndex(spec, *raw);
      if (!decoded)
        return fail(decoded.error().code,
                    storeKeyName(*store_, key) + ": " + decoded.error().message);
      index = std::make_shared<const std::vector<std::uint64_t>>(std::move(*decoded));
    }
    std::lock_guard lock(cacheMutex_);
    if (indexCache_.size() >= kMaxCachedShardIndexes) indexCache_.clear();
    indexCache_.emplace(key, index);
    return index;
  }

  std::shared_ptr<const Store> store_;
  std::string path_;
  ZarrMetadata meta_;
  bool shardedRead_ = false;
  bool fillIsZero_ = true;
  std::vector<std::int64_t> readChunks_;
  std::size_t readChunkBytes_ = 0;
  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, Index> indexCache_;
};

}  // namespace

Expected<std::unique_ptr<ZarrArray>> ZarrArray::open(std::shared_ptr<const Store> store,
                                                     std::string path) {
  if (!store) return fail(Errc::InvalidArgument, "ZarrArray::open: no store");
  path = normalisePath(std::move(path));
  const std::string v3Key = joinKey(path, "zarr.json");
  auto z3 = readJson(*store, v3Key);
  if (z3) {
    if (z3->is_object() && z3->value("node_type", json()) == "group")
      return fail(Errc::InvalidArgument,
                  storeKeyName(*store, v3Key) + ": is a group, not an array");
    auto meta = parseZarrJsonMetadata(*z3, storeKeyName(*store, v3Key));
    if (!meta) return std::unexpected(meta.error());
    return std::make_unique<ZarrArrayImpl>(std::move(store), path, std::move(*meta));
  }
  if (z3.error().code != Errc::NotFound) return std::unexpected(z3.error());

  const std::string zarrayKey = joinKey(path, ".zarray");
  const std::string zattrsKey = joinKey(path, ".zattrs");
  auto consolidated = consolidatedNode(*store, path, false);
  if (!consolidated) return std::unexpected(consolidated.error());
  json zarray, zattrs = json::object();
  if (*consolidated && !(*consolidated)->zarray.is_null()) {
    zarray = std::move((*consolidated)->zarray);
    zattrs = std::move((*consolidated)->zattrs);
  } else {
    auto z2 = readJson(*store, zarrayKey);
    if (!z2) {
      if (z2.error().code == Errc::NotFound)
        return fail(Errc::NotFound,
                    storeKeyName(*store, path) + ": no zarr array here (no zarr.json or .zarray)");
      return std::unexpected(z2.error());
    }
    zarray = std::move(*z2);
    auto attrs = readJson(*store, zattrsKey);
    if (attrs)
      zattrs = std::move(*attrs);
    else if (attrs.error().code != Errc::NotFound)
      return std::unexpected(attrs.error());
  }
  auto meta = parseZarrayMetadata(zarray, storeKeyName(*store, zarrayKey));
  if (!meta) return std::unexpected(meta.error());
  if (zattrs.is_object()) meta->attributes = std::move(zattrs);
  return std::make_unique<ZarrArrayImpl>(std::move(store), path, std::move(*meta));
}

std::unique_ptr<ZarrArray> ZarrArray::fromMetadata(std::shared_ptr<const Store> store,
                                                   std::string path, ZarrMetadata meta) {
  return std::make_unique<ZarrArrayImpl>(std::move(store), normalisePath(std::move(path)),
                                         std::move(meta));
}

Expected<json> readZarrAttributes(const Store& store, const std::string& rawPath) {
  const std::string path = normalisePath(rawPath);
  auto z3 = readJson(store, joinKey(path, "zarr.json"));
  if (z3) {
    if (z3->is_object() && z3->contains("attributes") && z3->at("attributes").is_object())
      return z3->at("attributes");
    return json::object();
  }
  if (z3.error().code != Errc::NotFound) return std::unexpected(z3.error());
  const std::string zattrsKey = joinKey(path, ".zattrs");
  auto consolidated = consolidatedNode(store, path, true);
  if (!consolidated) return std::unexpected(consolidated.error());
  if (*consolidated) return std::move((*consolidated)->zattrs);
  auto attrs = readJson(store, zattrsKey);
  if (attrs) return attrs;
  if (attrs.error().code != Errc::NotFound) return std::unexpected(attrs.error());
  if (store.exists(joinKey(path, ".zgroup")) || store.exists(joinKey(path, ".zarray")))
    return json::object();
  return fail(Errc::NotFound, storeKeyName(store, path) + ": no zarr group or array here");
}

}  // namespace tessera::data
