#include "data/expression/expression_engine.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "data/executor.h"
#include "data/expression/parallel_for.h"

namespace tessera::data {

namespace {
Error cancelled(const std::string& where, const char* what) {
  return Error{Errc::Cancelled, where + ": " + what + " cancelled"};
}
using Clock = std::chrono::steady_clock;
}  // namespace

struct ExpressionEngine::State {
  Executor* hdf5 = nullptr;  // null for a matrix in memory
  Executor& workers;
  Options options;
  std::optional<XMatrix> x;
  std::shared_ptr<const CscMatrix> memory;  // sorted by value
  std::vector<GeneStat> memoryStats;
  std::int64_t cells = 0, genes = 0;
  std::string where;
  std::stop_source life;  // stopped when the engine is destroyed

  mutable std::mutex mutex;
  mutable std::condition_variable ended;
  IndexStatus status;
  bool started = false;
  std::shared_ptr<const ColumnIndexFile> index;
  std::vector<std::function<void()>> afterIndex;  // run once the build ends
  struct SlowRead {
    std::int64_t gene;
    std::stop_token stop;
    Callback<std::vector<float>> done;
  };
  std::deque<SlowRead> slow;      // gene reads waiting for the hdf5 thread
  std::optional<XReader> reader;  // hdf5 thread only
  double lastReported = -1;       // progress last reported (hdf5 thread)
  bool reopenTried = false;       // hdf5 thread: the cached index was looked for

  State(Executor* h, Executor& w, Options o) : hdf5(h), workers(w), options(std::move(o)) {}

  void report(const IndexStatus& s) {
    if (options.onIndexStatus) options.onIndexStatus(s);
  }

  // On the hdf5 thread: the reader, opened on first use.
  Expected<XReader*> openReader() {
    if (!reader) {
      auto r = XReader::open(*x);
      if (!r) return std::unexpected(r.error());
      reader.emplace(std::move(*r));
    }
    return &*reader;
  }

  // On the hdf5 thread: answers every queued gene read. A gene asked for before the build ran
  // first looks for the index an earlier run left (a few ms), which spares it a scan of X.
  void serveSlowReads() {
    bool building = false;
    {
      std::lock_guard lock(mutex);
      building = started && status.stage == IndexStage::Building && !slow.empty();
    }
    if (building && !reopenTried) reopen(Clock::now());
    for (;;) {
      SlowRead r;
      {
        std::lock_guard lock(mutex);
        if (slow.empty()) return;
        r = std::move(slow.front());
        slow.pop_front();
      }
      if (r.stop.stop_requested() || life.get_token().stop_requested()) {
        r.done(std::unexpected(cancelled(where, "gene read")));
        continue;
      }
      std::shared_ptr<const ColumnIndexFile> file;
      {
        std::lock_guard lock(mutex);
        file = index;
      }
      if (file) {
        readIndexed(file, r.gene, std::move(r.stop), std::move(r.done));
        continue;
      }
      auto rd = openReader();
      if (!rd) {
        r.done(std::unexpected(rd.error()));
        continue;
      }
      r.done((*rd)->readGene(r.gene, r.stop, &workers));
    }
  }

  // Gene `g` from the index, on a worker; a damaged index is discarded and X answers.
  void readIndexed(std::shared_ptr<const ColumnIndexFile> file, std::int64_t g,
                   std::stop_token stop, Callback<std::vector<float>> done) {
    workers.post([st = weak.lock(), file, g, stop, done = std::move(done)]() mutable {
      if (!st || stop.stop_requested())
        return done(
            std::unexpected(cancelled(st ? st->where : file->path().string(), "gene read")));
      auto col = file->denseColumn(g);
      if (!col && col.error().code == Errc::Corrupt) {
        st->discard(file, st);
        return st->geneFromX(g, stop, std::move(done));
      }
      done(std::move(col));
    });
  }

  // Runs `fn` once the build has ended (at once when it has or never started).
  void whenIndexEnds(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex);
      if (started && status.stage == IndexStage::Building) {
        afterIndex.push_back(std::move(fn));
        return;
      }
    }
    fn();
  }

  // A read found the index damaged: never trust it again; remove it and build it anew.
  void discard(const std::shared_ptr<const ColumnIndexFile>& bad,
               const std::shared_ptr<State>& self) {
    {
      std::lock_guard lock(mutex);
      if (index != bad) return;
      index.reset();
      status = IndexStatus{};
      status.stage = IndexStage::Building;
    }
    std::error_code ec;
    std::filesystem::remove(bad->path(), ec);
    hdf5->post([self] { self->build(); }, Priority::Background);
  }

  void geneFromX(std::int64_t g, std::stop_token stop, Callback<std::vector<float>> done) {
    {
      std::lock_guard lock(mutex);
      slow.push_back({g, stop, std::move(done)});
    }
    hdf5->post(
        [self = weak.lock()] {
          if (self) self->serveSlowReads();
        },
        Priority::Visible);
  }
  std::weak_ptr<State> weak;

  void finish(IndexStatus s, std::shared_ptr<const ColumnIndexFile> file) {
    std::vector<std::function<void()>> pending;
    {
      std::lock_guard lock(mutex);
      index = std::move(file);
      status = s;
      pending.swap(afterIndex);
    }
    // Observers hear of the end before waitForIndex() returns.
    report(s);
    ended.notify_all();
    for (auto& fn : pending)
      fn();
  }

  // On the hdf5 thread, once (by the build or an earlier gene read): opens the index an earlier
  // run built for this source and finishes with it (true). A foreign, corrupt or stale one is
  // never trusted: removed, to be rebuilt in place. False also when the source cannot be
  // identified; the build then says why.
  bool reopen(Clock::time_point t0) {
    reopenTried = true;
    if (options.cacheDir.empty() || life.get_token().stop_requested()) return false;
    auto rd = openReader();
    if (!rd) return false;
    auto id = identifySource(**rd);
    if (!id) return false;
    const auto path = indexPathFor(options.cacheDir, *id);
    auto opened = ColumnIndexFile::open(path, *id);
    if (opened && (*opened)->rows() == cells && (*opened)->cols() == genes) {
      IndexStatus s;
      s.stage = IndexStage::Ready;
      s.progress = 1;
      s.fromCache = true;
      s.bytes = (*opened)->fileBytes();
      s.buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
      finish(s, *opened);
      return true;
    }
    if (opened || opened.error().code != Errc::NotFound || std::filesystem::exists(path)) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
    return false;
  }

  // On the hdf5 thread: reopen the cached index or build it.
  void build() {
    const auto t0 = Clock::now();
    {
      std::lock_guard lock(mutex);
      if (status.stage != IndexStage::Building) return;  // reopened by a gene read
    }
    if (!reopenTried && reopen(t0)) return;
    auto stop = life.get_token();
    IndexStatus s;
    s.stage = IndexStage::Failed;
    s.progress = 1;
    auto failed = [&](const std::string& why) {
      s.error = why;
      s.buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
      finish(s, nullptr);
    };
    if (stop.stop_requested()) return failed(where + ": indexing cancelled");
    if (options.cacheDir.empty())
      return failed(where + ": no cache folder for a gene index; genes are read from the file");
    auto rd = openReader();
    if (!rd) return failed(rd.error().message);
    auto id = identifySource(**rd);
    if (!id) return failed(id.error().message);
    IndexWriteOptions w;
    w.cacheBudget = options.cacheBudget;
    w.chunkBytes = options.workingBytes;
    w.workers = &workers;
    w.progress = [&](double f) {
      serveSlowReads();
      if (f - lastReported < 0.01 && f < 1) return;
      lastReported = f;
      IndexStatus p;
      p.stage = IndexStage::Building;
      p.progress = f;
      {
        std::lock_guard lock(mutex);
        status = p;
      }
      report(p);
    };
    auto written = writeColumnIndex(options.cacheDir, *id, **rd, w, stop);
    serveSlowReads();
    if (!written) return failed(written.error().message);
    auto file = ColumnIndexFile::open(*written, *id);
    if (!file) return failed(file.error().message);
    s.stage = IndexStage::Ready;
    s.error.clear();
    s.bytes = (*file)->fileBytes();
    s.buildSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
    finish(s, *file);
  }

  // Markers of `mask` over `genes` columns, chunk by chunk: `chunk(g0, g1)` gives genes
  // [g0, g1) as a CSC matrix.
  Expected<std::vector<MarkerGene>> streamMarkers(
      const std::vector<std::pair<std::int64_t, std::int64_t>>& chunks,
      const std::function<Expected<CscMatrix>(std::int64_t, std::int64_t)>& chunk,
      const std::vector<std::uint8_t>& mask, std::stop_token stop, const Progress& progress) {
    std::vector<MarkerGene> all;
    all.reserve(static_cast<std::size_t>(genes));
    for (const auto& [g0, g1] : chunks) {
      if (stop.stop_requested() || life.get_token().stop_requested())
        return std::unexpected(cancelled(where, "markers"));
      auto m = chunk(g0, g1);
      if (!m) return std::unexpected(m.error());
      auto part = rankGeneRange(*m, g0, mask, &workers, stop);
      if (!part) return std::unexpected(part.error());
      all.insert(all.end(), part->begin(), part->end());
      if (progress)
        progress(static_cast<double>(g1) / static_cast<double>(std::max<std::int64_t>(1, genes)));
    }
    adjustPValues(all);
    return all;
  }

  // Markers from the index, gene by gene: each task reads its genes into one buffer it reuses
  // and tests them from there. Copying genes into chunks first cost more than the test itself
  // (fresh pages to fault in and zero, and two more passes over every entry).
  Expected<std::vector<MarkerGene>> indexMarkers(const ColumnIndexFile& file,
                                                 const std::vector<std::uint8_t>& mask,
                                                 std::stop_token stop, const Progress& progress) {
    auto ranker = SelectionRanker::make(file.rows(), mask);
    if (!ranker) return std::unexpected(ranker.error());
    std::vector<MarkerGene> all(static_cast<std::size_t>(genes));
    std::mutex failedMutex;
    std::optional<Error> failed;
    // Progress is reported between groups of genes, on this thread; a group is spread over the
    // workers a few genes per task.
    constexpr std::int64_t kGroup = 128, kPerTask = 8;
    for (std::int64_t g0 = 0; g0 < genes; g0 += kGroup) {
      if (stop.stop_requested() || life.get_token().stop_requested())
        return std::unexpected(cancelled(where, "markers"));
      const std::int64_t g1 = std::min(genes, g0 + kGroup);
      const bool complete = parallelFor(
          &workers, (g1 - g0 + kPerTask - 1) / kPerTask,
          [&](std::int64_t t) {
            const std::int64_t first = g0 + t * kPerTask, end = std::min(g1, first + kPerTask);
            // Sized once for the task's largest gene: growing it gene by gene faulted in fresh
            // pages at every step.
            std::int64_t most = 0;
            for (std::int64_t g = first; g < end; ++g)
              most = std::max(most, file.colptr()[g + 1] - file.colptr()[g]);
            std::vector<std::uint32_t> buf;
            buf.reserve(static_cast<std::size_t>(most) * 2);
            for (std::int64_t g = first; g < end; ++g) {
              auto e = file.readGene(g, buf);
              if (!e) {
                std::lock_guard lock(failedMutex);
                if (!failed) failed = e.error();
                return;
              }
              all[static_cast<std::size_t>(g)] = ranker->rank(g, e->rows, e->values);
            }
          },
          stop);
      if (!complete) return std::unexpected(cancelled(where, "markers"));
      if (failed) return std::unexpected(*failed);
      if (progress)
        progress(static_cast<double>(g1) / static_cast<double>(std::max<std::int64_t>(1, genes)));
    }
    adjustPValues(all);
    return all;
  }

  void runMarkers(std::vector<std::uint8_t> mask, std::size_t topN, std::stop_token stop,
                  Callback<std::vector<MarkerGene>> done, Progress progress,
                  const std::shared_ptr<State>& self) {
    if (static_cast<std::int64_t>(mask.size()) != cells)
      return done(fail(Errc::InvalidArgument, where + ": the selection has " +
                                                  std::to_string(mask.size()) +
                                                  " cells, the table " + std::to_string(cells)));
    auto finishWith = [topN, done](Expected<std::vector<MarkerGene>> all) {
      if (!all) return done(std::unexpected(all.error()));
      done(topByScore(std::move(*all), topN));
    };
    if (memory) {
      workers.post([self, mask = std::move(mask), stop, finishWith, progress] {
        auto all = rankGenes(*self->memory, mask, &self->workers, stop);
        if (progress) progress(1.0);
        finishWith(std::move(all));
      });
      return;
    }
    std::shared_ptr<const ColumnIndexFile> file;
    {
      std::lock_guard lock(mutex);
      file = index;
    }
    if (file) {
      workers.post([self, file, mask = std::move(mask), topN, stop, done, finishWith, progress] {
        auto all = self->indexMarkers(*file, mask, stop, progress);
        if (!all && all.error().code == Errc::Corrupt) {
          // Rebuild the damaged index, then answer from the new one.
          self->discard(file, self);
          self->whenIndexEnds([self, mask, topN, stop, done, progress]() mutable {
            self->runMarkers(std::move(mask), topN, stop, std::move(done), std::move(progress),
                             self);
          });
          return;
        }
        finishWith(std::move(all));
      });
      return;
    }
    // No index: stream X itself in gene chunks (one pass per chunk) on the HDF5 thread.
    hdf5->post(
        [self, mask = std::move(mask), stop, finishWith, progress] {
          if (stop.stop_requested() || self->life.get_token().stop_requested())
            return finishWith(std::unexpected(cancelled(self->where, "markers")));
          auto rd = self->openReader();
          if (!rd) return finishWith(std::unexpected(rd.error()));
          auto counts = (*rd)->geneCounts(stop);
          if (!counts) return finishWith(std::unexpected(counts.error()));
          const auto chunks = planGeneChunks(*counts, self->options.workingBytes);
          finishWith(self->streamMarkers(
              chunks,
              [&](std::int64_t g0, std::int64_t g1) {
                return (*rd)->readGenes(g0, g1, stop, {}, &*counts);
              },
              mask, stop, progress));
        },
        Priority::Visible);
  }
};

ExpressionEngine::ExpressionEngine(XMatrix x, Executor& hdf5, Executor& workers, Options options)
    : state_(std::make_shared<State>(&hdf5, workers, std::move(options))) {
  State& s = *state_;
  s.cells = x.rows;
  s.genes = x.cols;
  s.where = x.file.string();
  s.x = std::move(x);
  s.weak = state_;
}

ExpressionEngine::ExpressionEngine(CscMatrix m, std::string location, Executor& workers,
                                   Options options)
    : state_(std::make_shared<State>(nullptr, workers, std::move(options))) {
  State& s = *state_;
  s.cells = m.rows;
  s.genes = m.cols;
  s.where = std::move(location);
  // Sorting cannot fail without a stop request.
  (void)sortColumnsByValue(m, nullptr, {});
  const double n = static_cast<double>(std::max<std::int64_t>(1, m.rows));
  s.memoryStats.resize(static_cast<std::size_t>(m.cols));
  for (std::int64_t g = 0; g < m.cols; ++g) {
    double sum = 0;
    std::int64_t nz = 0;
    for (const float v : m.columnValues(g)) {
      sum += v;
      nz += v != 0;
    }
    s.memoryStats[g] = {sum / n, static_cast<double>(nz) / n};
  }
  s.status.stage = IndexStage::Ready;
  s.status.progress = 1;
  s.status.bytes = m.byteSize();
  s.memory = std::make_shared<const CscMatrix>(std::move(m));
}

ExpressionEngine::~ExpressionEngine() {
  state_->life.request_stop();
  // The reader closes on the hdf5 thread, after whatever read is running there.
  if (state_->hdf5)
    state_->hdf5->post([s = state_] {
      s->serveSlowReads();
      s->reader.reset();
    });
}

std::int64_t ExpressionEngine::nCells() const {
  return state_->cells;
}
std::int64_t ExpressionEngine::nGenes() const {
  return state_->genes;
}

void ExpressionEngine::startIndexing() {
  if (state_->memory) return;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->started) return;
    state_->started = true;
    state_->status.stage = IndexStage::Building;
  }
  state_->hdf5->post([s = state_] { s->build(); }, Priority::Background);
}

IndexStatus ExpressionEngine::indexStatus() const {
  std::lock_guard lock(state_->mutex);
  return state_->status;
}

IndexStatus ExpressionEngine::waitForIndex() const {
  std::unique_lock lock(state_->mutex);
  state_->ended.wait(lock, [&] {
    return !state_->started || state_->status.stage == IndexStage::Ready ||
           state_->status.stage == IndexStage::Failed;
  });
  return state_->status;
}

void ExpressionEngine::gene(std::int64_t g, std::stop_token stop,
                            Callback<std::vector<float>> done) {
  State& s = *state_;
  if (g < 0 || g >= s.genes)
    return done(fail(Errc::InvalidArgument, s.where + ": gene index " + std::to_string(g) +
                                                " outside [0, " + std::to_string(s.genes) + ")"));
  if (s.memory) {
    s.workers.post([m = s.memory, g, stop, done = std::move(done), where = s.where] {
      if (stop.stop_requested()) return done(std::unexpected(cancelled(where, "gene read")));
      done(m->denseColumn(g));
    });
    return;
  }
  std::shared_ptr<const ColumnIndexFile> file;
  {
    std::lock_guard lock(s.mutex);
    file = s.index;
    if (!file) s.slow.push_back({g, stop, std::move(done)});
  }
  if (file) return s.readIndexed(std::move(file), g, std::move(stop), std::move(done));
  s.hdf5->post([st = state_] { st->serveSlowReads(); }, Priority::Visible);
}

void ExpressionEngine::geneStats(Callback<std::vector<GeneStat>> done) {
  if (state_->memory) return done(state_->memoryStats);
  state_->whenIndexEnds([s = state_, done = std::move(done)] {
    std::shared_ptr<const ColumnIndexFile> file;
    std::string why;
    {
      std::lock_guard lock(s->mutex);
      file = s->index;
      why = s->status.error;
    }
    if (!file)
      return done(
          fail(Errc::Unsupported, s->where + ": gene means need the gene index" +
                                      (why.empty() ? std::string(" (not built)") : ": " + why)));
    done(file->stats());
  });
}

void ExpressionEngine::cellTopGenes(std::int64_t cell, std::size_t n,
                                    Callback<std::vector<std::pair<std::int64_t, float>>> done) {
  auto top = [n](std::vector<std::pair<std::int64_t, float>> v) {
    std::erase_if(v, [](const auto& e) { return !(e.second > 0); });
    const auto k = std::min(n, v.size());
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(),
                      [](const auto& a, const auto& b) { return a.second > b.second; });
    v.resize(k);
    return v;
  };
  State& s = *state_;
  if (cell < 0 || cell >= s.cells)
    return done(
        fail(Errc::InvalidArgument, s.where + ": cell " + std::to_string(cell) + " out of range"));
  if (s.memory) {
    s.workers.post([m = s.memory, cell, done = std::move(done), top] {
      std::vector<std::pair<std::int64_t, float>> found;
      for (std::int64_t g = 0; g < m->cols; ++g) {
        const auto rows = m->columnRows(g);
        for (std::size_t k = 0; k < rows.size(); ++k)
          if (rows[k] == cell) found.emplace_back(g, m->columnValues(g)[k]);
      }
      done(top(std::move(found)));
    });
    return;
  }
  s.hdf5->post(
      [st = state_, cell, done = std::move(done), top] {
        if (st->life.get_token().stop_requested())
          return done(std::unexpected(cancelled(st->where, "cell read")));
        auto rd = st->openReader();
        if (!rd) return done(std::unexpected(rd.error()));
        auto entries = (*rd)->readCell(cell);
        if (!entries) return done(std::unexpected(entries.error()));
        done(top(std::move(*entries)));
      },
      Priority::Visible);
}

void ExpressionEngine::markers(std::vector<std::uint8_t> mask, std::size_t topN,
                               std::stop_token stop, Callback<std::vector<MarkerGene>> done,
                               Progress progress) {
  state_->whenIndexEnds([s = state_, mask = std::move(mask), topN, stop, done = std::move(done),
                         progress = std::move(progress)]() mutable {
    s->runMarkers(std::move(mask), topN, stop, std::move(done), std::move(progress), s);
  });
}

}  // namespace tessera::data
