#include "app/cli/cli_story.h"

#include <QGuiApplication>
#include <filesystem>
#include <iostream>

#include "app/cells/story_pages.h"
#include "app/cli/cli_common.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/demo_story.h"
#include "app/core/session_open.h"
#include "data/session/session_file.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("story", message);
}

}  // namespace

int runStory(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out, saveSession;
  int width = 1600, height = 1000;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    const bool hasValue = i + 1 < args.size();
    std::vector<long long> nums;
    if (a == "--out" || a == "--save-session") {
      if (!hasValue) return usageError(a + " needs a file name");
      (a == "--out" ? out : saveSession) = args[++i];
    } else if (a == "--size") {
      if (!hasValue || !parseInts(args[++i], 'x', nums) || nums.size() != 2 || nums[0] < 16 ||
          nums[1] < 16 || nums[0] > 4096 || nums[1] > 4096)
        return usageError("--size expects WxH, each 16..4096, e.g. 1600x1000");
      width = static_cast<int>(nums[0]);
      height = static_cast<int>(nums[1]);
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one SESSION is accepted");
    }
  }
  if (input.empty()) return usageError("SESSION (a .tessera file, or demo) is required");
  if (out.empty() && saveSession.empty()) return usageError("--out HANDOUT.pdf is required");
  if (!saveSession.empty() && !data::isSessionFile(saveSession))
    return usageError("--save-session needs a file name ending in .tessera");
  const bool demo = input == "demo";
  if (!demo && !data::isSessionFile(input))
    return usageError(input + ": not a session file (.tessera); a story is a session's waypoints");
  auto story = demo ? demoStory() : data::readSessionFile(input);
  if (!story) return reportError(story.error());
  if (story->waypoints.empty())
    return usageError(input + ": the session has no waypoints (add them in the Story panel)");
  if (!saveSession.empty()) {
    if (auto w = data::writeSessionFile(*story, saveSession); !w) return reportError(w.error());
    std::cerr << "tessera: wrote " << saveSession << "\n";
    if (out.empty()) return kExitOk;
  }
  if (!ensureDisplay("story", args)) return kExitInternal;

  // Fonts and the PDF writer need a GUI application; the frames render through VTK as
  // `tessera render` does.
  static int argc = 1;
  static char name[] = "tessera";
  static char* argv[] = {name, nullptr};
  QGuiApplication app(argc, argv);
  AppContext ctx(cacheMb);
  auto opened = openSession(*story, ctx);
  if (!opened) return reportError(opened.error());
  for (const auto& e : opened->errors)
    std::cerr << "tessera: " << e << "\n";
  const auto& session = opened->session;
  const auto& shown = opened->shown;
  if (!shown.image) return usageError(input + " has no image to draw");
  std::shared_ptr<const CellsData> cells;
  if (shown.cells && session.firstLayer(data::LayerKind::Cells)) {
    const auto& info = shown.image->info();
    const auto* pairing = session.pairingOf(session.firstLayer(data::LayerKind::Cells)->dataset);
    auto loaded = loadCellsForRender(
        *shown.cells, shown.cellsFrame, static_cast<double>(info.width()),
        static_cast<double>(info.height()), ctx, pairing ? pairing->affine : std::nullopt);
    if (!loaded) return reportError(loaded.error());
    cells = *loaded;
  }
  const QString title = demo ? QString::fromUtf8(kDemoStoryTitle)
                             : QString::fromStdString(std::filesystem::path(input).stem().string());
  auto writer = HandoutWriter::open(QString::fromStdString(out), title);
  if (!writer) return reportError(writer.error());
  const int count = static_cast<int>(session.waypoints.size());
  for (int i = 0; i < count; ++i) {
    auto prepared = prepareStoryPage(session, static_cast<std::size_t>(i), cells);
    if (!prepared) return reportError(prepared.error());
    for (const auto& n : prepared->notes)
      std::cerr << "tessera: note: " << input << ": " << n << "\n";
    auto page =
        renderStoryPage(std::move(*prepared), shown.image, shown.labels, ctx, width, height);
    if (!page) return reportError(page.error());
    (*writer)->addPage(*page, i + 1, count);
  }
  if (auto f = (*writer)->finish(); !f) return reportError(f.error());
  const int pages = (*writer)->pages();
  std::cerr << "tessera: wrote " << out << " (" << count
            << (count == 1 ? " waypoint, " : " waypoints, ") << pages
            << (pages == 1 ? " page)" : " pages)") << "\n";
  return kExitOk;
}

}  // namespace tessera::app
