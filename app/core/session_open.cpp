#include "app/core/session_open.h"

#include <algorithm>
#include <future>

#include "app/core/app_context.h"
#include "app/core/session_display.h"
#include "data/cells/cells_open.h"
#include "data/spatial/joined_channels.h"
#include "data/spatial/resampled_source.h"
#include "render/channel_display.h"

namespace tessera::app {
namespace {

namespace fs = std::filesystem;

bool isUrl(const std::string& s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("s3://");
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += (out.empty() ? "" : "\n") + l;
  return out;
}

using Opened = std::vector<std::pair<std::string, OpenedDataset>>;  // dataset id → what opened

const OpenedDataset* openedOf(const Opened& opened, const std::string& id) {
  for (const auto& [k, v] : opened)
    if (k == id) return &v;
  return nullptr;
}

void dropDataset(data::Session& s, const std::string& id) {
  std::erase_if(s.datasets, [&](auto& d) { return d.id == id; });
  std::erase_if(s.layers, [&](auto& l) { return l.dataset == id; });
  std::erase_if(s.pairings, [&](auto& p) { return p.table == id || p.image == id; });
}

// The layers a freshly opened set of datasets shows: the first image with its channels at
// their defaults (and its labels), the first table paired with that image when it fits.
void addDefaultLayers(OpenedSession& out, const Opened& opened, AppContext& ctx) {
  auto& s = out.session;
  const std::pair<std::string, OpenedDataset>* image = nullptr;
  for (const auto& o : opened)
    if (o.second.image) {
      image = &o;
      break;
    }
  if (image) {
    const auto* d = s.dataset(image->first);
    data::SessionLayer l;
    l.id = s.freshId("image");
    l.kind = data::LayerKind::Image;
    l.dataset = image->first;
    l.name = d->name;
    l.channels = toChannelStates(render::defaultDisplays(image->second.image->info()));
    s.layers.push_back(l);
    if (image->second.labels) {
      data::SessionLayer labels;
      labels.id = s.freshId("labels");
      labels.kind = data::LayerKind::Labels;
      labels.dataset = image->first;
      labels.name = image->second.labelsName.empty() ? "labels" : image->second.labelsName;
      s.layers.push_back(labels);
    }
  }
  for (const auto& [id, ds] : opened) {
    if (!ds.cells) continue;
    const auto* d = s.dataset(id);
    if (image && id != image->first) {
      const auto& info = image->second.image->info();
      if (auto fits = checkTableFitsImage(*ds.cells, d->name, s.dataset(image->first)->name,
                                          static_cast<double>(info.width()),
                                          static_cast<double>(info.height()), ctx);
          !fits) {
        out.errors.push_back(fits.error().message);
        // A table-only dataset has nothing else to show; a bundle keeps its image.
        if (!ds.image) dropDataset(s, id);
        continue;
      }
    }
    data::SessionLayer l;
    l.id = s.freshId("cells");
    l.kind = data::LayerKind::Cells;
    l.dataset = id;
    l.name = d->name;
    s.layers.push_back(l);
    if (image) s.pairings.push_back({id, image->first, std::nullopt, ds.cellsFrame});
    break;
  }
}

// A saved session may pair a table with an image it does not fit (edited by hand, or the data
// changed since): its layer is left out with the reason rather than drawn off the image.
void refuseMisplacedTables(OpenedSession& out, const Opened& opened, AppContext& ctx) {
  auto& s = out.session;
  for (const auto& p : std::vector(s.pairings)) {
    if (p.table == p.image) continue;  // one dataset (SpatialData): placed by its own metadata
    const auto* table = openedOf(opened, p.table);
    const auto* image = openedOf(opened, p.image);
    if (!table || !image || !table->cells || !image->image) continue;
    const auto& info = image->image->info();
    auto fits = checkTableFitsImage(*table->cells, s.dataset(p.table)->name,
                                    s.dataset(p.image)->name, static_cast<double>(info.width()),
                                    static_cast<double>(info.height()), ctx, p.affine);
    if (fits) continue;
    out.errors.push_back(fits.error().message);
    dropDataset(s, p.table);
  }
}

// What the window or the CLI shows of `s`: its first image layer's image, with the channels of
// later image layers of other images (predictions) appended (shownImageLayers), the labels of
// its first labels layer (a labels dataset is placed on the image) and its first cells layer's
// table, placed as its pairing says.
void pickShown(OpenedSession& out, const Opened& opened) {
  auto& s = out.session;
  std::vector<std::shared_ptr<const data::TileSource>> extras;
  for (const auto* shownLayer : shownImageLayers(s)) {
    auto& l = *s.layer(shownLayer->id);
    const auto* ds = openedOf(opened, l.dataset);
    if (!ds || !ds->image) continue;
    if (out.shown.image) extras.push_back(ds->image);
    if (!out.shown.image) {
      out.shown.input = ds->input;
      out.shown.image = ds->image;
    }
    const auto defaults = render::defaultDisplays(ds->image->info());
    if (l.channels.size() != defaults.size()) {
      if (!l.channels.empty())
        out.errors.push_back(l.name + ": the session has " + std::to_string(l.channels.size()) +
                             " channels, the image " + std::to_string(defaults.size()) +
                             "; channel settings reset");
      l.channels = toChannelStates(defaults);
    }
  }
  const auto base = out.shown.image;
  // Labels layers from the top: the first that opens is the one the cells colour (a model run's
  // labels come with its table, on top); the others are drawn beside it.
  for (auto it = s.layers.rbegin(); it != s.layers.rend(); ++it) {
    const auto& l = *it;
    const auto* ds = openedOf(opened, l.dataset);
    const auto* d = s.dataset(l.dataset);
    if (!ds || l.kind != data::LayerKind::Labels) continue;
    // A label image of its own (a model's), else the image's labels (SpatialData, NGFF).
    const bool own = d && d->kind == data::DatasetKind::Labels && ds->image && base;
    std::shared_ptr<const data::TileSource> labels =
        own ? std::make_shared<data::ResampledSource>(
                  ds->image, base->info(), data::imagePixelsTo(base->info(), ds->image->info()))
            : ds->labels;
    if (!labels) continue;
    if (out.shown.labels) {
      out.shown.moreLabels.emplace_back(l.id, std::move(labels));
      continue;
    }
    out.shown.labels = std::move(labels);
    out.shown.labelsLayer = l.id;
    out.shown.labelsName = own ? l.name : ds->labelsName;
    if (!own) out.shown.labelColors = ds->labelColors;
  }
  for (auto& l : s.layers) {
    const auto* ds = openedOf(opened, l.dataset);
    if (!ds) continue;
    if (l.kind == data::LayerKind::Cells && ds->cells && !out.shown.cells) {
      out.shown.cells = ds->cells;
      out.shown.table = ds->table;
      out.shown.tables = ds->tables;
      const auto* p = s.pairingOf(l.dataset);
      out.shown.cellsFrame = p && !p->frame.empty() ? p->frame : ds->cellsFrame;
      out.shown.cellsAffine = p ? p->affine : std::nullopt;
      if (out.shown.input.empty()) out.shown.input = ds->input;
    }
  }
  out.shown.image = data::joinChannels(base, extras);
}

}  // namespace

data::SessionDataset datasetOfInput(const std::string& input, const OpenedDataset& opened,
                                    const data::ImageSelection& select) {
  data::SessionDataset d;
  d.kind = opened.image ? data::DatasetKind::Image : data::DatasetKind::Table;
  if (input == "demo") {
    d.builtin = "demo";
    d.name = "Demo tissue";
  } else if (isUrl(input)) {
    d.url = input;
    d.name = fs::path(input.substr(0, input.find_first_of("?#"))).filename().string();
  } else {
    d.path = fs::absolute(input).lexically_normal().string();
    fs::path p(d.path);
    d.name = (p.has_filename() ? p : p.parent_path()).filename().string();
  }
  if (d.name.empty()) d.name = input;
  d.select = select;
  d.select.listPlateFields = false;
  d.table = opened.table;
  return d;
}

data::Expected<void> checkTableFitsImage(const fs::path& table, const std::string& tableName,
                                         const std::string& imageName, double w, double h,
                                         AppContext& ctx,
                                         const std::optional<data::Affine2D>& placement) {
  if (ctx.checkHdf5Table)
    if (auto ok = ctx.checkHdf5Table(table); !ok) return std::unexpected(ok.error());
  std::promise<data::Expected<std::pair<std::int64_t, std::size_t>>> result;
  ctx.hdf5Pool.post([&] {
    auto t = data::openCells(table.string());
    if (!t) return result.set_value(std::unexpected(t.error()));
    if (placement) t->toImage = *placement;
    const auto outside = data::checkCellsInImage(*t, w, h);
    result.set_value(std::pair{outside, t->x.size()});
  });
  auto r = result.get_future().get();
  if (!r) return std::unexpected(r.error());
  const auto [outside, total] = *r;
  // A few cells on the rim are real data; most of them beyond it means another image's table.
  if (total == 0 || outside * 100 <= static_cast<std::int64_t>(total)) return {};
  return data::fail(data::Errc::InvalidArgument,
                    tableName + " does not fit on " + imageName + ": " + std::to_string(outside) +
                        " of " + std::to_string(total) + " cells lie outside its " +
                        std::to_string(static_cast<long long>(w)) + " × " +
                        std::to_string(static_cast<long long>(h)) +
                        (placement ? " pixels with the session's affine; open the table by itself"
                                   : " pixels and no affine places them on it; open the table by "
                                     "itself"));
}

data::Expected<OpenedSession> openInputsAsSession(
    const std::vector<std::string>& inputs, const data::ImageSelection& select, AppContext& ctx,
    const data::DemoProgress& progress, const std::atomic<bool>* cancel, const std::string& table) {
  OpenedSession out;
  Opened opened;
  std::optional<data::Error> first;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (cancel && cancel->load()) return data::fail(data::Errc::Cancelled, "cancelled");
    const auto sel = i == 0 ? select : data::ImageSelection{};
    auto r = openDataset(inputs[i], ctx, progress, sel, i == 0 ? table : std::string());
    if (!r) {
      if (!first) first = r.error();
      out.errors.push_back(r.error().message);
      continue;
    }
    auto d = datasetOfInput(inputs[i], *r, sel);
    d.id = out.session.freshId(r->image ? "image" : "table");
    out.session.datasets.push_back(d);
    opened.emplace_back(d.id, std::move(*r));
  }
  if (opened.empty())
    return data::fail(first ? first->code : data::Errc::InvalidArgument, joined(out.errors));
  addDefaultLayers(out, opened, ctx);
  if (out.session.datasets.empty())
    return data::fail(data::Errc::InvalidArgument, joined(out.errors));
  pickShown(out, opened);
  data::ensureAnnotationsLayer(out.session);
  return out;
}

data::Expected<OpenedSession> openSession(data::Session session, AppContext& ctx,
                                          const data::DemoProgress& progress,
                                          const std::atomic<bool>* cancel) {
  OpenedSession out;
  out.session = std::move(session);
  Opened opened;
  std::optional<data::Error> first;
  for (const auto& d : std::vector(out.session.datasets)) {
    if (cancel && cancel->load()) return data::fail(data::Errc::Cancelled, "cancelled");
    auto r = openDataset(d.location(), ctx, progress, d.select, d.table);
    if (!r) {
      if (!first) first = r.error();
      out.errors.push_back("dataset \"" + d.name + "\" did not open: " + r.error().message);
      dropDataset(out.session, d.id);
      continue;
    }
    opened.emplace_back(d.id, std::move(*r));
  }
  if (opened.empty())
    return data::fail(first ? first->code : data::Errc::InvalidArgument,
                      out.errors.empty() ? "the session lists no datasets" : joined(out.errors));
  if (out.session.layers.empty()) addDefaultLayers(out, opened, ctx);
  refuseMisplacedTables(out, opened, ctx);
  pickShown(out, opened);
  data::ensureAnnotationsLayer(out.session);
  return out;
}

data::Expected<void> imageFitsImage(const data::TileSource& added, const data::TileSource& shown,
                                    const std::string& addedName, const std::string& shownName) {
  const auto& a = added.info();
  const auto& s = shown.info();
  const auto& as = a.levels[0].shape;
  const auto& ss = s.levels[0].shape;
  if (as[data::kT] != ss[data::kT] || as[data::kZ] != ss[data::kZ])
    return data::fail(data::Errc::InvalidArgument,
                      addedName + " does not fit on " + shownName + ": it has " +
                          std::to_string(as[data::kT]) + " time points and " +
                          std::to_string(as[data::kZ]) + " z planes, " + shownName + " " +
                          std::to_string(ss[data::kT]) + " and " + std::to_string(ss[data::kZ]));
  // Where its pixels land on the shown image (by their physical size and offset): they must
  // cover some of it.
  const auto toAdded = data::imagePixelsTo(s, a);
  const auto toShown = toAdded.inverse();
  bool overlaps = false;
  if (toShown) {
    const double w = static_cast<double>(a.width()), h = static_cast<double>(a.height());
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const auto& [x, y] : {std::pair{0.0, 0.0}, {w, 0.0}, {0.0, h}, {w, h}}) {
      const double sx = toShown->mapX(x, y), sy = toShown->mapY(x, y);
      x0 = std::min(x0, sx), x1 = std::max(x1, sx), y0 = std::min(y0, sy), y1 = std::max(y1, sy);
    }
    overlaps = x1 > 0 && y1 > 0 && x0 < static_cast<double>(s.width()) &&
               y0 < static_cast<double>(s.height());
  }
  if (!overlaps)
    return data::fail(data::Errc::InvalidArgument,
                      addedName + " does not fit on " + shownName +
                          ": placed by its pixel size and offset, it lies outside the image");
  return {};
}

data::Expected<AddedDataset> openInputToAdd(const data::Session& session,
                                            const OpenedDataset& shown, const std::string& input,
                                            AppContext& ctx, const std::atomic<bool>* cancel) {
  auto r = openDataset(input, ctx);
  if (!r) return std::unexpected(r.error());
  if (cancel && cancel->load()) return data::fail(data::Errc::Cancelled, "cancelled");
  AddedDataset out;
  out.dataset = datasetOfInput(input, *r, {});
  out.dataset.id = session.freshId(r->image ? "image" : "table");
  const std::string& name = out.dataset.name;
  if (r->image && shown.image) {
    if (r->cells)
      return data::fail(data::Errc::InvalidArgument,
                        name + " brings an image and a cell table; open it with File ▸ Open");
    if (auto fits = imageFitsImage(*r->image, *shown.image, name,
                                   session.empty() ? "the image" : session.datasets.front().name);
        !fits)
      return std::unexpected(fits.error());
    // Its channels join the shown image's (pickShown), placed by its physical size.
    data::SessionLayer l;
    l.id = "image";
    l.kind = data::LayerKind::Image;
    l.name = name;
    l.channels = toChannelStates(render::defaultDisplays(r->image->info()));
    out.layers.push_back(l);
    return out;
  }
  if (!r->cells)
    return data::fail(data::Errc::InvalidArgument,
                      name + " has no cell table to add; open it with File ▸ Open instead");
  if (session.firstLayer(data::LayerKind::Cells))
    return data::fail(data::Errc::InvalidArgument,
                      name + ": a cell table is shown already; remove its layer first");
  const auto* image = session.firstLayer(data::LayerKind::Image);
  if (image && shown.image && !r->image) {
    const auto& info = shown.image->info();
    const auto* imageDs = session.dataset(image->dataset);
    if (auto fits = checkTableFitsImage(*r->cells, name, imageDs ? imageDs->name : "the image",
                                        static_cast<double>(info.width()),
                                        static_cast<double>(info.height()), ctx);
        !fits)
      return std::unexpected(fits.error());
    out.pairing = data::TablePairing{out.dataset.id, image->dataset, std::nullopt, r->cellsFrame};
  }
  data::SessionLayer l;
  l.id = "cells";
  l.kind = data::LayerKind::Cells;
  l.name = name;
  out.layers.push_back(l);
  out.cells = *r->cells;
  out.cellsFrame = r->cellsFrame;
  return out;
}

}  // namespace tessera::app
