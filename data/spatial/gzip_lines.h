#pragma once
/// Fast reading of large gzip-compressed CSV files (Xenium transcripts: 10M+ rows):
///  - inflateWholeGzip inflates a file that fits in memory in one go with libdeflate;
///  - GzipBlockReader streams with zlib into large blocks that end on a line break, so blocks
///    can be parsed independently (in parallel on an Executor) with bounded memory;
///  - small CSV helpers: a header splitter, a field cursor that understands quotes, and a
///    float parser faster than strtod for the plain decimals these files hold.
/// inflateWholeGzip is a pure function (any thread); a GzipBlockReader is used by one thread.
/// Errors name the file: truncated or corrupt streams
/// ("<file>: truncated gzip stream after N bytes of data") and read failures.
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/error.h"

namespace tessera::data {

class GzipBlockReader {
 public:
  /// `blockSize` is the target decoded size of each block (a block holds whole lines).
  static Expected<std::unique_ptr<GzipBlockReader>> open(const std::filesystem::path& path,
                                                         std::size_t blockSize = 8 << 20);
  ~GzipBlockReader();
  /// The next block of whole lines (the last may lack a final newline); an empty string at the
  /// end. Reuses no memory of earlier blocks, so blocks can be handed to other threads.
  Expected<std::string> next();
  const std::filesystem::path& path() const { return path_; }
  /// Compressed bytes consumed so far (for progress against the file size).
  std::uint64_t compressedConsumed() const;

 private:
  GzipBlockReader() = default;
  struct State;
  std::unique_ptr<State> s_;
  std::filesystem::path path_;
  std::size_t blockSize_ = 0;
  std::string carry_;
  bool done_ = false;
};

/// A whole gzip file inflated into memory by libdeflate (about twice zlib's speed), every
/// member of a multi-member file (pigz, concatenations) in order, trailing zero padding allowed.
struct InflatedFile {
  /// An anonymous memory mapping, so untouched capacity costs no memory.
  struct Unmap {
    std::size_t length = 0;
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Unmap> data;
  std::size_t size = 0;
  std::string_view view() const { return {data.get(), size}; }
};

/// The default memory budget for inflateWholeGzip: a quarter of the physical memory.
std::size_t defaultInflateBudget();

/// nullopt when the decoded size (from the gzip trailer, or estimated) would exceed
/// `maxBytes`, or when the file is not clean gzip (truncated, corrupt, unreadable): callers
/// then read it with GzipBlockReader, which names the file and the failure precisely.
std::optional<InflatedFile> inflateWholeGzip(const std::filesystem::path& path,
                                             std::size_t maxBytes);

/// Whole file decompressed and split into lines (small files: cells, boundaries headers).
Expected<std::vector<std::string>> readGzipLines(const std::filesystem::path& path);

/// Splits one CSV header/record into fields, removing surrounding quotes.
std::vector<std::string> splitCsvLine(std::string_view line, char sep = ',');

/// Cursor over one line's fields, without allocating.
struct CsvCursor {
  const char* p;
  const char* end;
  char sep = ',';
  /// The next field (quotes removed); false at the end of the line.
  bool field(std::string_view& out) {
    if (p > end) return false;
    if (p < end && *p == '"') {
      const char* q = ++p;
      while (p < end && *p != '"')
        ++p;
      out = std::string_view(q, static_cast<std::size_t>(p - q));
      if (p < end) ++p;
      while (p < end && *p != sep)
        ++p;
    } else {
      const char* q = p;
      while (p < end && *p != sep)
        ++p;
      out = std::string_view(q, static_cast<std::size_t>(p - q));
    }
    ++p;  // past the separator (or one past end: marks the line consumed)
    return true;
  }
};

/// Parses a decimal number ("-12.5", "3e-2", "7"); false when `s` is not a number.
bool parseFloat(std::string_view s, double& out);

}  // namespace tessera::data
