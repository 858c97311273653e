#pragma once
/// The common cell-table model every omics reader produces (h5ad, AnnData zarr, 10x h5, Visium,
/// Xenium, SpatialData tables, CSV), so the app and the expression engine treat them alike.
/// Columnar: every per-cell quantity is one vector indexed by cell (no per-cell objects), so a
/// million cells and ten million transcripts cost a few flat arrays.
/// A CellTable is a value, filled on a worker by a reader and then read-only; share it as
/// shared_ptr<const CellTable>. Gene values come through `genes` (see GeneSource's contract).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/cells/affine.h"
#include "data/error.h"

namespace tessera::data {

enum class CellColumnKind { Categorical, Numeric, Bool, String };
const char* cellColumnKindName(CellColumnKind k);

/// One obs column. Only the vector of its kind is filled, with one entry per cell.
struct CellColumn {
  std::string name;
  CellColumnKind kind = CellColumnKind::Numeric;
  std::vector<std::int32_t> codes;      ///< Categorical: index into categories, -1 = missing
  std::vector<std::string> categories;  ///< Categorical
  std::vector<std::string> colors;      ///< Categorical: "#rrggbb" per category, or empty
  bool ordered = false;
  std::vector<double> numbers;       ///< Numeric (NaN = missing) and Bool (0/1, NaN = missing)
  std::vector<std::string> strings;  ///< String
};

/// A dense obsm entry (UMAP, PCA, spatial, ...), row-major n_cells x cols.
struct Embedding {
  std::string key;
  std::int64_t cols = 0;
  std::vector<float> values;
};

/// Per-cell polygon outlines in dataset coordinates (Xenium cell boundaries, the demo's obsm
/// `outline`): cell i owns vertices [offsets[i], offsets[i+1]); an empty range = no outline.
struct CellOutlines {
  std::vector<std::int64_t> offsets;  ///< n_cells + 1
  std::vector<float> x, y;
};

/// Transcript points (Xenium): one entry per point, gene as a code into geneNames, the cell it
/// was assigned to as a code into cellIds (-1 = unassigned: Xenium's "UNASSIGNED", -1 or "").
/// Optional per-point vectors are empty when the file lacks the column.
struct Transcripts {
  std::vector<std::string> geneNames;
  std::vector<std::uint32_t> gene;
  std::vector<float> x, y, z;  ///< dataset coordinates (µm for Xenium)
  std::vector<float> qv;       ///< Phred-scaled quality (Xenium `qv`), or empty
  std::vector<std::string> cellIds;
  std::vector<std::int32_t> cell;             ///< code into cellIds, -1 = none; or empty
  std::vector<std::uint8_t> overlapsNucleus;  ///< 0/1 (Xenium `overlaps_nucleus`), or empty
  std::size_t size() const { return gene.size(); }
  /// One byte per point: 1 when its qv >= minQv (every point passes when qv is absent). Xenium
  /// counts only transcripts with qv >= 20 in its cell-feature matrix.
  std::vector<std::uint8_t> passingQv(float minQv) const;
  /// For each point, the row of its cell in `tableCellIds` (-1 when unassigned or not there).
  std::vector<std::int32_t> cellRows(const std::vector<std::string>& tableCellIds) const;
};

/// Gene (var) columns on demand. Implementations say which thread may call them: sources backed
/// by HDF5 must be called from the HDF5 thread only; in-memory ones from any thread.
class GeneSource {
 public:
  virtual ~GeneSource() = default;
  /// Values of gene `var` for every cell, in cell order. Errc::InvalidArgument out of range.
  virtual Expected<std::vector<float>> readGene(std::int64_t var) const = 0;
  /// True when readGene may be called from any thread concurrently.
  virtual bool threadSafe() const { return false; }
};

/// A GeneSource over a CSC matrix held in memory (cells x genes); thread-safe.
class CscGeneSource final : public GeneSource {
 public:
  CscGeneSource(std::int64_t nCells, std::vector<std::int64_t> indptr,
                std::vector<std::int32_t> indices, std::vector<float> data);
  Expected<std::vector<float>> readGene(std::int64_t var) const override;
  bool threadSafe() const override { return true; }

 private:
  std::int64_t nCells_;
  std::vector<std::int64_t> indptr_;
  std::vector<std::int32_t> indices_;
  std::vector<float> data_;
};

/// How a table's expression matrix X is stored, as `tessera info` reports it.
struct MatrixSummary {
  std::string storage;  ///< "dense", "csr" (cell-major) or "csc" (gene-major)
  std::string dtype;    ///< dtypeName of the stored values ("float32", "int32", ...)
  std::int64_t rows = 0, cols = 0;
  std::int64_t nnz = 0;  ///< stored entries; rows * cols for dense
};

struct CellTable {
  std::string location;  ///< what was opened (file or folder)
  std::string
      format;  ///< "h5ad", "anndata-zarr", "10x-h5", "visium", "xenium", "spatialdata", "csv"

  std::vector<std::string> cellIds;
  std::vector<CellColumn> obs;
  /// Gene symbols as shown and searched, unique: a repeated symbol gets "-1", "-2", ... as
  /// anndata's var_names_make_unique does (10x files repeat a few symbols).
  std::vector<std::string> geneNames;
  /// Stable gene ids parallel to geneNames (Ensembl ids of 10x features), or empty.
  std::vector<std::string> geneIds;
  std::shared_ptr<const GeneSource> genes;  ///< null when the table has no expression values
  std::optional<MatrixSummary> matrix;      ///< X's layout, when the table has X
  std::vector<Embedding> embeddings;

  /// Spatial coordinates in dataset units (µm, full-res pixels, ...); empty = embedding-only.
  std::vector<double> x, y;
  std::string spatialUnit;  ///< "pixel", "micrometer", ... ("" unknown)
  /// Dataset coordinates -> pixels of the linked image's full-resolution level.
  Affine2D toImage;
  std::string affineSource;  ///< where toImage came from, e.g. "scalefactors tissue_hires_scalef"
  std::optional<double> spotRadius;  ///< in dataset units (Visium spot_diameter_fullres / 2)
  std::optional<CellOutlines> outlines;
  std::optional<Transcripts> transcripts;

  std::filesystem::path imagePath;  ///< the linked image, empty if none
  /// The element the table annotates inside a SpatialData store ("labels/cells", "images/img";
  /// "" otherwise): imagePath points at it and toImage maps into its level-0 pixels.
  std::string linkedElement;
  /// The obs column holding each cell's label value (SpatialData `instance_key`), or "".
  std::string instanceKey;
  std::vector<std::string> messages;  ///< non-fatal notes for the user (fallbacks, skipped parts)

  std::int64_t size() const { return static_cast<std::int64_t>(cellIds.size()); }
  bool hasSpatial() const { return !x.empty(); }
  /// True when the table annotates a SpatialData labels element (cells are its label regions).
  bool linkedToLabels() const { return linkedElement.starts_with("labels/"); }
  const CellColumn* column(const std::string& name) const;
  /// Index of a gene by symbol (geneNames), else by id (geneIds), or -1.
  std::int64_t geneIndex(const std::string& name) const;
  /// One gene column by name; Errc::NotFound naming the table and gene.
  Expected<std::vector<float>> readGene(const std::string& name) const;
};

/// `names` made unique the way anndata's var_names_make_unique does: later repeats of a name
/// get "-1", "-2", ... (skipping suffixes that are names already).
std::vector<std::string> makeUniqueNames(const std::vector<std::string>& names);

/// Checks invariants a reader must keep (every per-cell vector has n_cells entries, codes within
/// categories, outline offsets rising to the vertex count); Errc::Corrupt naming the table and
/// field.
Expected<void> validateCellTable(const CellTable& t);

/// Adds a note to `t.messages` when cells fall outside [0,width) x [0,height) after toImage,
/// saying how many and the first one; returns the number outside.
std::int64_t checkCellsInImage(CellTable& t, double width, double height);

/// Without spatial coordinates, notes "<location>: no spatial coordinates (<looked for>);
/// showing the embedding only".
void noteEmbeddingOnly(CellTable& t, const std::string& lookedFor);

/// A compact description: n_cells, n_genes, obs kinds/categories, embeddings, spatial affine.
nlohmann::json cellTableSummary(const CellTable& t);

}  // namespace tessera::data
