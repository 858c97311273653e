#pragma once
/// Reads AnnData .h5ad files written by anndata 0.5 to 0.11 through the HDF5 C API:
///  - 0.8+ encodings (encoding-type/-version on every element; categorical, string-array,
///    nullable-integer/-boolean/-string-array columns; csr/csc/dense X);
///  - 0.7 dataframes (dataframe 0.1.0: categorical codes with a `categories` object reference
///    to `<df>/__categories/<col>`);
///  - pre-0.7 legacy files (compound `obs`/`var`/`obsm` datasets, categories in
///    `uns/<col>_categories`, h5sparse `raw.X`).
/// open() reads only metadata (names, column kinds, categories, shapes); values are read on
/// demand. Every failure is an Error naming the file and the HDF5 path; nothing throws.
/// HDF5 is not re-entrant: every call on every H5adFile must come from one thread (the app
/// gives HDF5 its own thread). Objects are movable, not copyable.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/anndata/h5ad_writer.h"
#include "data/dtype.h"
#include "data/error.h"

namespace tessera::data {

enum class ColumnKind {
  Categorical,
  Numeric,
  Bool,
  String,
  NullableInteger,
  NullableBool,
  NullableString,
  Unsupported,  ///< e.g. a nested dataframe or an unknown encoding; listed, not readable
};
const char* columnKindName(ColumnKind k);

struct ColumnInfo {
  std::string name;
  ColumnKind kind = ColumnKind::Unsupported;
  std::optional<DType> dtype;           ///< values (numeric/bool/nullable) or codes (categorical)
  std::vector<std::string> categories;  ///< categorical only
  bool ordered = false;
  std::vector<std::string> colors;  ///< uns/<name>_colors when it has one entry per category
  std::string encoding;             ///< e.g. "categorical 0.2.0", "0.7 categorical", "compound"
};

enum class MatrixEncoding { Dense, Csr, Csc };
const char* matrixEncodingName(MatrixEncoding e);

struct MatrixInfo {
  MatrixEncoding encoding = MatrixEncoding::Dense;
  DType dtype = DType::F32;
  std::int64_t rows = 0, cols = 0;
  std::int64_t nnz = 0;  ///< stored entries; rows*cols for dense
};

struct ObsmInfo {
  std::string key;
  std::int64_t rows = 0, cols = 0;
  std::string encoding;   ///< "array", "csr_matrix", "dataframe", "compound field", ...
  bool readable = false;  ///< readObsm() works (dense numeric 1-d or 2-d)
};

/// What scanpy/squidpy keep under `uns/spatial/<library>` and Tessera under `uns/tessera_image`
/// (the first library only; absent pieces stay empty).
struct H5adUnsSpatial {
  std::optional<std::string> library;
  std::optional<double> hiresScale;    ///< scalefactors/tissue_hires_scalef
  std::optional<double> lowresScale;   ///< scalefactors/tissue_lowres_scalef
  std::optional<double> spotDiameter;  ///< scalefactors/spot_diameter_fullres (full-res px)
  std::optional<std::string> image;    ///< uns/tessera_image, relative to the file
};

class H5adFile {
 public:
  static Expected<H5adFile> open(const std::filesystem::path& path);
  H5adFile(H5adFile&&) noexcept;
  H5adFile& operator=(H5adFile&&) noexcept;
  ~H5adFile();

  const std::filesystem::path& path() const;
  /// "0.8+", "0.7" or "legacy" (pre-0.7 compound dataframes).
  const std::string& layout() const;
  std::int64_t nObs() const;
  std::int64_t nVars() const;
  const std::vector<std::string>& obsNames() const;
  /// Moves the obs names out (a million of them take ~30 ms to copy); obsNames() is empty
  /// afterwards, nObs() unchanged.
  std::vector<std::string> takeObsNames();
  const std::vector<std::string>& varNames() const;
  const std::vector<ColumnInfo>& obsColumns() const;
  const std::vector<ColumnInfo>& varColumns() const;
  const ColumnInfo* obsColumn(const std::string& name) const;

  /// Categorical codes (-1 = missing) of an obs column.
  Expected<std::vector<std::int32_t>> readObsCodes(const std::string& name) const;
  /// Numeric, bool (0/1), nullable (NaN where masked) or categorical (code) obs values.
  Expected<std::vector<double>> readObsNumbers(const std::string& name) const;
  /// String obs values; categorical columns give their labels ("" where missing).
  Expected<std::vector<std::string>> readObsStrings(const std::string& name) const;

  /// String var values (e.g. scanpy's `gene_ids`); categorical columns give their labels.
  Expected<std::vector<std::string>> readVarStrings(const std::string& name) const;

  const std::vector<ObsmInfo>& obsm() const;
  /// A dense obsm entry as row-major doubles (n_obs x cols; a 1-d entry gives cols = 1).
  Expected<DenseMatrix> readObsm(const std::string& key) const;

  /// X's layout, or nullopt when the file has no X (allowed since anndata 0.8).
  const std::optional<MatrixInfo>& X() const;
  /// Column `var` of X as n_obs floats. CSC: reads only that gene's entries (O(nnz of the
  /// gene)). CSR: scans every stored entry (O(nnz of X), blockwise) because CSR has no column
  /// index; dense: one strided column read.
  Expected<std::vector<float>> readGene(std::int64_t var) const;
  /// Looks `name` up in var names first.
  Expected<std::vector<float>> readGene(const std::string& name) const;

  bool hasRawX() const;
  bool hasRawVar() const;
  const std::vector<std::string>& layers() const;
  const std::vector<std::string>& unsKeys() const;

  /// The Visium scale factors and linked image under uns (not kept by open()).
  H5adUnsSpatial unsSpatial() const;

  /// What `tessera info file.h5ad --json` prints: n_obs, n_vars, X, obs/var columns with
  /// kinds, obsm keys with shapes, uns keys, layers, raw, and `spatial` {affine, source}: obsm
  /// spatial (full-resolution pixels) to the hires image's pixels when uns/spatial has
  /// scale factors, else the identity; null without obsm spatial.
  nlohmann::json summary() const;

  struct Impl;

 private:
  static Expected<H5adFile> openChecked(const std::filesystem::path& path);
  explicit H5adFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::data
