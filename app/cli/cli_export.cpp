#include "app/cli/cli_export.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "app/cli/cli_common.h"
#include "app/cli/exit_codes.h"
#include "app/core/app_context.h"
#include "app/core/dataset_loader.h"
#include "data/export/region_export.h"

namespace tessera::app {
namespace {

int usageError(const std::string& message) {
  return commandUsageError("export", message);
}

}  // namespace

int runExport(const std::vector<std::string>& args, std::size_t cacheMb) {
  std::string input, out;
  data::ImageSelection select;
  data::RegionExportRequest req;
  bool haveRegion = false;
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
    } else if (a == "--out") {
      auto v = value();
      if (!v || v->empty()) return usageError("--out needs a file name");
      out = *v;
    } else if (a == "--region") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 4 || nums[0] < 0 || nums[1] < 0 ||
          nums[2] < 1 || nums[3] < 1)
        return usageError("--region expects x,y,w,h in pixels of the level, x, y >= 0, w, h > 0");
      req.x = nums[0];
      req.y = nums[1];
      req.width = nums[2];
      req.height = nums[3];
      haveRegion = true;
    } else if (a == "--level" || a == "--t" || a == "--z") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.size() != 1 || nums[0] < 0 || nums[0] > 1'000'000)
        return usageError(a + " expects a non-negative index");
      if (a == "--level")
        req.level = static_cast<int>(nums[0]);
      else
        (a == "--t" ? req.t : req.z) = nums[0];
    } else if (a == "--channels") {
      auto v = value();
      if (!v || !parseInts(*v, ',', nums) || nums.empty())
        return usageError("--channels expects channel indices i,j,... counted from 0");
      req.channels.clear();
      for (auto c : nums) {
        if (c < 0)
          return usageError("--channels: " + std::to_string(c) + " is not a channel index");
        req.channels.push_back(c);
      }
    } else if (a == "--compression") {
      auto v = value();
      if (v && *v == "deflate")
        req.tiff.compression = data::TiffCompression::Deflate;
      else if (v && *v == "none")
        req.tiff.compression = data::TiffCompression::None;
      else
        return usageError("--compression expects deflate or none");
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + a);
    } else if (input.empty()) {
      input = a;
    } else {
      return usageError("only one INPUT is accepted");
    }
  }
  if (input.empty()) return usageError("INPUT is required");
  if (!haveRegion) return usageError("--region x,y,w,h is required");
  if (out.empty()) return usageError("--out FILE.ome.tif is required");

  AppContext ctx(cacheMb);
  auto ds = openDataset(input, ctx, {}, select);
  if (!ds) {
    std::cerr << "tessera: " << ds.error().message << "\n";
    return exitCodeFor(ds.error());
  }
  if (!ds->image) return usageError(input + ": has no image to export");
  if (auto v = data::validateRegionExport(ds->image->info(), req); !v)
    return usageError(input + ": " + v.error().message);

  const bool tty = ::isatty(STDERR_FILENO);
  int lastPct = -1;
  auto progress = [&](double f) {
    const int pct = static_cast<int>(f * 100);
    if (!tty || pct == lastPct) return;
    lastPct = pct;
    std::fprintf(stderr, "\rExporting: %3d%%", pct);
    if (pct >= 100) std::fprintf(stderr, "\n");
  };
  auto result = data::exportRegion(*ds->image, req, out, &ctx.tilePool, {}, progress);
  if (!result) {
    std::cerr << "tessera: " << result.error().message << "\n";
    return exitCodeFor(result.error());
  }
  std::cerr << "tessera: wrote " << out << " (" << result->width << "x" << result->height << ", "
            << result->channels << " channel" << (result->channels == 1 ? "" : "s") << ", "
            << data::dtypeName(result->dtype) << ", level " << req.level
            << (result->bigTiff ? ", BigTIFF" : "") << ")\n";
  return kExitOk;
}

}  // namespace tessera::app
