#include "app/cli/cells_cli_options.h"

#include <cstdlib>

namespace tessera::app {

ColorBy CellsOptions::toColorBy(const CellsData& d) const {
  ColorBy by;
  if (!colorBy.empty()) {
    by.kind = d.table->geneIndex(colorBy) >= 0 ? ColorBy::Kind::Gene : ColorBy::Kind::Column;
    by.name = colorBy;
  }
  if (lut) by.lut = *lut;
  by.range = range;
  return by;
}

CellsOption parseCellsOption(const std::string& a,
                             const std::function<std::optional<std::string>()>& value,
                             CellsOptions& out) {
  if (a == "--cells" || a == "--color-by" || a == "--range" || a == "--cell-style") {
    auto v = value();
    if (!v || v->empty()) {
      out.error = a + " needs a value";
      return CellsOption::Bad;
    }
    if (a == "--cells")
      out.cells = *v;
    else if (a == "--color-by")
      out.colorBy = *v;
    else if (a == "--cell-style") {
      if (*v == "points")
        out.style = CellStyle::Points;
      else if (*v == "outlines")
        out.style = CellStyle::Outlines;
      else if (*v == "filled")
        out.style = CellStyle::Filled;
      else {
        out.error = "--cell-style expects points, outlines or filled, got '" + *v + "'";
        return CellsOption::Bad;
      }
    } else {
      const auto colon = v->find(':');
      char* e1 = nullptr;
      char* e2 = nullptr;
      const std::string lo = colon == std::string::npos ? "" : v->substr(0, colon);
      const std::string hi = colon == std::string::npos ? "" : v->substr(colon + 1);
      const double a1 = std::strtod(lo.c_str(), &e1), a2 = std::strtod(hi.c_str(), &e2);
      if (lo.empty() || hi.empty() || *e1 || *e2 || !(a2 > a1)) {
        out.error = "--range expects A:B with B > A, got '" + *v + "'";
        return CellsOption::Bad;
      }
      out.range = std::make_pair(a1, a2);
    }
    return CellsOption::Taken;
  }
  return CellsOption::NotMine;
}

}  // namespace tessera::app
