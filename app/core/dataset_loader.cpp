#include "app/core/dataset_loader.h"

#include <future>

#include "app/core/app_context.h"
#include "data/anndata/h5ad_reader.h"
#include "data/arrays/built_pyramid.h"
#include "data/cells/cells_open.h"
#include "data/image_open.h"
#include "data/plain/plain_image_source.h"
#include "data/remote/download.h"
#include "data/remote/remote_context.h"
#include "data/spatial/resampled_source.h"
#include "data/spatial/spatialdata_tables.h"
#include "data/spatial/visium.h"
#include "data/spatial/xenium.h"
#include "data/thread_pool.h"

namespace tessera::app {
namespace {
// HDF5 (Debian's build is not thread-safe) is only ever called on AppContext::hdf5Pool.
// The caller is a job-pool worker or the CLI's main thread, never that pool, so waiting here
// cannot deadlock.
template <class F>
auto onHdf5Thread(AppContext& ctx, F&& fn) -> decltype(fn()) {
  std::promise<decltype(fn())> result;
  ctx.hdf5Pool.post([&] { result.set_value(fn()); });
  return result.get_future().get();
}

// Opens and closes the table on the HDF5 thread, so a broken file is reported at open time
// (h5ad by its reader alone; other single-file tables, 10x h5 and CSV, read whole).
data::Expected<void> validateTable(AppContext& ctx, const std::filesystem::path& path) {
  if (ctx.checkHdf5Table)
    if (auto ok = ctx.checkHdf5Table(path); !ok) return std::unexpected(ok.error());
  return onHdf5Thread(ctx, [&]() -> data::Expected<void> {
    if (path.extension() == ".h5ad") {
      auto table = data::H5adFile::open(path);
      if (!table) return std::unexpected(table.error());
    } else if (auto table = data::openCells(path.string()); !table) {
      return std::unexpected(table.error());
    }
    return {};
  });
}

// A label image that does not open is a warning on the image, not a failure of the dataset.
void attachLabels(OpenedDataset& out) {
  const auto& info = out.image->info();
  if (info.labelImages.empty()) return;
  const auto& first = info.labelImages.front();
  auto labels = data::openImage(info.source + "/" + first.path);
  if (!labels) return;
  out.labels = std::move(*labels);
  out.labelColors = first.colors;
}

// A SpatialData store: its table `table` (the first when "") is the linked cell table (placed on
// the shown image by loadCellsData) and, when that table annotates a labels element, those
// labels are shown in the image's pixel grid so that each cell's region can take its colour.
// Every table is listed (from metadata) for the window's table picker.
void attachSpatialData(OpenedDataset& out, const std::string& dir, const std::string& table) {
  out.tables = data::spatialDataTableInfos(dir);
  if (out.tables.empty()) return;
  out.table = table;
  out.cells = data::spatialDataTableLocation(dir, table);
  const auto& info = out.image->info();
  const std::string shown = info.seriesIndex < info.series.size()
                                ? info.series[info.seriesIndex]
                                : data::spatialDataFirstImage(dir);
  out.cellsFrame = shown;
  const std::string element = data::spatialDataTableElement(dir, table);
  if (!element.starts_with("labels/")) return;
  auto labels = data::openImage((std::filesystem::path(dir) / element).string());
  auto toLabels = data::spatialDataPixelsToPixels(dir, shown, element);
  if (!labels || !toLabels) return;
  out.labelsName = std::filesystem::path(element).filename().string();
  out.labelColors.clear();
  if (data::isIdentity(*toLabels))
    out.labels = std::move(*labels);
  else
    out.labels = std::make_shared<data::ResampledSource>(std::move(*labels), info, *toLabels);
}

bool isUrl(const std::string& s) {
  return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0 || s.rfind("s3://", 0) == 0;
}
}  // namespace

data::Expected<OpenedDataset> openDataset(const std::string& input, AppContext& ctx,
                                          const data::DemoProgress& progress,
                                          const data::ImageSelection& select,
                                          const std::string& table) {
  OpenedDataset out;
  out.input = input;
  if (!table.empty()) {
    // Only a SpatialData store holds named tables; say which table of which store is missing.
    std::error_code ec;
    if (input == "demo" || isUrl(input) || !std::filesystem::is_directory(input, ec) ||
        !data::isSpatialData(input))
      return data::fail(data::Errc::InvalidArgument,
                        input + ": table \"" + table +
                            "\" asked for, but only a SpatialData store has named tables");
    if (auto known = data::checkSpatialDataTable(input, table); !known)
      return std::unexpected(known.error());
  }
  if (input == "demo") {
    // The demo's table is written with HDF5, so generation runs on the HDF5 thread.
    auto demo = onHdf5Thread(ctx, [&] {
      return data::ensureDemoDataset(data::defaultCacheDir(), ctx.tilePool, progress);
    });
    if (!demo) return std::unexpected(demo.error());
    auto image = data::openImage(demo->image.string(), select);
    if (!image) return std::unexpected(image.error());
    out.image = std::move(*image);
    out.cells = demo->cells;
    return out;
  }
  if (isUrl(input)) {
    data::ensureDefaultRemoteContext();
    // s3://bucket/key is addressed (and signed) with the environment's AWS profile.
    auto http = data::remoteHttpUrl(input);
    if (!http) return std::unexpected(http.error());
    const std::string path = http->substr(0, http->find_first_of("?#"));
    if (path.ends_with(".h5ad")) {
      // HDF5 cannot read over HTTP: tables are downloaded (with resume) into the cache first.
      auto rc = data::remoteContext();
      if (!rc) return std::unexpected(rc.error());
      data::ThreadPool one(1);
      const auto dir = data::defaultCacheDir() / "downloads" / data::sha256Hex(input).substr(0, 16);
      auto file = data::Download::start(rc->client, one, *http, dir)->wait();
      if (!file) return std::unexpected(file.error());
      if (auto ok = validateTable(ctx, *file); !ok) return std::unexpected(ok.error());
      out.cells = *file;
      return out;
    }
    auto image = data::openImage(*http, select);
    if (!image) return std::unexpected(image.error());
    out.image = std::move(*image);
    attachLabels(out);
    return out;
  }
  std::error_code ec;
  if (!std::filesystem::exists(input, ec))
    return data::fail(data::Errc::NotFound, input + ": no such file or directory");
  if (data::isVisiumFolder(input)) {
    // A Space Ranger folder: its hires image (the lowres one when hires is blank), with the
    // spots (placed on it by that image's scale factor) linked as the cell table.
    auto shown = data::visiumImage(input);
    if (!shown) return std::unexpected(shown.error());
    if (!shown->path.empty()) {
      auto image = data::openImage(shown->path.string());
      if (!image) return std::unexpected(image.error());
      out.image = std::move(*image);
    }
    out.cells = input;
    return out;
  }
  if (data::isXeniumFolder(input)) {
    // A Xenium output folder: its morphology image, with the cells (and, loaded by the window
    // in the background, the transcripts) linked to it.
    const auto morphology = data::findXeniumMorphology(input);
    if (!morphology.empty()) {
      auto image = data::openImage(morphology.string());
      if (!image) return std::unexpected(image.error());
      out.image = std::move(*image);
    }
    out.cells = input;
    return out;
  }
  if (std::filesystem::path(input).extension() == ".h5ad") {
    if (!select.empty())
      return data::fail(data::Errc::InvalidArgument,
                        input + ": a cell table has no image series, wells or fields to pick");
    // Validate now so that a broken table is reported when it is opened, not later.
    if (auto ok = validateTable(ctx, input); !ok) return std::unexpected(ok.error());
    out.cells = input;
    return out;
  }
  auto image = data::openImage(input, select);
  if (!image && data::bestCellsFormat(input)) {
    // Not an image but a cell table. Folders (Xenium, AnnData zarr) are recognised by their
    // metadata; a single file (10x h5, CSV) is read now, so a file that is neither an image nor
    // a table fails here with the table reader's message.
    if (std::filesystem::is_regular_file(input, ec))
      if (auto ok = validateTable(ctx, input); !ok) return std::unexpected(ok.error());
    out.cells = input;
    if (const auto ref = data::spatialDataTableRef(input); ref && ref->name.empty()) {
      // A store of tables without images.
      out.tables = data::spatialDataTableInfos(input);
      out.table = table;
      out.cells = data::spatialDataTableLocation(input, table);
    }
    return out;
  }
  if (!image) return std::unexpected(image.error());
  // Big plain images come with their coarse levels computed on demand; building the pyramid
  // in the background makes later pans and zooms as cheap as in any other pyramid.
  if (auto plain = std::dynamic_pointer_cast<data::PlainImageSource>(*image))
    plain->buildPyramid(ctx.tilePool);
  if (auto built = std::dynamic_pointer_cast<data::BuiltPyramidSource>(*image))
    built->buildPyramid(ctx.tilePool);
  out.image = std::move(*image);
  attachLabels(out);
  if (std::filesystem::is_directory(input, ec) && data::isSpatialData(input))
    attachSpatialData(out, input, table);
  return out;
}

nlohmann::json describeDataset(const OpenedDataset& dataset, AppContext& ctx) {
  nlohmann::json j = dataset.image ? data::imageInfoToJson(dataset.image->info())
                                   : nlohmann::json{{"kind", "table"}};
  // A store (not one of its tables, `<store>/tables/<name>`, described as a table).
  const auto ref = data::spatialDataTableRef(dataset.input);
  const bool spatialData = ref && ref->name.empty();
  if (dataset.cells && !spatialData) {
    nlohmann::json cells{{"path", dataset.cells->string()}};
    // h5ad keeps its detailed summary (X storage, layers, raw); other tables (Visium, Xenium,
    // zarr, CSV) are described through the common cell-table model with their affine.
    auto summary = onHdf5Thread(ctx, [&]() -> data::Expected<nlohmann::json> {
      if (dataset.cells->extension() == ".h5ad") {
        auto table = data::H5adFile::open(*dataset.cells);
        if (!table) return std::unexpected(table.error());
        return table->summary();
      }
      auto table = data::openCells(dataset.cells->string());
      if (!table) return std::unexpected(table.error());
      return data::cellTableSummary(*table);
    });
    if (summary)
      cells.update(*summary);
    else
      cells["error"] = summary.error().message;
    if (!dataset.image) {
      cells["kind"] = "table";
      return cells;
    }
    j["cells"] = cells;
  }
  // A SpatialData store opens as its first image; its tables are listed with their links.
  if (spatialData) {
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& name : data::spatialDataTables(dataset.input)) {
      auto t = data::openSpatialDataTable(dataset.input, name);
      if (!t) {
        tables[name] = {{"error", t.error().message}};
        continue;
      }
      tables[name] = data::cellTableSummary(*t);
      if (!t->linkedElement.empty()) tables[name]["region"] = t->linkedElement;
      if (!t->instanceKey.empty()) tables[name]["instance_key"] = t->instanceKey;
    }
    j["tables"] = tables;
    // The store's labels elements join the image's own NGFF labels, each with the coordinate
    // systems it is placed in.
    nlohmann::json labels = j.value("labels", nlohmann::json::array());
    nlohmann::json elements = nlohmann::json::object();
    for (const char* kind : {"images", "labels"})
      for (const auto& name : data::spatialDataElements(dataset.input, kind)) {
        const std::string el = std::string(kind) + "/" + name;
        elements[el] = {
            {"coordinate_systems", data::spatialDataCoordinateSystems(dataset.input, el)}};
        if (std::string(kind) == "labels" &&
            std::find(labels.begin(), labels.end(), name) == labels.end())
          labels.push_back(name);
      }
    j["labels"] = labels;
    j["elements"] = elements;
  }
  return j;
}

}  // namespace tessera::app
