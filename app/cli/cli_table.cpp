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

// One obs column as CSV text per cell, as pandas' to_csv writes it: labels for categorical
// and string columns, numbers otherwise, bools as True/False, missing values as empty fields.
std::vector<std::string> obsText(const data::CellColumn& c) {
  using K = data::CellColumnKind;
  if (c.kind == K::String) return c.strings;
  if (c.kind == K::Categorical) {
    std::vector<std::string> out(c.codes.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto code = c.codes[i];
      if (code >= 0 && static_cast<std::size_t>(code) < c.categories.size())
        out[i] = c.categories[static_cast<std::size_t>(code)];
    }
    return out;
  }
  std::vector<std::string> out(c.numbers.size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double v = c.numbers[i];
    out[i] = std::isnan(v) ? "" : c.kind == K::Bool ? (v != 0 ? "True" : "False") : number(v);
  }
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

data::Expected<std::shared_ptr<const CellsData>> loadCliCells(
    AppContext& ctx, const std::filesystem::path& table,
    const data::ExpressionEngine::Options& options, const std::string& preferredBasis,
    double imageWidth, double imageHeight, const std::string& shownElement) {
  ExpressionSetup expression{ctx.hdf5Pool, ctx.tilePool, options};
  expression.pickGridsInBackground = false;
  data::Expected<std::shared_ptr<const CellsData>> loaded =
      data::fail(data::Errc::Cancelled, "not loaded");
  ctx.hdf5Pool.post([&] {
    loaded =
        loadCellsData(table, preferredBasis, imageWidth, imageHeight, shownElement, &expression);
  });
  ctx.hdf5Pool.waitIdle();
  return loaded;
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
  auto where = cellTableOf(input, ctx);
  if (!where) return fail(where.error().message, exitCodeFor(where.error()));
  // The table as the window reads it: any table reader, genes through the same engine (an HDF5
  // X streamed by ranges, one scan per gene, or its cached gene index).
  auto loaded = loadCliCells(ctx, *where, defaultExpressionOptions());
  if (!loaded) return fail(loaded.error().message, exitCodeFor(loaded.error()));
  const CellsData& d = **loaded;
  const data::CellTable& t = *d.table;

  std::vector<std::int64_t> rows;
  if (!cellsArg.empty()) {
    auto ids = readCellIds(cellsArg.substr(1), false, t.cellIds, t.location);
    if (!ids) return fail(ids.error().message, exitCodeFor(ids.error()));
    rows = std::move(*ids);
  } else {
    rows.resize(static_cast<std::size_t>(t.size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
      rows[i] = static_cast<std::int64_t>(i);
  }
  // x and y in pixels of the linked image's full-resolution level, where the window draws the
  // cells: the table's coordinates through its transform (identity for an h5ad alone, whose
  // obsm['spatial'] is written as stored). Mapped here in double: the window's float copy
  // would round them.
  const bool xy = t.hasSpatial();
  std::vector<std::vector<std::string>> obsValues;
  for (const auto& name : obs) {
    const data::CellColumn* c = t.column(name);
    if (!c) return fail(t.location + ":/obs/" + name + ": no such obs column");
    obsValues.push_back(obsText(*c));
  }
  std::vector<std::vector<float>> geneValues;
  for (const auto& g : genes) {
    const auto gi = t.geneIndex(g);
    if (gi < 0) return fail(t.location + ":/var: no gene named '" + g + "'");
    if (!d.expression) return fail(t.location + ": has no expression values (X) to export");
    auto v = geneValuesNow(d, gi);
    if (!v) return fail(v.error().message, exitCodeFor(v.error()));
    geneValues.push_back(std::move(*v));
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
    const auto i = static_cast<std::size_t>(r);
    csv << csvField(t.cellIds[i]);
    if (xy) {
      const double x = t.x[i], y = t.y[i];
      csv << ',' << number(t.toImage.mapX(x, y)) << ',' << number(t.toImage.mapY(x, y));
    }
    for (const auto& col : obsValues)
      csv << ',' << csvField(col[i]);
    for (const auto& col : geneValues)
      csv << ',' << number(col[i]);
    csv << "\r\n";
  }
  csv.close();
  if (!csv) return fail(out + ": write failed", kExitInternal);
  // What the window shows in its status bar, once the file is written (an error stays one
  // line), e.g. a blank Visium hires image replaced by the lowres one, whose pixels x and y are.
  for (const auto& m : t.messages)
    std::cerr << "tessera: " << m << "\n";
  if (!xy)
    std::cerr << "tessera: " << t.location
              << " has no spatial coordinates (obsm['spatial']); wrote cells without x and y\n";
  return kExitOk;
}

}  // namespace tessera::app
