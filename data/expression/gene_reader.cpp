#include "data/expression/gene_reader.h"

#include <algorithm>

#include "data/anndata/hdf5_read.h"

namespace tessera::data {

using h5::Handle;

namespace {
constexpr std::int64_t kBlock = std::int64_t{1} << 18;
}

struct GeneReader::Impl {
  std::string name;
  Handle file, indices, data;
  std::vector<std::int64_t> indptr;  // CSR only
  std::string where(const char* p) const { return name + ":/" + p; }
};

GeneReader::GeneReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GeneReader::GeneReader(GeneReader&&) noexcept = default;
GeneReader& GeneReader::operator=(GeneReader&&) noexcept = default;
GeneReader::~GeneReader() = default;

Expected<GeneReader> GeneReader::open(const H5adFile& file) {
  auto impl = std::make_unique<Impl>();
  Impl& r = *impl;
  r.name = file.path().string();
  const auto& x = file.X();
  if (!x) return fail(Errc::NotFound, r.where("X") + ": the file has no X");
  if (x->encoding != MatrixEncoding::Csr) return GeneReader(std::move(impl));
  h5::silenceErrors();
  r.file = Handle(H5Fopen(r.name.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!r.file) return h5::failH5(Errc::Io, r.name + ": cannot open");
  auto ip = h5::open(r.file.get(), "X/indptr", r.where("X/indptr"));
  if (!ip) return std::unexpected(ip.error());
  auto v = h5::readNumbers<std::int64_t>(ip->get(), r.where("X/indptr"));
  if (!v) return std::unexpected(v.error());
  if (static_cast<std::int64_t>(v->size()) != x->rows + 1 || v->front() != 0 ||
      v->back() != x->nnz || !std::is_sorted(v->begin(), v->end()))
    return fail(Errc::Corrupt,
                r.where("X/indptr") + ": is not monotonic from 0 to nnz with n_obs + 1 entries");
  r.indptr = std::move(*v);
  auto idx = h5::open(r.file.get(), "X/indices", r.where("X/indices"));
  if (!idx) return std::unexpected(idx.error());
  auto dat = h5::open(r.file.get(), "X/data", r.where("X/data"));
  if (!dat) return std::unexpected(dat.error());
  r.indices = std::move(*idx);
  r.data = std::move(*dat);
  return GeneReader(std::move(impl));
}

Expected<std::vector<float>> GeneReader::read(const H5adFile& file, std::int64_t gene,
                                              std::stop_token stop) {
  Impl& r = *impl_;
  if (r.indptr.empty()) return file.readGene(gene);
  const MatrixInfo& x = *file.X();
  if (gene < 0 || gene >= x.cols)
    return fail(Errc::InvalidArgument, r.where("X") + ": gene index " + std::to_string(gene) +
                                           " outside [0, " + std::to_string(x.cols) + ")");
  std::vector<float> out(static_cast<std::size_t>(x.rows), 0.0f);
  std::vector<std::int64_t> hits;
  std::int64_t row = 0;
  for (std::int64_t b = 0; b < x.nnz; b += kBlock) {
    if (stop.stop_requested()) return fail(Errc::Cancelled, r.where("X") + ": gene read cancelled");
    const std::int64_t n = std::min(kBlock, x.nnz - b);
    auto cols = h5::readNumbers<std::int32_t>(r.indices.get(), r.where("X/indices"), b, n);
    if (!cols) return std::unexpected(cols.error());
    hits.clear();
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int32_t c = (*cols)[k];
      if (c < 0 || c >= x.cols)
        return fail(Errc::Corrupt, r.where("X/indices") + ": column index " + std::to_string(c) +
                                       " at entry " + std::to_string(b + k) + " outside [0, " +
                                       std::to_string(x.cols) + ")");
      if (c == gene) hits.push_back(b + k);
    }
    if (hits.empty()) continue;
    const std::int64_t lo = hits.front(), span = hits.back() - lo + 1;
    auto vals = h5::readNumbers<float>(r.data.get(), r.where("X/data"), lo, span);
    if (!vals) return std::unexpected(vals.error());
    for (const std::int64_t e : hits) {
      while (r.indptr[row + 1] <= e)
        ++row;
      out[row] = (*vals)[e - lo];
    }
  }
  return out;
}

}  // namespace tessera::data
