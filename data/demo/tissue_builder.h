#pragma once
/// Internal steps of TissueModel::build, split across tissue_layout.cpp (fields and tissue
/// features) and tissue_cells.cpp (seeds, cell shapes, latents, outlines). Single-threaded;
/// every random draw comes from a stream derived from the config seed, so the order of the
/// steps below fully determines the model.
#include <cstdint>
#include <vector>

#include "data/demo/demo_random.h"
#include "data/demo/tissue_model.h"

namespace tessera::data::demo {

struct ModelBuilder {
  ModelBuilder(TissueModel& model, std::uint64_t s) : m(model), seed(s) {}
  TissueModel& m;
  std::uint64_t seed;

  /// Streams for independent parts of the layout (changing one part leaves the others alone).
  enum Stream : std::uint64_t { kFields = 1, kGlands, kFollicles, kVessels, kSeeds, kLatents };
  Rng rng(Stream s) const { return Rng(hashMix(seed, s)); }
  std::uint64_t noiseSeed(std::uint64_t k) const { return hash3(seed, 0xF1E1D, k); }

  // tissue_layout.cpp
  void buildFields();  ///< tissue outline and illumination
  void placeFeatures();
  void finishFields();  ///< matrix density and fibre direction, which depend on the features
  /// Feature lookup on a coarse grid: glands, follicles and vessels near a point.
  void indexFeatures();
  int glandAt(double x, double y, double margin) const;  ///< -1 if none within margin
  int vesselAt(double x, double y, double margin) const;
  int follicleAt(double x, double y) const;
  /// > 0 in the epithelial (mucosa-like) zone, the upper-left part of the section.
  double epiZone(double x, double y) const;
  /// 0..1 density of scattered immune infiltrate in the stroma.
  double infiltrate(double x, double y) const;

  // tissue_cells.cpp
  void placeSeeds();
  void shapeCells();
  void buildBuckets();
  void computeOutlines();

  static constexpr int kFeatureCell = 256;
  int featNx = 0, featNy = 0;
  std::vector<std::vector<int>> featGlands, featVessels, featFollicles;
};

}  // namespace tessera::data::demo
