#pragma once
/// The one expression engine behind the window (colouring by gene, the Genes panel's means,
/// the profile violins, the hovered cell's top genes, the Markers panel), `tessera markers`
/// and the benchmarks.
///
/// Sources:
///  - X in an HDF5 file (AnnData .h5ad, 10x .h5), read by ranges through XReader and never held
///    whole. startIndexing() builds the gene-major column index in the background (a cache
///    file, column_index_file.h) under Options::cacheDir, or reopens it when an earlier run
///    built it for the same version of the source. Until it is ready, a gene is one streaming
///    scan of X, served between the build's blocks; afterwards it is one read of that gene.
///  - A matrix already in memory (tables whose genes are gathered, e.g. AnnData zarr, Xenium,
///    CSV): ready at once.
/// Markers stream gene chunks of at most Options::workingBytes through the Wilcoxon test
/// (differential.h), from the index when there is one, else from X itself; they wait for a
/// running build to end first. Peak memory is therefore about 2 x workingBytes plus one float
/// and one byte per cell, whatever the size of X.
///
/// Threads and ownership:
///  - Every HDF5 call runs as a task on `hdf5`, which must run one task at a time (the app's
///    HDF5 thread); CPU work and index reads run on `workers`.
///  - Public methods may be called from any thread (the GUI thread included) and never block,
///    except waitForIndex(). Results come back through callbacks on an hdf5 or worker thread;
///    the GUI marshals them home. Callbacks must not throw.
///  - Both executors must outlive the engine's pending tasks. Destroying the engine cancels the
///    build and pending requests (their callbacks get Errc::Cancelled or are dropped).
/// Errors name the file (and HDF5 path); a failed index (disk full, over the cache budget, a
/// read error) leaves the engine answering from X, with IndexStatus::error saying why.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "data/error.h"
#include "data/expression/column_index_file.h"
#include "data/expression/csc_matrix.h"
#include "data/expression/differential.h"
#include "data/expression/x_reader.h"

namespace tessera::data {

class Executor;

enum class IndexStage { NotStarted, Building, Ready, Failed };

struct IndexStatus {
  IndexStage stage = IndexStage::NotStarted;
  double progress = 0;      ///< of the build, [0, 1]
  std::uint64_t bytes = 0;  ///< size of the index file once ready
  bool fromCache = false;   ///< Ready because an earlier build was reopened
  double buildSeconds = 0;  ///< time the build (or reopening) took
  std::string error;        ///< why there is no index (Failed)
};

class ExpressionEngine {
 public:
  struct Options {
    /// Folder of the index cache files; empty: no index (markers read X in chunks each time).
    std::filesystem::path cacheDir;
    std::uint64_t cacheBudget = std::uint64_t{20} << 30;
    /// Gene entries held at once while building the index or computing markers.
    std::size_t workingBytes = std::size_t{256} << 20;
    /// Called on the hdf5 or a worker thread whenever the status changes (progress at most
    /// every 1 %).
    std::function<void(const IndexStatus&)> onIndexStatus;
  };
  template <class T>
  using Callback = std::function<void(Expected<T>)>;
  using Progress = std::function<void(double)>;

  ExpressionEngine(XMatrix x, Executor& hdf5, Executor& workers, Options options);
  /// A matrix already in memory; it is sorted by value here (on the calling thread).
  ExpressionEngine(CscMatrix m, std::string location, Executor& workers, Options options);
  ~ExpressionEngine();
  ExpressionEngine(const ExpressionEngine&) = delete;
  ExpressionEngine& operator=(const ExpressionEngine&) = delete;

  std::int64_t nCells() const;
  std::int64_t nGenes() const;

  /// Starts building (or reopening) the index in the background, once; later calls do nothing.
  void startIndexing();
  IndexStatus indexStatus() const;
  /// Blocks until the index is Ready or Failed (NotStarted returns at once). For the CLI, tests
  /// and benchmarks; never on the GUI thread.
  IndexStatus waitForIndex() const;

  /// Gene `g` as one float per cell.
  void gene(std::int64_t g, std::stop_token stop, Callback<std::vector<float>> done);
  /// Mean and fraction expressing of every gene (with the index; Errc::Unsupported without).
  void geneStats(Callback<std::vector<GeneStat>> done);
  /// The `n` genes with the highest value in `cell`, highest first.
  void cellTopGenes(std::int64_t cell, std::size_t n,
                    Callback<std::vector<std::pair<std::int64_t, float>>> done);
  /// Wilcoxon markers of a selection (one byte per cell) against the rest, the `topN` best by
  /// score (SIZE_MAX: every gene), p adjusted over all genes. `progress` gets the fraction of
  /// genes done.
  void markers(std::vector<std::uint8_t> mask, std::size_t topN, std::stop_token stop,
               Callback<std::vector<MarkerGene>> done, Progress progress = {});

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tessera::data
