// AnnData zarr -> CellTable. Dataframes and obsm are read eagerly (they are what the viewer
// shows first); X stays on disk behind a GeneSource that reads one gene's entries (CSC), one
// strided column (dense) or, for CSR, builds a column index once on first use.
#include "data/anndata/zarr_anndata.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sstream>

#include "data/anndata/zarr_elements.h"
#include "data/anndata/zarr_records.h"
#include "data/json_number.h"
#include "data/local_store.h"
#include "data/zarr/zarr_array.h"
#include "data/zarr/zarr_strings.h"

namespace tessera::data {
namespace {

using nlohmann::json;
using namespace azarr;
using StoreP = std::shared_ptr<const Store>;

struct Frame {
  std::vector<std::string> index;
  std::vector<CellColumn> columns;
};

// A column of the dataframe at `frame`; `p` is its node.
Expected<CellColumn> readColumn(const StoreP& s, const std::string& frame, const std::string& p,
                                const std::string& name, std::vector<std::string>& notes) {
  auto a = attrs(*s, p);
  if (!a) return std::unexpected(a.error());
  const std::string enc = encodingType(*a);
  const std::string key = storeKeyName(*s, p);
  CellColumn c;
  c.name = name;
  if (enc == "categorical") {
    c.kind = CellColumnKind::Categorical;
    auto codes = readNumbers<std::int32_t>(s, join(p, "codes"));
    if (!codes) return std::unexpected(codes.error());
    auto cats = readStringsOrNumbers(s, join(p, "categories"));
    if (!cats) return std::unexpected(cats.error());
    c.codes = std::move(*codes);
    c.categories = std::move(*cats);
    c.ordered = a->value("ordered", false);
    for (auto code : c.codes)
      if (code < -1 || code >= static_cast<std::int64_t>(c.categories.size()))
        return fail(Errc::Corrupt, key + "/codes: code " + std::to_string(code) + " outside " +
                                       std::to_string(c.categories.size()) + " categories");
    return c;
  }
  if (enc == "string-array" || (enc.empty() && isZarrStringArray(*s, p))) {
    c.kind = CellColumnKind::String;
    auto v = readZarrStrings(*s, p);
    if (!v) return std::unexpected(v.error());
    c.strings = std::move(*v);
    return c;
  }
  if (enc == "nullable-integer" || enc == "nullable-boolean" || enc == "nullable-string-array") {
    auto mask = readNumbers<std::int32_t>(s, join(p, "mask"));
    if (!mask) return std::unexpected(mask.error());
    if (enc == "nullable-string-array") {
      c.kind = CellColumnKind::String;
      auto v = readZarrStrings(*s, join(p, "values"));
      if (!v) return std::unexpected(v.error());
      c.strings = std::move(*v);
      for (std::size_t i = 0; i < c.strings.size() && i < mask->size(); ++i)
        if ((*mask)[i]) c.strings[i].clear();
    } else {
      c.kind = enc == "nullable-boolean" ? CellColumnKind::Bool : CellColumnKind::Numeric;
      auto v = readNumbers<double>(s, join(p, "values"));
      if (!v) return std::unexpected(v.error());
      c.numbers = std::move(*v);
      for (std::size_t i = 0; i < c.numbers.size() && i < mask->size(); ++i)
        if ((*mask)[i]) c.numbers[i] = std::nan("");
    }
    if (mask->size() != c.numbers.size() + c.strings.size())
      return fail(Errc::Corrupt, key + "/mask: " + std::to_string(mask->size()) +
                                     " entries, values have " +
                                     std::to_string(c.numbers.size() + c.strings.size()));
    return c;
  }
  if (enc.empty() && a->contains("categories") && (*a)["categories"].is_string()) {
    // anndata 0.7: codes carry the path of their categories, "__categories/<col>", relative to
    // the dataframe (zarr has no object references).
    c.kind = CellColumnKind::Categorical;
    auto codes = readNumbers<std::int32_t>(s, p);
    if (!codes) return std::unexpected(codes.error());
    auto cats = readStringsOrNumbers(s, join(frame, (*a)["categories"].get<std::string>()));
    if (!cats) return std::unexpected(cats.error());
    c.codes = std::move(*codes);
    c.categories = std::move(*cats);
    for (auto code : c.codes)
      if (code < -1 || code >= static_cast<std::int64_t>(c.categories.size()))
        return fail(Errc::Corrupt, key + ": code " + std::to_string(code) + " outside " +
                                       std::to_string(c.categories.size()) + " categories");
    return c;
  }
  if (enc == "array" || enc.empty()) {
    auto arr = ZarrArray::open(s, p);
    if (!arr) return std::unexpected(arr.error());
    if ((*arr)->shape().size() != 1) return fail(Errc::Unsupported, key + ": column is not 1-d");
    c.kind = (*arr)->dtype() == DType::Bool ? CellColumnKind::Bool : CellColumnKind::Numeric;
    auto v = readNumbers<double>(s, p);
    if (!v) return std::unexpected(v.error());
    c.numbers = std::move(*v);
    return c;
  }
  notes.push_back(key + ": encoding-type \"" + enc + "\" is not supported; column skipped");
  return fail(Errc::Unsupported, key + ": unknown encoding-type \"" + enc + "\"");
}

// A column as text, the way pandas prints an index: numbers without a trailing ".0", missing
// values (masked, NaN, code -1) as "".
std::vector<std::string> columnText(const CellColumn& c) {
  if (c.kind == CellColumnKind::String) return c.strings;
  std::vector<std::string> out;
  if (c.kind == CellColumnKind::Categorical) {
    out.reserve(c.codes.size());
    for (auto code : c.codes)
      out.push_back(code < 0 ? std::string() : c.categories[static_cast<std::size_t>(code)]);
    return out;
  }
  out.reserve(c.numbers.size());
  for (double v : c.numbers) {
    if (std::isnan(v))
      out.emplace_back();
    else if (c.kind == CellColumnKind::Bool)
      out.push_back(v != 0 ? "True" : "False");
    else if (v == std::trunc(v) && std::abs(v) < 1e15)
      out.push_back(std::to_string(static_cast<long long>(v)));
    else {
      std::ostringstream os;
      os << v;
      out.push_back(os.str());
    }
  }
  return out;
}

// The index may be stored like any column: a string or numeric array, or (anndata 0.11) a
// nullable-string-array / nullable-integer group of values and mask, or a categorical.
Expected<std::vector<std::string>> readIndex(const StoreP& s, const std::string& frame,
                                             const std::string& name,
                                             std::vector<std::string>& notes) {
  const std::string p = join(frame, name);
  auto a = attrs(*s, p);
  if (!a) return std::unexpected(a.error());
  const std::string enc = encodingType(*a);
  if (enc == "categorical" || enc.starts_with("nullable-")) {
    auto c = readColumn(s, frame, p, name, notes);
    if (!c) return std::unexpected(c.error());
    return columnText(*c);
  }
  return readStringsOrNumbers(s, p);
}

// anndata < 0.7 wrote a dataframe as one array of records whose first field is the index;
// categorical columns hold codes, their categories sit in uns/<column>_categories.
Expected<Frame> readRecordsFrame(const StoreP& s, const std::string& root, const std::string& p,
                                 bool columns, std::vector<std::string>& notes) {
  auto r = readZarrRecords(*s, p);
  if (!r) return std::unexpected(r.error());
  const std::string key = storeKeyName(*s, p);
  if (r->fields.empty() || (r->fields[0].kind != 'U' && r->fields[0].kind != 'S'))
    return fail(Errc::Corrupt, key +
                                   ": the first field of a pre-0.7 dataframe must be its "
                                   "index of names");
  Frame f;
  f.index = recordStrings(*r, r->fields[0]);
  if (!columns) return f;
  for (std::size_t i = 1; i < r->fields.size(); ++i) {
    const RecordField& fld = r->fields[i];
    CellColumn c;
    c.name = fld.name;
    if (fld.count != 1) {
      notes.push_back(key + ": field \"" + fld.name + "\" has several values per row; skipped");
      continue;
    }
    if (fld.kind == 'U' || fld.kind == 'S') {
      c.kind = CellColumnKind::String;
      c.strings = recordStrings(*r, fld);
      f.columns.push_back(std::move(c));
      continue;
    }
    c.numbers = recordNumbers(*r, fld);
    c.kind = fld.kind == 'b' ? CellColumnKind::Bool : CellColumnKind::Numeric;
    const std::string cats = join(root, "uns/" + fld.name + "_categories");
    if (fld.kind != 'f' && fld.kind != 'b' && nodeExists(*s, cats)) {
      auto labels = readStringsOrNumbers(s, cats);
      if (!labels) return std::unexpected(labels.error());
      c.kind = CellColumnKind::Categorical;
      c.categories = std::move(*labels);
      for (double v : c.numbers) {
        if (v < -1 || v >= static_cast<double>(c.categories.size()))
          return fail(Errc::Corrupt, key + ": field \"" + fld.name + "\" has code " +
                                         std::to_string(static_cast<long long>(v)) + " outside " +
                                         std::to_string(c.categories.size()) + " categories");
        c.codes.push_back(static_cast<std::int32_t>(v));
      }
      c.numbers.clear();
    }
    f.columns.push_back(std::move(c));
  }
  return f;
}

Expected<Frame> readFrame(const StoreP& s, const std::string& root, const std::string& p,
                          bool columns, std::vector<std::string>& notes) {
  if (isZarrRecordArray(*s, p)) return readRecordsFrame(s, root, p, columns, notes);
  auto a = attrs(*s, p);
  if (!a) return std::unexpected(a.error());
  const std::string key = storeKeyName(*s, p);
  const std::string enc = encodingType(*a);
  if (enc != "dataframe")
    return fail(Errc::Unsupported,
                key + ": encoding-type \"" + enc +
                    "\" is not a dataframe (anndata 0.7+ writes \"dataframe\", older versions an "
                    "array of records; neither is here)");
  if (!a->contains("_index") || !(*a)["_index"].is_string())
    return fail(Errc::Corrupt, key + ": dataframe has no \"_index\" attribute");
  Frame f;
  auto idx = readIndex(s, p, (*a)["_index"].get<std::string>(), notes);
  if (!idx) return std::unexpected(idx.error());
  f.index = std::move(*idx);
  if (!columns) return f;
  for (const auto& col : a->value("column-order", json::array())) {
    if (!col.is_string()) continue;
    const std::string name = col.get<std::string>();
    auto c = readColumn(s, p, join(p, name), name, notes);
    if (!c) {
      if (c.error().message.find("unknown encoding-type") != std::string::npos) continue;
      return std::unexpected(c.error());
    }
    const std::size_t len = c->codes.size() + c->numbers.size() + c->strings.size();
    if (len != f.index.size())
      return fail(Errc::Corrupt, key + "/" + name + ": " + std::to_string(len) +
                                     " values, the dataframe index has " +
                                     std::to_string(f.index.size()));
    f.columns.push_back(std::move(*c));
  }
  return f;
}

class ZarrGenes final : public GeneSource {
 public:
  ZarrGenes(StoreP s, std::string x, std::string enc, std::int64_t n, std::int64_t g,
            std::vector<std::int64_t> indptr)
      : s_(std::move(s)),
        x_(std::move(x)),
        enc_(std::move(enc)),
        n_(n),
        g_(g),
        indptr_(std::move(indptr)) {}
  bool threadSafe() const override { return true; }

  Expected<std::vector<float>> readGene(std::int64_t var) const override {
    if (var < 0 || var >= g_)
      return fail(Errc::InvalidArgument,
                  storeKeyName(*s_, x_) + ": gene index " + std::to_string(var) + " out of range");
    std::vector<float> out(static_cast<std::size_t>(n_), 0.0f);
    if (enc_ == "array") {
      auto a = ZarrArray::open(s_, x_);
      if (!a) return std::unexpected(a.error());
      const std::int64_t st[2] = {0, var}, ct[2] = {n_, 1};
      auto b = (*a)->readRegion(st, ct);
      if (!b) return std::unexpected(b.error());
      return columnFloats(*b, (*a)->dtype());
    }
    if (enc_ == "csc_matrix") return gatherColumn(indptr_, var, out);
    std::call_once(cscOnce_, [&] { cscError_ = buildCsc(); });
    if (cscError_) return std::unexpected(*cscError_);
    for (std::int64_t k = cscPtr_[var]; k < cscPtr_[var + 1]; ++k)
      out[cscRows_[k]] = cscData_[k];
    return out;
  }

 private:
  Expected<std::vector<float>> columnFloats(const Bytes& b, DType t) const {
    auto conv = [&]<class S>(S) {
      std::vector<float> v(b.size() / sizeof(S));
      for (std::size_t i = 0; i < v.size(); ++i) {
        S x;
        std::memcpy(&x, b.data() + i * sizeof(S), sizeof(S));
        v[i] = static_cast<float>(x);
      }
      return v;
    };
    switch (t) {
      case DType::F32:
        return conv(float{});
      case DType::F64:
        return conv(double{});
      case DType::I32:
        return conv(std::int32_t{});
      case DType::I64:
        return conv(std::int64_t{});
      case DType::U16:
        return conv(std::uint16_t{});
      case DType::U32:
        return conv(std::uint32_t{});
      case DType::U8:
        return conv(std::uint8_t{});
      default:
        return fail(Errc::Unsupported, storeKeyName(*s_, x_) + ": X dtype not supported");
    }
  }

  Expected<std::vector<float>> gatherColumn(const std::vector<std::int64_t>& ptr, std::int64_t var,
                                            std::vector<float>& out) const {
    const std::int64_t a = ptr[var], n = ptr[var + 1] - a;
    auto idx = readRange<std::int64_t>(s_, join(x_, "indices"), a, n);
    if (!idx) return std::unexpected(idx.error());
    auto val = readRange<float>(s_, join(x_, "data"), a, n);
    if (!val) return std::unexpected(val.error());
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t r = (*idx)[k];
      if (r < 0 || r >= n_)
        return fail(Errc::Corrupt, storeKeyName(*s_, join(x_, "indices")) + ": index " +
                                       std::to_string(r) + " out of range [0, " +
                                       std::to_string(n_) + ")");
      out[r] = (*val)[k];
    }
    return std::move(out);
  }

  std::optional<Error> buildCsc() const {
    auto idx = readNumbers<std::int64_t>(s_, join(x_, "indices"));
    if (!idx) return idx.error();
    auto val = readNumbers<float>(s_, join(x_, "data"));
    if (!val) return val.error();
    if (idx->size() != val->size())
      return Error{Errc::Corrupt, storeKeyName(*s_, x_) + ": indices and data differ in length"};
    cscPtr_.assign(static_cast<std::size_t>(g_) + 1, 0);
    for (auto c : *idx) {
      if (c < 0 || c >= g_)
        return Error{Errc::Corrupt, storeKeyName(*s_, join(x_, "indices")) + ": index " +
                                        std::to_string(c) + " out of range [0, " +
                                        std::to_string(g_) + ")"};
      ++cscPtr_[c + 1];
    }
    for (std::int64_t g = 0; g < g_; ++g)
      cscPtr_[g + 1] += cscPtr_[g];
    std::vector<std::int64_t> fillPos(cscPtr_.begin(), cscPtr_.end() - 1);
    cscRows_.resize(idx->size());
    cscData_.resize(idx->size());
    for (std::int64_t r = 0; r < n_; ++r)
      for (std::int64_t k = indptr_[r]; k < indptr_[r + 1]; ++k) {
        const auto pos = fillPos[(*idx)[k]]++;
        cscRows_[pos] = static_cast<std::int32_t>(r);
        cscData_[pos] = (*val)[k];
      }
    return std::nullopt;
  }

  StoreP s_;
  std::string x_, enc_;
  std::int64_t n_, g_;
  std::vector<std::int64_t> indptr_;
  mutable std::once_flag cscOnce_;
  mutable std::optional<Error> cscError_;
  mutable std::vector<std::int64_t> cscPtr_;
  mutable std::vector<std::int32_t> cscRows_;
  mutable std::vector<float> cscData_;
};

// X's gene source; `summary` receives its layout for `info`.
Expected<std::shared_ptr<GeneSource>> openX(const StoreP& s, const std::string& x,
                                            std::int64_t nObs, std::int64_t nVar,
                                            MatrixSummary& summary) {
  auto a = attrs(*s, x);
  if (!a) return std::unexpected(a.error());
  const std::string key = storeKeyName(*s, x);
  std::string enc = encodingType(*a);
  if (enc.empty() && s->exists(join(x, "indptr")))
    enc = a->value("h5sparse_format", "csr") + "_matrix";
  if (enc.empty() || enc == "array") {
    auto arr = ZarrArray::open(s, x);
    if (!arr) return std::unexpected(arr.error());
    const auto& shp = (*arr)->shape();
    if (shp.size() != 2 || shp[0] != nObs || shp[1] != nVar)
      return fail(Errc::Corrupt,
                  key + ": X has shape " +
                      (shp.size() == 2 ? std::to_string(shp[0]) + " x " + std::to_string(shp[1])
                                       : "of rank " + std::to_string(shp.size())) +
                      ", obs x var is " + std::to_string(nObs) + " x " + std::to_string(nVar));
    summary = {"dense", dtypeName((*arr)->dtype()), nObs, nVar, nObs * nVar};
    return std::make_shared<ZarrGenes>(s, x, "array", nObs, nVar, std::vector<std::int64_t>{});
  }
  if (enc != "csr_matrix" && enc != "csc_matrix")
    return fail(Errc::Unsupported, key + ": unknown encoding-type \"" + enc + "\" for X");
  // anndata < 0.7 kept the h5sparse names: h5sparse_format and h5sparse_shape.
  const json shape = a->value("shape", a->value("h5sparse_shape", json()));
  if (!shape.is_array() || shape.size() != 2 || jsonInteger(shape[0]) != nObs ||
      jsonInteger(shape[1]) != nVar)
    return fail(Errc::Corrupt, key + ": X shape attribute " + shape.dump() +
                                   " disagrees with obs x var " + std::to_string(nObs) + " x " +
                                   std::to_string(nVar));
  auto indptr = readNumbers<std::int64_t>(s, join(x, "indptr"));
  if (!indptr) return std::unexpected(indptr.error());
  const std::int64_t major = enc == "csr_matrix" ? nObs : nVar;
  if (static_cast<std::int64_t>(indptr->size()) != major + 1)
    return fail(Errc::Corrupt, key + "/indptr: " + std::to_string(indptr->size()) +
                                   " entries, expected " + std::to_string(major + 1));
  std::vector<std::int64_t> dataShape;
  auto dataArr = ZarrArray::open(s, join(x, "data"));
  if (!dataArr) return std::unexpected(dataArr.error());
  const std::int64_t nnz = (*dataArr)->shape().empty() ? 0 : (*dataArr)->shape()[0];
  if (indptr->front() != 0 || indptr->back() != nnz)
    return fail(Errc::Corrupt, key + "/indptr: runs from " + std::to_string(indptr->front()) +
                                   " to " + std::to_string(indptr->back()) + ", data has " +
                                   std::to_string(nnz) + " entries");
  for (std::size_t i = 1; i < indptr->size(); ++i)
    if ((*indptr)[i] < (*indptr)[i - 1])
      return fail(Errc::Corrupt, key + "/indptr: not monotonic at entry " + std::to_string(i));
  summary = {enc == "csr_matrix" ? "csr" : "csc", dtypeName((*dataArr)->dtype()), nObs, nVar, nnz};
  return std::make_shared<ZarrGenes>(s, x, enc, nObs, nVar, std::move(*indptr));
}

void readUns(const StoreP& s, const std::string& root, CellTable& t) {
  const std::string uns = join(root, "uns");
  for (auto& c : t.obs) {
    if (c.kind != CellColumnKind::Categorical) continue;
    const std::string p = join(uns, c.name + "_colors");
    if (!nodeExists(*s, p)) continue;
    auto colors = readZarrStrings(*s, p);
    if (colors && colors->size() == c.categories.size()) c.colors = std::move(*colors);
  }
  const std::string sp = join(uns, "spatial");
  for (const auto& lib : children(*s, sp)) {
    auto num = [&](const char* k) -> std::optional<double> {
      auto v = readNumbers<double>(s, join(sp, lib + "/scalefactors/" + k));
      if (!v || v->empty()) return std::nullopt;
      return v->front();
    };
    if (auto h = num("tissue_hires_scalef")) {
      t.toImage = Affine2D::scale(*h, *h);
      t.affineSource = "uns/spatial/" + lib + "/scalefactors/tissue_hires_scalef";
    }
    if (auto d = num("spot_diameter_fullres")) t.spotRadius = *d / 2;
    break;
  }
  const std::string img = join(uns, "tessera_image");
  if (nodeExists(*s, img)) {
    auto v = readZarrStrings(*s, img);
    if (v && !v->empty()) t.imagePath = (*v)[0];
  }
}

}  // namespace

bool isAnnDataZarr(const Store& store, const std::string& path) {
  auto a = attrs(store, path);
  if (!a) return false;
  if (encodingType(*a) == "anndata") return true;
  return nodeExists(store, join(path, "obs")) && nodeExists(store, join(path, "var"));
}

Expected<CellTable> openAnnDataZarr(std::shared_ptr<const Store> s, const std::string& root) {
  CellTable t;
  t.location = storeKeyName(*s, root);
  t.format = "anndata-zarr";
  auto a = attrs(*s, root);
  if (!a) return std::unexpected(a.error());
  const std::string enc = encodingType(*a);
  if (!enc.empty() && enc != "anndata")
    return fail(Errc::Unsupported,
                t.location + ": unknown encoding-type \"" + enc + "\" (expected \"anndata\")");
  const bool legacy = isZarrRecordArray(*s, join(root, "obs"));
  if (legacy)
    t.messages.push_back(t.location +
                         ": written by anndata before 0.7 (obs, var and obsm as arrays of "
                         "records); read as anndata reads it");
  auto obs = readFrame(s, root, join(root, "obs"), true, t.messages);
  if (!obs) return std::unexpected(obs.error());
  auto var = readFrame(s, root, join(root, "var"), false, t.messages);
  if (!var) return std::unexpected(var.error());
  t.cellIds = std::move(obs->index);
  t.obs = std::move(obs->columns);
  t.geneNames = std::move(var->index);
  // scanpy's read_10x_h5/read_visium keep the Ensembl ids in var["gene_ids"], as in h5ad.
  const std::string varPath = join(root, "var");
  for (const char* key : {"gene_ids", "gene_id"}) {
    if (legacy || !nodeExists(*s, join(varPath, key))) continue;
    auto c = readColumn(s, varPath, join(varPath, key), key, t.messages);
    if (!c || c->kind == CellColumnKind::Numeric || c->kind == CellColumnKind::Bool) continue;
    auto ids = c->kind == CellColumnKind::String ? std::move(c->strings) : columnText(*c);
    if (ids.size() != t.geneNames.size()) continue;
    t.geneIds = std::move(ids);
    break;
  }
  const auto nObs = t.size(), nVar = static_cast<std::int64_t>(t.geneNames.size());
  if (nodeExists(*s, join(root, "X"))) {
    MatrixSummary m;
    auto g = openX(s, join(root, "X"), nObs, nVar, m);
    if (!g) return std::unexpected(g.error());
    t.genes = std::move(*g);
    t.matrix = m;
  }
  const std::string obsm = join(root, "obsm");
  if (isZarrRecordArray(*s, obsm)) {
    // anndata < 0.7: one record per cell, one (sub-array) field per obsm key.
    auto r = readZarrRecords(*s, obsm);
    if (!r) return std::unexpected(r.error());
    if (r->rows != nObs)
      return fail(Errc::Corrupt, storeKeyName(*s, obsm) + ": " + std::to_string(r->rows) +
                                     " rows, obs has " + std::to_string(nObs));
    for (const auto& fld : r->fields) {
      if (fld.kind == 'U' || fld.kind == 'S') continue;
      Embedding e{fld.name, fld.count,
                  std::vector<float>(static_cast<std::size_t>(nObs * fld.count))};
      for (std::int64_t k = 0; k < fld.count; ++k) {
        const auto v = recordNumbers(*r, fld, k);
        for (std::int64_t i = 0; i < nObs; ++i)
          e.values[static_cast<std::size_t>(i * fld.count + k)] = static_cast<float>(v[i]);
      }
      if (fld.name == "spatial" && fld.count >= 2) {
        t.x.resize(nObs);
        t.y.resize(nObs);
        for (std::int64_t i = 0; i < nObs; ++i) {
          t.x[i] = e.values[i * fld.count];
          t.y[i] = e.values[i * fld.count + 1];
        }
        t.spatialUnit = "pixel";
        t.affineSource = "obsm/spatial (identity)";
      }
      t.embeddings.push_back(std::move(e));
    }
  }
  for (const auto& k : children(*s, obsm)) {
    const std::string p = join(obsm, k);
    auto ka = attrs(*s, p);
    const std::string kenc = ka ? encodingType(*ka) : "";
    if (!(kenc.empty() || kenc == "array")) {
      t.messages.push_back(storeKeyName(*s, p) + ": obsm " + kenc + " is not shown; skipped");
      continue;
    }
    std::vector<std::int64_t> shape;
    auto v = readNumbers<double>(s, p, &shape);
    if (!v) return std::unexpected(v.error());
    if (shape.empty() || shape[0] != nObs)
      return fail(Errc::Corrupt, storeKeyName(*s, p) + ": obsm has " +
                                     std::to_string(shape.empty() ? 0 : shape[0]) +
                                     " rows, obs has " + std::to_string(nObs));
    const std::int64_t cols = shape.size() > 1 ? shape[1] : 1;
    if (k == "outline") {
      const std::vector<double>& d = *v;
      CellOutlines o;
      o.offsets.push_back(0);
      for (std::int64_t r = 0; r < nObs; ++r) {
        for (std::int64_t c = 0; c + 1 < cols; c += 2)
          if (!std::isnan(d[r * cols + c])) {
            o.x.push_back(static_cast<float>(d[r * cols + c]));
            o.y.push_back(static_cast<float>(d[r * cols + c + 1]));
          }
        o.offsets.push_back(static_cast<std::int64_t>(o.x.size()));
      }
      t.outlines = std::move(o);
      continue;
    }
    if (k == "spatial" && cols >= 2) {
      t.x.resize(nObs);
      t.y.resize(nObs);
      for (std::int64_t r = 0; r < nObs; ++r) {
        t.x[r] = (*v)[r * cols];
        t.y[r] = (*v)[r * cols + 1];
      }
      t.spatialUnit = "pixel";
      t.affineSource = "obsm/spatial (identity)";
    }
    t.embeddings.push_back({k, cols, std::vector<float>(v->begin(), v->end())});
  }
  readUns(s, root, t);
  if (!t.hasSpatial()) noteEmbeddingOnly(t, "no obsm \"spatial\"");
  if (auto ok = validateCellTable(t); !ok) return std::unexpected(ok.error());
  return t;
}

Expected<CellTable> openAnnDataZarr(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    return fail(Errc::NotFound, dir.string() + ": no such directory");
  auto t = openAnnDataZarr(std::make_shared<LocalStore>(dir), "");
  if (t) t->location = dir.string();
  if (t && !t->imagePath.empty() && t->imagePath.is_relative())
    t->imagePath = dir.parent_path() / t->imagePath;
  return t;
}

}  // namespace tessera::data
