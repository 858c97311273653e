#include "data/anndata/h5ad_reader.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "data/anndata/h5ad_reader_impl.h"
#include "data/anndata/lzf_filter.h"

namespace tessera::data {
namespace {

// Layout from the root and obs: 0.8+ tags the root; pre-0.7 stores obs as a compound dataset.
Expected<std::string> detectLayout(const H5adFile::Impl& f) {
  const std::string rootEnc = h5::encodingType(f.file.get());
  if (!rootEnc.empty() && rootEnc != "anndata")
    return fail(Errc::Unsupported,
                f.where("") + ": root encoding-type is '" + rootEnc + "', not 'anndata'");
  const H5O_type_t obs = h5::objectType(f.file.get(), "obs");
  if (obs == H5O_TYPE_UNKNOWN)
    return fail(Errc::Corrupt, f.where("obs") + ": missing; not an AnnData file");
  if (obs == H5O_TYPE_DATASET) return std::string("legacy");
  if (!rootEnc.empty()) return std::string("0.8+");
  return std::string("0.7");
}

}  // namespace

const char* columnKindName(ColumnKind k) {
  switch (k) {
    case ColumnKind::Categorical:
      return "categorical";
    case ColumnKind::Numeric:
      return "numeric";
    case ColumnKind::Bool:
      return "bool";
    case ColumnKind::String:
      return "string";
    case ColumnKind::NullableInteger:
      return "nullable-integer";
    case ColumnKind::NullableBool:
      return "nullable-boolean";
    case ColumnKind::NullableString:
      return "nullable-string";
    case ColumnKind::Unsupported:
      return "unsupported";
  }
  return "unsupported";
}

const char* matrixEncodingName(MatrixEncoding e) {
  switch (e) {
    case MatrixEncoding::Dense:
      return "dense";
    case MatrixEncoding::Csr:
      return "csr";
    case MatrixEncoding::Csc:
      return "csc";
  }
  return "dense";
}

H5adFile::H5adFile(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
H5adFile::H5adFile(H5adFile&&) noexcept = default;
H5adFile& H5adFile::operator=(H5adFile&&) noexcept = default;
H5adFile::~H5adFile() = default;

Expected<H5adFile> H5adFile::open(const std::filesystem::path& path) {
  return h5::reportingDamage(path.string(), [&] { return openChecked(path); });
}

Expected<H5adFile> H5adFile::openChecked(const std::filesystem::path& path) {
  h5::silenceErrors();
  h5::registerLzfFilter();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->name = path.string();
  Impl& f = *impl;
  auto file = h5::openReadOnly(path);
  if (!file) return std::unexpected(file.error());
  f.file = std::move(*file);

  auto layout = detectLayout(f);
  if (!layout) return std::unexpected(layout.error());
  f.layout = *layout;
  auto obs = h5ad::readDataFrame(f, "obs");
  if (!obs) return std::unexpected(obs.error());
  f.obs = std::move(*obs);
  f.nObs = static_cast<std::int64_t>(f.obs.index.size());
  auto var = h5ad::readDataFrame(f, "var");
  if (!var) return std::unexpected(var.error());
  f.var = std::move(*var);

  auto x = h5ad::readMatrixInfo(f, "X");
  if (!x) return std::unexpected(x.error());
  f.x = *x;
  if (f.x && (f.x->rows != static_cast<std::int64_t>(f.obs.index.size()) ||
              f.x->cols != static_cast<std::int64_t>(f.var.index.size())))
    return fail(Errc::Corrupt, f.where("X") + ": shape " + std::to_string(f.x->rows) + "x" +
                                   std::to_string(f.x->cols) + " does not match " +
                                   std::to_string(f.obs.index.size()) + " obs x " +
                                   std::to_string(f.var.index.size()) + " vars");
  if (auto r = h5ad::readObsmInfo(f); !r) return std::unexpected(r.error());
  for (const auto& m : f.obsm)
    if (m.rows != static_cast<std::int64_t>(f.obs.index.size()))
      return fail(Errc::Corrupt,
                  f.where("obsm/" + m.key) + ": has " + std::to_string(m.rows) +
                      " rows, expected n_obs = " + std::to_string(f.obs.index.size()));

  const bool legacy = f.layout == "legacy";
  f.rawX = h5::exists(f.file.get(), legacy ? "raw.X" : "raw/X");
  f.rawVar = h5::exists(f.file.get(), legacy ? "raw.var" : "raw/var");
  if (h5::objectType(f.file.get(), "layers") == H5O_TYPE_GROUP) {
    auto g = h5::open(f.file.get(), "layers", f.where("layers"));
    if (g) f.layers = h5::children(g->get());
  }
  if (h5::objectType(f.file.get(), "uns") == H5O_TYPE_GROUP) {
    auto g = h5::open(f.file.get(), "uns", f.where("uns"));
    if (g) f.unsKeys = h5::children(g->get());
  }
  // Legacy categories live in uns but belong to their columns; anndata hides them too.
  if (legacy)
    std::erase_if(f.unsKeys, [&](const std::string& key) {
      for (const auto* df : {&f.obs, &f.var})
        for (const auto& c : df->columns)
          if (c.kind == ColumnKind::Categorical && key == c.name + "_categories") return true;
      return false;
    });
  return H5adFile(std::move(impl));
}

const std::filesystem::path& H5adFile::path() const {
  return impl_->path;
}
const std::string& H5adFile::layout() const {
  return impl_->layout;
}
std::int64_t H5adFile::nObs() const {
  return impl_->nObs;
}
std::int64_t H5adFile::nVars() const {
  return static_cast<std::int64_t>(impl_->var.index.size());
}
const std::vector<std::string>& H5adFile::obsNames() const {
  return impl_->obs.index;
}
std::vector<std::string> H5adFile::takeObsNames() {
  return std::move(impl_->obs.index);
}
const std::vector<std::string>& H5adFile::varNames() const {
  return impl_->var.index;
}
const std::vector<ColumnInfo>& H5adFile::obsColumns() const {
  return impl_->obs.columns;
}
const std::vector<ColumnInfo>& H5adFile::varColumns() const {
  return impl_->var.columns;
}

const ColumnInfo* H5adFile::obsColumn(const std::string& name) const {
  for (const auto& c : impl_->obs.columns)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {
template <class Fn>
auto withObsColumn(const H5adFile::Impl& f, const std::string& name, Fn fn)
    -> decltype(fn(f.obs.columns[0], f.obs.sources[0])) {
  for (std::size_t i = 0; i < f.obs.columns.size(); ++i)
    if (f.obs.columns[i].name == name) return fn(f.obs.columns[i], f.obs.sources[i]);
  return fail(Errc::NotFound, f.where("obs/" + name) + ": no such obs column");
}
}  // namespace

Expected<std::vector<std::int32_t>> H5adFile::readObsCodes(const std::string& name) const {
  return withObsColumn(*impl_, name, [&](const ColumnInfo& c, const h5ad::ColumnSource& s) {
    return h5ad::readCodes(*impl_, c, s);
  });
}

Expected<std::vector<double>> H5adFile::readObsNumbers(const std::string& name) const {
  return withObsColumn(*impl_, name, [&](const ColumnInfo& c, const h5ad::ColumnSource& s) {
    return h5ad::readColumnNumbers(*impl_, c, s);
  });
}

Expected<std::vector<std::string>> H5adFile::readObsStrings(const std::string& name) const {
  return withObsColumn(*impl_, name, [&](const ColumnInfo& c, const h5ad::ColumnSource& s) {
    return h5ad::readColumnStrings(*impl_, c, s);
  });
}

Expected<std::vector<std::string>> H5adFile::readVarStrings(const std::string& name) const {
  const Impl& f = *impl_;
  for (std::size_t i = 0; i < f.var.columns.size(); ++i)
    if (f.var.columns[i].name == name)
      return h5ad::readColumnStrings(f, f.var.columns[i], f.var.sources[i]);
  return fail(Errc::NotFound, f.where("var/" + name) + ": no such var column");
}

const std::vector<ObsmInfo>& H5adFile::obsm() const {
  return impl_->obsm;
}

Expected<DenseMatrix> H5adFile::readObsm(const std::string& key) const {
  return h5ad::readObsmMatrix(*impl_, key);
}

const std::optional<MatrixInfo>& H5adFile::X() const {
  return impl_->x;
}

Expected<std::vector<float>> H5adFile::readGene(std::int64_t var) const {
  return h5ad::readGeneColumn(*impl_, var);
}

Expected<std::vector<float>> H5adFile::readGene(const std::string& name) const {
  const auto& names = impl_->var.index;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return h5ad::readGeneColumn(*impl_, static_cast<std::int64_t>(i));
  return fail(Errc::NotFound, impl_->where("var") + ": no gene named '" + name + "'");
}

bool H5adFile::hasRawX() const {
  return impl_->rawX;
}
bool H5adFile::hasRawVar() const {
  return impl_->rawVar;
}
const std::vector<std::string>& H5adFile::layers() const {
  return impl_->layers;
}
const std::vector<std::string>& H5adFile::unsKeys() const {
  return impl_->unsKeys;
}

nlohmann::json H5adFile::summary() const {
  const Impl& f = *impl_;
  // The `tessera info --json` table shape (issue 5): columns keyed by name with one of four
  // kinds (nullable columns say so with "nullable"), obsm entries as their shapes.
  auto columns = [](const std::vector<ColumnInfo>& cols) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& c : cols) {
      nlohmann::json j;
      switch (c.kind) {
        case ColumnKind::NullableInteger:
          j = {{"kind", "numeric"}, {"nullable", true}};
          break;
        case ColumnKind::NullableBool:
          j = {{"kind", "bool"}, {"nullable", true}};
          break;
        case ColumnKind::NullableString:
          j = {{"kind", "string"}, {"nullable", true}};
          break;
        default:
          j = {{"kind", columnKindName(c.kind)}};
      }
      if (c.dtype) j["dtype"] = dtypeName(*c.dtype);
      if (c.kind == ColumnKind::Categorical) {
        j["categories"] = c.categories;
        j["ordered"] = c.ordered;
        if (!c.colors.empty()) j["colors"] = c.colors;
      }
      out[c.name] = std::move(j);
    }
    return out;
  };
  nlohmann::json j;
  j["kind"] = "table";
  j["format"] = "h5ad";
  j["path"] = f.name;
  j["layout"] = f.layout;
  j["n_obs"] = nObs();
  j["n_vars"] = nVars();
  if (f.x)
    j["X"] = {{"storage", matrixEncodingName(f.x->encoding)},
              {"dtype", dtypeName(f.x->dtype)},
              {"nnz", f.x->nnz},
              {"shape", {f.x->rows, f.x->cols}}};
  else
    j["X"] = nullptr;
  j["obs"] = columns(f.obs.columns);
  j["var"] = columns(f.var.columns);
  nlohmann::json obsm = nlohmann::json::object();
  bool spatial = false;
  for (const auto& m : f.obsm) {
    obsm[m.key] = {m.rows, m.cols};
    spatial = spatial || (m.key == "spatial" && m.readable && m.cols >= 2);
  }
  j["obsm"] = obsm;
  j["layers"] = f.layers;
  j["uns"] = f.unsKeys;
  j["raw"] = {{"X", f.rawX}, {"var", f.rawVar}};
  // obsm['spatial'] holds full-resolution image pixels (scanpy/squidpy convention); Visium's
  // tissue_hires_scalef maps them onto the hires image, which is the image shown.
  if (spatial) {
    const H5adUnsSpatial u = unsSpatial();
    const double s = u.hiresScale.value_or(1.0);
    nlohmann::json sp = {
        {"affine", {{s, 0.0, 0.0}, {0.0, s, 0.0}}},
        {"source", u.hiresScale ? "uns/spatial/" + *u.library + "/scalefactors/tissue_hires_scalef"
                                : std::string("obsm/spatial (identity)")},
        {"unit", "pixel"}};
    if (u.spotDiameter) sp["spot_diameter_fullres"] = *u.spotDiameter;
    if (u.lowresScale) sp["tissue_lowres_scalef"] = *u.lowresScale;
    if (u.image) sp["image"] = *u.image;
    j["spatial"] = sp;
  } else {
    j["spatial"] = nullptr;
  }
  return j;
}

}  // namespace tessera::data
