#include "app/cli/cli_markers.h"

#include <cstdio>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cells/cells_data.h"
#include "app/cli/cli_table.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "data/expression/differential.h"
#include "data/expression/expression_engine.h"

namespace tessera::app {
namespace {

int fail(const std::string& message, int code = kExitBadInput) {
  std::cerr << "tessera: " << message << "\n";
  return code;
}

// Cells whose obs `column` reads `value` (categorical label or string).
data::Expected<std::vector<std::int64_t>> groupCells(const data::CellTable& t,
                                                     const std::string& column,
                                                     const std::string& value) {
  const std::string where = t.location + ":/obs/" + column;
  const data::CellColumn* c = t.column(column);
  if (!c) return data::fail(data::Errc::NotFound, where + ": no such obs column");
  using K = data::CellColumnKind;
  if (c->kind != K::Categorical && c->kind != K::String)
    return data::fail(data::Errc::InvalidArgument,
                      where + ": is " + data::cellColumnKindName(c->kind) +
                          "; --groupby needs a categorical or string column");
  std::vector<std::int64_t> out;
  if (c->kind == K::Categorical) {
    const auto at = std::find(c->categories.begin(), c->categories.end(), value);
    if (at == c->categories.end()) {
      std::string known;
      for (std::size_t k = 0; k < c->categories.size() && k < 20; ++k)
        known += (k ? ", " : "") + c->categories[k];
      return data::fail(data::Errc::NotFound,
                        where + ": no group '" + value + "' (groups: " + known + ")");
    }
    const auto code = static_cast<std::int32_t>(at - c->categories.begin());
    for (std::size_t i = 0; i < c->codes.size(); ++i)
      if (c->codes[i] == code) out.push_back(static_cast<std::int64_t>(i));
  } else {
    for (std::size_t i = 0; i < c->strings.size(); ++i)
      if (c->strings[i] == value) out.push_back(static_cast<std::int64_t>(i));
  }
  if (out.empty()) return data::fail(data::Errc::NotFound, where + ": no cell has '" + value + "'");
  return out;
}

}  // namespace

int runMarkers(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, groupby, group;
  long long top = 25, memoryMb = 0;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--groupby" || a == "--group" || a == "--top" || a == "--memory-mb") {
      if (i + 1 >= args.size()) return fail("markers: " + a + " needs a value");
      const std::string& v = args[++i];
      if (a == "--groupby")
        groupby = v;
      else if (a == "--group")
        group = v;
      else {
        char* end = nullptr;
        long long& n = a == "--top" ? top : memoryMb;
        n = std::strtoll(v.c_str(), &end, 10);
        if (!end || *end || n < 1)
          return fail("markers: " + a + " expects a positive whole number");
      }
    } else if (!a.empty() && a[0] == '-') {
      return fail("markers: unknown option " + a + " (see tessera --help)");
    } else if (input.empty()) {
      input = a;
    } else {
      return fail("markers: only one INPUT is accepted");
    }
  }
  const bool selection = group.size() > 1 && group[0] == '@';
  if (input.empty() || group.empty() || (!selection && groupby.empty()))
    return fail(
        "markers: usage: markers INPUT --groupby COLUMN --group VALUE | --group @cells.json");
  AppContext ctx(cacheMb);
  auto where = cellTableOf(input, ctx);
  if (!where) return fail(where.error().message, exitCodeFor(where.error()));
  // The window's path (CellsSession): the same table readers and the same engine, an HDF5
  // matrix behind its gene index (built once into the cache, or reopened), any other table's
  // genes gathered in memory. HDF5 runs on ctx.hdf5Pool only.
  auto options = defaultExpressionOptions();
  if (memoryMb > 0) options.workingBytes = static_cast<std::size_t>(memoryMb) << 20;
  const auto loaded = loadCliCells(ctx, *where, options);
  if (!loaded) return fail(loaded.error().message, exitCodeFor(loaded.error()));
  const CellsData& d = **loaded;
  const data::CellTable& t = *d.table;
  auto cells = selection ? readCellIds(group.substr(1), true, t.cellIds, t.location)
                         : groupCells(t, groupby, group);
  if (!cells) return fail(cells.error().message, exitCodeFor(cells.error()));
  if (!d.expression) return fail(t.location + ": has no expression values (X) to rank genes by");
  auto mask = data::selectionMask(t.size(), *cells);
  if (!mask) return fail(mask.error().message, exitCodeFor(mask.error()));
  const auto selected = std::count(mask->begin(), mask->end(), 1);
  data::ExpressionEngine& engine = *d.expression;
  engine.startIndexing();
  std::promise<data::Expected<std::vector<data::MarkerGene>>> result;
  engine.markers(
      std::move(*mask), static_cast<std::size_t>(top), {},
      [&](data::Expected<std::vector<data::MarkerGene>> r) { result.set_value(std::move(r)); });
  auto found = result.get_future().get();
  if (!found) return fail(t.location + ": " + found.error().message, exitCodeFor(found.error()));
  const auto best = std::move(*found);
  const auto& names = t.geneNames;
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& g : best) {
      nlohmann::ordered_json row;
      row["gene"] = names[g.gene];
      row["score"] = g.score;
      row["logfoldchange"] = g.logFoldChange;
      row["pval"] = g.pval;
      row["pval_adj"] = g.pvalAdj;
      row["mean_in"] = g.stats.meanIn;
      row["mean_out"] = g.stats.meanOut;
      row["frac_in"] = g.stats.fracIn;
      row["frac_out"] = g.stats.fracOut;
      out.push_back(std::move(row));
    }
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  std::printf("%lld cells vs %lld others, top %zu by Wilcoxon z\n",
              static_cast<long long>(selected),
              static_cast<long long>(t.size()) - static_cast<long long>(selected), best.size());
  std::printf("%-20s %9s %9s %11s %11s %9s %9s %7s %7s\n", "gene", "score", "log2fc", "pval",
              "pval_adj", "mean_in", "mean_out", "frac_in", "frac_out");
  for (const auto& g : best)
    std::printf("%-20s %9.3f %9.3f %11.3e %11.3e %9.4f %9.4f %7.3f %7.3f\n", names[g.gene].c_str(),
                g.score, g.logFoldChange, g.pval, g.pvalAdj, g.stats.meanIn, g.stats.meanOut,
                g.stats.fracIn, g.stats.fracOut);
  return kExitOk;
}

}  // namespace tessera::app
