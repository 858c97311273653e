#include "app/cli/cli.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "app/cells/cells_helper.h"
#include "app/cli/cli_common.h"
#include "app/cli/cli_embedding.h"
#include "app/cli/cli_export.h"
#include "app/cli/cli_fetch.h"
#include "app/cli/cli_help.h"
#include "app/cli/cli_markers.h"
#include "app/cli/cli_measure.h"
#include "app/cli/cli_predict.h"
#include "app/cli/cli_presign.h"
#include "app/cli/cli_render.h"
#include "app/cli/cli_story.h"
#include "app/cli/cli_table.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "app/core/versions.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("", message);
}

// A one-line terminal progress bar on stderr for demo generation.
data::DemoProgress terminalProgress() {
  const bool tty = ::isatty(STDERR_FILENO);
  return [tty, last = -1](double f, const std::string& stage) mutable {
    const int pct = static_cast<int>(f * 100);
    if (pct == last) return true;
    last = pct;
    if (tty)
      std::fprintf(stderr, "\rPreparing demo dataset: %3d%% %-30s", pct, stage.c_str());
    else if (pct % 10 == 0)
      std::fprintf(stderr, "Preparing demo dataset: %d%% %s\n", pct, stage.c_str());
    if (tty && pct >= 100) std::fprintf(stderr, "\n");
    return true;
  };
}

std::size_t parseCacheMb(const std::string& v, bool& ok) {
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  ok = end && *end == '\0' && n >= 16 && n <= (1ll << 20);
  return ok ? static_cast<std::size_t>(n) : 0;
}

int runInfo(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input;
  bool json = false;
  data::ImageSelection select;
  select.listPlateFields = true;  // scripts discover every well's fields here
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    std::string selectError;
    if (auto sel = parseSelectOption(args, i, select, selectError); sel != SelectOption::NotMine) {
      if (sel == SelectOption::Bad) return usageError("info: " + selectError);
    } else if (a == "--json")
      json = true;
    else if (!a.empty() && a[0] == '-')
      return usageError("info: unknown option " + a);
    else if (input.empty())
      input = a;
    else
      return usageError("info: only one INPUT is accepted");
  }
  if (input.empty()) return usageError("info: INPUT is required");
  AppContext ctx(cacheMb);
  auto ds = openDataset(input, ctx, terminalProgress(), select);
  if (!ds) return reportError(ds.error());
  const auto j = describeDataset(*ds, ctx);
  if (json) {
    std::cout << j.dump() << "\n";
    return kExitOk;
  }
  if (!ds->image) {
    std::cout << input << ": " << j.dump(2) << "\n";
    return kExitOk;
  }
  const auto& info = ds->image->info();
  std::cout << input << ": " << info.format << ", " << data::dtypeName(info.dtype) << "\n";
  std::cout << "  axes: ";
  for (const auto& a : info.storedAxes)
    std::cout << a << ' ';
  if (info.axesGuessed) std::cout << "(guessed from the shape; set them with --axes)";
  std::cout << "\n  levels:\n";
  for (const auto& l : j["levels"])
    std::cout << "    " << l["path"].get<std::string>() << " shape " << l["shape"].dump()
              << " chunks " << l["chunks"].dump()
              << (l.contains("codec") ? " " + l["codec"].get<std::string>() : "") << "\n";
  std::cout << "  channels:\n";
  for (const auto& c : j["channels"])
    std::cout << "    " << c.dump() << "\n";
  if (j.contains("series")) {  // not for plates: their fields are listed below
    std::cout << "  series (open one with --series N):\n";
    for (const auto& s : j["series"])
      std::cout << "    " << (s["index"] == j["series_index"] ? "* " : "  ") << s["index"] << " "
                << s["name"].get<std::string>()
                << (s.contains("shape") ? " tczyx " + s["shape"].dump() : "") << "\n";
  }
  if (j.contains("plate")) {
    std::cout << "  plate \"" << j["plate"]["name"].get<std::string>()
              << "\" (open a field with --well W --field F):\n";
    for (const auto& w : j["plate"]["wells"])
      std::cout << "    " << w["path"].get<std::string>() << " fields " << w["fields"].dump()
                << "\n";
    std::cout << "  showing " << j["plate"]["opened"].get<std::string>() << "\n";
  }
  if (j.contains("cells"))
    std::cout << "  cells: " << j["cells"]["path"].get<std::string>() << "\n";
  for (const auto& w : info.warnings)
    std::cout << "  warning: " << w << "\n";
  return kExitOk;
}

}  // namespace

int runCli(const std::vector<std::string>& args, GuiOptions& gui) {
  std::size_t cacheMb = 0;
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "-h" || a == "--help") {
      std::cout << helpText();
      return kExitOk;
    }
    if (a == "-V" || a == "--version") {
      std::cout << "tessera " << tesseraVersion() << "\n" << libraryVersions() << "\n";
      return kExitOk;
    }
    if (a == "--cache-mb") {
      if (i + 1 >= args.size()) return usageError("--cache-mb needs a value");
      bool ok = false;
      cacheMb = parseCacheMb(args[++i], ok);
      if (!ok)
        return usageError("--cache-mb: expected a whole number of MiB between 16 and 1048576");
      continue;
    }
    rest.push_back(a);
  }
  const std::size_t budget = cacheMb ? cacheMb : kDefaultCacheMb;
  if (!rest.empty()) {
    const std::string cmd = rest.front();
    const std::vector<std::string> sub(rest.begin() + 1, rest.end());
    if (cmd == "info") return runInfo(sub, budget);
    if (cmd == "render") return runRender(sub, budget);
    if (cmd == "render-embedding") return runRenderEmbedding(sub, budget);
    if (cmd == "export") return runExport(sub, budget);
    if (cmd == "markers") return runMarkers(sub, budget);
    if (cmd == "export-cells") return runExportCells(sub, budget);
    if (cmd == "fetch") return runFetch(sub);
    if (cmd == "predict") return runPredict(sub, budget);
    if (cmd == "check-cells") return runCheckCells(sub);
    if (cmd == "presign") return runPresign(sub);
    if (cmd == "measure") return runMeasure(sub, budget);
    if (cmd == "story") return runStory(sub, budget);
  }
  for (const auto& a : rest)
    if (a.size() > 1 && a[0] == '-') return usageError("unknown option " + a);
  gui.inputs = rest;
  gui.cacheMb = cacheMb;
  return -1;
}

}  // namespace tessera::app
