#include "data/spatial/visium.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include <opencv2/core.hpp>

#include "data/cells/matrix_cells.h"
#include "data/plain/image_file_decode.h"
#include "data/plain/plain_image_source.h"
#include "data/spatial/gzip_lines.h"

namespace tessera::data {
namespace {

namespace fs = std::filesystem;

fs::path positionsFile(const fs::path& dir) {
  for (const char* n : {"spatial/tissue_positions.csv", "spatial/tissue_positions_list.csv"})
    if (fs::exists(dir / n)) return dir / n;
  return {};
}

fs::path matrixFile(const fs::path& dir) {
  for (const char* n : {"filtered_feature_bc_matrix.h5", "raw_feature_bc_matrix.h5"})
    if (fs::exists(dir / n)) return dir / n;
  return {};
}

struct Spot {
  int inTissue = 0, arrayRow = 0, arrayCol = 0;
  double pxlRow = 0, pxlCol = 0;
};

Expected<std::unordered_map<std::string, Spot>> readPositions(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return fail(Errc::Io, p.string() + ": cannot read");
  std::unordered_map<std::string, Spot> spots;
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty() || line == "\r") continue;
    const auto f = splitCsvLine(line);
    if (lineNo == 1 && !f.empty() && f[0] == "barcode") continue;  // Space Ranger 2+ header
    if (f.size() < 6)
      return fail(Errc::Corrupt, p.string() + ": line " + std::to_string(lineNo) + " has " +
                                     std::to_string(f.size()) + " fields, expected 6");
    double v[5];
    static const char* const kNames[] = {"in_tissue", "array_row", "array_col",
                                         "pxl_row_in_fullres", "pxl_col_in_fullres"};
    for (int k = 0; k < 5; ++k)
      if (!parseFloat(f[k + 1], v[k]))
        return fail(Errc::Corrupt, p.string() + ": line " + std::to_string(lineNo) + ", " +
                                       kNames[k] + ": \"" + f[k + 1] + "\" is not a number");
    spots[f[0]] = {int(v[0]), int(v[1]), int(v[2]), v[3], v[4]};
  }
  return spots;
}

Expected<nlohmann::json> readScaleFactors(const fs::path& sf) {
  std::ifstream in(sf);
  if (!in) return fail(Errc::NotFound, sf.string() + ": no such file");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::Corrupt, sf.string() + ": not a JSON object");
  return j;
}

// Space Ranger's features.tsv(.gz) (genes.tsv before Cell Ranger 3) beside the matrix: id, then
// symbol, tab-separated. Used when the h5 carries ids only (its `name` repeats the id).
std::unordered_map<std::string, std::string> featureSymbols(const fs::path& dir) {
  std::unordered_map<std::string, std::string> out;
  for (const char* folder : {"filtered_feature_bc_matrix", "raw_feature_bc_matrix"})
    for (const char* name : {"features.tsv.gz", "features.tsv", "genes.tsv"}) {
      const fs::path p = dir / folder / name;
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) continue;
      std::vector<std::string> lines;
      if (p.extension() == ".gz") {
        auto l = readGzipLines(p);
        if (!l) continue;
        lines = std::move(*l);
      } else {
        std::ifstream in(p);
        for (std::string l; std::getline(in, l);)
          lines.push_back(std::move(l));
      }
      for (const auto& l : lines) {
        const auto f = splitCsvLine(l, '\t');
        if (f.size() >= 2 && !f[1].empty()) out.emplace(f[0], f[1]);
      }
      return out;
    }
  return out;
}

}  // namespace

bool isBlankImage(const fs::path& image) {
  const auto decoded = decodeImageFile(image.string(), plainImageKind(image.string()));
  if (!decoded) return false;  // unreadable is reported by whoever opens it, not called blank
  const cv::Mat& m = *decoded;
  std::vector<cv::Mat> planes;
  cv::split(m, planes);
  for (const auto& p : planes) {
    double lo = 0, hi = 0;
    cv::minMaxLoc(p, &lo, &hi);
    if (lo != hi) return false;
  }
  return true;
}

Expected<VisiumImage> visiumImage(const fs::path& dir) {
  const fs::path sf = dir / "spatial/scalefactors_json.json";
  auto j = readScaleFactors(sf);
  if (!j) return std::unexpected(j.error());
  auto num = [&](const char* k) -> std::optional<double> {
    if (!j->contains(k) || !(*j)[k].is_number()) return std::nullopt;
    return (*j)[k].get<double>();
  };
  const auto hires = num("tissue_hires_scalef"), lowres = num("tissue_lowres_scalef");
  const fs::path hiresPng = dir / "spatial/tissue_hires_image.png";
  const fs::path lowresPng = dir / "spatial/tissue_lowres_image.png";
  std::error_code ec;
  const bool haveHires = hires && fs::exists(hiresPng, ec);
  const bool haveLowres = lowres && fs::exists(lowresPng, ec);
  VisiumImage out;
  // Some exports (scanpy's test data among them) ship a hires PNG of one flat colour; the
  // lowres image then is the only picture of the tissue.
  if (haveHires && haveLowres && isBlankImage(hiresPng)) {
    out.path = lowresPng;
    out.toImage = Affine2D::scale(*lowres, *lowres);
    out.affineSource = "scalefactors_json.json tissue_lowres_scalef";
    out.note = hiresPng.string() +
               ": blank (one colour); showing tissue_lowres_image.png with tissue_lowres_scalef";
  } else if (haveHires) {
    out.path = hiresPng;
    out.toImage = Affine2D::scale(*hires, *hires);
    out.affineSource = "scalefactors_json.json tissue_hires_scalef";
  } else if (haveLowres) {
    out.path = lowresPng;
    out.toImage = Affine2D::scale(*lowres, *lowres);
    out.affineSource = "scalefactors_json.json tissue_lowres_scalef";
  } else if (!hires) {
    return fail(Errc::Corrupt,
                sf.string() + ": \"tissue_hires_scalef\" is missing or not a number");
  } else {
    out.toImage = Affine2D::scale(*hires, *hires);
    out.affineSource = "scalefactors_json.json tissue_hires_scalef";
    out.note = dir.string() + ": no tissue image in spatial/";
  }
  if (auto d = num("spot_diameter_fullres")) out.spotRadius = *d / 2;
  return out;
}

Expected<std::pair<std::int64_t, std::int64_t>> pngSize(const fs::path& png) {
  std::ifstream in(png, std::ios::binary);
  unsigned char h[24] = {};
  if (!in.read(reinterpret_cast<char*>(h), 24) || h[1] != 'P' || h[2] != 'N' || h[3] != 'G' ||
      h[12] != 'I' || h[13] != 'H')
    return fail(Errc::Corrupt, png.string() + ": not a PNG (no IHDR)");
  auto be = [&](int o) {
    return std::int64_t(h[o]) << 24 | std::int64_t(h[o + 1]) << 16 | std::int64_t(h[o + 2]) << 8 |
           std::int64_t(h[o + 3]);
  };
  return std::pair{be(16), be(20)};
}

bool isVisiumFolder(const fs::path& dir) {
  return fs::is_directory(dir) && !positionsFile(dir).empty() &&
         fs::exists(dir / "spatial/scalefactors_json.json");
}

Expected<CellTable> openVisium(const fs::path& dir) {
  if (!fs::is_directory(dir)) return fail(Errc::NotFound, dir.string() + ": no such directory");
  const fs::path mtx = matrixFile(dir);
  if (mtx.empty())
    return fail(Errc::NotFound,
                (dir / "filtered_feature_bc_matrix.h5").string() + ": no such file");
  auto t = openTenxCells(mtx);
  if (!t) return std::unexpected(t.error());
  t->location = dir.string();
  t->format = "visium";
  t->messages.clear();
  // Genes by symbol: the h5's names, else features.tsv's when the h5 repeats the ids there.
  const auto symbols = featureSymbols(dir);
  if (!symbols.empty() && t->geneNames.size() == t->geneIds.size()) {
    std::vector<std::string> names(t->geneIds.size());
    bool changed = false;
    for (std::size_t i = 0; i < names.size(); ++i) {
      names[i] = t->geneNames[i];
      const auto it = symbols.find(t->geneIds[i]);
      if (it != symbols.end() && t->geneNames[i] == t->geneIds[i] && it->second != t->geneIds[i]) {
        names[i] = it->second;
        changed = true;
      }
    }
    if (changed) t->geneNames = makeUniqueNames(names);
  }

  const fs::path pos = positionsFile(dir);
  if (pos.empty()) {
    noteEmbeddingOnly(*t, "no spatial/tissue_positions.csv or tissue_positions_list.csv");
    return t;
  }
  auto spots = readPositions(pos);
  if (!spots) return std::unexpected(spots.error());
  const std::size_t n = t->cellIds.size();
  t->x.resize(n);
  t->y.resize(n);
  CellColumn inTissue, row, col;
  inTissue.name = "in_tissue";
  inTissue.kind = CellColumnKind::Bool;
  row.name = "array_row";
  col.name = "array_col";
  for (std::size_t i = 0; i < n; ++i) {
    auto it = spots->find(t->cellIds[i]);
    if (it == spots->end())
      return fail(Errc::Corrupt, pos.string() + ": barcode \"" + t->cellIds[i] + "\" of " +
                                     mtx.filename().string() + " has no position");
    t->x[i] = it->second.pxlCol;
    t->y[i] = it->second.pxlRow;
    inTissue.numbers.push_back(it->second.inTissue);
    row.numbers.push_back(it->second.arrayRow);
    col.numbers.push_back(it->second.arrayCol);
  }
  t->obs.push_back(std::move(inTissue));
  t->obs.push_back(std::move(row));
  t->obs.push_back(std::move(col));
  t->spatialUnit = "pixel";

  auto image = visiumImage(dir);
  if (!image) return std::unexpected(image.error());
  t->toImage = image->toImage;
  t->affineSource = image->affineSource;
  t->imagePath = image->path;
  t->spotRadius = image->spotRadius;
  if (!image->note.empty()) t->messages.push_back(image->note);
  if (!t->imagePath.empty()) {
    auto size = pngSize(t->imagePath);
    if (!size) return std::unexpected(size.error());
    checkCellsInImage(*t, double(size->first), double(size->second));
  }
  if (auto ok = validateCellTable(*t); !ok) return std::unexpected(ok.error());
  return t;
}

}  // namespace tessera::data
