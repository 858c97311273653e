#pragma once
/// The gene-major column index of an expression matrix, kept as a cache file so that it is
/// built once per source and survives restarts. Layout (native endianness; the cache never
/// leaves the machine):
///   header (4 KiB): magic, version, shape, nnz, the source's identity (location, HDF5 group,
///                   size, mtime, inner checksum of X) and hashes of the header and of colptr
///   colptr          int64 x (genes + 1)
///   entries         per gene g, at 8 x colptr[g]: its rows (int32 x n) then its values
///                   (float32 x n), ascending by value, so one gene is one read
///   stats           per gene: mean and fraction expressing (float64 x 2)
///   gene hashes     per gene: a 64-bit hash of its entries, checked on every read
/// The file is written to a temporary name in the cache folder, fsync'd and renamed into place,
/// so a reader sees a whole index or none; a failed write (disk full, cancelled) removes the
/// temporary file. Reads use pread by ranges (no mapping), so resident memory is what the caller
/// asks for, never the file.
/// A file whose header, sizes or colptr do not check out, or whose identity differs from the
/// source's now (changed size, mtime or checksum), is refused (Errc::Corrupt / Errc::NotFound)
/// and the caller rebuilds it. Every gene read checks that gene's hash and row range, so a
/// damaged entry is an error (Errc::Corrupt), never a wrong value.
/// The folder has a byte budget: files are evicted least recently used first (their mtime is
/// touched on every open) before a new one is written.
/// Threads: a ColumnIndexFile is immutable after open() and may be read from any thread.
/// writeColumnIndex() reads X through an XReader, so it runs on the HDF5 thread; it sorts chunks
/// on `workers`.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "data/error.h"
#include "data/expression/csc_matrix.h"
#include "data/expression/x_reader.h"

namespace tessera::data {

class Executor;

struct GeneStat {
  double mean = 0;
  double fracExpressing = 0;  ///< of cells with a stored value != 0
};

/// What makes an index belong to one version of one source.
struct SourceIdentity {
  std::string location;  ///< absolute path (or URL) of the source
  std::string group;     ///< HDF5 group of X
  std::uint64_t size = 0;
  std::int64_t mtimeNs = 0;
  std::uint64_t checksum = 0;  ///< XReader::checksum()
  bool operator==(const SourceIdentity&) const = default;
};

/// The identity of the source `reader` reads now. HDF5 thread.
Expected<SourceIdentity> identifySource(XReader& reader);

/// The cache file for a source (named by a hash of its location and group, so a changed source
/// replaces its old index instead of leaving it behind).
std::filesystem::path indexPathFor(const std::filesystem::path& dir, const SourceIdentity& id);

/// Bytes of the index file of a matrix of that shape.
std::uint64_t indexFileBytes(std::int64_t cols, std::int64_t nnz);

class ColumnIndexFile {
 public:
  /// Errc::NotFound when absent or built from another version of the source (`why` says which);
  /// Errc::Corrupt when it is not a whole, consistent index.
  static Expected<std::shared_ptr<const ColumnIndexFile>> open(const std::filesystem::path& file,
                                                               const SourceIdentity& id);
  ~ColumnIndexFile();
  ColumnIndexFile(const ColumnIndexFile&) = delete;
  ColumnIndexFile& operator=(const ColumnIndexFile&) = delete;

  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  std::int64_t nnz() const { return colptr_.back(); }
  const std::filesystem::path& path() const { return path_; }
  std::uint64_t fileBytes() const { return indexFileBytes(cols_, nnz()); }
  const std::vector<std::int64_t>& colptr() const { return colptr_; }
  const std::vector<GeneStat>& stats() const { return stats_; }

  /// Genes [g0, g1) as a CSC chunk sorted by value (sortedByValue = true). Errc::Io on a read
  /// error, Errc::Corrupt when a row is out of range.
  Expected<CscMatrix> readGenes(std::int64_t g0, std::int64_t g1) const;
  /// One gene's entries, sorted by value, read into `buf` (the caller's, reused from gene to
  /// gene so that streaming genes allocates nothing once it is large enough) and checked as
  /// readGenes checks them. The spans point into `buf`.
  struct GeneEntries {
    std::span<const std::int32_t> rows;
    std::span<const float> values;
  };
  Expected<GeneEntries> readGene(std::int64_t g, std::vector<std::uint32_t>& buf) const;
  /// One gene as one float per cell.
  Expected<std::vector<float>> denseColumn(std::int64_t g) const;

 private:
  ColumnIndexFile() = default;
  std::filesystem::path path_;
  int fd_ = -1;
  std::int64_t rows_ = 0, cols_ = 0;
  std::vector<std::int64_t> colptr_;
  std::vector<GeneStat> stats_;
  std::vector<std::uint64_t> geneHash_;
};

struct IndexWriteOptions {
  std::uint64_t cacheBudget = std::uint64_t{20} << 30;  ///< bytes for every index in `dir`
  std::size_t chunkBytes = std::size_t{256} << 20;      ///< entries held at once while building
  Executor* workers = nullptr;                          ///< sorts chunks (null: this thread)
  /// Called between blocks and chunks with the fraction done; the engine answers queued gene
  /// reads from here so the HDF5 thread is not held for the whole build.
  std::function<void(double)> progress;
};

/// Builds the index of `reader`'s matrix into `dir` and returns its path. Errc::Unsupported
/// when it would not fit the budget even after evicting every other index; Errc::Io when the
/// write fails (the temporary file is removed); Errc::Cancelled when `stop` is requested.
Expected<std::filesystem::path> writeColumnIndex(const std::filesystem::path& dir,
                                                 const SourceIdentity& id, XReader& reader,
                                                 const IndexWriteOptions& options,
                                                 std::stop_token stop);

/// Removes index files of `dir`, least recently used first, until those left plus `reserve`
/// bytes fit `budget`; never removes `keep`. Also removes temporary files of dead writers.
void evictIndexFiles(const std::filesystem::path& dir, std::uint64_t budget, std::uint64_t reserve,
                     const std::filesystem::path& keep = {});

}  // namespace tessera::data
