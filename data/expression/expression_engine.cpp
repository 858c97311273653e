#include "data/expression/expression_engine.h"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include "data/executor.h"
#include "data/expression/column_index_builder.h"
#include "data/expression/gene_reader.h"

namespace tessera::data {

struct ExpressionEngine::State {
  Executor& hdf5;
  Executor& workers;
  Options options;
  std::optional<H5adFile> file;  // touched only on the hdf5 executor (and constructed before)
  std::int64_t cells = 0, genes = 0;
  std::vector<std::string> names;
  std::unordered_map<std::string, std::int64_t> byName;
  std::string where;
  std::stop_source life;  // stopped when the engine is destroyed

  mutable std::mutex mutex;
  mutable std::condition_variable ended;
  IndexStatus status;
  bool started = false;
  bool ended_ = false;  // the build finished and its final status was reported
  std::shared_ptr<const CscMatrix> csc;
  std::vector<GeneStat> stats;
  std::vector<std::function<void()>> afterIndex;  // run on workers once the build ends
  struct SlowRead {
    std::int64_t gene;
    std::stop_token stop;
    Callback<std::vector<float>> done;
  };
  std::deque<SlowRead> slow;         // gene reads waiting for the hdf5 thread
  std::optional<GeneReader> reader;  // hdf5 thread only; opened on the first slow read

  State(Executor& h, Executor& w, Options o) : hdf5(h), workers(w), options(std::move(o)) {}

  void setStatus(IndexStatus s) {
    std::function<void(const IndexStatus&)> cb;
    {
      std::lock_guard lock(mutex);
      status = s;
      cb = options.onIndexStatus;
    }
    if (cb) cb(s);
  }

  // On the hdf5 thread: answers every queued file read.
  void serveSlowReads() {
    for (;;) {
      SlowRead r;
      {
        std::lock_guard lock(mutex);
        if (slow.empty()) return;
        r = std::move(slow.front());
        slow.pop_front();
      }
      if (r.stop.stop_requested() || life.get_token().stop_requested() || !file) {
        r.done(fail(Errc::Cancelled, where + ": gene read cancelled"));
        continue;
      }
      if (!reader) {
        auto opened = GeneReader::open(*file);
        if (!opened) {
          r.done(std::unexpected(opened.error()));
          continue;
        }
        reader.emplace(std::move(*opened));
      }
      r.done(reader->read(*file, r.gene, r.stop));
    }
  }

  // Runs `fn` on the workers once the build has ended (at once if it has).
  void whenIndexEnds(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex);
      if (status.stage != IndexStage::Ready && status.stage != IndexStage::Failed) {
        afterIndex.push_back(std::move(fn));
        return;
      }
    }
    workers.post(std::move(fn));
  }

  // The copy, or the reason it is unavailable.
  Expected<std::shared_ptr<const CscMatrix>> index() const {
    std::lock_guard lock(mutex);
    if (csc) return csc;
    return fail(Errc::Unsupported, where +
                                       ": gene statistics need the column index, which is "
                                       "unavailable: " +
                                       status.error);
  }

  void build() {
    auto stop = life.get_token();
    // The engine may be gone already: its destructor's close task can run before this one.
    if (!file || stop.stop_requested()) return finish(nullptr, where + ": indexing cancelled");
    IndexStatus s;
    s.stage = IndexStage::Building;
    setStatus(s);
    auto m = buildColumnIndex(
        *file, stop,
        [&](double f) {
          serveSlowReads();
          IndexStatus p;
          p.stage = IndexStage::Building;
          p.progress = f;
          setStatus(p);
        },
        options.maxIndexBytes);
    if (!m) return finish(nullptr, m.error().message);
    // Sorting and the gene list run on the workers, so the hdf5 thread is free again.
    auto shared = std::make_shared<CscMatrix>(std::move(*m));
    workers.post([this, shared, keep = selfRef(), stop] {
      IndexStatus p;
      p.stage = IndexStage::Sorting;
      setStatus(p);
      if (auto r = sortColumnsByValue(*shared, &workers, stop); !r)
        return finish(nullptr, r.error().message);
      std::vector<GeneStat> st(static_cast<std::size_t>(shared->cols));
      for (std::int64_t g = 0; g < shared->cols; ++g) {
        double sum = 0;
        std::int64_t nz = 0;
        for (const float v : shared->columnValues(g)) {
          sum += v;
          nz += v != 0;
        }
        st[g] = {sum / static_cast<double>(std::max<std::int64_t>(1, cells)),
                 static_cast<double>(nz) / static_cast<double>(std::max<std::int64_t>(1, cells))};
      }
      {
        std::lock_guard lock(mutex);
        stats = std::move(st);
      }
      finish(shared, "");
    });
  }

  void finish(std::shared_ptr<const CscMatrix> m, const std::string& error) {
    std::vector<std::function<void()>> pending;
    IndexStatus s;
    s.stage = m ? IndexStage::Ready : IndexStage::Failed;
    s.progress = 1;
    s.bytes = m ? m->byteSize() : 0;
    s.error = error;
    {
      std::lock_guard lock(mutex);
      csc = std::move(m);
      status = s;
      pending.swap(afterIndex);
    }
    // Observers hear of the end before waitForIndex() returns.
    if (options.onIndexStatus) options.onIndexStatus(s);
    {
      std::lock_guard lock(mutex);
      ended_ = true;
    }
    ended.notify_all();
    for (auto& fn : pending)
      workers.post(std::move(fn));
  }

  std::weak_ptr<State> weak;
  std::shared_ptr<State> selfRef() { return weak.lock(); }
};

namespace {
Error cancelled(const std::string& where, const char* what) {
  return Error{Errc::Cancelled, where + ": " + what + " cancelled"};
}
}  // namespace

ExpressionEngine::ExpressionEngine(H5adFile file, Executor& hdf5, Executor& workers)
    : ExpressionEngine(std::move(file), hdf5, workers, Options{}) {}

ExpressionEngine::ExpressionEngine(H5adFile file, Executor& hdf5, Executor& workers,
                                   Options options)
    : state_(std::make_shared<State>(hdf5, workers, std::move(options))) {
  State& s = *state_;
  s.weak = state_;
  s.cells = file.nObs();
  s.genes = file.nVars();
  s.names = file.varNames();
  s.where = file.path().string();
  for (std::size_t i = 0; i < s.names.size(); ++i)
    s.byName.emplace(s.names[i], static_cast<std::int64_t>(i));
  s.file.emplace(std::move(file));
}

ExpressionEngine::~ExpressionEngine() {
  state_->life.request_stop();
  // The file closes on the hdf5 thread, after whatever read is running there.
  state_->hdf5.post([s = state_] {
    s->serveSlowReads();
    s->reader.reset();
    s->file.reset();
  });
}

std::int64_t ExpressionEngine::nCells() const {
  return state_->cells;
}
std::int64_t ExpressionEngine::nGenes() const {
  return state_->genes;
}
const std::vector<std::string>& ExpressionEngine::geneNames() const {
  return state_->names;
}

std::optional<std::int64_t> ExpressionEngine::geneIndex(const std::string& name) const {
  const auto it = state_->byName.find(name);
  if (it == state_->byName.end()) return std::nullopt;
  return it->second;
}

void ExpressionEngine::startIndexing() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->started) return;
    state_->started = true;
    state_->status.stage = IndexStage::Building;
  }
  state_->hdf5.post([s = state_] { s->build(); }, Priority::Background);
}

IndexStatus ExpressionEngine::indexStatus() const {
  std::lock_guard lock(state_->mutex);
  return state_->status;
}

std::shared_ptr<const CscMatrix> ExpressionEngine::columnIndex() const {
  std::lock_guard lock(state_->mutex);
  return state_->csc;
}

IndexStatus ExpressionEngine::waitForIndex() const {
  std::unique_lock lock(state_->mutex);
  state_->ended.wait(lock, [&] { return !state_->started || state_->ended_; });
  return state_->status;
}

std::optional<std::vector<float>> ExpressionEngine::geneIfIndexed(std::int64_t g) const {
  auto m = columnIndex();
  if (!m || g < 0 || g >= m->cols) return std::nullopt;
  return m->denseColumn(g);
}

void ExpressionEngine::gene(std::int64_t g, std::stop_token stop,
                            Callback<std::vector<float>> done) {
  State& s = *state_;
  if (g < 0 || g >= s.genes) {
    done(fail(Errc::InvalidArgument, s.where + ": gene index " + std::to_string(g) +
                                         " outside [0, " + std::to_string(s.genes) + ")"));
    return;
  }
  if (auto m = columnIndex()) {
    s.workers.post([m, g, stop, done = std::move(done), where = s.where] {
      if (stop.stop_requested()) return done(std::unexpected(cancelled(where, "gene read")));
      done(m->denseColumn(g));
    });
    return;
  }
  {
    std::lock_guard lock(s.mutex);
    s.slow.push_back({g, stop, std::move(done)});
  }
  s.hdf5.post([st = state_] { st->serveSlowReads(); }, Priority::Visible);
}

void ExpressionEngine::geneStats(Callback<std::vector<GeneStat>> done) {
  state_->whenIndexEnds([s = state_, done = std::move(done)] {
    auto m = s->index();
    if (!m) return done(std::unexpected(m.error()));
    std::lock_guard lock(s->mutex);
    done(s->stats);
  });
}

void ExpressionEngine::groupMask(const std::string& column, const std::string& value,
                                 std::stop_token stop, Callback<std::vector<std::uint8_t>> done) {
  state_->hdf5.post([s = state_, column, value, stop, done = std::move(done)] {
    if (stop.stop_requested() || !s->file)
      return done(std::unexpected(cancelled(s->where, "selection")));
    const ColumnInfo* info = s->file->obsColumn(column);
    if (!info)
      return done(fail(Errc::NotFound, s->where + ":/obs/" + column + ": no such obs column"));
    if (info->kind != ColumnKind::Categorical)
      return done(fail(Errc::InvalidArgument, s->where + ":/obs/" + column + ": is " +
                                                  columnKindName(info->kind) +
                                                  ", not categorical"));
    const auto it = std::find(info->categories.begin(), info->categories.end(), value);
    if (it == info->categories.end())
      return done(
          fail(Errc::NotFound, s->where + ":/obs/" + column + ": no category '" + value + "'"));
    auto codes = s->file->readObsCodes(column);
    if (!codes) return done(std::unexpected(codes.error()));
    const auto k = static_cast<std::int32_t>(it - info->categories.begin());
    std::vector<std::uint8_t> mask(codes->size());
    for (std::size_t i = 0; i < mask.size(); ++i)
      mask[i] = (*codes)[i] == k;
    done(std::move(mask));
  });
}

void ExpressionEngine::groupSummary(const std::string& column, std::int64_t g, int bins,
                                    std::stop_token stop, Callback<GroupSummaries> done) {
  // Codes come from the file (hdf5 thread); the column from the copy, or else the file.
  state_->hdf5.post([s = state_, column, g, bins, stop, done = std::move(done)] {
    if (stop.stop_requested() || !s->file)
      return done(std::unexpected(cancelled(s->where, "group summary")));
    const ColumnInfo* info = s->file->obsColumn(column);
    if (!info)
      return done(fail(Errc::NotFound, s->where + ":/obs/" + column + ": no such obs column"));
    if (info->kind != ColumnKind::Categorical)
      return done(fail(Errc::InvalidArgument, s->where + ":/obs/" + column + ": is " +
                                                  columnKindName(info->kind) +
                                                  ", not categorical"));
    if (g < 0 || g >= s->genes)
      return done(fail(Errc::InvalidArgument,
                       s->where + ": gene index " + std::to_string(g) + " out of range"));
    auto codes = s->file->readObsCodes(column);
    if (!codes) return done(std::unexpected(codes.error()));
    std::shared_ptr<const CscMatrix> m;
    {
      std::lock_guard lock(s->mutex);
      m = s->csc;
    }
    std::vector<std::int32_t> rows;
    std::vector<float> vals;
    if (!m) {
      auto dense = s->file->readGene(g);
      if (!dense) return done(std::unexpected(dense.error()));
      for (std::size_t i = 0; i < dense->size(); ++i)
        if ((*dense)[i] != 0) {
          rows.push_back(static_cast<std::int32_t>(i));
          vals.push_back((*dense)[i]);
        }
    }
    s->workers.post([s, m, g, bins, cats = info->categories, codes = std::move(*codes),
                     rows = std::move(rows), vals = std::move(vals), stop, done] {
      if (stop.stop_requested()) return done(std::unexpected(cancelled(s->where, "group summary")));
      if (m)
        done(summarizeGroups(s->cells, m->columnRows(g), m->columnValues(g), codes, cats, bins));
      else
        done(summarizeGroups(s->cells, rows, vals, codes, cats, bins));
    });
  });
}

void ExpressionEngine::selectionStats(std::vector<std::uint8_t> mask, std::stop_token stop,
                                      Callback<std::vector<GeneContrast>> done) {
  state_->whenIndexEnds([s = state_, mask = std::move(mask), stop, done = std::move(done)] {
    auto m = s->index();
    if (!m) return done(std::unexpected(m.error()));
    done(data::selectionStats(**m, mask, &s->workers, stop));
  });
}

void ExpressionEngine::markers(std::vector<std::uint8_t> mask, std::size_t topN,
                               std::stop_token stop, Callback<std::vector<MarkerGene>> done) {
  state_->whenIndexEnds([s = state_, mask = std::move(mask), topN, stop, done = std::move(done)] {
    auto m = s->index();
    if (!m) return done(std::unexpected(m.error()));
    auto all = rankGenes(**m, mask, &s->workers, stop);
    if (!all) return done(std::unexpected(all.error()));
    done(topByScore(std::move(*all), topN));
  });
}

}  // namespace tessera::data
