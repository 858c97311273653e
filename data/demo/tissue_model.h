#pragma once
/// The demo's synthetic tissue section as geometry: tissue outline, glands, lymphoid follicles,
/// vessels and ~60k cells (seed, clip ellipse, nucleus, marker levels, 16-vertex outline).
/// A cell is the Voronoi region of its seed clipped to the cell's own ellipse, so pixel
/// ownership (geometryAt) and the stored outline describe exactly the same shape.
/// build() is deterministic for a given config; a built model is immutable and thread-safe.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera::data::demo {

enum class CellType : std::uint8_t {
  Epithelial,
  BasalEpithelial,
  TCell,
  BCell,
  Macrophage,
  Fibroblast,
  Endothelial,
  SmoothMuscle,
};
inline constexpr int kCellTypeCount = 8;
const char* cellTypeName(CellType type);
const char* cellTypeColor(CellType type);  ///< "#rrggbb"
bool isImmune(CellType type);
bool isEpithelial(CellType type);

enum class Region : std::uint8_t { Stroma, Gland, Follicle, Vessel, LaminaPropria };
inline constexpr int kRegionCount = 5;
const char* regionName(Region region);

struct DemoConfig {
  std::uint64_t seed = 0x7E55E4A2024ull;
  int width = 8192;
  int height = 8192;
  double pixelSizeUm = 0.5;
};

/// All positions and lengths are level-0 pixels; pixel (i, j) covers [i, i+1) x [j, j+1).
struct Cell {
  float x = 0, y = 0;    ///< seed; the cell is star-shaped around it
  float cx = 0, cy = 0;  ///< centroid of the outline polygon
  CellType type = CellType::Fibroblast;
  Region region = Region::Stroma;
  float clipA = 8, clipB = 8;      ///< clip ellipse semi-axes (A along the cell axis)
  float axisCos = 1, axisSin = 0;  ///< cell axis direction
  float nucX = 0, nucY = 0, nucA = 4, nucB = 4, nucCos = 1, nucSin = 0;
  float area = 0;  ///< outline polygon area, px^2
  // Per-cell latents: they scale both the painted marker channels and the linked genes.
  float dapi = 1;      ///< DNA content / nuclear brightness
  float membrane = 1;  ///< Na-K-ATPase (ATP1A1)
  float cd45 = 0;      ///< CD45 (PTPRC)
  float panck = 0;     ///< pan-cytokeratin (KRT8/KRT18/EPCAM)
  float state = 0;     ///< 0..1 position along the type's continuum (e.g. basal -> luminal)
  bool proliferating = false;
  std::uint8_t subtype = 0;         ///< e.g. 0 = CD4, 1 = CD8 for T cells
  std::array<float, 32> outline{};  ///< 16 vertices x0,y0,x1,y1,... by increasing angle
};

struct Gland {
  double x = 0, y = 0, radius = 0;
  std::array<double, 4> harmAmp{}, harmPhase{};  ///< shape harmonics k = 2..5
  double wall = 36;                              ///< epithelium thickness
  bool solid = false;                            ///< a nest of cells without a lumen
  double radiusAt(double angle) const;
};

struct Vessel {
  double x = 0, y = 0;
  double a = 10, b = 10, cosA = 1, sinA = 0;  ///< lumen ellipse
  bool artery = false;                        ///< has a smooth-muscle coat and elastic lamina
};

struct Follicle {
  double x = 0, y = 0, radius = 0;
};

/// What a pixel sees: the nearest seed and whether the pixel lies inside that cell.
struct PixelGeometry {
  int cell = -1;          ///< nearest seed within reach, or -1
  bool inside = false;    ///< pixel belongs to `cell`
  float boundary = 1e9f;  ///< distance to the nearest cell boundary (px, >= 0)
};

class TissueModel {
 public:
  static TissueModel build(const DemoConfig& config);

  const DemoConfig& config() const { return config_; }
  const std::vector<Cell>& cells() const { return cells_; }
  const std::vector<Gland>& glands() const { return glands_; }
  const std::vector<Vessel>& vessels() const { return vessels_; }
  const std::vector<Follicle>& follicles() const { return follicles_; }

  /// Signed distance-like tissue field in px: > 0 inside the section.
  float tissue(double x, double y) const { return sample(tissue_, x, y); }
  /// Extracellular-matrix autofluorescence strength, 0..1.
  float matrix(double x, double y) const { return sample(matrix_, x, y); }
  /// Mild illumination falloff, about 0.9..1.05.
  float illumination(double x, double y) const { return sample(illum_, x, y); }
  /// Local fibre direction (unit vector) for stroma texture and fibroblast alignment.
  std::array<float, 2> fibreDirection(double x, double y) const;

  /// Seeds whose cells may cover pixels of bucket (bx, by): its own and the 8 neighbours.
  static constexpr int kBucket = 32;
  int bucketsX() const { return bucketsX_; }
  int bucketsY() const { return bucketsY_; }
  std::span<const int> bucketSeeds(int bx, int by) const;
  /// Geometry at point (x, y) given the candidate seeds of its 3x3 bucket neighbourhood.
  PixelGeometry geometryAt(double x, double y, std::span<const int> candidates) const;
  PixelGeometry geometryAt(double x, double y) const;
  /// Cell owning point (x, y), or -1 for extracellular space.
  int ownerAt(double x, double y) const;

  // Coarse fields (one value every kFieldStep px, bilinear) used by layout and painting.
  static constexpr int kFieldStep = 32;
  struct Field {
    int nx = 0, ny = 0;
    std::vector<float> v;
  };

 private:
  friend struct ModelBuilder;
  float sample(const Field& f, double x, double y) const;

  DemoConfig config_;
  Field tissue_, matrix_, illum_, fibreCos_, fibreSin_;
  std::vector<Gland> glands_;
  std::vector<Vessel> vessels_;
  std::vector<Follicle> follicles_;
  std::vector<Cell> cells_;
  int bucketsX_ = 0, bucketsY_ = 0;
  std::vector<int> bucketStart_;  ///< CSR over buckets of the seeds lying in each bucket
  std::vector<int> bucketItems_;
  std::vector<int> nbStart_;  ///< CSR over buckets of the 3x3-neighbourhood seed lists
  std::vector<int> nbItems_;
};

}  // namespace tessera::data::demo
