#include <charconv>
#include <cmath>
#include <limits>

#include "data/anndata/h5ad_reader_impl.h"

namespace tessera::data::h5ad {
namespace {

using h5::Handle;
using Layout = ColumnSource::Layout;

std::string formatNumber(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::abs(v) < 1e15)
    return std::to_string(static_cast<long long>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// Categories are usually strings but pandas allows numbers; those are shown as text.
Expected<std::vector<std::string>> readLabels(hid_t ds, const std::string& where) {
  Handle type(H5Dget_type(ds));
  if (h5::isStringType(type.get())) return h5::readStrings(ds, where);
  auto nums = h5::readNumbers<double>(ds, where);
  if (!nums) return std::unexpected(nums.error());
  std::vector<std::string> out;
  out.reserve(nums->size());
  for (double v : *nums)
    out.push_back(formatNumber(v));
  return out;
}

std::int64_t length(hid_t ds) {
  const auto dims = h5::shape(ds);
  return dims.empty() ? 1 : static_cast<std::int64_t>(dims[0]);
}

// Kind of a plain dataset column from its HDF5 type.
void classifyDataset(hid_t ds, ColumnInfo& info) {
  Handle type(H5Dget_type(ds));
  if (h5::isStringType(type.get())) {
    info.kind = ColumnKind::String;
    return;
  }
  info.dtype = h5::dtypeOf(type.get());
  if (!info.dtype)
    info.kind = ColumnKind::Unsupported;
  else
    info.kind = *info.dtype == DType::Bool ? ColumnKind::Bool : ColumnKind::Numeric;
}

// 0.7: `categories` is an object reference to <df>/__categories/<col>.
Expected<bool> readReferencedCategories(hid_t codes, ColumnInfo& info, const std::string& where) {
  if (!h5::hasAttribute(codes, "categories")) return false;
  Handle a(H5Aopen(codes, "categories", H5P_DEFAULT));
  Handle type(H5Aget_type(a.get()));
  if (H5Tget_class(type.get()) != H5T_REFERENCE) return false;
  hobj_ref_t ref{};
  if (H5Aread(a.get(), H5T_STD_REF_OBJ, &ref) < 0)
    return h5::failH5(Errc::Corrupt, where + ": cannot read the categories reference");
  Handle cats(H5Rdereference2(codes, H5P_DEFAULT, H5R_OBJECT, &ref));
  if (!cats) return h5::failH5(Errc::Corrupt, where + ": dangling categories reference");
  auto labels = readLabels(cats.get(), where + " (categories)");
  if (!labels) return std::unexpected(labels.error());
  info.categories = std::move(*labels);
  info.ordered = h5::boolAttr(cats.get(), "ordered").value_or(false);
  return true;
}

// One column of a group dataframe (0.7 or 0.8+). Returns the column's length.
Expected<std::int64_t> readGroupColumn(const H5adFile::Impl& f, hid_t df, const std::string& dfPath,
                                       ColumnInfo& info, ColumnSource& src) {
  const std::string path = dfPath + "/" + info.name;
  const std::string where = f.where(path);
  auto obj = h5::open(df, info.name, where);
  if (!obj) return std::unexpected(obj.error());
  const std::string enc = h5::encodingType(obj->get());
  const std::string ver = h5::stringAttr(obj->get(), "encoding-version").value_or("");
  src.path = path;
  info.encoding = enc.empty() ? "0.7 " : enc + " " + ver;

  if (H5Iget_type(obj->get()) == H5I_DATASET) {
    if (!enc.empty() && enc != "array" && enc != "string-array") {
      info.kind = ColumnKind::Unsupported;
      return length(obj->get());
    }
    src.layout = Layout::Dataset;
    classifyDataset(obj->get(), info);
    auto cat = readReferencedCategories(obj->get(), info, where);
    if (!cat) return std::unexpected(cat.error());
    if (*cat) {
      info.kind = ColumnKind::Categorical;
      info.encoding = "0.7 categorical";
      src.layout = Layout::CodesOnly;
    } else if (enc.empty()) {
      info.encoding += info.kind == ColumnKind::String ? "string" : "array";
    }
    return length(obj->get());
  }

  if (enc == "categorical") {
    auto codes = h5::open(obj->get(), "codes", where + "/codes");
    if (!codes) return std::unexpected(codes.error());
    auto cats = h5::open(obj->get(), "categories", where + "/categories");
    if (!cats) return std::unexpected(cats.error());
    auto labels = readLabels(cats->get(), where + "/categories");
    if (!labels) return std::unexpected(labels.error());
    Handle ct(H5Dget_type(codes->get()));
    info.kind = ColumnKind::Categorical;
    info.dtype = h5::dtypeOf(ct.get());
    info.categories = std::move(*labels);
    info.ordered = h5::boolAttr(obj->get(), "ordered").value_or(false);
    src.layout = Layout::Categorical;
    return length(codes->get());
  }
  if (enc == "nullable-integer" || enc == "nullable-boolean" || enc == "nullable-string-array") {
    auto values = h5::open(obj->get(), "values", where + "/values");
    if (!values) return std::unexpected(values.error());
    auto mask = h5::open(obj->get(), "mask", where + "/mask");
    if (!mask) return std::unexpected(mask.error());
    if (length(mask->get()) != length(values->get()))
      return fail(Errc::Corrupt, where + ": mask and values differ in length");
    Handle vt(H5Dget_type(values->get()));
    info.dtype = h5::dtypeOf(vt.get());
    info.kind = enc == "nullable-integer"   ? ColumnKind::NullableInteger
                : enc == "nullable-boolean" ? ColumnKind::NullableBool
                                            : ColumnKind::NullableString;
    src.layout = Layout::Nullable;
    return length(values->get());
  }
  info.kind = ColumnKind::Unsupported;
  if (enc.empty()) info.encoding = "group without encoding";
  return -1;  // length unknown; nothing will be read
}

// The index is usually a string dataset, but anndata 0.11 stores pandas' string dtype as a
// nullable-string-array group (values + mask; masked names read as ""), and an integer index
// with missing values as nullable-integer.
Expected<std::vector<std::string>> readIndex(const H5adFile::Impl& f, hid_t df,
                                             const std::string& dfPath, const std::string& name) {
  const std::string where = f.where(dfPath + "/" + name);
  auto idx = h5::open(df, name, where);
  if (!idx) return std::unexpected(idx.error());
  if (H5Iget_type(idx->get()) == H5I_DATASET) return readLabels(idx->get(), where);
  ColumnInfo info;
  info.name = name;
  ColumnSource src;
  auto len = readGroupColumn(f, df, dfPath, info, src);
  if (!len) return std::unexpected(len.error());
  switch (info.kind) {
    case ColumnKind::NullableString:
    case ColumnKind::Categorical:
      return readColumnStrings(f, info, src);
    case ColumnKind::NullableInteger: {
      auto v = readColumnNumbers(f, info, src);
      if (!v) return std::unexpected(v.error());
      std::vector<std::string> out;
      out.reserve(v->size());
      for (double x : *v)
        out.push_back(std::isnan(x) ? std::string() : formatNumber(x));
      return out;
    }
    default:
      return fail(Errc::Unsupported,
                  where + ": an index of encoding \"" + info.encoding + "\" is not supported");
  }
}

Expected<DataFrame> readGroupFrame(const H5adFile::Impl& f, const std::string& path) {
  const std::string where = f.where(path);
  auto g = h5::open(f.file.get(), path, where);
  if (!g) return std::unexpected(g.error());
  const std::string enc = h5::encodingType(g->get());
  if (!enc.empty() && enc != "dataframe")
    return fail(Errc::Unsupported, where + ": encoding-type '" + enc + "', expected dataframe");
  const std::string indexName = h5::stringAttr(g->get(), "_index").value_or("_index");
  DataFrame df;
  auto names = readIndex(f, g->get(), path, indexName);
  if (!names) return std::unexpected(names.error());
  df.index = std::move(*names);

  auto order = h5::stringArrayAttr(g->get(), "column-order");
  if (!order) return fail(Errc::Corrupt, where + ": missing or unreadable 'column-order'");
  for (const auto& col : *order) {
    ColumnInfo info;
    info.name = col;
    ColumnSource src;
    auto len = readGroupColumn(f, g->get(), path, info, src);
    if (!len) return std::unexpected(len.error());
    if (*len >= 0 && *len != static_cast<std::int64_t>(df.index.size()))
      return fail(Errc::Corrupt, f.where(path + "/" + col) + ": has " + std::to_string(*len) +
                                     " values but the index has " +
                                     std::to_string(df.index.size()));
    df.columns.push_back(std::move(info));
    df.sources.push_back(std::move(src));
  }
  return df;
}

// Pre-0.7: one compound dataset; the first field is the index.
Expected<DataFrame> readCompoundFrame(const H5adFile::Impl& f, const std::string& path) {
  const std::string where = f.where(path);
  auto ds = h5::open(f.file.get(), path, where);
  if (!ds) return std::unexpected(ds.error());
  const auto fields = h5::compoundFields(ds->get());
  if (fields.empty()) return fail(Errc::Corrupt, where + ": compound dataframe has no fields");
  DataFrame df;
  auto names = h5::readCompoundStrings(ds->get(), fields[0].name, where);
  if (!names) return std::unexpected(names.error());
  df.index = std::move(*names);
  for (std::size_t i = 1; i < fields.size(); ++i) {
    const auto& fld = fields[i];
    ColumnInfo info;
    info.name = fld.name;
    info.dtype = fld.dtype;
    info.encoding = "legacy compound";
    ColumnSource src{Layout::Compound, path, fld.name};
    const std::string catPath = "uns/" + fld.name + "_categories";
    if (fld.isString) {
      info.kind = ColumnKind::String;
    } else if (!fld.dtype || fld.width != 1) {
      info.kind = ColumnKind::Unsupported;
      src.layout = Layout::None;
    } else if (h5::objectType(f.file.get(), catPath) == H5O_TYPE_DATASET) {
      auto cats = h5::open(f.file.get(), catPath, f.where(catPath));
      if (!cats) return std::unexpected(cats.error());
      auto labels = readLabels(cats->get(), f.where(catPath));
      if (!labels) return std::unexpected(labels.error());
      info.kind = ColumnKind::Categorical;
      info.categories = std::move(*labels);
      info.encoding = "legacy categorical";
      src.layout = Layout::CodesOnly;
    } else {
      info.kind = *fld.dtype == DType::Bool ? ColumnKind::Bool : ColumnKind::Numeric;
    }
    df.columns.push_back(std::move(info));
    df.sources.push_back(std::move(src));
  }
  return df;
}

// Reads the codes dataset of a categorical column (whatever its layout) as int32.
Expected<std::vector<std::int32_t>> readRawCodes(const H5adFile::Impl& f, const ColumnSource& src) {
  if (src.layout == Layout::Compound || (src.layout == Layout::CodesOnly && !src.field.empty())) {
    auto ds = h5::open(f.file.get(), src.path, f.where(src.path));
    if (!ds) return std::unexpected(ds.error());
    auto v = h5::readCompoundNumbers(ds->get(), src.field, f.where(src.path));
    if (!v) return std::unexpected(v.error());
    return std::vector<std::int32_t>(v->begin(), v->end());
  }
  const std::string p = src.layout == Layout::Categorical ? src.path + "/codes" : src.path;
  auto ds = h5::open(f.file.get(), p, f.where(p));
  if (!ds) return std::unexpected(ds.error());
  return h5::readNumbers<std::int32_t>(ds->get(), f.where(p));
}

}  // namespace

Expected<DataFrame> readDataFrame(const H5adFile::Impl& f, const std::string& path) {
  const H5O_type_t t = h5::objectType(f.file.get(), path);
  if (t == H5O_TYPE_UNKNOWN) return fail(Errc::NotFound, f.where(path) + ": missing");
  auto df = t == H5O_TYPE_DATASET ? readCompoundFrame(f, path) : readGroupFrame(f, path);
  if (!df) return df;
  for (auto& col : df->columns) {
    if (col.kind != ColumnKind::Categorical) continue;
    const std::string colorPath = "uns/" + col.name + "_colors";
    if (h5::objectType(f.file.get(), colorPath) != H5O_TYPE_DATASET) continue;
    auto ds = h5::open(f.file.get(), colorPath, f.where(colorPath));
    if (!ds) continue;
    auto colors = h5::readStrings(ds->get(), f.where(colorPath));
    // A palette that does not match the categories (stale after re-clustering) is ignored,
    // as scanpy does.
    if (colors && colors->size() == col.categories.size()) col.colors = std::move(*colors);
  }
  return df;
}

Expected<std::vector<std::int32_t>> readCodes(const H5adFile::Impl& f, const ColumnInfo& info,
                                              const ColumnSource& src) {
  if (info.kind != ColumnKind::Categorical)
    return fail(Errc::InvalidArgument,
                f.where(src.path) + ": column '" + info.name + "' is not categorical");
  auto codes = readRawCodes(f, src);
  if (!codes) return codes;
  const auto n = static_cast<std::int32_t>(info.categories.size());
  for (auto& c : *codes)
    if (c < -1 || c >= n)
      return fail(Errc::Corrupt, f.where(src.path) + ": code " + std::to_string(c) +
                                     " outside [-1, " + std::to_string(n) + ")");
  return codes;
}

Expected<std::vector<double>> readColumnNumbers(const H5adFile::Impl& f, const ColumnInfo& info,
                                                const ColumnSource& src) {
  const std::string where = f.where(src.path);
  switch (info.kind) {
    case ColumnKind::Categorical: {
      auto codes = readCodes(f, info, src);
      if (!codes) return std::unexpected(codes.error());
      return std::vector<double>(codes->begin(), codes->end());
    }
    case ColumnKind::Numeric:
    case ColumnKind::Bool: {
      auto ds = h5::open(f.file.get(), src.path, where);
      if (!ds) return std::unexpected(ds.error());
      if (src.layout == Layout::Compound)
        return h5::readCompoundNumbers(ds->get(), src.field, where);
      return h5::readNumbers<double>(ds->get(), where);
    }
    case ColumnKind::NullableInteger:
    case ColumnKind::NullableBool: {
      auto values = h5::open(f.file.get(), src.path + "/values", where + "/values");
      if (!values) return std::unexpected(values.error());
      auto mask = h5::open(f.file.get(), src.path + "/mask", where + "/mask");
      if (!mask) return std::unexpected(mask.error());
      auto v = h5::readNumbers<double>(values->get(), where + "/values");
      if (!v) return v;
      auto m = h5::readNumbers<std::int32_t>(mask->get(), where + "/mask");
      if (!m) return std::unexpected(m.error());
      if (m->size() != v->size())
        return fail(Errc::Corrupt, where + ": mask and values differ in length");
      for (std::size_t i = 0; i < v->size(); ++i)
        if ((*m)[i]) (*v)[i] = std::numeric_limits<double>::quiet_NaN();
      return v;
    }
    default:
      return fail(Errc::InvalidArgument, where + ": column '" + info.name + "' is " +
                                             columnKindName(info.kind) + " (" + info.encoding +
                                             "), not numeric");
  }
}

Expected<std::vector<std::string>> readColumnStrings(const H5adFile::Impl& f,
                                                     const ColumnInfo& info,
                                                     const ColumnSource& src) {
  const std::string where = f.where(src.path);
  if (info.kind == ColumnKind::Categorical) {
    auto codes = readCodes(f, info, src);
    if (!codes) return std::unexpected(codes.error());
    std::vector<std::string> out;
    out.reserve(codes->size());
    for (auto c : *codes)
      out.push_back(c < 0 ? std::string() : info.categories[c]);
    return out;
  }
  if (info.kind == ColumnKind::String) {
    auto ds = h5::open(f.file.get(), src.path, where);
    if (!ds) return std::unexpected(ds.error());
    if (src.layout == Layout::Compound) return h5::readCompoundStrings(ds->get(), src.field, where);
    return h5::readStrings(ds->get(), where);
  }
  if (info.kind == ColumnKind::NullableString) {
    auto values = h5::open(f.file.get(), src.path + "/values", where + "/values");
    if (!values) return std::unexpected(values.error());
    auto mask = h5::open(f.file.get(), src.path + "/mask", where + "/mask");
    if (!mask) return std::unexpected(mask.error());
    auto v = h5::readStrings(values->get(), where + "/values");
    if (!v) return v;
    auto m = h5::readNumbers<std::int32_t>(mask->get(), where + "/mask");
    if (!m) return std::unexpected(m.error());
    if (m->size() != v->size())
      return fail(Errc::Corrupt, where + ": mask and values differ in length");
    for (std::size_t i = 0; i < v->size(); ++i)
      if ((*m)[i]) (*v)[i].clear();
    return v;
  }
  return fail(Errc::InvalidArgument, where + ": column '" + info.name + "' is " +
                                         columnKindName(info.kind) + " (" + info.encoding +
                                         "), not text");
}

}  // namespace tessera::data::h5ad
