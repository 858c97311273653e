#include "data/cells/cells_open.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "data/anndata/zarr_anndata.h"
#include "data/cells/csv_cells.h"
#include "data/cells/matrix_cells.h"
#include "data/local_store.h"
#include "data/spatial/spatialdata_tables.h"
#include "data/spatial/visium.h"
#include "data/spatial/xenium.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

bool hdf5Magic(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char m[8] = {};
  // The superblock may sit at 0 or at 512, 1024, ... (user block); 0 and 512 cover h5ad/10x.
  for (std::streamoff off : {0, 512}) {
    in.clear();
    in.seekg(off);
    if (in.read(m, 8) && std::memcmp(m, "\x89HDF\r\n\x1a\n", 8) == 0) return true;
  }
  return false;
}

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool endsWith(const std::string& s, const char* suffix) {
  const std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::vector<CellsFormat> makeFormats() {
  std::vector<CellsFormat> f;
  f.push_back({"h5ad",
               [](const std::string& l) {
                 return fs::is_regular_file(l) && endsWith(lower(l), ".h5ad") && hdf5Magic(l) ? 90
                                                                                              : 0;
               },
               [](const std::string& l, Executor*) { return openH5adCells(l); }});
  f.push_back({"10x-h5",
               [](const std::string& l) {
                 return fs::is_regular_file(l) && endsWith(lower(l), ".h5") && hdf5Magic(l) ? 80
                                                                                            : 0;
               },
               [](const std::string& l, Executor*) { return openTenxCells(l); }});
  f.push_back({"anndata-zarr",
               [](const std::string& l) {
                 return fs::is_directory(l) && isAnnDataZarr(LocalStore(l), "") ? 90 : 0;
               },
               [](const std::string& l, Executor*) { return openAnnDataZarr(fs::path(l)); }});
  // The store opens as its first table; `<store>/tables/<name>` as that table of the store,
  // linked and placed as the store's (rather than as a bare AnnData zarr).
  f.push_back({"spatialdata", [](const std::string& l) { return spatialDataTableRef(l) ? 95 : 0; },
               [](const std::string& l, Executor*) -> Expected<CellTable> {
                 const auto ref = spatialDataTableRef(l);
                 if (!ref) return fail(Errc::NotFound, l + ": not a SpatialData table");
                 return openSpatialDataTable(ref->store, ref->name);
               }});
  f.push_back({"visium", [](const std::string& l) { return isVisiumFolder(l) ? 90 : 0; },
               [](const std::string& l, Executor*) { return openVisium(l); }});
  f.push_back({"xenium", [](const std::string& l) { return isXeniumFolder(l) ? 90 : 0; },
               [](const std::string& l, Executor* e) {
                 XeniumOptions o;
                 o.executor = e;
                 return openXenium(l, o);
               }});
  f.push_back({"csv",
               [](const std::string& l) {
                 const std::string s = lower(l);
                 if (!fs::is_regular_file(l)) return 0;
                 for (const char* e : {".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz"})
                   if (endsWith(s, e)) return 50;
                 return 0;
               },
               [](const std::string& l, Executor*) { return openCsvCells(l); }});
  return f;
}

}  // namespace

const std::vector<CellsFormat>& cellsFormats() {
  static const std::vector<CellsFormat> formats = makeFormats();
  return formats;
}

const CellsFormat* bestCellsFormat(const std::string& location) {
  const CellsFormat* best = nullptr;
  int bestScore = 0;
  for (const auto& f : cellsFormats()) {
    const int s = f.probe(location);
    if (s > bestScore) {
      bestScore = s;
      best = &f;
    }
  }
  return best;
}

Expected<CellTable> openCells(const std::string& location, Executor* executor) {
  std::error_code ec;
  if (!fs::exists(location, ec))
    return fail(Errc::NotFound, location + ": no such file or directory");
  const CellsFormat* f = bestCellsFormat(location);
  if (!f)
    return fail(Errc::Unsupported, location +
                                       ": not a cell table this build can read (h5ad, "
                                       "10x h5, AnnData zarr, Visium, Xenium, "
                                       "SpatialData, CSV/TSV)");
  return f->open(location, executor);
}

}  // namespace tessera::data
