#include "app/cli/cli_table.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "app/cli/cli_common.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "data/expression/x_reader.h"

namespace tessera::app {
namespace {

int fail(const std::string& message, int code = kExitBadInput) {
  std::cerr << "tessera: " << message << "\n";
  return code;
}

template <class T>
std::string number(T v) {
  if (std::isnan(v)) return "";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// One obs column as CSV text per cell: labels for categorical and string columns, numbers
// otherwise (bool as pandas writes it, missing as an empty field).
data::Expected<std::vector<std::string>> obsText(const data::H5adFile& t, const std::string& name) {
  const data::ColumnInfo* c = t.obsColumn(name);
  if (!c)
    return data::fail(data::Errc::NotFound,
                      t.path().string() + ":/obs/" + name + ": no such obs column");
  using K = data::ColumnKind;
  if (c->kind == K::Categorical || c->kind == K::String || c->kind == K::NullableString)
    return t.readObsStrings(name);
  auto v = t.readObsNumbers(name);
  if (!v) return std::unexpected(v.error());
  std::vector<std::string> out(v->size());
  const bool boolean = c->kind == K::Bool || c->kind == K::NullableBool;
  for (std::size_t i = 0; i < v->size(); ++i)
    out[i] = std::isnan((*v)[i]) ? ""
             : boolean           ? ((*v)[i] != 0 ? "True" : "False")
                                 : number((*v)[i]);
  return out;
}

}  // namespace

data::Expected<std::filesystem::path> cellTableOf(const std::string& input, AppContext& ctx) {
  auto ds = openDataset(input, ctx);
  if (!ds) return std::unexpected(ds.error());
  if (!ds->cells)
    return data::fail(data::Errc::Unsupported,
                      input + ": has no cell table (expected an .h5ad file or a dataset with one)");
  return *ds->cells;
}

data::Expected<data::H5adFile> openTable(const std::string& input, AppContext& ctx) {
  auto where = cellTableOf(input, ctx);
  if (!where) return std::unexpected(where.error());
  // A folder (SpatialData or AnnData zarr, a Space Ranger or Xenium output): markers and the
  // window read it through the cell table readers, export-cells not yet.
  std::error_code ec;
  if (std::filesystem::is_directory(*where, ec)) {
    const auto& dir = *where;
    const bool zarr = std::filesystem::exists(dir / "zarr.json", ec) ||
                      std::filesystem::exists(dir / ".zgroup", ec);
    return data::fail(data::Errc::Unsupported,
                      input + ": its cell table " + dir.string() +
                          (zarr ? " is stored in zarr" : " is a folder") +
                          "; export-cells reads HDF5 tables (.h5ad, 10x .h5) only, for now "
                          "(markers and the window read it)");
  }
  return data::H5adFile::open(*where);
}

data::Expected<std::vector<std::int64_t>> readCellIds(const std::string& file, bool json,
                                                      const std::vector<std::string>& names,
                                                      const std::string& location) {
  std::ifstream in(file);
  if (!in) return data::fail(data::Errc::NotFound, file + ": cannot read the cell list");
  std::unordered_map<std::string, std::int64_t> byName;
  byName.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i)
    byName.emplace(names[i], static_cast<std::int64_t>(i));
  std::vector<std::int64_t> out;
  auto lookup = [&](const std::string& id, const std::string& where) -> data::Expected<void> {
    const auto it = byName.find(id);
    if (it == byName.end())
      return data::fail(data::Errc::NotFound, where + ": cell '" + id + "' is not in " + location);
    out.push_back(it->second);
    return {};
  };
  if (json) {
    const auto j = nlohmann::json::parse(in, nullptr, false);
    if (!j.is_array())
      return data::fail(data::Errc::InvalidArgument, file + ": expected a JSON list of cell ids");
    for (std::size_t k = 0; k < j.size(); ++k) {
      const auto& e = j[k];
      const std::string where = file + "[" + std::to_string(k) + "]";
      if (e.is_string()) {
        if (auto r = lookup(e.get<std::string>(), where); !r) return std::unexpected(r.error());
      } else if (e.is_number_integer()) {
        const auto i = e.get<std::int64_t>();
        const auto cells = static_cast<std::int64_t>(names.size());
        if (i < 0 || i >= cells)
          return data::fail(data::Errc::InvalidArgument, where + ": cell index " +
                                                             std::to_string(i) + " outside [0, " +
                                                             std::to_string(cells) + ")");
        out.push_back(i);
      } else {
        return data::fail(data::Errc::InvalidArgument,
                          where + ": a cell id must be a string or an integer");
      }
    }
    return out;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    if (line.empty()) continue;
    if (auto r = lookup(line, file + ":" + std::to_string(n)); !r)
      return std::unexpected(r.error());
  }
  return out;
}

std::string csvField(const std::string& s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

int runExportCells(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out, cellsArg;
  std::vector<std::string> genes, obs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& dst) {
      if (i + 1 >= args.size()) return false;
      dst = args[++i];
      return true;
    };
    std::string v;
    if (a == "--genes" || a == "--obs") {
      if (!value(v)) return fail("export-cells: " + a + " needs a comma-separated list");
      auto items = splitList(v);
      (a == "--genes" ? genes : obs)
          .insert((a == "--genes" ? genes : obs).end(), items.begin(), items.end());
    } else if (a == "--cells") {
      if (!value(cellsArg) || cellsArg.size() < 2 || cellsArg[0] != '@')
        return fail("export-cells: --cells takes @FILE (one cell id per line)");
    } else if (a == "--out") {
      if (!value(out)) return fail("export-cells: --out needs a file name");
    } else if (!a.empty() && a[0] == '-') {
      return fail("export-cells: unknown option " + a + " (see tessera --help)");
    } else if (input.empty()) {
      input = a;
    } else {
      return fail("export-cells: only one INPUT is accepted");
    }
  }
  if (input.empty() || out.empty())
    return fail("export-cells: INPUT and --out FILE.csv are required (see tessera --help)");
  AppContext ctx(cacheMb);
  auto table = openTable(input, ctx);
  if (!table) return fail(table.error().message, exitCodeFor(table.error()));
  const data::H5adFile& t = *table;

  std::vector<std::int64_t> rows;
  if (!cellsArg.empty()) {
    auto ids = readCellIds(cellsArg.substr(1), false, t.obsNames(), t.path().string());
    if (!ids) return fail(ids.error().message, exitCodeFor(ids.error()));
    rows = std::move(*ids);
  } else {
    rows.resize(static_cast<std::size_t>(t.nObs()));
    for (std::size_t i = 0; i < rows.size(); ++i)
      rows[i] = static_cast<std::int64_t>(i);
  }
  // Image pixels come from obsm['spatial'] (full-resolution pixels, identity affine).
  std::optional<data::DenseMatrix> xy;
  const bool hasSpatial = std::any_of(
      t.obsm().begin(), t.obsm().end(),
      [](const data::ObsmInfo& m) { return m.key == "spatial" && m.readable && m.cols >= 2; });
  if (hasSpatial) {
    auto m = t.readObsm("spatial");
    if (!m) return fail(m.error().message, exitCodeFor(m.error()));
    xy = std::move(*m);
  } else {
    std::cerr << "tessera: " << t.path().string()
              << " has no spatial coordinates (obsm['spatial']); writing cells without x and y\n";
  }
  std::vector<std::vector<std::string>> obsValues;
  for (const auto& name : obs) {
    auto v = obsText(t, name);
    if (!v) return fail(v.error().message, exitCodeFor(v.error()));
    obsValues.push_back(std::move(*v));
  }
  std::vector<std::int64_t> geneIdx;
  for (const auto& g : genes) {
    const auto& names = t.varNames();
    const auto it = std::find(names.begin(), names.end(), g);
    if (it == names.end()) return fail(t.path().string() + ":/var: no gene named '" + g + "'");
    geneIdx.push_back(it - names.begin());
  }
  std::vector<std::vector<float>> geneValues;
  if (!geneIdx.empty()) {
    // X is read by ranges, never whole: one streaming scan per gene for CSR.
    auto x = data::probeXMatrix(t.path());
    if (!x) return fail(x.error().message, exitCodeFor(x.error()));
    auto reader = data::XReader::open(*x);
    if (!reader) return fail(reader.error().message, exitCodeFor(reader.error()));
    for (const auto g : geneIdx) {
      auto v = reader->readGene(g);
      if (!v) return fail(v.error().message, exitCodeFor(v.error()));
      geneValues.push_back(std::move(*v));
    }
  }
  std::ofstream csv(out, std::ios::binary);
  if (!csv) return fail(out + ": cannot write");
  csv << "id";
  if (xy) csv << ",x,y";
  for (const auto& o : obs)
    csv << ',' << csvField(o);
  for (const auto& g : genes)
    csv << ',' << csvField(g);
  csv << "\r\n";
  for (const std::int64_t r : rows) {
    csv << csvField(t.obsNames()[r]);
    if (xy)
      csv << ',' << number(xy->values[r * xy->cols]) << ',' << number(xy->values[r * xy->cols + 1]);
    for (const auto& col : obsValues)
      csv << ',' << csvField(col[r]);
    for (const auto& col : geneValues)
      csv << ',' << number(col[r]);
    csv << "\r\n";
  }
  csv.close();
  if (!csv) return fail(out + ": write failed", kExitInternal);
  return kExitOk;
}

}  // namespace tessera::app
