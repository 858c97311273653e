#include "data/expression/raw_csr_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "data/anndata/hdf5_read.h"
#include "data/expression/parallel_for.h"
#include "data/pread_all.h"

namespace tessera::data {

struct RawCsrScan::Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

using h5::Handle;

// Entries per block: 1 MiB of indices stays in cache while it is scanned (as in x_reader.cpp).
constexpr std::int64_t kBlock = std::int64_t{1} << 18;
// Parts handed out to the threads: enough that a thread starting late still gets a share.
constexpr std::int64_t kParts = 16;

// Where `ds` (of `nnz` entries of `type`) lies in a file of `fileSize` bytes, when it is one
// contiguous, allocated, unfiltered range of the file.
std::optional<RawArray> rawLayout(hid_t ds, hid_t type, std::int64_t nnz, std::uint64_t fileSize) {
  Handle fileType(H5Dget_type(ds));
  if (!fileType || H5Tequal(fileType.get(), type) <= 0) return std::nullopt;
  Handle dcpl(H5Dget_create_plist(ds));
  if (!dcpl || H5Pget_layout(dcpl.get()) != H5D_CONTIGUOUS) return std::nullopt;
  if (H5Pget_external_count(dcpl.get()) != 0 || H5Pget_nfilters(dcpl.get()) != 0)
    return std::nullopt;
  const auto dims = h5::shape(ds);
  if (dims.size() != 1 || static_cast<std::int64_t>(dims[0]) != nnz) return std::nullopt;
  const haddr_t offset = H5Dget_offset(ds);
  const auto bytes = static_cast<std::uint64_t>(nnz) * 4;
  if (offset == HADDR_UNDEF || H5Dget_storage_size(ds) != bytes) return std::nullopt;
  if (offset > fileSize || bytes > fileSize - offset) return std::nullopt;
  return RawArray{offset, nnz};
}

// The first entries of `ds` read by HDF5 and raw must be the same bytes.
template <class T>
bool agrees(int fd, hid_t ds, const RawArray& a, const std::string& where) {
  const std::int64_t n = std::min<std::int64_t>(a.count, 4096);
  auto viaHdf5 = h5::readNumbers<T>(ds, where, 0, n);
  std::vector<T> raw(static_cast<std::size_t>(n));
  return viaHdf5 && preadAll(fd, raw.data(), raw.size() * sizeof(T), a.offset) &&
         std::memcmp(raw.data(), viaHdf5->data(), raw.size() * sizeof(T)) == 0;
}

// What one part of the scan found: the gene's cells and values in stream order.
struct PartResult {
  std::vector<std::int32_t> rows;
  std::vector<float> values;
  std::optional<Error> error;
};

}  // namespace

std::optional<RawCsrScan> RawCsrScan::probe(const std::string& file, hid_t indices, hid_t data,
                                            std::int64_t nnz) {
  if constexpr (std::endian::native != std::endian::little) return std::nullopt;
  if (nnz <= 0) return std::nullopt;
  auto fd = std::make_shared<Fd>();
  fd->fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd->fd < 0 || ::fstat(fd->fd, &st) != 0) return std::nullopt;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const auto idx = rawLayout(indices, H5T_STD_I32LE, nnz, size);
  const auto val = rawLayout(data, H5T_IEEE_F32LE, nnz, size);
  if (!idx || !val) return std::nullopt;
  if (!agrees<std::int32_t>(fd->fd, indices, *idx, file) ||
      !agrees<float>(fd->fd, data, *val, file)) {
    h5::takeErrorMessage();
    return std::nullopt;
  }
  return RawCsrScan(std::move(fd), *idx, *val);
}

Expected<std::vector<float>> RawCsrScan::gene(const std::vector<std::int64_t>& indptr,
                                              std::int64_t cols, std::int64_t gene,
                                              std::stop_token stop, Executor* workers,
                                              const std::string& where) const {
  const std::int64_t nnz = indices_.count;
  const std::int64_t rows = static_cast<std::int64_t>(indptr.size()) - 1;
  const std::int64_t blocks = (nnz + kBlock - 1) / kBlock;
  const std::int64_t parts = std::min(blocks, kParts);
  std::vector<PartResult> found(static_cast<std::size_t>(parts));
  const auto ucols = static_cast<std::uint32_t>(cols), ugene = static_cast<std::uint32_t>(gene);
  const int fd = fd_->fd;
  const bool done = parallelFor(
      workers, parts,
      [&](std::int64_t part) {
        PartResult& out = found[static_cast<std::size_t>(part)];
        std::vector<std::int32_t> idx(static_cast<std::size_t>(kBlock));
        std::vector<float> val(static_cast<std::size_t>(kBlock));
        std::vector<std::int64_t> hits;
        const std::int64_t b0 = blocks * part / parts * kBlock,
                           b1 = std::min(nnz, blocks * (part + 1) / parts * kBlock);
        // The cell holding entry b0: the last indptr entry <= b0.
        auto row = static_cast<std::int64_t>(std::upper_bound(indptr.begin(), indptr.end(), b0) -
                                             indptr.begin() - 1);
        for (std::int64_t b = b0; b < b1; b += kBlock) {
          if (stop.stop_requested()) return;
          const std::int64_t n = std::min(kBlock, b1 - b);
          if (!preadAll(fd, idx.data(), static_cast<std::size_t>(n) * 4,
                        indices_.offset + static_cast<std::uint64_t>(b) * 4)) {
            out.error = Error{Errc::Corrupt, where + "/indices: cannot read entries " +
                                                 std::to_string(b) + ".." + std::to_string(b + n) +
                                                 " (the file is shorter than its header says)"};
            return;
          }
          hits.clear();
          bool bad = false;
          for (std::int64_t k = 0; k < n; ++k) {
            const auto c = static_cast<std::uint32_t>(idx[k]);
            bad |= c >= ucols;
            if (c == ugene) hits.push_back(k);
          }
          if (bad) {
            for (std::int64_t k = 0; k < n; ++k)
              if (idx[k] < 0 || idx[k] >= cols) {
                out.error =
                    Error{Errc::Corrupt, where + "/indices: index " + std::to_string(idx[k]) +
                                             " at entry " + std::to_string(b + k) +
                                             " outside [0, " + std::to_string(cols) + ")"};
                return;
              }
          }
          if (hits.empty()) continue;
          const std::int64_t lo = hits.front(), span = hits.back() - lo + 1;
          if (!preadAll(fd, val.data(), static_cast<std::size_t>(span) * 4,
                        data_.offset + static_cast<std::uint64_t>(b + lo) * 4)) {
            out.error = Error{Errc::Corrupt, where + "/data: cannot read entries " +
                                                 std::to_string(b + lo) + ".." +
                                                 std::to_string(b + lo + span) +
                                                 " (the file is shorter than its header says)"};
            return;
          }
          for (const std::int64_t k : hits) {
            while (row < rows && indptr[row + 1] <= b + k)
              ++row;
            out.rows.push_back(static_cast<std::int32_t>(row));
            out.values.push_back(val[k - lo]);
          }
        }
      },
      stop);
  if (!done) return fail(Errc::Cancelled, where + ": reading X was cancelled");
  std::vector<float> column(static_cast<std::size_t>(rows), 0.0f);
  for (const PartResult& p : found) {
    if (p.error) return std::unexpected(*p.error);
    for (std::size_t k = 0; k < p.rows.size(); ++k)
      column[static_cast<std::size_t>(p.rows[k])] = p.values[k];
  }
  return column;
}

}  // namespace tessera::data
