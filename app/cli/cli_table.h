#pragma once
/// Command-line pieces for omics tables (AnnData .h5ad, alone or linked to an image such as
/// the demo): resolving INPUT to its table, cell-id lists, CSV quoting, and the
/// `tessera export-cells` subcommand.
/// Threads: the CLI's main thread is the process's only HDF5 user while these run, so they
/// call H5adFile directly; CPU work fans out to AppContext::tilePool. Errors are one line on
/// stderr naming the file and the column, id or line at fault; exit codes as in exit_codes.h.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/anndata/h5ad_reader.h"
#include "data/error.h"

namespace tessera::app {

struct AppContext;

/// The HDF5 table behind INPUT (cellTableOf): an .h5ad or 10x .h5; a folder is refused.
data::Expected<data::H5adFile> openTable(const std::string& input, AppContext& ctx);

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
