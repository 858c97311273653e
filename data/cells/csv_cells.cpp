#include "data/cells/csv_cells.h"

#include <fstream>

#include "data/spatial/gzip_lines.h"

namespace tessera::data {

Expected<CellTable> openCsvCells(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  const std::string ext = path.extension().string();
  if (ext == ".gz") {
    auto l = readGzipLines(path);
    if (!l) return std::unexpected(l.error());
    lines = std::move(*l);
  } else {
    std::ifstream in(path);
    if (!in) return fail(Errc::NotFound, path.string() + ": cannot read");
    for (std::string s; std::getline(in, s);)
      lines.push_back(std::move(s));
  }
  const std::string stem = ext == ".gz" ? path.stem().extension().string() : ext;
  const char sep = (stem == ".tsv" || stem == ".txt") ? '\t' : ',';
  if (lines.empty()) return fail(Errc::Corrupt, path.string() + ": empty (no header)");
  const auto header = splitCsvLine(lines[0], sep);
  if (header.size() < 3)
    return fail(Errc::Corrupt, path.string() + ": header needs a cell id, x and y column");
  CellTable t;
  t.location = path.string();
  t.format = "csv";
  t.geneNames.assign(header.begin() + 3, header.end());
  const std::size_t g = t.geneNames.size();
  std::vector<float> values;
  for (std::size_t r = 1; r < lines.size(); ++r) {
    if (lines[r].empty() || lines[r] == "\r") continue;
    const auto f = splitCsvLine(lines[r], sep);
    if (f.size() != header.size())
      return fail(Errc::Corrupt, path.string() + ": line " + std::to_string(r + 1) + " has " +
                                     std::to_string(f.size()) + " fields, header has " +
                                     std::to_string(header.size()));
    double x, y;
    if (!parseFloat(f[1], x) || !parseFloat(f[2], y))
      return fail(Errc::Corrupt, path.string() + ": line " + std::to_string(r + 1) + ", " +
                                     header[1] + "/" + header[2] + ": not a number");
    t.cellIds.push_back(f[0]);
    t.x.push_back(x);
    t.y.push_back(y);
    for (std::size_t k = 0; k < g; ++k) {
      double v;
      if (!parseFloat(f[3 + k], v))
        return fail(Errc::Corrupt, path.string() + ": line " + std::to_string(r + 1) + ", " +
                                       header[3 + k] + ": \"" + f[3 + k] + "\" is not a number");
      values.push_back(static_cast<float>(v));
    }
  }
  // Row-major cells x genes into CSC, so a gene column is a contiguous run.
  const std::size_t n = t.cellIds.size();
  std::vector<std::int64_t> ptr(g + 1, 0);
  std::vector<std::int32_t> rows;
  std::vector<float> data;
  for (std::size_t k = 0; k < g; ++k) {
    for (std::size_t i = 0; i < n; ++i)
      if (values[i * g + k] != 0) {
        rows.push_back(static_cast<std::int32_t>(i));
        data.push_back(values[i * g + k]);
      }
    ptr[k + 1] = static_cast<std::int64_t>(rows.size());
  }
  // Kept as read: a dense table of numbers, one column per gene.
  t.matrix = MatrixSummary{"dense", "float32", static_cast<std::int64_t>(n),
                           static_cast<std::int64_t>(g), static_cast<std::int64_t>(n * g)};
  t.genes = std::make_shared<CscGeneSource>(static_cast<std::int64_t>(n), std::move(ptr),
                                            std::move(rows), std::move(data));
  t.spatialUnit = "pixel";
  t.affineSource = "identity (CSV x/y are image pixels)";
  return t;
}

}  // namespace tessera::data
