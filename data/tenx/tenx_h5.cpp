#include "data/tenx/tenx_h5.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>

#include "data/anndata/hdf5_read.h"
#include "data/anndata/lzf_filter.h"

namespace tessera::data {

struct TenxH5File::Impl {
  std::filesystem::path path;
  std::string name;
  std::string version;
  std::string group;  ///< "matrix" or the legacy genome group
  h5::Handle file;
  std::vector<std::string> genomes;
  std::vector<std::string> barcodes;
  std::vector<TenxFeature> features;
  std::int64_t nnz = 0;
  DType dataType = DType::I32;
  mutable std::optional<std::vector<std::int64_t>> indptr;

  std::string where(const std::string& key) const { return name + ":/" + group + "/" + key; }
};

namespace {

// Feature scans read indices/data in blocks of this many entries (~8 MiB of int64).
constexpr std::int64_t kScanBlock = 1 << 20;

Expected<std::vector<std::string>> readStringsAt(const TenxH5File::Impl& f,
                                                 const std::string& key) {
  auto ds = h5::open(f.file.get(), f.group + "/" + key, f.where(key));
  if (!ds) return std::unexpected(ds.error());
  return h5::readStrings(ds->get(), f.where(key));
}

Expected<std::int64_t> datasetLength(const TenxH5File::Impl& f, const std::string& key) {
  auto ds = h5::open(f.file.get(), f.group + "/" + key, f.where(key));
  if (!ds) return std::unexpected(ds.error());
  const auto dims = h5::shape(ds->get());
  if (dims.size() != 1) return fail(Errc::Corrupt, f.where(key) + ": expected a 1-d dataset");
  return static_cast<std::int64_t>(dims[0]);
}

Expected<void> readFeatures(TenxH5File::Impl& f, std::int64_t nFeatures) {
  if (f.version == "v3") {
    auto ids = readStringsAt(f, "features/id");
    if (!ids) return std::unexpected(ids.error());
    auto names = readStringsAt(f, "features/name");
    if (!names) return std::unexpected(names.error());
    auto types = readStringsAt(f, "features/feature_type");
    if (!types) return std::unexpected(types.error());
    // genome is optional in early v3 files.
    std::vector<std::string> genomes(ids->size());
    if (h5::exists(f.file.get(), f.group + "/features/genome")) {
      auto g = readStringsAt(f, "features/genome");
      if (!g) return std::unexpected(g.error());
      genomes = std::move(*g);
    }
    if (names->size() != ids->size() || types->size() != ids->size() ||
        genomes.size() != ids->size())
      return fail(Errc::Corrupt, f.where("features") +
                                     ": id/name/feature_type/genome differ "
                                     "in length");
    for (std::size_t i = 0; i < ids->size(); ++i)
      f.features.push_back({(*ids)[i], (*names)[i], (*types)[i], genomes[i]});
    std::set<std::string> distinct(genomes.begin(), genomes.end());
    distinct.erase("");
    f.genomes.assign(distinct.begin(), distinct.end());
  } else {
    auto ids = readStringsAt(f, "genes");
    if (!ids) return std::unexpected(ids.error());
    auto names = readStringsAt(f, "gene_names");
    if (!names) return std::unexpected(names.error());
    if (names->size() != ids->size())
      return fail(Errc::Corrupt, f.where("gene_names") + ": length differs from genes");
    for (std::size_t i = 0; i < ids->size(); ++i)
      f.features.push_back({(*ids)[i], (*names)[i], "Gene Expression", f.group});
  }
  if (static_cast<std::int64_t>(f.features.size()) != nFeatures)
    return fail(Errc::Corrupt, f.where("shape") + ": says " + std::to_string(nFeatures) +
                                   " features but " + std::to_string(f.features.size()) +
                                   " are listed");
  return {};
}

Expected<const std::vector<std::int64_t>*> indptr(const TenxH5File::Impl& f) {
  if (f.indptr) return &*f.indptr;
  auto ds = h5::open(f.file.get(), f.group + "/indptr", f.where("indptr"));
  if (!ds) return std::unexpected(ds.error());
  auto v = h5::readNumbers<std::int64_t>(ds->get(), f.where("indptr"));
  if (!v) return std::unexpected(v.error());
  if (v->size() != f.barcodes.size() + 1)
    return fail(Errc::Corrupt,
                f.where("indptr") + ": has " + std::to_string(v->size()) +
                    " entries, expected n_barcodes + 1 = " + std::to_string(f.barcodes.size() + 1));
  if (v->front() != 0 || v->back() != f.nnz || !std::is_sorted(v->begin(), v->end()))
    return fail(Errc::Corrupt, f.where("indptr") + ": must rise monotonically from 0 to nnz (" +
                                   std::to_string(f.nnz) + ")");
  f.indptr = std::move(*v);
  return &*f.indptr;
}

}  // namespace

TenxH5File::TenxH5File(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TenxH5File::TenxH5File(TenxH5File&&) noexcept = default;
TenxH5File& TenxH5File::operator=(TenxH5File&&) noexcept = default;
TenxH5File::~TenxH5File() = default;

Expected<TenxH5File> TenxH5File::open(const std::filesystem::path& path,
                                      const std::string& genome) {
  // A damaged group or attribute reads as absent; say it is damaged rather than missing.
  return h5::reportingDamage(path.string(), [&]() -> Expected<TenxH5File> {
    h5::silenceErrors();
    h5::registerLzfFilter();
    auto impl = std::make_unique<Impl>();
    Impl& f = *impl;
    f.path = path;
    f.name = path.string();
    auto file = h5::openReadOnly(path);
    if (!file) return std::unexpected(file.error());
    f.file = std::move(*file);

    if (h5::objectType(f.file.get(), "matrix") == H5O_TYPE_GROUP) {
      f.version = "v3";
      f.group = "matrix";
    } else {
      f.version = "legacy";
      auto root = h5::open(f.file.get(), "/", f.name + ":/");
      if (!root) return std::unexpected(root.error());
      for (const auto& g : h5::children(root->get()))
        if (h5::exists(f.file.get(), g + "/indptr") && h5::exists(f.file.get(), g + "/genes"))
          f.genomes.push_back(g);
      if (f.genomes.empty())
        return fail(Errc::Unsupported, f.name +
                                           ": neither a /matrix group (Cell Ranger 3+) nor "
                                           "a legacy genome group with genes and indptr");
      if (genome.empty()) {
        f.group = f.genomes.front();
      } else if (std::find(f.genomes.begin(), f.genomes.end(), genome) != f.genomes.end()) {
        f.group = genome;
      } else {
        return fail(Errc::NotFound, f.name + ": no genome group '" + genome + "'");
      }
    }

    auto shapeDs = h5::open(f.file.get(), f.group + "/shape", f.where("shape"));
    if (!shapeDs) return std::unexpected(shapeDs.error());
    auto shape = h5::readNumbers<std::int64_t>(shapeDs->get(), f.where("shape"));
    if (!shape) return std::unexpected(shape.error());
    if (shape->size() != 2 || (*shape)[0] < 0 || (*shape)[1] < 0)
      return fail(Errc::Corrupt, f.where("shape") + ": expected two non-negative integers");
    auto barcodes = readStringsAt(f, "barcodes");
    if (!barcodes) return std::unexpected(barcodes.error());
    f.barcodes = std::move(*barcodes);
    if (static_cast<std::int64_t>(f.barcodes.size()) != (*shape)[1])
      return fail(Errc::Corrupt, f.where("barcodes") + ": " + std::to_string(f.barcodes.size()) +
                                     " barcodes but shape says " + std::to_string((*shape)[1]));
    if (auto r = readFeatures(f, (*shape)[0]); !r) return std::unexpected(r.error());

    auto nData = datasetLength(f, "data");
    if (!nData) return std::unexpected(nData.error());
    auto nIndices = datasetLength(f, "indices");
    if (!nIndices) return std::unexpected(nIndices.error());
    auto nIndptr = datasetLength(f, "indptr");
    if (!nIndptr) return std::unexpected(nIndptr.error());
    if (*nData != *nIndices)
      return fail(Errc::Corrupt, f.where("indices") + ": length differs from data");
    if (*nIndptr != (*shape)[1] + 1)
      return fail(Errc::Corrupt,
                  f.where("indptr") + ": has " + std::to_string(*nIndptr) +
                      " entries, expected n_barcodes + 1 = " + std::to_string((*shape)[1] + 1));
    f.nnz = *nData;
    {
      auto ds = h5::open(f.file.get(), f.group + "/data", f.where("data"));
      if (!ds) return std::unexpected(ds.error());
      h5::Handle type(H5Dget_type(ds->get()));
      const auto dt = h5::dtypeOf(type.get());
      if (!dt) return fail(Errc::Unsupported, f.where("data") + ": counts are not numbers");
      f.dataType = *dt;
    }
    return TenxH5File(std::move(impl));
  });
}

const std::filesystem::path& TenxH5File::path() const {
  return impl_->path;
}
const std::string& TenxH5File::version() const {
  return impl_->version;
}
const std::vector<std::string>& TenxH5File::genomes() const {
  return impl_->genomes;
}
std::int64_t TenxH5File::nBarcodes() const {
  return static_cast<std::int64_t>(impl_->barcodes.size());
}
DType TenxH5File::dataType() const {
  return impl_->dataType;
}
std::int64_t TenxH5File::nFeatures() const {
  return static_cast<std::int64_t>(impl_->features.size());
}
std::int64_t TenxH5File::nnz() const {
  return impl_->nnz;
}
const std::vector<std::string>& TenxH5File::barcodes() const {
  return impl_->barcodes;
}
const std::vector<TenxFeature>& TenxH5File::features() const {
  return impl_->features;
}

Expected<std::vector<float>> TenxH5File::readBarcode(std::int64_t barcode) const {
  const Impl& f = *impl_;
  if (barcode < 0 || barcode >= nBarcodes())
    return fail(Errc::InvalidArgument, f.where("barcodes") + ": barcode index " +
                                           std::to_string(barcode) + " out of range");
  auto ip = indptr(f);
  if (!ip) return std::unexpected(ip.error());
  const std::int64_t b = (**ip)[barcode], n = (**ip)[barcode + 1] - b;
  auto ids = h5::open(f.file.get(), f.group + "/indices", f.where("indices"));
  if (!ids) return std::unexpected(ids.error());
  auto data = h5::open(f.file.get(), f.group + "/data", f.where("data"));
  if (!data) return std::unexpected(data.error());
  auto rows = h5::readNumbers<std::int64_t>(ids->get(), f.where("indices"), b, n);
  if (!rows) return std::unexpected(rows.error());
  auto vals = h5::readNumbers<float>(data->get(), f.where("data"), b, n);
  if (!vals) return std::unexpected(vals.error());
  std::vector<float> out(f.features.size(), 0.0f);
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t r = (*rows)[k];
    if (r < 0 || r >= nFeatures())
      return fail(Errc::Corrupt, f.where("indices") + ": feature index " + std::to_string(r) +
                                     " outside [0, " + std::to_string(nFeatures()) + ")");
    out[r] = (*vals)[k];
  }
  return out;
}

Expected<std::vector<float>> TenxH5File::readFeature(std::int64_t feature) const {
  const Impl& f = *impl_;
  if (feature < 0 || feature >= nFeatures())
    return fail(Errc::InvalidArgument, f.where("features") + ": feature index " +
                                           std::to_string(feature) + " out of range");
  auto ip = indptr(f);
  if (!ip) return std::unexpected(ip.error());
  const auto& indptrV = **ip;
  auto ids = h5::open(f.file.get(), f.group + "/indices", f.where("indices"));
  if (!ids) return std::unexpected(ids.error());
  auto data = h5::open(f.file.get(), f.group + "/data", f.where("data"));
  if (!data) return std::unexpected(data.error());
  std::vector<float> out(f.barcodes.size(), 0.0f);
  std::int64_t col = 0;
  for (std::int64_t b = 0; b < f.nnz; b += kScanBlock) {
    const std::int64_t n = std::min(kScanBlock, f.nnz - b);
    auto rows = h5::readNumbers<std::int64_t>(ids->get(), f.where("indices"), b, n);
    if (!rows) return std::unexpected(rows.error());
    std::vector<float> vals;
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t r = (*rows)[k];
      if (r < 0 || r >= nFeatures())
        return fail(Errc::Corrupt, f.where("indices") + ": feature index " + std::to_string(r) +
                                       " outside [0, " + std::to_string(nFeatures()) + ")");
      if (r != feature) continue;
      if (vals.empty()) {
        auto v = h5::readNumbers<float>(data->get(), f.where("data"), b, n);
        if (!v) return std::unexpected(v.error());
        vals = std::move(*v);
      }
      while (indptrV[col + 1] <= b + k)
        ++col;
      out[col] = vals[k];
    }
  }
  return out;
}

Expected<std::vector<float>> TenxH5File::readFeature(const std::string& idOrName) const {
  const auto& fs = impl_->features;
  for (std::size_t i = 0; i < fs.size(); ++i)
    if (fs[i].id == idOrName) return readFeature(static_cast<std::int64_t>(i));
  for (std::size_t i = 0; i < fs.size(); ++i)
    if (fs[i].name == idOrName) return readFeature(static_cast<std::int64_t>(i));
  return fail(Errc::NotFound, impl_->where("features") + ": no feature '" + idOrName + "'");
}

nlohmann::json TenxH5File::summary() const {
  std::set<std::string> types;
  for (const auto& ft : impl_->features)
    types.insert(ft.featureType);
  return {{"path", impl_->name},
          {"format", "10x-h5"},
          {"version", impl_->version},
          {"n_barcodes", nBarcodes()},
          {"n_features", nFeatures()},
          {"nnz", nnz()},
          {"genomes", impl_->genomes},
          {"feature_types", std::vector<std::string>(types.begin(), types.end())}};
}

}  // namespace tessera::data
