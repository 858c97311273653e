#include "data/expression/column_index_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "data/executor.h"
#include "data/pread_all.h"

namespace tessera::data {
namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'T', 'S', 'X', 'I', 'D', 'X', '0', '1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint64_t kHeaderBytes = 4096;
constexpr std::size_t kMaxText = 1800;  // location and group, each
constexpr const char* kSuffix = ".tsxidx";

std::uint64_t fnv(std::uint64_t h, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  return h;
}
constexpr std::uint64_t kFnvSeed = 1469598103934665603ull;

// A gene's entries are whole 8-byte words: hashed a word at a time (about 0.2 ns a byte), so
// every read checks its bytes for little more than the cost of copying them.
std::uint64_t hashWords(const char* p, std::size_t n) {
  std::uint64_t h = 0x243F6A8885A308D3ull ^ n;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  return h;
}

// The fixed part of the header; the location and group strings follow it.
struct Header {
  char magic[8];
  std::uint32_t version, headerBytes;
  std::int64_t rows, cols, nnz;
  std::uint64_t size;
  std::int64_t mtimeNs;
  std::uint64_t checksum;
  std::uint64_t colptrHash, statsHash;
  std::uint32_t locationLen, groupLen;
  std::uint64_t headerHash;  // of the whole 4 KiB with this field 0
};

std::string hex(std::uint64_t v) {
  static const char* d = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    s[static_cast<std::size_t>(i)] = d[v & 15];
  return s;
}

std::string errnoText(int e) {
  return e == ENOSPC  ? "the disk is full"
         : e == EFBIG ? "the file size limit was reached"
                      : std::strerror(e);
}

// Writes all of `n` bytes at `off`; false (errno set) on failure.
bool pwriteAll(int fd, const void* p, std::size_t n, std::uint64_t off) {
  const auto* b = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, b, n, static_cast<off_t>(off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (w == 0) {
      errno = ENOSPC;
      return false;
    }
    b += w, n -= static_cast<std::size_t>(w), off += static_cast<std::uint64_t>(w);
  }
  return true;
}

std::uint64_t entriesOffset(std::int64_t cols) {
  return kHeaderBytes + static_cast<std::uint64_t>(cols + 1) * 8;
}
std::uint64_t statsOffset(std::int64_t cols, std::int64_t nnz) {
  return entriesOffset(cols) + static_cast<std::uint64_t>(nnz) * 8;
}

std::vector<char> encodeHeader(const SourceIdentity& id, std::int64_t rows, std::int64_t cols,
                               std::int64_t nnz, std::uint64_t colptrHash,
                               std::uint64_t statsHash) {
  std::vector<char> buf(kHeaderBytes, 0);
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.headerBytes = static_cast<std::uint32_t>(kHeaderBytes);
  h.rows = rows, h.cols = cols, h.nnz = nnz;
  h.size = id.size, h.mtimeNs = id.mtimeNs, h.checksum = id.checksum;
  h.colptrHash = colptrHash, h.statsHash = statsHash;
  h.locationLen = static_cast<std::uint32_t>(std::min(id.location.size(), kMaxText));
  h.groupLen = static_cast<std::uint32_t>(std::min(id.group.size(), kMaxText));
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + sizeof h, id.location.data(), h.locationLen);
  std::memcpy(buf.data() + sizeof h + h.locationLen, id.group.data(), h.groupLen);
  h.headerHash = fnv(kFnvSeed, buf.data(), buf.size());
  std::memcpy(buf.data() + offsetof(Header, headerHash), &h.headerHash, sizeof h.headerHash);
  return buf;
}

std::uint64_t hashStats(const std::vector<GeneStat>& s, const std::vector<std::uint64_t>& genes) {
  return fnv(fnv(kFnvSeed, s.data(), s.size() * sizeof(GeneStat)), genes.data(), genes.size() * 8);
}

// Removes the temporary file unless released (every failure path of the writer).
struct TempFile {
  fs::path path;
  int fd = -1;
  bool keep = false;
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

std::atomic<unsigned> tempCounter{0};

}  // namespace

Expected<SourceIdentity> identifySource(XReader& reader) {
  const XMatrix& x = reader.matrix();
  SourceIdentity id;
  std::error_code ec;
  const fs::path abs = fs::absolute(x.file, ec);
  id.location = (ec ? x.file : abs.lexically_normal()).string();
  id.group = x.group;
  struct stat st {};
  if (::stat(x.file.c_str(), &st) != 0)
    return fail(Errc::Io, x.file.string() + ": " + std::strerror(errno));
  id.size = static_cast<std::uint64_t>(st.st_size);
  id.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  auto sum = reader.checksum();
  if (!sum) return std::unexpected(sum.error());
  id.checksum = *sum;
  return id;
}

fs::path indexPathFor(const fs::path& dir, const SourceIdentity& id) {
  std::uint64_t h = fnv(kFnvSeed, id.location.data(), id.location.size());
  h = fnv(h, "#", 1);
  h = fnv(h, id.group.data(), id.group.size());
  return dir / (hex(h) + kSuffix);
}

std::uint64_t indexFileBytes(std::int64_t cols, std::int64_t nnz) {
  return statsOffset(cols, nnz) + static_cast<std::uint64_t>(cols) * (sizeof(GeneStat) + 8);
}

ColumnIndexFile::~ColumnIndexFile() {
  if (fd_ >= 0) ::close(fd_);
}

Expected<std::shared_ptr<const ColumnIndexFile>> ColumnIndexFile::open(const fs::path& file,
                                                                       const SourceIdentity& id) {
  const std::string name = file.string();
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::NotFound, name + ": no gene index yet");
  std::shared_ptr<ColumnIndexFile> f(new ColumnIndexFile());
  f->fd_ = fd;
  f->path_ = file;
  auto corrupt = [&](const std::string& why) {
    return fail(Errc::Corrupt, name + ": not a valid gene index (" + why + ")");
  };
  std::vector<char> buf(kHeaderBytes);
  if (!preadAll(fd, buf.data(), buf.size(), 0)) return corrupt("short header");
  Header h{};
  std::memcpy(&h, buf.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return corrupt("bad magic");
  if (h.version != kVersion || h.headerBytes != kHeaderBytes) return corrupt("other version");
  const std::uint64_t stored = h.headerHash;
  std::memset(buf.data() + offsetof(Header, headerHash), 0, sizeof h.headerHash);
  if (fnv(kFnvSeed, buf.data(), buf.size()) != stored) return corrupt("header checksum");
  if (h.rows < 0 || h.cols < 0 || h.nnz < 0 || h.locationLen > kMaxText || h.groupLen > kMaxText)
    return corrupt("bad shape");
  struct stat st {};
  if (::fstat(fd, &st) != 0 ||
      static_cast<std::uint64_t>(st.st_size) != indexFileBytes(h.cols, h.nnz))
    return corrupt("size does not match its shape");
  SourceIdentity in;
  in.location.assign(buf.data() + sizeof h, h.locationLen);
  in.group.assign(buf.data() + sizeof h + h.locationLen, h.groupLen);
  in.size = h.size, in.mtimeNs = h.mtimeNs, in.checksum = h.checksum;
  if (!(in == id))
    return fail(Errc::NotFound, name + ": the gene index is of another version of " + id.location);
  f->rows_ = h.rows;
  f->cols_ = h.cols;
  f->colptr_.resize(static_cast<std::size_t>(h.cols + 1));
  if (!preadAll(fd, f->colptr_.data(), f->colptr_.size() * 8, kHeaderBytes))
    return corrupt("short colptr");
  if (fnv(kFnvSeed, f->colptr_.data(), f->colptr_.size() * 8) != h.colptrHash)
    return corrupt("colptr checksum");
  if (f->colptr_.front() != 0 || f->colptr_.back() != h.nnz ||
      !std::is_sorted(f->colptr_.begin(), f->colptr_.end()))
    return corrupt("colptr is not monotonic from 0 to nnz");
  f->stats_.resize(static_cast<std::size_t>(h.cols));
  f->geneHash_.resize(static_cast<std::size_t>(h.cols));
  const std::uint64_t so = statsOffset(h.cols, h.nnz);
  if (!preadAll(fd, f->stats_.data(), f->stats_.size() * sizeof(GeneStat), so) ||
      !preadAll(fd, f->geneHash_.data(), f->geneHash_.size() * 8,
                so + f->stats_.size() * sizeof(GeneStat)))
    return corrupt("short statistics");
  if (hashStats(f->stats_, f->geneHash_) != h.statsHash) return corrupt("statistics checksum");
  // Least recently used: the mtime says when an index was last opened.
  ::futimens(fd, nullptr);
  return std::shared_ptr<const ColumnIndexFile>(std::move(f));
}

Expected<ColumnIndexFile::GeneEntries> ColumnIndexFile::readGene(
    std::int64_t g, std::vector<std::uint32_t>& buf) const {
  if (g < 0 || g >= cols_)
    return fail(Errc::InvalidArgument,
                path_.string() + ": gene " + std::to_string(g) + " out of range");
  const std::int64_t b0 = colptr_[g], k = colptr_[g + 1] - b0;
  // Entries are stored gene by gene as rows then values: one read per gene.
  buf.resize(static_cast<std::size_t>(k) * 2);
  const std::size_t bytes = static_cast<std::size_t>(k) * 8;
  if (k > 0 &&
      !preadAll(fd_, buf.data(), bytes, entriesOffset(cols_) + static_cast<std::uint64_t>(b0) * 8))
    return fail(Errc::Io, path_.string() + ": cannot read gene " + std::to_string(g) + ": " +
                              std::strerror(errno));
  const auto* bytesAt = reinterpret_cast<const char*>(buf.data());
  if (k > 0 && hashWords(bytesAt, bytes) != geneHash_[g])
    return fail(Errc::Corrupt, path_.string() + ": not a valid gene index (gene " +
                                   std::to_string(g) + " fails its checksum)");
  GeneEntries e;
  e.rows = {reinterpret_cast<const std::int32_t*>(buf.data()), static_cast<std::size_t>(k)};
  e.values = {reinterpret_cast<const float*>(buf.data() + k), static_cast<std::size_t>(k)};
  for (const std::int32_t r : e.rows)
    if (r < 0 || r >= rows_)
      return fail(Errc::Corrupt, path_.string() + ": not a valid gene index (row " +
                                     std::to_string(r) + " out of range)");
  return e;
}

Expected<CscMatrix> ColumnIndexFile::readGenes(std::int64_t g0, std::int64_t g1) const {
  if (g0 < 0 || g1 > cols_ || g0 > g1)
    return fail(Errc::InvalidArgument, path_.string() + ": genes [" + std::to_string(g0) + ", " +
                                           std::to_string(g1) + ") out of range");
  CscMatrix m;
  m.rows = rows_;
  m.cols = g1 - g0;
  m.sortedByValue = true;
  const std::int64_t b0 = colptr_[g0], n = colptr_[g1] - b0;
  m.colptr.resize(static_cast<std::size_t>(m.cols + 1));
  for (std::int64_t g = 0; g <= m.cols; ++g)
    m.colptr[g] = colptr_[g0 + g] - b0;
  m.rowIdx.resize(static_cast<std::size_t>(n));
  m.values.resize(static_cast<std::size_t>(n));
  std::vector<std::uint32_t> buf;
  for (std::int64_t g = 0; g < m.cols; ++g) {
    auto e = readGene(g0 + g, buf);
    if (!e) return std::unexpected(e.error());
    std::copy(e->rows.begin(), e->rows.end(), m.rowIdx.begin() + m.colptr[g]);
    std::copy(e->values.begin(), e->values.end(), m.values.begin() + m.colptr[g]);
  }
  return m;
}

Expected<std::vector<float>> ColumnIndexFile::denseColumn(std::int64_t g) const {
  std::vector<std::uint32_t> buf;
  auto e = readGene(g, buf);
  if (!e) return std::unexpected(e.error());
  std::vector<float> out(static_cast<std::size_t>(rows_), 0.0f);
  for (std::size_t k = 0; k < e->rows.size(); ++k)
    out[static_cast<std::size_t>(e->rows[k])] = e->values[k];
  return out;
}

void evictIndexFiles(const fs::path& dir, std::uint64_t budget, std::uint64_t reserve,
                     const fs::path& keep) {
  struct Entry {
    fs::path path;
    std::uint64_t bytes;
    fs::file_time_type used;
  };
  std::vector<Entry> files;
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path p = it->path();
    const std::string n = p.filename().string();
    // Temporary files are "<index>.tmp.<pid>.<k>": left behind only by a writer that died.
    if (const auto t = n.find(".tmp."); t != std::string::npos) {
      const long pid = std::strtol(n.c_str() + t + 5, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(p, ec);
      continue;
    }
    if (p.extension() != kSuffix || p == keep) continue;
    std::error_code e2;
    const auto bytes = fs::file_size(p, e2);
    const auto used = fs::last_write_time(p, e2);
    if (e2) continue;
    files.push_back({p, bytes, used});
    total += bytes;
  }
  std::sort(files.begin(), files.end(),
            [](const Entry& a, const Entry& b) { return a.used < b.used; });
  for (const auto& f : files) {
    if (total + reserve <= budget) break;
    std::error_code e2;
    if (fs::remove(f.path, e2)) total -= f.bytes;
  }
}

Expected<fs::path> writeColumnIndex(const fs::path& dir, const SourceIdentity& id, XReader& reader,
                                    const IndexWriteOptions& options, std::stop_token stop) {
  const XMatrix& x = reader.matrix();
  const std::string where = x.file.string();
  auto progress = [&](double f) {
    if (options.progress) options.progress(std::clamp(f, 0.0, 1.0));
  };
  const std::uint64_t need = indexFileBytes(x.cols, x.nnz);
  if (need > options.cacheBudget)
    return fail(Errc::Unsupported,
                where + ": its gene index needs " + std::to_string(need >> 20) + " MiB, over the " +
                    std::to_string(options.cacheBudget >> 20) + " MiB expression cache budget");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(Errc::Io, dir.string() + ": cannot create the cache folder: " + ec.message());
  const fs::path target = indexPathFor(dir, id);
  evictIndexFiles(dir, options.cacheBudget, need, target);

  // Counting pass: a fifth of the work for CSR (indices only).
  auto counts = reader.geneCounts(stop, [&](double f) { progress(0.2 * f); });
  if (!counts) return std::unexpected(counts.error());
  std::vector<std::int64_t> colptr(static_cast<std::size_t>(x.cols + 1), 0);
  for (std::int64_t g = 0; g < x.cols; ++g)
    colptr[g + 1] = colptr[g] + (*counts)[g];
  if (colptr.back() != x.nnz && x.encoding != MatrixEncoding::Dense)
    return fail(Errc::Corrupt, where + ": X has " + std::to_string(colptr.back()) +
                                   " entries, its metadata says " + std::to_string(x.nnz));
  const std::int64_t nnz = colptr.back();

  TempFile tmp;
  tmp.path = target;
  tmp.path += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(tempCounter++);
  tmp.fd = ::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (tmp.fd < 0) {
    const int e = errno;
    tmp.path.clear();
    return fail(Errc::Io, dir.string() + ": cannot write the gene index: " + errnoText(e));
  }
  auto writeFailed = [&](const char* what) {
    return fail(Errc::Io, tmp.path.string() + ": writing the gene index failed (" + what +
                              "): " + errnoText(errno) + "; genes are read from the file instead");
  };
  if (!pwriteAll(tmp.fd, colptr.data(), colptr.size() * 8, kHeaderBytes))
    return writeFailed("colptr");

  std::vector<GeneStat> stats(static_cast<std::size_t>(x.cols));
  std::vector<std::uint64_t> geneHash(static_cast<std::size_t>(x.cols));
  std::vector<char> words;
  const auto chunks = planGeneChunks(*counts, options.chunkBytes);
  const double cells = static_cast<double>(std::max<std::int64_t>(1, x.rows));
  for (std::size_t k = 0; k < chunks.size(); ++k) {
    const auto [g0, g1] = chunks[k];
    const double f0 = 0.2 + 0.8 * static_cast<double>(k) / static_cast<double>(chunks.size());
    const double span = 0.8 / static_cast<double>(chunks.size());
    auto m = reader.readGenes(
        g0, g1, stop, [&](double f) { progress(f0 + span * 0.9 * f); },
        counts.has_value() ? &*counts : nullptr);
    if (!m) return std::unexpected(m.error());
    if (auto s = sortColumnsByValue(*m, options.workers, stop); !s)
      return std::unexpected(s.error());
    // Straight from the chunk: rows then values of each gene, so no second copy is held.
    for (std::int64_t g = 0; g < m->cols; ++g) {
      const auto rows = m->columnRows(g);
      const auto vals = m->columnValues(g);
      const std::uint64_t at =
          entriesOffset(x.cols) + static_cast<std::uint64_t>(colptr[g0 + g]) * 8;
      words.resize(rows.size() * 8);
      std::memcpy(words.data(), rows.data(), rows.size() * 4);
      std::memcpy(words.data() + rows.size() * 4, vals.data(), vals.size() * 4);
      geneHash[g0 + g] = hashWords(words.data(), words.size());
      if (!words.empty() && !pwriteAll(tmp.fd, words.data(), words.size(), at))
        return writeFailed("entries");
      double sum = 0;
      std::int64_t nz = 0;
      for (const float v : vals) {
        sum += v;
        nz += v != 0;
      }
      stats[g0 + g] = {sum / cells, static_cast<double>(nz) / cells};
    }
    progress(f0 + span);
  }
  if (!pwriteAll(tmp.fd, stats.data(), stats.size() * sizeof(GeneStat), statsOffset(x.cols, nnz)) ||
      !pwriteAll(tmp.fd, geneHash.data(), geneHash.size() * 8,
                 statsOffset(x.cols, nnz) + stats.size() * sizeof(GeneStat)))
    return writeFailed("statistics");
  const auto header =
      encodeHeader(id, x.rows, x.cols, nnz, fnv(kFnvSeed, colptr.data(), colptr.size() * 8),
                   hashStats(stats, geneHash));
  if (!pwriteAll(tmp.fd, header.data(), header.size(), 0)) return writeFailed("header");
  if (::fsync(tmp.fd) != 0) return writeFailed("fsync");
  if (::close(tmp.fd) != 0) {
    tmp.fd = -1;
    return writeFailed("close");
  }
  tmp.fd = -1;
  if (::rename(tmp.path.c_str(), target.c_str()) != 0) return writeFailed("rename");
  tmp.keep = true;
  if (const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
    ::fsync(d);
    ::close(d);
  }
  progress(1.0);
  return target;
}

}  // namespace tessera::data
