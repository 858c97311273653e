#pragma once
/// Reads 10x Genomics Cell Ranger / Space Ranger feature-barcode matrix HDF5 files
/// (`filtered_feature_bc_matrix.h5`):
///  - v3+ ("matrix" group with `features/{id,name,feature_type,genome}`), and
///  - legacy v1/v2 (one group per genome with `genes` / `gene_names`).
/// The matrix is stored CSC with features as rows and barcodes as columns, so one barcode's
/// counts cost O(its nnz) while one feature across all barcodes scans every entry (blockwise).
/// open() reads names and validates shapes; counts are read on demand. Every failure is an
/// Error naming the file and HDF5 path; nothing throws. HDF5 is not re-entrant: every call on
/// every TenxH5File must come from one thread (the app gives HDF5 its own thread).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/dtype.h"
#include "data/error.h"

namespace tessera::data {

struct TenxFeature {
  std::string id;    ///< e.g. Ensembl id
  std::string name;  ///< gene symbol
  std::string
      featureType;  ///< "Gene Expression", "Antibody Capture", ...; legacy: "Gene Expression"
  std::string genome;
};

class TenxH5File {
 public:
  /// `genome` picks the group of a legacy multi-genome file; "" takes the first one.
  static Expected<TenxH5File> open(const std::filesystem::path& path,
                                   const std::string& genome = "");
  TenxH5File(TenxH5File&&) noexcept;
  TenxH5File& operator=(TenxH5File&&) noexcept;
  ~TenxH5File();

  const std::filesystem::path& path() const;
  /// "v3" or "legacy".
  const std::string& version() const;
  /// Legacy: the genome groups in the file; v3: the distinct `features/genome` values.
  const std::vector<std::string>& genomes() const;
  std::int64_t nBarcodes() const;
  std::int64_t nFeatures() const;
  std::int64_t nnz() const;
  /// Type of the stored counts (`data`), int32 in Cell Ranger's files.
  DType dataType() const;
  const std::vector<std::string>& barcodes() const;
  const std::vector<TenxFeature>& features() const;

  /// Counts of one barcode (cell/spot) for every feature: O(nnz of that barcode).
  Expected<std::vector<float>> readBarcode(std::int64_t barcode) const;
  /// Counts of one feature across every barcode: scans all entries (O(nnz)).
  Expected<std::vector<float>> readFeature(std::int64_t feature) const;
  /// By feature id first, then by name (first match).
  Expected<std::vector<float>> readFeature(const std::string& idOrName) const;

  /// {path, format: "10x-h5", version, n_barcodes, n_features, nnz, genomes, feature_types}.
  nlohmann::json summary() const;

  struct Impl;

 private:
  explicit TenxH5File(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::data
