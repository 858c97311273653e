// Transcript loading: the file is inflated whole by libdeflate when it fits in memory, else
// streamed by zlib on the calling thread; either way 8 MiB blocks of whole lines are parsed as
// tasks (a few in flight while streaming, so memory stays bounded) and their per-block gene and
// cell dictionaries are merged in file order.
#include "data/spatial/transcripts.h"

#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "data/spatial/gzip_lines.h"

namespace tessera::data {
namespace {

struct Columns {
  int gene = -1, x = -1, y = -1, z = -1, qv = -1, cell = -1, nucleus = -1, count = 0;
};

// Xenium writes "UNASSIGNED" (XOA 1.3+) or -1 (earlier, numeric ids) for transcripts in no cell.
bool unassigned(std::string_view id) {
  return id.empty() || id == "UNASSIGNED" || id == "-1";
}

// Interns strings seen in one block: codes are indices into `names`.
struct Dict {
  std::unordered_map<std::string_view, std::uint32_t> map;
  std::vector<std::string> names;
  std::uint32_t code(std::string_view f) {
    auto [it, inserted] = map.try_emplace(f, static_cast<std::uint32_t>(names.size()));
    if (inserted) names.emplace_back(f);
    return it->second;
  }
};

struct Block {
  std::vector<float> x, y, z, qv;
  std::vector<std::uint32_t> gene;
  std::vector<std::int32_t> cell;
  std::vector<std::uint8_t> nucleus;
  Dict genes, cells;
  std::int64_t lines = 0;
  std::optional<std::string> error;  ///< "line L (of this block), field F: ..."
  std::int64_t errorLine = 0;
};

void parseBlock(const char* p, const char* end, const Columns& c, Block& b) {
  std::string_view lastName, lastCell;
  std::int32_t lastCellCode = -1;
  std::uint32_t lastCode = 0;
  const std::size_t approx = static_cast<std::size_t>(end - p) / 64 + 16;
  b.x.reserve(approx);
  b.y.reserve(approx);
  b.gene.reserve(approx);
  if (c.z >= 0) b.z.reserve(approx);
  if (c.qv >= 0) b.qv.reserve(approx);
  if (c.cell >= 0) b.cell.reserve(approx);
  if (c.nucleus >= 0) b.nucleus.reserve(approx);
  while (p < end) {
    const char* nl =
        static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* le = nl ? nl : end;
    const char* lineEnd = (le > p && le[-1] == '\r') ? le - 1 : le;
    ++b.lines;
    if (lineEnd > p) {
      CsvCursor cur{p, lineEnd, ','};
      std::string_view f;
      double vx = 0, vy = 0, vz = 0, vq = 0;
      bool haveX = false, haveY = false, haveGene = false;
      std::uint32_t code = 0;
      std::int32_t cellCode = -1;
      std::uint8_t nucleus = 0;
      for (int i = 0; i < c.count && cur.field(f); ++i) {
        if (i == c.gene) {
          if (f != lastName || b.gene.empty()) {
            lastName = f;
            lastCode = b.genes.code(f);
          }
          code = lastCode;
          haveGene = true;
        } else if (i == c.cell) {
          // Neighbouring transcripts often share a cell: skip the hash for repeats.
          if (f != lastCell || b.cell.empty()) {
            lastCell = f;
            lastCellCode = unassigned(f) ? -1 : static_cast<std::int32_t>(b.cells.code(f));
          }
          cellCode = lastCellCode;
        } else if (i == c.nucleus) {
          nucleus = !f.empty() && f != "0" && f != "False" && f != "false";
        } else if (i == c.x || i == c.y || i == c.z || i == c.qv) {
          double v;
          if (!parseFloat(f, v)) {
            const char* name = i == c.x   ? "x_location"
                               : i == c.y ? "y_location"
                               : i == c.z ? "z_location"
                                          : "qv";
            b.error = std::string("field ") + name + ": \"" + std::string(f.substr(0, 40)) +
                      "\" is not a number";
            b.errorLine = b.lines;
            return;
          }
          if (i == c.x)
            vx = v, haveX = true;
          else if (i == c.y)
            vy = v, haveY = true;
          else if (i == c.z)
            vz = v;
          else
            vq = v;
        }
      }
      if (!haveX || !haveY || !haveGene) {
        b.error = "too few fields";
        b.errorLine = b.lines;
        return;
      }
      b.gene.push_back(code);
      b.x.push_back(static_cast<float>(vx));
      b.y.push_back(static_cast<float>(vy));
      if (c.z >= 0) b.z.push_back(static_cast<float>(vz));
      if (c.qv >= 0) b.qv.push_back(static_cast<float>(vq));
      if (c.cell >= 0) b.cell.push_back(cellCode);
      if (c.nucleus >= 0) b.nucleus.push_back(nucleus);
    }
    p = le + 1;
  }
}

// Codes of one block's names in the file-wide list, appending names seen for the first time.
std::vector<std::uint32_t> mergeNames(std::vector<std::string>& names,
                                      std::unordered_map<std::string, std::uint32_t>& global,
                                      std::vector<std::string>& all) {
  std::vector<std::uint32_t> remap(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto [it, inserted] = global.try_emplace(names[i], static_cast<std::uint32_t>(all.size()));
    if (inserted) all.push_back(std::move(names[i]));
    remap[i] = it->second;
  }
  return remap;
}

// The columns of a transcripts header; Errc::Corrupt naming the file when a required one is
// missing.
Expected<Columns> parseHeader(std::string_view line, const std::filesystem::path& path) {
  const auto header = splitCsvLine(line);
  Columns cols;
  cols.count = static_cast<int>(header.size());
  for (int i = 0; i < cols.count; ++i) {
    const std::string& h = header[static_cast<std::size_t>(i)];
    if (h == "feature_name")
      cols.gene = i;
    else if (h == "x_location")
      cols.x = i;
    else if (h == "y_location")
      cols.y = i;
    else if (h == "z_location")
      cols.z = i;
    else if (h == "qv")
      cols.qv = i;
    else if (h == "cell_id")
      cols.cell = i;
    else if (h == "overlaps_nucleus")
      cols.nucleus = i;
  }
  for (auto [idx, name] :
       {std::pair{cols.gene, "feature_name"}, {cols.x, "x_location"}, {cols.y, "y_location"}})
    if (idx < 0)
      return fail(Errc::Corrupt, path.string() + ": header has no \"" + name + "\" column");
  return cols;
}

// Parses ranges of whole lines as tasks on `executor` (inline without one), at most a few in
// flight so a streaming producer keeps memory bounded; results are kept in submission order.
class BlockParser {
 public:
  BlockParser(const Columns& cols, Executor* executor)
      : cols_(cols),
        executor_(executor),
        maxInFlight_(executor ? executor->concurrency() + 2 : 1) {}
  /// `keep` owns the bytes [begin, end) until the block is parsed.
  void submit(std::shared_ptr<const void> keep, const char* begin, const char* end) {
    const std::size_t id = submitted_++;
    auto work = [this, keep = std::move(keep), begin, end, id] {
      auto b = std::make_unique<Block>();
      parseBlock(begin, end, cols_, *b);
      std::lock_guard lock(m_);
      done_[id] = std::move(b);
      --inFlight_;
      cv_.notify_all();
    };
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return inFlight_ < maxInFlight_; });
      ++inFlight_;
    }
    if (executor_)
      executor_->post(std::move(work), Priority::Visible);
    else
      work();
  }
  /// Waits for every block; then they are in file order.
  std::map<std::size_t, std::unique_ptr<Block>>& finish() {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return inFlight_ == 0; });
    return done_;
  }
  ~BlockParser() { finish(); }

 private:
  const Columns& cols_;
  Executor* executor_;
  const int maxInFlight_;
  std::mutex m_;
  std::condition_variable cv_;
  std::map<std::size_t, std::unique_ptr<Block>> done_;
  int inFlight_ = 0;
  std::size_t submitted_ = 0;
};

// Concatenates the blocks in file order with one gene and one cell dictionary.
Expected<Transcripts> mergeBlocks(std::map<std::size_t, std::unique_ptr<Block>>& done,
                                  const Columns& cols, const std::filesystem::path& path) {
  Transcripts t;
  std::size_t total = 0;
  for (auto& [id, b] : done)
    total += b->gene.size();
  t.gene.reserve(total);
  t.x.reserve(total);
  t.y.reserve(total);
  if (cols.z >= 0) t.z.reserve(total);
  if (cols.qv >= 0) t.qv.reserve(total);
  if (cols.cell >= 0) t.cell.reserve(total);
  if (cols.nucleus >= 0) t.overlapsNucleus.reserve(total);
  std::unordered_map<std::string, std::uint32_t> global, globalCells;
  std::int64_t lineBase = 1;  // the header
  for (auto& [id, b] : done) {
    if (b->error)
      return fail(Errc::Corrupt, path.string() + ": line " +
                                     std::to_string(lineBase + b->errorLine) + ", " + *b->error);
    lineBase += b->lines;
    const auto remap = mergeNames(b->genes.names, global, t.geneNames);
    for (auto g : b->gene)
      t.gene.push_back(remap[g]);
    const auto cellRemap = mergeNames(b->cells.names, globalCells, t.cellIds);
    for (auto c : b->cell)
      t.cell.push_back(c < 0 ? -1
                             : static_cast<std::int32_t>(cellRemap[static_cast<std::size_t>(c)]));
    t.overlapsNucleus.insert(t.overlapsNucleus.end(), b->nucleus.begin(), b->nucleus.end());
    t.x.insert(t.x.end(), b->x.begin(), b->x.end());
    t.y.insert(t.y.end(), b->y.begin(), b->y.end());
    t.z.insert(t.z.end(), b->z.begin(), b->z.end());
    t.qv.insert(t.qv.end(), b->qv.begin(), b->qv.end());
    b.reset();
  }
  return t;
}

constexpr std::size_t kBlockBytes = 8 << 20;

// The file inflated whole (libdeflate): cut into blocks at line breaks, parsed in parallel.
Expected<Transcripts> loadInflated(std::shared_ptr<const InflatedFile> file,
                                   const std::filesystem::path& path, Executor* executor,
                                   const std::stop_token& stop,
                                   const TranscriptsProgress& progress) {
  const std::string_view text = file->view();
  const std::size_t hEnd = std::min(text.find('\n'), text.size());
  auto cols = parseHeader(text.substr(0, hEnd), path);
  if (!cols) return std::unexpected(cols.error());
  BlockParser parser(*cols, executor);
  std::size_t pos = std::min(hEnd + 1, text.size());
  while (pos < text.size()) {
    if (stop.stop_requested()) {
      parser.finish();
      return fail(Errc::Cancelled, path.string() + ": cancelled");
    }
    std::size_t end = std::min(pos + kBlockBytes, text.size());
    if (end < text.size()) {
      const std::size_t nl = text.find('\n', end);
      end = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    parser.submit(file, text.data() + pos, text.data() + end);
    pos = end;
    // submit() waits while too many blocks are in flight, so this trails the parsing closely.
    if (progress) progress(pos, text.size());
  }
  return mergeBlocks(parser.finish(), *cols, path);
}

}  // namespace

Expected<Transcripts> loadTranscriptsCsvGz(const std::filesystem::path& path, Executor* executor,
                                           const std::stop_token& stop,
                                           std::optional<std::size_t> inflateBudget,
                                           const TranscriptsProgress& progress) {
  std::error_code ec;
  const auto fileSize = std::filesystem::file_size(path, ec);
  if (auto whole = inflateWholeGzip(path, inflateBudget.value_or(defaultInflateBudget())))
    return loadInflated(std::make_shared<const InflatedFile>(std::move(*whole)), path, executor,
                        stop, progress);
  // Too big for memory, or not clean gzip: stream with zlib (which names any failure).
  auto reader = GzipBlockReader::open(path, kBlockBytes);
  if (!reader) return std::unexpected(reader.error());
  auto first = (*reader)->next();
  if (!first) return std::unexpected(first.error());
  const std::size_t hEnd = first->find('\n');
  auto cols = parseHeader(std::string_view(*first).substr(0, hEnd), path);
  if (!cols) return std::unexpected(cols.error());
  BlockParser parser(*cols, executor);
  auto submit = [&](std::string&& block, std::size_t begin) {
    auto text = std::make_shared<const std::string>(std::move(block));
    parser.submit(text, text->data() + begin, text->data() + text->size());
  };
  auto report = [&] {
    if (progress && !ec)
      progress(std::min<std::uint64_t>((*reader)->compressedConsumed(), fileSize), fileSize);
  };
  if (hEnd != std::string::npos) submit(std::move(*first), hEnd + 1);
  report();
  for (;;) {
    if (stop.stop_requested()) {
      parser.finish();
      return fail(Errc::Cancelled, path.string() + ": cancelled");
    }
    auto b = (*reader)->next();
    if (!b) {
      parser.finish();
      return std::unexpected(b.error());
    }
    if (b->empty()) break;
    submit(std::move(*b), 0);
    report();
  }
  auto merged = mergeBlocks(parser.finish(), *cols, path);
  if (progress && merged && !ec) progress(fileSize, fileSize);
  return merged;
}

}  // namespace tessera::data
