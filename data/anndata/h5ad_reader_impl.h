#pragma once
/// Internal state of H5adFile shared by h5ad_reader.cpp (open, summary), h5ad_frame.cpp
/// (dataframes in all three layouts) and h5ad_matrix.cpp (X and obsm). Not a public API.
/// Same threading rule as H5adFile: one thread.
#include <optional>
#include <string>
#include <vector>

#include "data/anndata/h5ad_reader.h"
#include "data/anndata/hdf5_read.h"

namespace tessera::data {
namespace h5ad {

/// Where a column's values live.
struct ColumnSource {
  enum class Layout {
    Dataset,      ///< a plain dataset (numeric, bool enum or strings)
    Categorical,  ///< 0.8+ group with codes + categories
    CodesOnly,    ///< 0.7 codes dataset / legacy compound codes; categories already in info
    Nullable,     ///< 0.8+ group with values + mask
    Compound,     ///< a field of a legacy compound dataset
    None,         ///< unsupported: nothing to read
  };
  Layout layout = Layout::None;
  std::string path;   ///< HDF5 path of the dataset or group
  std::string field;  ///< compound field name, or codes dataset for Layout::Categorical
};

struct DataFrame {
  std::vector<std::string> index;
  std::vector<ColumnInfo> columns;
  std::vector<ColumnSource> sources;
};

struct ObsmSource {
  std::string path;
  std::string field;  ///< legacy compound obsm field, else empty
};

}  // namespace h5ad

struct H5adFile::Impl {
  std::filesystem::path path;
  std::string name;    ///< path as a string, for messages
  std::string layout;  ///< "0.8+", "0.7", "legacy"
  h5::Handle file;
  h5ad::DataFrame obs, var;
  std::int64_t nObs = 0;  ///< obs.index.size() as read (the names may be taken)
  std::vector<ObsmInfo> obsm;
  std::vector<h5ad::ObsmSource> obsmSources;
  std::optional<MatrixInfo> x;
  std::string xPath = "X";
  bool rawX = false, rawVar = false;
  std::vector<std::string> layers, unsKeys;
  /// X's indptr, loaded and validated on first sparse gene read.
  mutable std::optional<std::vector<std::int64_t>> indptr;

  std::string where(const std::string& hdf5Path) const { return name + ":/" + hdf5Path; }
};

namespace h5ad {

/// Reads the dataframe at `path` (group or legacy compound dataset), attaching colours from
/// uns/<col>_colors. Errc::Corrupt when a column's length differs from the index.
Expected<DataFrame> readDataFrame(const H5adFile::Impl& f, const std::string& path);

/// Column readers behind H5adFile::readObs*; errors name the column's HDF5 path.
Expected<std::vector<std::int32_t>> readCodes(const H5adFile::Impl& f, const ColumnInfo& info,
                                              const ColumnSource& src);
Expected<std::vector<double>> readColumnNumbers(const H5adFile::Impl& f, const ColumnInfo& info,
                                                const ColumnSource& src);
Expected<std::vector<std::string>> readColumnStrings(const H5adFile::Impl& f,
                                                     const ColumnInfo& info,
                                                     const ColumnSource& src);

/// X's layout at `path` (dense dataset, csr/csc group or legacy h5sparse group).
Expected<std::optional<MatrixInfo>> readMatrixInfo(const H5adFile::Impl& f,
                                                   const std::string& path);
Expected<void> readObsmInfo(H5adFile::Impl& f);
Expected<std::vector<float>> readGeneColumn(const H5adFile::Impl& f, std::int64_t var);
Expected<DenseMatrix> readObsmMatrix(const H5adFile::Impl& f, const std::string& key);

}  // namespace h5ad
}  // namespace tessera::data
