// Transcript loading: one inflating thread feeding 8 MiB blocks to parser tasks, at most a few
// blocks in flight so memory stays bounded; per-block gene dictionaries are merged in order.
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

void parseBlock(const std::string& text, std::size_t begin, const Columns& c, Block& b) {
  std::string_view lastName, lastCell;
  std::int32_t lastCellCode = -1;
  std::uint32_t lastCode = 0;
  const std::size_t approx = (text.size() - begin) / 64 + 16;
  b.x.reserve(approx);
  b.y.reserve(approx);
  b.gene.reserve(approx);
  if (c.z >= 0) b.z.reserve(approx);
  if (c.qv >= 0) b.qv.reserve(approx);
  if (c.cell >= 0) b.cell.reserve(approx);
  if (c.nucleus >= 0) b.nucleus.reserve(approx);
  const char* p = text.data() + begin;
  const char* end = text.data() + text.size();
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

}  // namespace

Expected<Transcripts> loadTranscriptsCsvGz(const std::filesystem::path& path, Executor* executor,
                                           const std::stop_token& stop) {
  auto reader = GzipBlockReader::open(path);
  if (!reader) return std::unexpected(reader.error());
  auto first = (*reader)->next();
  if (!first) return std::unexpected(first.error());
  const std::size_t hEnd = first->find('\n');
  const auto header = splitCsvLine(std::string_view(*first).substr(0, hEnd));
  Columns cols;
  cols.count = static_cast<int>(header.size());
  for (int i = 0; i < cols.count; ++i) {
    const std::string& h = header[i];
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

  std::mutex m;
  std::condition_variable cv;
  std::map<std::size_t, std::unique_ptr<Block>> done;
  int inFlight = 0;
  const int maxInFlight = executor ? executor->concurrency() + 2 : 1;
  std::vector<std::unique_ptr<Block>> blocks;
  std::size_t nBlocks = 0;
  auto submit = [&](std::shared_ptr<const std::string> text, std::size_t begin) {
    const std::size_t id = nBlocks++;
    auto work = [&, text, begin, id] {
      auto b = std::make_unique<Block>();
      parseBlock(*text, begin, cols, *b);
      std::lock_guard lock(m);
      done[id] = std::move(b);
      --inFlight;
      cv.notify_all();
    };
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return inFlight < maxInFlight; });
      ++inFlight;
    }
    if (executor)
      executor->post(work, Priority::Visible);
    else
      work();
  };
  std::optional<Error> readError;
  if (hEnd != std::string::npos)
    submit(std::make_shared<const std::string>(std::move(*first)), hEnd + 1);
  while (!readError) {
    if (stop.stop_requested()) {
      readError = Error{Errc::Cancelled, path.string() + ": cancelled"};
      break;
    }
    auto b = (*reader)->next();
    if (!b) {
      readError = b.error();
      break;
    }
    if (b->empty()) break;
    submit(std::make_shared<const std::string>(std::move(*b)), 0);
  }
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return inFlight == 0; });
  }
  if (readError) return std::unexpected(*readError);

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
      t.cell.push_back(c < 0 ? -1 : static_cast<std::int32_t>(cellRemap[c]));
    t.overlapsNucleus.insert(t.overlapsNucleus.end(), b->nucleus.begin(), b->nucleus.end());
    t.x.insert(t.x.end(), b->x.begin(), b->x.end());
    t.y.insert(t.y.end(), b->y.begin(), b->y.end());
    t.z.insert(t.z.end(), b->z.begin(), b->z.end());
    t.qv.insert(t.qv.end(), b->qv.begin(), b->qv.end());
    b.reset();
  }
  return t;
}

}  // namespace tessera::data
