#pragma once
/// Command-line pieces for omics tables (every table the window reads: h5ad, 10x .h5, AnnData
/// zarr, SpatialData, Space Ranger, Xenium, alone or linked to an image such as the demo):
/// resolving INPUT to its table, loading it as the window does, cell-id lists, CSV quoting, and
/// the `tessera export-cells` subcommand.
/// Threads: HDF5 runs on AppContext::hdf5Pool only (loadCliCells waits for it); CPU work fans
/// out to AppContext::tilePool. Errors are one line on stderr naming the file and the column, id
/// or line at fault; exit codes as in exit_codes.h.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/cells/cells_data.h"
#include "data/error.h"

namespace tessera::app {

struct AppContext;

/// loadCellsData for a one-off command, waiting on the CLI's main thread: the table read on
/// ctx.hdf5Pool, its engine on ctx.tilePool with `options`, no pick grids built ahead (nothing
/// picks). The other arguments are loadCellsData's.
data::Expected<std::shared_ptr<const CellsData>> loadCliCells(
    AppContext& ctx, const std::filesystem::path& table,
    const data::ExpressionEngine::Options& options, const std::string& preferredBasis = {},
    double imageWidth = 0, double imageHeight = 0, const std::string& shownElement = {});

/// Where INPUT's cell table is: the file or folder itself, or a dataset's linked table ("demo").
data::Expected<std::filesystem::path> cellTableOf(const std::string& input, AppContext& ctx);

/// Cell ids from `@file`: a JSON list (of obs names or of 0-based indices) when `json`, else
/// one obs name per line (blank lines ignored). Ids not among `names` (the obs names of the
/// table at `location`) are an error naming the id and file. Returns 0-based cell indices in
/// file order.
data::Expected<std::vector<std::int64_t>> readCellIds(const std::string& file, bool json,
                                                      const std::vector<std::string>& names,
                                                      const std::string& location);

/// RFC 4180 field: quoted when it holds a comma, quote, CR, LF or edge spaces; quotes doubled.
std::string csvField(const std::string& s);

/// `tessera export-cells INPUT [--genes A,B] [--obs C,D] [--cells @ids.txt] --out cells.csv`.
int runExportCells(const std::vector<std::string>& args, std::size_t cacheMb);

}  // namespace tessera::app
