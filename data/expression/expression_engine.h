#pragma once
/// The expression engine behind the Genes panel, the colouring of cells by gene, violins and
/// marker tables, over one AnnData .h5ad file.
///
/// Threads and ownership:
///  - The engine owns the H5adFile. HDF5 is not re-entrant, so every call on it runs as a task
///    on `hdf5`, which must run one task at a time (an app-owned ThreadPool(1) that is the
///    process's HDF5 thread); the file is closed there too. CPU work runs on `workers`.
///  - Public methods may be called from any thread (the GUI thread included) and never block
///    on I/O. Results come back through callbacks invoked on an hdf5 or worker thread; the GUI
///    marshals them home (QMetaObject::invokeMethod with a QPointer guard). Callbacks must not
///    throw and must not call back into the engine synchronously and wait.
///  - Both executors must outlive the engine's pending tasks (the app destroys pools last).
///    Destroying the engine cancels the index build and pending requests (their callbacks get
///    Errc::Cancelled or are dropped when the executors are already gone).
///
/// Gene columns: startIndexing() builds a CSC copy of X in the background (CscMatrix: nnz x 8
/// bytes, refused with a message above Options::maxIndexBytes), then sorts each column by value
/// for rank tests and computes per-gene mean and fraction expressing. Until the copy is ready a
/// gene is read from the file (CSR: a scan of every entry, served between build blocks);
/// afterwards it costs O(nnz of the gene). Marker and selection statistics wait for the copy.
/// Every request takes a std::stop_token; a stopped request reports Errc::Cancelled.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "data/anndata/h5ad_reader.h"
#include "data/error.h"
#include "data/expression/csc_matrix.h"
#include "data/expression/differential.h"
#include "data/expression/group_summary.h"

namespace tessera::data {

class Executor;

enum class IndexStage { NotStarted, Building, Sorting, Ready, Failed };

struct IndexStatus {
  IndexStage stage = IndexStage::NotStarted;
  double progress = 0;    ///< of the current stage, [0, 1]
  std::size_t bytes = 0;  ///< memory held by the CSC copy once built
  std::string error;      ///< why the copy is unavailable (Failed)
};

struct GeneStat {
  double mean = 0;
  double fracExpressing = 0;
};

class ExpressionEngine {
 public:
  struct Options {
    std::size_t maxIndexBytes = std::size_t{16} << 30;
    /// Called on the hdf5 or a worker thread whenever the status changes.
    std::function<void(const IndexStatus&)> onIndexStatus;
  };
  template <class T>
  using Callback = std::function<void(Expected<T>)>;

  ExpressionEngine(H5adFile file, Executor& hdf5, Executor& workers, Options options);
  ExpressionEngine(H5adFile file, Executor& hdf5, Executor& workers);
  ~ExpressionEngine();
  ExpressionEngine(const ExpressionEngine&) = delete;
  ExpressionEngine& operator=(const ExpressionEngine&) = delete;

  std::int64_t nCells() const;
  std::int64_t nGenes() const;
  const std::vector<std::string>& geneNames() const;
  std::optional<std::int64_t> geneIndex(const std::string& name) const;

  /// Starts the background CSC build (once; later calls do nothing).
  void startIndexing();
  IndexStatus indexStatus() const;
  /// The CSC copy once Ready, else null. Immutable; safe to read from any thread.
  std::shared_ptr<const CscMatrix> columnIndex() const;
  /// Blocks until the build ends (Ready or Failed). For the CLI, tests and benchmarks only;
  /// never on the GUI thread.
  IndexStatus waitForIndex() const;

  /// Gene `g` as one float per cell.
  void gene(std::int64_t g, std::stop_token stop, Callback<std::vector<float>> done);
  /// The column at once when the copy is ready (O(nnz of the gene)), else nullopt.
  std::optional<std::vector<float>> geneIfIndexed(std::int64_t g) const;
  /// Mean and fraction expressing of every gene, computed once with the copy.
  void geneStats(Callback<std::vector<GeneStat>> done);
  /// Per-group summaries of gene `g` over the categorical obs `column`.
  void groupSummary(const std::string& column, std::int64_t g, int bins, std::stop_token stop,
                    Callback<GroupSummaries> done);
  /// Mean and fraction inside/outside a selection (one byte per cell), for every gene.
  void selectionStats(std::vector<std::uint8_t> mask, std::stop_token stop,
                      Callback<std::vector<GeneContrast>> done);
  /// Wilcoxon markers of a selection against the rest, top `topN` by score.
  void markers(std::vector<std::uint8_t> mask, std::size_t topN, std::stop_token stop,
               Callback<std::vector<MarkerGene>> done);
  /// The selection of cells whose categorical obs `column` equals `value`.
  void groupMask(const std::string& column, const std::string& value, std::stop_token stop,
                 Callback<std::vector<std::uint8_t>> done);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tessera::data
