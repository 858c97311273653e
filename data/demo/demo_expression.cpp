#include "data/demo/demo_expression.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "data/demo/demo_parallel.h"
#include "data/demo/demo_random.h"

namespace tessera::data::demo {
namespace {

using T = CellType;

/// Which per-cell latent scales a gene on top of its cluster mean.
enum class Link : std::uint8_t {
  None,
  Cd45,
  PanCK,
  Membrane,
  Prolif,
  Cd4,
  Cd8,
  M2,
  StateUp,
  StateDown
};

struct GeneSpec {
  std::string symbol;
  std::array<float, kCellTypeCount> mean{};
  Link link = Link::None;
};

constexpr float kFloor = 0.04f;  // ambient / leaky expression outside a gene's clusters

GeneSpec marker(const char* symbol, Link link, std::initializer_list<std::pair<T, float>> means) {
  GeneSpec g{symbol, {}, link};
  g.mean.fill(kFloor);
  for (const auto& [type, mean] : means)
    g.mean[static_cast<int>(type)] = mean;
  return g;
}

std::vector<GeneSpec> buildPanel() {
  std::vector<GeneSpec> p;
  const T E = T::Epithelial, Ba = T::BasalEpithelial, Tc = T::TCell, Bc = T::BCell,
          Ma = T::Macrophage, Fi = T::Fibroblast, En = T::Endothelial, Sm = T::SmoothMuscle;
  // Pan-immune, T, B, myeloid.
  p.push_back(marker("PTPRC", Link::Cd45, {{Tc, 7}, {Bc, 7.5}, {Ma, 5}}));
  for (const char* s : {"CD3E", "CD3D", "CD3G", "CD2", "CD5", "CD7", "TRAC", "LCK", "CD247"})
    p.push_back(marker(s, Link::None, {{Tc, 3.5}}));
  p.push_back(marker("IL7R", Link::StateDown, {{Tc, 2.5}}));
  p.push_back(marker("CCR7", Link::StateDown, {{Tc, 1.8}, {Bc, 0.8}}));
  p.push_back(marker("SELL", Link::StateDown, {{Tc, 1.5}, {Bc, 0.6}}));
  p.push_back(marker("CD4", Link::Cd4, {{Tc, 3}, {Ma, 0.8}}));
  p.push_back(marker("CD8A", Link::Cd8, {{Tc, 4}}));
  p.push_back(marker("CD8B", Link::Cd8, {{Tc, 3}}));
  for (const char* s : {"GZMB", "GZMK", "NKG7", "PRF1", "CCL5"})
    p.push_back(marker(s, Link::Cd8, {{Tc, 2.2}}));
  for (const char* s : {"FOXP3", "CTLA4", "PDCD1", "TIGIT", "ICOS"})
    p.push_back(marker(s, Link::StateUp, {{Tc, 0.7}}));
  for (const char* s : {"MS4A1", "CD19", "CD79A", "CD79B", "PAX5", "CD22", "BANK1"})
    p.push_back(marker(s, Link::None, {{Bc, 3.5}}));
  for (const char* s : {"BCL6", "AICDA", "RGS13", "MEF2B", "LMO2"})
    p.push_back(marker(s, Link::StateUp, {{Bc, 1.8}}));
  for (const char* s : {"IGHM", "IGHD", "FCER2", "CR2"})
    p.push_back(marker(s, Link::StateDown, {{Bc, 2.5}}));
  for (const char* s : {"JCHAIN", "MZB1", "XBP1", "PRDM1", "SDC1"})
    p.push_back(marker(s, Link::None, {{Bc, 0.6}}));
  p.push_back(marker("CD74", Link::None, {{Bc, 8}, {Ma, 7}, {En, 1}, {E, 0.6}}));
  p.push_back(marker("HLA-DRA", Link::None, {{Bc, 6}, {Ma, 6}, {En, 0.8}}));
  for (const char* s :
       {"CD68", "CSF1R", "LYZ", "CD14", "FCGR3A", "ITGAM", "TYROBP", "FCER1G", "AIF1"})
    p.push_back(marker(s, Link::None, {{Ma, 3}}));
  for (const char* s : {"CD163", "MRC1", "C1QA", "C1QB", "C1QC", "APOE", "MARCO", "F13A1"})
    p.push_back(marker(s, Link::M2, {{Ma, 2.6}}));
  for (const char* s : {"SPP1", "TREM2", "IL1B", "CXCL8", "TNF"})
    p.push_back(marker(s, Link::StateUp, {{Ma, 1.2}}));
  // Epithelium: keratins follow the PanCK latent; differentiation follows state.
  for (const char* s : {"KRT8", "KRT18", "EPCAM"})
    p.push_back(marker(s, Link::PanCK, {{E, 7}, {Ba, 2.5}}));
  for (const char* s : {"KRT19", "CDH1", "CLDN4", "CLDN7", "ELF3", "KRT7", "CLDN3"})
    p.push_back(marker(s, Link::None, {{E, 3}, {Ba, 1.5}}));
  for (const char* s : {"MUC1", "AGR2", "TFF3", "CEACAM5", "SPINK1", "LGALS4", "PIGR", "MUC2"})
    p.push_back(marker(s, Link::StateUp, {{E, 2.5}}));
  for (const char* s : {"KRT5", "KRT14", "KRT17", "TP63", "KRT15", "COL17A1", "S100A2", "LAMB3"})
    p.push_back(marker(s, Link::None, {{Ba, 3.5}, {E, 0.15}}));
  for (const char* s : {"SOX9", "LGR5", "OLFM4", "ASCL2"})
    p.push_back(marker(s, Link::StateDown, {{E, 0.8}, {Ba, 1.2}}));
  // Stroma, vessels, muscle.
  for (const char* s : {"COL1A1", "COL1A2", "COL3A1", "DCN", "LUM", "PDGFRA", "FBLN1", "SFRP2",
                        "MMP2", "COL6A1", "THY1"})
    p.push_back(marker(s, Link::StateDown, {{Fi, 4}, {Sm, 0.6}}));
  for (const char* s : {"FAP", "POSTN", "PDGFRB", "CXCL12", "IGFBP7"})
    p.push_back(marker(s, Link::None, {{Fi, 2}, {Sm, 1}, {En, 0.5}}));
  p.push_back(marker("VIM", Link::None, {{Fi, 8}, {En, 5}, {Sm, 4}, {Ma, 4}, {Tc, 2}, {Bc, 1.5}}));
  for (const char* s : {"PECAM1", "VWF", "CDH5", "CLDN5", "KDR", "FLT1", "EMCN", "ENG", "PLVAP",
                        "RAMP2", "EGFL7", "ACKR1"})
    p.push_back(marker(s, Link::None, {{En, 3}}));
  for (const char* s : {"ACTA2", "TAGLN"})
    p.push_back(marker(s, Link::StateUp, {{Sm, 9}, {Fi, 1.5}}));
  for (const char* s : {"MYH11", "DES", "CNN1", "MYLK", "ACTG2", "LMOD1", "SMTN", "PLN"})
    p.push_back(marker(s, Link::None, {{Sm, 3}}));
  // Membrane pump, proliferation.
  p.push_back(
      marker("ATP1A1", Link::Membrane,
             {{E, 4}, {Ba, 3}, {Tc, 1.2}, {Bc, 1.2}, {Ma, 1.5}, {Fi, 1.2}, {En, 1.6}, {Sm, 1.6}}));
  p.push_back(marker("ATP1B1", Link::Membrane, {{E, 3}, {Ba, 2}, {Fi, 0.6}, {En, 0.8}}));
  for (const char* s :
       {"MKI67", "TOP2A", "CENPF", "PCNA", "MCM2", "TYMS", "BIRC5", "CCNB1", "UBE2C", "STMN1"}) {
    GeneSpec g = marker(s, Link::Prolif, {});
    g.mean.fill(2.5f);
    p.push_back(g);
  }
  // Housekeeping: expressed everywhere, scaled by cell size only.
  const std::pair<const char*, float> house[] = {
      {"ACTB", 9},     {"GAPDH", 6},  {"B2M", 8},     {"RPLP0", 5}, {"RPL13A", 4},
      {"EEF1A1", 7},   {"TPT1", 4},   {"MALAT1", 10}, {"UBC", 2},   {"PPIA", 2.5},
      {"HSP90AB1", 2}, {"TMSB4X", 6}, {"FTL", 4},     {"FTH1", 4},  {"HLA-A", 3},
      {"HLA-B", 3.5},  {"PSAP", 2},   {"RPS27A", 3},  {"TMSB10", 3}};
  for (const auto& [s, m] : house) {
    GeneSpec g{s, {}, Link::None};
    g.mean.fill(m);
    p.push_back(g);
  }
  // Other genes of typical targeted panels: low, with a mild preference for one cluster.
  const char* others[] = {
      "EGFR",   "ERBB2",  "ESR1",    "PGR",      "AR",       "FOXA1",    "GATA3",  "SOX2",
      "MYC",    "CCND1",  "CDKN2A",  "TP53",     "PTEN",     "VEGFA",    "HIF1A",  "SPARC",
      "TGFB1",  "IL6",    "CXCL13",  "CCL19",    "CCL21",    "CCL2",     "IFNG",   "IL10",
      "CD274",  "IDO1",   "LAG3",    "HAVCR2",   "CD40",     "CD80",     "CD86",   "ITGAX",
      "CLEC9A", "XCR1",   "CD1C",    "IRF8",     "IRF4",     "TNFRSF17", "KIT",    "TPSAB1",
      "CPA3",   "MS4A2",  "CD34",    "PROM1",    "ALDH1A1",  "AXIN2",    "CTNNB1", "NOTCH1",
      "HES1",   "DLL4",   "JAG1",    "WNT5A",    "BMP4",     "SHH",      "FGF2",   "FGFR1",
      "IGF1",   "TIMP1",  "MMP9",    "MMP7",     "SERPINE1", "PLAU",     "LYVE1",  "PROX1",
      "PDPN",   "NES",    "S100B",   "PLP1",     "NGFR",     "CHGA",     "SYP",    "ENO2",
      "CALB2",  "MSLN",   "WT1",     "UPK1B",    "HBB",      "HBA1",     "CD36",   "FABP4",
      "ADIPOQ", "LEP",    "PPARG",   "CEBPA",    "SPI1",     "RUNX3",    "TBX21",  "EOMES",
      "GNLY",   "KLRD1",  "NCAM1",   "FCGR3B",   "CSF3R",    "S100A8",   "S100A9", "MPO",
      "ELANE",  "CLEC4C", "LILRA4",  "IL3RA",    "CD69",     "ITGAE",    "CXCR4",  "CXCR5",
      "CCR6",   "IL2RA",  "TNFRSF4", "TNFRSF18", "BTLA",     "CD27",     "CD38",   "NT5E",
      "ENTPD1"};
  Rng r(0x6E4E5ull);
  for (const char* s : others) {
    GeneSpec g{s, {}, Link::None};
    const float base = float(std::clamp(r.logNormal(0.06, 0.7), 0.01, 0.4));
    g.mean.fill(base);
    if (r.chance(0.6)) g.mean[r.below(kCellTypeCount)] = float(base * r.uniform(5, 15));
    p.push_back(g);
  }
  return p;
}

const std::vector<GeneSpec>& panel() {
  static const std::vector<GeneSpec> p = buildPanel();
  return p;
}

double linkFactor(Link link, const Cell& c) {
  switch (link) {
    case Link::None:
      return 1.0;
    case Link::Cd45:
      return c.cd45 / (c.type == CellType::Macrophage ? 0.75 : 1.0);
    case Link::PanCK:
      return c.panck / (c.type == CellType::BasalEpithelial ? 0.55 : 1.0);
    case Link::Membrane:
      return c.membrane / (isEpithelial(c.type) ? 1.3 : 0.7);
    case Link::Prolif:
      return c.proliferating ? 1.0 : 0.02;
    case Link::Cd4:
      return c.type == CellType::TCell ? (c.subtype == 0 ? 1.0 : 0.05) : 1.0;
    case Link::Cd8:
      return c.type == CellType::TCell ? (c.subtype == 1 ? 1.0 : 0.05) * (0.4 + 1.2 * c.state)
                                       : 1.0;
    case Link::M2:
      return c.type == CellType::Macrophage ? (c.subtype == 1 ? 1.6 : 0.3) : 1.0;
    case Link::StateUp:
      return 0.15 + 1.7 * c.state;
    case Link::StateDown:
      return 1.85 - 1.7 * c.state;
  }
  return 1.0;
}

}  // namespace

int ExpressionMatrix::geneIndex(const std::string& symbol) const {
  const auto it = std::find(genes.begin(), genes.end(), symbol);
  return it == genes.end() ? -1 : int(it - genes.begin());
}

const std::vector<std::string>& demoGenes() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const GeneSpec& g : panel())
      n.push_back(g.symbol);
    return n;
  }();
  return names;
}

ExpressionMatrix simulateExpression(const TissueModel& model, Executor* executor,
                                    const std::function<bool(double)>& poll) {
  const auto& cells = model.cells();
  const auto& genes = panel();
  const int n = int(cells.size());
  std::array<double, kCellTypeCount> meanArea{}, count{};
  for (const Cell& c : cells) {
    meanArea[int(c.type)] += c.area;
    count[int(c.type)] += 1;
  }
  for (int t = 0; t < kCellTypeCount; ++t)
    meanArea[t] = count[t] > 0 ? meanArea[t] / count[t] : 1;

  constexpr int kBlock = 2048;
  const int blocks = (n + kBlock - 1) / kBlock;
  struct Block {
    std::vector<std::int32_t> nnz, indices;
    std::vector<float> data;
  };
  std::vector<Block> out(blocks);
  const std::uint64_t seed = hashMix(model.config().seed, 0xE4E5);
  const bool ok = parallelFor(
      executor, blocks,
      [&](int b) {
        Block& blk = out[b];
        for (int i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
          const Cell& c = cells[i];
          Rng r(hashMix(seed, std::uint64_t(i)));
          // Library size follows cell size, with technical variation on top.
          const double size = std::sqrt(c.area / meanArea[int(c.type)]) * r.logNormal(1.0, 0.3);
          std::int32_t nnz = 0;
          for (int g = 0; g < int(genes.size()); ++g) {
            const double mu = genes[g].mean[int(c.type)] * size * linkFactor(genes[g].link, c);
            const int k = r.negBinomial(mu, 2.5);
            if (k > 0) {
              blk.indices.push_back(g);
              blk.data.push_back(float(k));
              ++nnz;
            }
          }
          blk.nnz.push_back(nnz);
        }
      },
      [&](int done) { return !poll || poll(double(done) / blocks); });
  ExpressionMatrix m;
  if (!ok) return m;
  m.genes = demoGenes();
  m.rows = n;
  m.indptr.reserve(n + 1);
  m.indptr.push_back(0);
  for (Block& blk : out) {
    std::size_t pos = 0;
    for (std::int32_t nnz : blk.nnz) {
      float total = 0;
      for (std::int32_t k = 0; k < nnz; ++k)
        total += blk.data[pos + k];
      m.totalCounts.push_back(total);
      m.genesDetected.push_back(nnz);
      pos += nnz;
      m.indptr.push_back(m.indptr.back() + nnz);
    }
    m.indices.insert(m.indices.end(), blk.indices.begin(), blk.indices.end());
    m.data.insert(m.data.end(), blk.data.begin(), blk.data.end());
  }
  return m;
}

}  // namespace tessera::data::demo
