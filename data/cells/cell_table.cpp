#include "data/cells/cell_table.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace tessera::data {

const char* cellColumnKindName(CellColumnKind k) {
  switch (k) {
    case CellColumnKind::Categorical:
      return "categorical";
    case CellColumnKind::Numeric:
      return "numeric";
    case CellColumnKind::Bool:
      return "bool";
    case CellColumnKind::String:
      return "string";
  }
  return "?";
}

CscGeneSource::CscGeneSource(std::int64_t nCells, std::vector<std::int64_t> indptr,
                             std::vector<std::int32_t> indices, std::vector<float> data)
    : nCells_(nCells),
      indptr_(std::move(indptr)),
      indices_(std::move(indices)),
      data_(std::move(data)) {}

Expected<std::vector<float>> CscGeneSource::readGene(std::int64_t var) const {
  if (var < 0 || var + 1 >= static_cast<std::int64_t>(indptr_.size()))
    return fail(Errc::InvalidArgument, "gene index " + std::to_string(var) + " out of range");
  std::vector<float> out(static_cast<std::size_t>(nCells_), 0.0f);
  for (std::int64_t k = indptr_[var]; k < indptr_[var + 1]; ++k)
    out[static_cast<std::size_t>(indices_[k])] = data_[k];
  return out;
}

const CellColumn* CellTable::column(const std::string& name) const {
  for (const auto& c : obs)
    if (c.name == name) return &c;
  return nullptr;
}

std::int64_t CellTable::geneIndex(const std::string& name) const {
  for (std::size_t i = 0; i < geneNames.size(); ++i)
    if (geneNames[i] == name) return static_cast<std::int64_t>(i);
  for (std::size_t i = 0; i < geneIds.size(); ++i)
    if (geneIds[i] == name) return static_cast<std::int64_t>(i);
  return -1;
}

std::vector<std::string> makeUniqueNames(const std::vector<std::string>& names) {
  std::unordered_set<std::string_view> seen;
  std::unordered_set<std::string> used(names.begin(), names.end());
  std::unordered_map<std::string_view, int> lastSuffix;
  std::vector<std::string> out;
  out.reserve(names.size());
  for (const auto& n : names) {
    if (seen.insert(n).second) {
      out.push_back(n);
      continue;
    }
    int& k = lastSuffix[n];
    std::string candidate;
    do
      candidate = n + "-" + std::to_string(++k);
    while (used.count(candidate));
    used.insert(candidate);
    out.push_back(std::move(candidate));
  }
  return out;
}

Expected<std::vector<float>> CellTable::readGene(const std::string& name) const {
  const std::int64_t i = geneIndex(name);
  if (i < 0 || !genes) return fail(Errc::NotFound, location + ": no gene \"" + name + "\"");
  return genes->readGene(i);
}

Expected<void> validateCellTable(const CellTable& t) {
  const std::size_t n = t.cellIds.size();
  auto bad = [&](const std::string& field, std::size_t got) {
    return fail(Errc::Corrupt, t.location + ": " + field + " has " + std::to_string(got) +
                                   " entries, expected one per cell (" + std::to_string(n) + ")");
  };
  for (const auto& c : t.obs) {
    const std::string f = "obs column \"" + c.name + "\"";
    switch (c.kind) {
      case CellColumnKind::Categorical:
        if (c.codes.size() != n) return bad(f, c.codes.size());
        for (auto code : c.codes)
          if (code < -1 || code >= static_cast<std::int64_t>(c.categories.size()))
            return fail(Errc::Corrupt, t.location + ": " + f + " has code " + std::to_string(code) +
                                           " outside its " + std::to_string(c.categories.size()) +
                                           " categories");
        break;
      case CellColumnKind::Numeric:
      case CellColumnKind::Bool:
        if (c.numbers.size() != n) return bad(f, c.numbers.size());
        break;
      case CellColumnKind::String:
        if (c.strings.size() != n) return bad(f, c.strings.size());
        break;
    }
  }
  for (const auto& e : t.embeddings)
    if (e.cols <= 0 || e.values.size() != n * static_cast<std::size_t>(e.cols))
      return bad("obsm \"" + e.key + "\"", e.cols > 0 ? e.values.size() / e.cols : 0);
  if (!t.x.empty() && (t.x.size() != n || t.y.size() != n)) return bad("spatial x/y", t.x.size());
  if (t.outlines) {
    const auto& o = *t.outlines;
    if (o.offsets.size() != n + 1) return bad("outline offsets (n+1)", o.offsets.size());
    if (o.x.size() != o.y.size() || o.offsets.front() != 0 ||
        o.offsets.back() != static_cast<std::int64_t>(o.x.size()))
      return fail(Errc::Corrupt, t.location + ": outline offsets do not span the vertices");
    for (std::size_t i = 0; i + 1 < o.offsets.size(); ++i)
      if (o.offsets[i + 1] < o.offsets[i])
        return fail(Errc::Corrupt,
                    t.location + ": outline offsets decrease at cell " + std::to_string(i));
  }
  if (t.transcripts) {
    const auto& tr = *t.transcripts;
    const std::size_t m = tr.gene.size();
    auto optional = [m](std::size_t size) { return size == 0 || size == m; };
    if (tr.x.size() != m || tr.y.size() != m || !optional(tr.z.size()) || !optional(tr.qv.size()) ||
        !optional(tr.cell.size()) || !optional(tr.overlapsNucleus.size()))
      return fail(Errc::Corrupt, t.location + ": transcript columns differ in length");
    for (auto g : tr.gene)
      if (g >= tr.geneNames.size())
        return fail(Errc::Corrupt, t.location + ": a transcript gene code is out of range");
    for (auto c : tr.cell)
      if (c < -1 || c >= static_cast<std::int64_t>(tr.cellIds.size()))
        return fail(Errc::Corrupt, t.location + ": a transcript cell code is out of range");
  }
  if (!t.geneIds.empty() && t.geneIds.size() != t.geneNames.size())
    return fail(Errc::Corrupt, t.location + ": " + std::to_string(t.geneIds.size()) +
                                   " gene ids for " + std::to_string(t.geneNames.size()) +
                                   " genes");
  return {};
}

std::vector<std::uint8_t> Transcripts::passingQv(float minQv) const {
  std::vector<std::uint8_t> out(size(), 1);
  for (std::size_t i = 0; i < qv.size() && i < out.size(); ++i)
    out[i] = qv[i] >= minQv ? 1 : 0;
  return out;
}

std::vector<std::int32_t> Transcripts::cellRows(
    const std::vector<std::string>& tableCellIds) const {
  std::unordered_map<std::string_view, std::int32_t> row;
  row.reserve(tableCellIds.size());
  for (std::size_t i = 0; i < tableCellIds.size(); ++i)
    row.emplace(tableCellIds[i], static_cast<std::int32_t>(i));
  std::vector<std::int32_t> codeToRow(cellIds.size(), -1);
  for (std::size_t c = 0; c < cellIds.size(); ++c)
    if (auto it = row.find(cellIds[c]); it != row.end()) codeToRow[c] = it->second;
  std::vector<std::int32_t> out(size(), -1);
  for (std::size_t i = 0; i < cell.size() && i < out.size(); ++i)
    if (cell[i] >= 0) out[i] = codeToRow[static_cast<std::size_t>(cell[i])];
  return out;
}

std::int64_t checkCellsInImage(CellTable& t, double width, double height) {
  std::int64_t outside = 0, first = -1;
  for (std::size_t i = 0; i < t.x.size(); ++i) {
    const double px = t.toImage.mapX(t.x[i], t.y[i]), py = t.toImage.mapY(t.x[i], t.y[i]);
    if (!(px >= 0 && py >= 0 && px < width && py < height)) {
      if (first < 0) first = static_cast<std::int64_t>(i);
      ++outside;
    }
  }
  if (outside > 0) {
    const auto f = static_cast<std::size_t>(first);
    t.messages.push_back(t.location + ": " + std::to_string(outside) + " of " +
                         std::to_string(t.x.size()) + " cells fall outside the image (" +
                         std::to_string(static_cast<long long>(width)) + " x " +
                         std::to_string(static_cast<long long>(height)) + " px), first \"" +
                         t.cellIds[f] + "\" at (" + std::to_string(t.toImage.mapX(t.x[f], t.y[f])) +
                         ", " + std::to_string(t.toImage.mapY(t.x[f], t.y[f])) + ")");
  }
  return outside;
}

void noteEmbeddingOnly(CellTable& t, const std::string& lookedFor) {
  t.messages.push_back(t.location + ": no spatial coordinates (" + lookedFor +
                       "); showing the embedding only");
}

nlohmann::json cellTableSummary(const CellTable& t) {
  using nlohmann::json;
  json obs = json::object();
  for (const auto& c : t.obs) {
    json e = {{"kind", cellColumnKindName(c.kind)}};
    if (c.kind == CellColumnKind::Categorical) e["categories"] = c.categories;
    obs[c.name] = e;
  }
  json emb = json::object();
  for (const auto& e : t.embeddings)
    emb[e.key] = {t.size(), e.cols};
  json j = {{"kind", "table"},   {"format", t.format},
            {"n_obs", t.size()}, {"n_vars", static_cast<std::int64_t>(t.geneNames.size())},
            {"obs", obs},        {"obsm", emb}};
  if (t.matrix)
    j["X"] = {{"storage", t.matrix->storage},
              {"dtype", t.matrix->dtype},
              {"nnz", t.matrix->nnz},
              {"shape", {t.matrix->rows, t.matrix->cols}}};
  else
    j["X"] = nullptr;
  if (t.hasSpatial()) {
    json s = {{"affine", affineToJson(t.toImage)}, {"affine_source", t.affineSource}};
    if (!t.spatialUnit.empty()) s["unit"] = t.spatialUnit;
    // Physical units onto pixels by one isotropic scale (Xenium): that scale's pixel size.
    const Affine2D& m = t.toImage;
    if (t.spatialUnit == "micrometer" && m.b == 0 && m.d == 0 && m.a == m.e && m.a > 0)
      s["pixel_size"] = 1 / m.a;
    if (t.spotRadius) s["spot_radius"] = *t.spotRadius;
    j["spatial"] = s;
  }
  if (t.outlines) j["outlines"] = static_cast<std::int64_t>(t.outlines->x.size());
  if (t.transcripts) j["transcripts"] = static_cast<std::int64_t>(t.transcripts->size());
  if (!t.imagePath.empty()) j["image"] = t.imagePath.string();
  if (!t.messages.empty()) j["messages"] = t.messages;
  return j;
}

}  // namespace tessera::data
