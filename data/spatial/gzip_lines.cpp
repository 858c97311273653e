#include "data/spatial/gzip_lines.h"

#include <fcntl.h>
#include <libdeflate.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "data/memory_budget.h"

namespace tessera::data {

namespace {
constexpr std::size_t kInputBytes = 1 << 20;
}  // namespace

struct GzipBlockReader::State {
  std::FILE* file = nullptr;
  z_stream z{};
  bool zInit = false;
  /// Compressed input, kInputBytes (not zero-filled: fread fills what inflate reads).
  std::unique_ptr<unsigned char[]> in =
      std::make_unique_for_overwrite<unsigned char[]>(kInputBytes);
  std::uint64_t produced = 0;
  std::uint64_t read = 0;    ///< compressed bytes read from the file
  bool streamEnded = false;  ///< the last member ended cleanly
  ~State() {
    if (zInit) inflateEnd(&z);
    if (file) std::fclose(file);
  }
};

Expected<std::unique_ptr<GzipBlockReader>> GzipBlockReader::open(const std::filesystem::path& path,
                                                                 std::size_t blockSize) {
  std::unique_ptr<GzipBlockReader> r(new GzipBlockReader());
  r->path_ = path;
  r->blockSize_ = std::max<std::size_t>(blockSize, 1 << 16);
  r->s_ = std::make_unique<State>();
  r->s_->file = std::fopen(path.c_str(), "rb");
  if (!r->s_->file) {
    if (!std::filesystem::exists(path))
      return fail(Errc::NotFound, path.string() + ": no such file");
    return fail(Errc::Io, path.string() + ": cannot open: " + std::strerror(errno));
  }
  // 15 + 16: gzip wrapper only, so a plain zlib or raw file is reported as not gzip.
  if (inflateInit2(&r->s_->z, 15 + 16) != Z_OK)
    return fail(Errc::Io, path.string() + ": zlib initialisation failed");
  r->s_->zInit = true;
  return r;
}

GzipBlockReader::~GzipBlockReader() = default;

std::uint64_t GzipBlockReader::compressedConsumed() const {
  return s_->read - s_->z.avail_in;
}

Expected<std::string> GzipBlockReader::next() {
  if (done_) return std::string();
  State& s = *s_;
  std::string out = std::move(carry_);
  carry_.clear();
  auto truncated = [&] {
    return fail(Errc::Corrupt, path_.string() + ": truncated gzip stream after " +
                                   std::to_string(s.produced) + " bytes of data");
  };
  // A block ends at its last line break. A line longer than a block (a damaged file) makes the
  // block grow by another blockSize_ until it holds one, up to maxLine: beyond that the file is
  // refused rather than read whole into memory.
  const std::size_t maxLine = 16 * blockSize_;
  std::size_t want = std::max(blockSize_, out.size() + 1);
  for (;;) {
    const std::size_t target = want + want / 8;
    out.reserve(target);
    while (out.size() < want) {
      if (s.z.avail_in == 0) {
        const std::size_t n = std::fread(s.in.get(), 1, kInputBytes, s.file);
        if (n == 0) {
          if (std::ferror(s.file)) return fail(Errc::Io, path_.string() + ": read failed");
          if (!s.streamEnded) return truncated();
          done_ = true;
          break;
        }
        s.read += n;
        s.z.next_in = s.in.get();
        s.z.avail_in = static_cast<uInt>(n);
      }
      if (s.streamEnded) {
        // Another gzip member follows (pigz, concatenated files), or trailing zero padding.
        if (s.z.next_in[0] == 0) {
          s.z.avail_in = 0;
          continue;
        }
        inflateReset(&s.z);
        s.streamEnded = false;
      }
      // Inflated straight into the string's spare room (no zero-filling of the block first).
      const std::size_t before = out.size();
      int rc = Z_OK;
      out.resize_and_overwrite(target, [&](char* p, std::size_t n) {
        s.z.next_out = reinterpret_cast<Bytef*>(p + before);
        s.z.avail_out = static_cast<uInt>(n - before);
        rc = inflate(&s.z, Z_NO_FLUSH);
        return n - s.z.avail_out;
      });
      const std::size_t got = out.size() - before;
      s.produced += got;
      if (rc == Z_STREAM_END) {
        s.streamEnded = true;
      } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        return fail(Errc::Corrupt, path_.string() + ": corrupt gzip data after " +
                                       std::to_string(s.produced) + " bytes" +
                                       (s.z.msg ? std::string(" (") + s.z.msg + ")" : ""));
      } else if (rc == Z_MEM_ERROR) {
        return fail(Errc::Io, path_.string() + ": out of memory inflating");
      } else if (rc == Z_BUF_ERROR && got == 0 && s.z.avail_in != 0) {
        return fail(Errc::Corrupt, path_.string() + ": gzip stream makes no progress");
      }
    }
    if (done_) return out;
    const std::size_t nl = out.rfind('\n');
    if (nl != std::string::npos) {
      carry_.assign(out, nl + 1);
      out.resize(nl + 1);
      return out;
    }
    if (out.size() >= maxLine)
      return fail(Errc::Corrupt, path_.string() + ": a line longer than " +
                                     std::to_string(maxLine >> 20) + " MiB after " +
                                     std::to_string(s.produced - out.size()) + " bytes of data");
    want = out.size() + blockSize_;
  }
}

std::size_t defaultInflateBudget() {
  return static_cast<std::size_t>(physicalMemoryBytes() / 4);
}

void InflatedFile::Unmap::operator()(char* p) const {
  if (p) munmap(p, length);
}

namespace {

// A private anonymous mapping of `length` bytes (pages appear as they are written); null on
// failure. Huge pages were tried: less user time, but compaction made the system time erratic.
std::unique_ptr<char, InflatedFile::Unmap> mapAnonymous(std::size_t length) {
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return {nullptr, {0}};
  return {static_cast<char*>(p), {length}};
}

// The file mapped read-only for one sequential pass.
struct MappedFile {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  explicit MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* p = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data = static_cast<const unsigned char*>(p);
        size = static_cast<std::size_t>(st.st_size);
        madvise(p, size, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data) munmap(const_cast<unsigned char*>(data), size);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
};

}  // namespace

std::optional<InflatedFile> inflateWholeGzip(const std::filesystem::path& path,
                                             std::size_t maxBytes) {
  const MappedFile in(path);
  const std::size_t inSize = in.size;
  if (!in.data || inSize < 18 || inSize > maxBytes || in.data[0] != 0x1f || in.data[1] != 0x8b)
    return std::nullopt;
  // The trailer's ISIZE is the last member's size mod 2^32: a lower bound for one member under
  // 4 GiB, so at least as much room as the compressed data would take at a typical CSV ratio.
  const unsigned char* t = in.data + inSize - 4;
  const std::size_t isize = std::size_t{t[0]} | std::size_t{t[1]} << 8 | std::size_t{t[2]} << 16 |
                            std::size_t{t[3]} << 24;
  std::size_t capacity = std::max<std::size_t>(isize, 3 * inSize) + 4096;
  if (capacity > maxBytes) return std::nullopt;
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!d) return std::nullopt;
  InflatedFile out{mapAnonymous(capacity), 0};
  if (!out.data) return std::nullopt;
  std::size_t pos = 0;
  while (pos < inSize) {
    if (in.data[pos] == 0) {  // zero padding after the last member (some tape/block writers)
      if (std::all_of(in.data + pos, in.data + inSize, [](unsigned char c) { return c == 0; }))
        break;
      return std::nullopt;
    }
    std::size_t used = 0, produced = 0;
    const auto r = libdeflate_gzip_decompress_ex(d.get(), in.data + pos, inSize - pos,
                                                 out.data.get() + out.size, capacity - out.size,
                                                 &used, &produced);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
      // A member larger than guessed: grow and decode that member again.
      const std::size_t grown = capacity * 2;
      if (grown > maxBytes) return std::nullopt;
      auto bigger = mapAnonymous(grown);
      if (!bigger) return std::nullopt;
      std::memcpy(bigger.get(), out.data.get(), out.size);
      out.data = std::move(bigger);
      capacity = grown;
      continue;
    }
    if (r != LIBDEFLATE_SUCCESS) return std::nullopt;
    out.size += produced;
    pos += used;
  }
  return out;
}

Expected<std::vector<std::string>> readGzipLines(const std::filesystem::path& path) {
  auto r = GzipBlockReader::open(path);
  if (!r) return std::unexpected(r.error());
  std::vector<std::string> lines;
  for (;;) {
    auto b = (*r)->next();
    if (!b) return std::unexpected(b.error());
    if (b->empty()) break;
    std::size_t pos = 0;
    while (pos < b->size()) {
      std::size_t nl = b->find('\n', pos);
      if (nl == std::string::npos) nl = b->size();
      std::size_t end = nl;
      if (end > pos && (*b)[end - 1] == '\r') --end;
      lines.emplace_back(*b, pos, end - pos);
      pos = nl + 1;
    }
  }
  return lines;
}

std::vector<std::string> splitCsvLine(std::string_view line, char sep) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> out;
  CsvCursor c{line.data(), line.data() + line.size(), sep};
  std::string_view f;
  while (c.field(f))
    out.emplace_back(f);
  return out;
}

bool parseFloat(std::string_view s, double& out) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                      1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
  const char* p = s.data();
  const char* e = p + s.size();
  while (p < e && *p == ' ')
    ++p;
  while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
    --e;
  if (p == e) return false;
  bool neg = false;
  if (*p == '-' || *p == '+') neg = *p++ == '-';
  std::uint64_t mant = 0;
  int digits = 0, fracDigits = 0;
  const char* start = p;
  while (p < e && unsigned(*p - '0') < 10) {
    mant = mant * 10 + unsigned(*p++ - '0');
    ++digits;
  }
  if (p < e && *p == '.') {
    ++p;
    while (p < e && unsigned(*p - '0') < 10) {
      mant = mant * 10 + unsigned(*p++ - '0');
      ++digits;
      ++fracDigits;
    }
  }
  int exp10 = 0;
  if (p < e && (*p == 'e' || *p == 'E')) {
    ++p;
    bool eneg = false;
    if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
    if (p == e) return false;
    int ev = 0;
    while (p < e && unsigned(*p - '0') < 10 && ev < 10000)
      ev = ev * 10 + (*p++ - '0');
    exp10 = eneg ? -ev : ev;
  }
  if (p != e || digits == 0 || digits > 18) {
    // Rare forms (nan, inf, very long mantissas): the exact library parser.
    const char* b = s.data();
    while (b < e && *b == ' ')
      ++b;
    if (b < e && *b == '+') ++b;
    auto r = std::from_chars(b, e, out);
    (void)start;
    return r.ec == std::errc() && r.ptr == e;
  }
  const int scale = exp10 - fracDigits;
  double v = static_cast<double>(mant);
  if (scale < 0 && scale >= -18)
    v /= kPow10[-scale];
  else if (scale > 0 && scale <= 18)
    v *= kPow10[scale];
  else if (scale != 0)
    v *= std::pow(10.0, scale);
  out = neg ? -v : v;
  return true;
}

}  // namespace tessera::data
