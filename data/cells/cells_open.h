#pragma once
/// Opening a cell table by location through a registry of readers, like image_open.h: each
/// format's probe rates how sure it is (0 = cannot open) by peeking at names and metadata only;
/// openCells uses the most confident. Formats: h5ad, 10x HDF5, AnnData zarr (v2/v3), Visium
/// folder, Xenium folder, SpatialData (the store: its first table; `<store>/tables/<name>`: that
/// table), CSV/TSV cell table.
/// Thread-safety: the registry is immutable. openCells blocks; HDF5-backed tables (h5ad, 10x,
/// Visium, Xenium) must be opened and read on the HDF5 thread. `executor` (optional) parses
/// Xenium transcripts in parallel.
/// Errors: Errc::NotFound "<path>: no such file or directory", Errc::Unsupported naming the
/// location when no reader accepts it, else the reader's error (file + field).
#include <functional>
#include <string>
#include <vector>

#include "data/cells/cell_table.h"
#include "data/executor.h"

namespace tessera::data {

struct CellsFormat {
  std::string name;
  std::function<int(const std::string& location)> probe;
  std::function<Expected<CellTable>(const std::string& location, Executor* executor)> open;
};

const std::vector<CellsFormat>& cellsFormats();
const CellsFormat* bestCellsFormat(const std::string& location);
Expected<CellTable> openCells(const std::string& location, Executor* executor = nullptr);

}  // namespace tessera::data
