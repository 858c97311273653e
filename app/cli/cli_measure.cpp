#include "app/cli/cli_measure.h"

#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cells/cells_data.h"
#include "app/cli/cli_common.h"
#include "app/cli/cli_table.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "data/annotation/geojson.h"
#include "data/annotation/measure.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("measure", message);
}

std::string fmt(const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (!v.is_number()) return v.dump();
  std::ostringstream o;
  o << std::setprecision(6) << v.get<double>();
  return o.str();
}

void printText(const nlohmann::json& j) {
  std::cout << (j["name"].get<std::string>().empty() ? "(unnamed)" : j["name"].get<std::string>())
            << " [" << j["kind"].get<std::string>() << "]";
  if (!j["classification"].is_null())
    std::cout << " class " << j["classification"]["name"].get<std::string>();
  std::cout << "\n  area " << fmt(j["area_px"]) << " px, " << fmt(j["area_um2"])
            << " µm², perimeter " << fmt(j["perimeter_px"]) << " px";
  if (j.contains("length_px")) std::cout << ", length " << fmt(j["length_px"]) << " px";
  std::cout << ", cells " << fmt(j["cells"]) << "\n";
  if (j.contains("genes"))
    for (const auto& [g, v] : j["genes"].items())
      std::cout << "  mean " << g << " " << fmt(v) << "\n";
  for (const auto& c : j["channels"])
    std::cout << "  " << c["name"].get<std::string>() << ": mean " << fmt(c["mean"]) << ", median "
              << fmt(c["median"]) << ", min " << fmt(c["min"]) << ", max " << fmt(c["max"])
              << ", std " << fmt(c["std"]) << "\n";
}

}  // namespace

int runMeasure(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, annotations, cellsPath;
  std::vector<std::string> genes;
  data::ImageSelection select;
  data::MeasureOptions opt;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::vector<long long> nums;
    std::string selectError;
    if (auto sel = parseSelectOption(args, i, select, selectError); sel != SelectOption::NotMine) {
      if (sel == SelectOption::Bad) return usageError(selectError);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--annotations" || a == "--cells" || a == "--genes") {
      auto v = value();
      if (!v || v->empty()) return usageError(a + " needs a value");
      if (a == "--annotations")
        annotations = *v;
      else if (a == "--cells")
        cellsPath = *v;
      else
        genes = splitList(*v);
    } else if (a == "--level" || a == "--t" || a == "--z") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 0)
        return usageError(a + " expects a non-negative index");
      if (a == "--level")
        opt.level = static_cast<int>(nums[0]);
      else
        (a == "--t" ? opt.t : opt.z) = nums[0];
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one INPUT is accepted");
    }
  }
  if (input.empty()) return usageError("INPUT is required");
  if (annotations.empty()) return usageError("--annotations FILE.geojson is required");

  auto imported = data::readGeoJson(annotations);
  if (!imported) return reportError(imported.error());
  for (const auto& w : imported->warnings)
    std::cerr << "tessera: note: " << w << "\n";

  AppContext ctx(cacheMb);
  auto ds = openDataset(input, ctx, {}, select);
  if (!ds) return reportError(ds.error());
  if (!ds->image) return usageError(input + " has no image to measure");
  const auto& info = ds->image->info();
  if (opt.level >= static_cast<int>(info.levels.size()))
    return usageError("--level " + std::to_string(opt.level) + " does not exist (levels 0.." +
                      std::to_string(info.levels.size() - 1) + ")");

  // The paired table: --cells, else the dataset's own. Loading goes through HDF5's thread.
  std::shared_ptr<const CellsData> cells;
  std::filesystem::path table = cellsPath;
  if (table.empty() && ds->cells) table = *ds->cells;
  if (!table.empty()) {
    const auto loaded = loadCliCells(
        ctx, table, defaultExpressionOptions(), {}, static_cast<double>(info.width()),
        static_cast<double>(info.height()), table == ds->cells ? ds->cellsFrame : std::string());
    if (!loaded) return reportError(loaded.error());
    if (!(*loaded)->hasSpatialCells())
      return usageError(table.string() + " has no spatial coordinates to place cells in areas");
    cells = *loaded;
  } else if (!genes.empty()) {
    return usageError("--genes needs a cell table (--cells FILE, or an INPUT with one)");
  }
  std::vector<std::pair<std::string, std::vector<float>>> geneColumns;
  for (const auto& g : genes) {
    const std::int64_t gi = cells->table->geneIndex(g);
    if (gi < 0 || !cells->expression)
      return usageError("gene '" + g + "' is not in " + table.string());
    auto values = geneValuesNow(*cells, gi);
    if (!values) return reportError(values.error());
    geneColumns.emplace_back(g, std::move(*values));
  }

  const auto id = ctx.cache.registerSource(ds->image);
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t i = 0; i < imported->annotations.size(); ++i) {
    const auto& a = imported->annotations[i];
    auto m = data::measureAnnotation(a, ctx.cache, id, info, opt, {});
    if (!m) return reportError(m.error());
    const std::string label =
        "feature " + std::to_string(i + 1) + (a.name.empty() ? "" : " ('" + a.name + "')");
    for (const auto& n : m->notes)
      std::cerr << "tessera: note: " << annotations << ": " << label << ": " << n << "\n";
    if (cells && m->area) {
      const auto inside = data::pointsInside(a, cells->px, cells->py);
      m->cells = static_cast<std::int64_t>(inside.size());
      for (const auto& [name, column] : geneColumns) {
        double sum = 0;
        for (auto c : inside)
          sum += column[static_cast<std::size_t>(c)];
        m->geneMeans.emplace_back(name, inside.empty() ? std::nan("") : sum / inside.size());
      }
    }
    auto j = data::measurementJson(*m);
    j.erase("notes");  // said on stderr above
    if (json)
      all.push_back(std::move(j));
    else
      printText(j);
  }
  if (json) std::cout << all.dump() << "\n";
  ctx.cache.unregisterSource(id);
  return kExitOk;
}

}  // namespace tessera::app
