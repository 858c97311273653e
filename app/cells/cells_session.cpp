#include "app/cells/cells_session.h"

#include <QApplication>
#include <QPointer>
#include <fstream>
#include <mutex>

#include <nlohmann/json.hpp>

#include "app/cells/cells_helper.h"
#include "app/core/app_context.h"

namespace tessera::app {

namespace {
// The helper reads the whole table; big h5ad files take minutes on slow disks.
constexpr std::chrono::milliseconds kHelperTimeout{std::chrono::minutes(30)};
}  // namespace

CellsSession::CellsSession(AppContext& ctx, QObject* parent) : QObject(parent), ctx_(ctx) {
  // Opening a table reads it in this process too (validation, fit on the image): the helper
  // reads it first there as well. Its successes are remembered, so a table is read by the
  // helper once per open however many steps look at it.
  ctx_.checkHdf5Table = [](const std::filesystem::path& p) -> data::Expected<void> {
    if (!cellsReadHdf5(p)) return {};
    return checkCellsInHelper(p, kHelperTimeout);
  };
}

CellsSession::~CellsSession() {
  if (markersStop_) markersStop_->request_stop();
  if (geneStop_) geneStop_->request_stop();
  if (loadCancel_) loadCancel_->store(true);
}

void CellsSession::open(const std::filesystem::path& path, double imageWidth, double imageHeight,
                        const std::string& shownElement,
                        const std::optional<data::Affine2D>& placement) {
  if (loadCancel_) loadCancel_->store(true);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  loadCancel_ = cancel;
  QPointer<CellsSession> self(this);
  ExpressionSetup expression{ctx_.hdf5Pool, ctx_.tilePool, defaultExpressionOptions()};
  // The index reports from the hdf5 thread; the status reaches the GUI by a queued call.
  expression.options.onIndexStatus = [self, cancel](const data::IndexStatus& st) {
    QMetaObject::invokeMethod(
        qApp,
        [self, cancel, st] {
          if (!self || cancel->load()) return;
          self->indexStatus_ = st;
          emit self->indexProgress(st);
        },
        Qt::QueuedConnection);
  };
  ctx_.hdf5Pool.post(
      [self, cancel, path, imageWidth, imageHeight, shownElement, expression, placement] {
        // A helper process reads HDF5-backed tables first: a crash there spares the window.
        data::Expected<std::shared_ptr<const CellsData>> result =
            data::fail(data::Errc::Cancelled, path.string() + ": cancelled");
        if (auto checked = cellsReadHdf5(path)
                               ? checkCellsInHelper(path, kHelperTimeout, cancel.get())
                               : data::Expected<void>{};
            !checked)
          result = std::unexpected(checked.error());
        else
          result = loadCellsData(path, {}, imageWidth, imageHeight, shownElement, &expression,
                                 placement);
        QMetaObject::invokeMethod(
            qApp,
            [self, cancel, result = std::move(result)] {
              if (!self || cancel->load()) return;
              if (!result) {
                emit self->failed(QString::fromStdString(result.error().message));
                return;
              }
              self->setData(*result);
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

void CellsSession::setBasis(std::shared_ptr<const CellsData> data) {
  if (!data || !data_ || data->table != data_->table) return;
  data_ = std::move(data);
  emit embeddingChanged();
}

void CellsSession::setData(std::shared_ptr<const CellsData> data) {
  cancelMarkers();
  data_ = std::move(data);
  colorBy_ = ColorBy{};
  hidden_.clear();
  hiddenMask_.clear();
  customColors_.clear();
  selection_.clear();
  named_.clear();
  markers_.clear();
  geneValues_.clear();
  geneInColoring_ = false;
  geneStats_.clear();
  indexStatus_ =
      data_ && data_->expression ? data_->expression->indexStatus() : data::IndexStatus{};
  hovered_ = -1;
  groups_ = data_ ? data_->defaultGroups() : nullptr;
  if (data_ && data_->expression) {
    data_->expression->startIndexing();
    QPointer<CellsSession> self(this);
    data_->expression->geneStats([self, d = data_](data::Expected<std::vector<data::GeneStat>> st) {
      if (!st) return;
      QMetaObject::invokeMethod(
          qApp,
          [self, d, st = std::move(*st)]() mutable {
            if (!self || !self->showsTable(*d)) return;
            self->geneStats_ = std::move(st);
            emit self->geneStatsReady();
          },
          Qt::QueuedConnection);
    });
  }
  recolor();
  emit loaded();
  emit groupsChanged();
  emit hiddenChanged();
  emit selectionChanged();
  if (data_)
    for (const auto& m : data_->table->messages)
      emit message(QString::fromStdString(m));
}

void CellsSession::recolor() {
  if (!data_) return;
  ColorBy by = colorBy_;
  const std::string col = by.kind == ColorBy::Kind::Column               ? by.name
                          : by.kind == ColorBy::Kind::Default && groups_ ? groups_->name
                                                                         : std::string();
  if (auto it = customColors_.find(col); it != customColors_.end()) by.customColors = it->second;
  // A gene colours once its values arrived (colorByGene fetches them). They move into the
  // colouring; a later recolouring (range, groups) starts again from the colouring's scalars.
  std::vector<float> gene;
  if (by.kind == ColorBy::Kind::Gene) {
    if (!geneValues_.empty()) {
      gene = std::move(geneValues_);
      geneValues_.clear();
      geneInColoring_ = false;
    } else if (geneInColoring_) {
      gene = resolved_.values();
    } else {
      return;
    }
  }
  auto r = resolveColoring(*data_, by, std::move(gene));
  if (!r) {
    emit message(QString::fromStdString(r.error().message));
    return;
  }
  resolved_ = std::move(*r);
  geneInColoring_ = by.kind == ColorBy::Kind::Gene;
  emit coloringChanged();
}

bool CellsSession::colorByGene(const QString& gene) {
  if (!data_) return false;
  const std::string name = gene.toStdString();
  const auto g = data_->table->geneIndex(name);
  if (g < 0 || !data_->expression) {
    emit message(
        tr("Gene '%1' not found in %2").arg(gene, QString::fromStdString(data_->table->location)));
    return false;
  }
  colorBy_.kind = ColorBy::Kind::Gene;
  colorBy_.name = name;
  colorBy_.range.reset();
  geneValues_.clear();
  geneInColoring_ = false;
  if (geneStop_) geneStop_->request_stop();
  emit colorByRequested();
  auto stop = std::make_shared<std::stop_source>();
  geneStop_ = stop;
  QPointer<CellsSession> self(this);
  data_->expression->gene(
      g, stop->get_token(), [self, stop, d = data_, name](data::Expected<std::vector<float>> v) {
        QMetaObject::invokeMethod(
            qApp,
            [self, stop, d, name, v = std::move(v)]() mutable {
              if (!self || stop->stop_requested() || !self->showsTable(*d)) return;
              if (!v) {
                if (v.error().code != data::Errc::Cancelled)
                  emit self->message(QString::fromStdString(v.error().message));
                return;
              }
              if (self->colorBy_.kind != ColorBy::Kind::Gene || self->colorBy_.name != name) return;
              self->geneValues_ = std::move(*v);
              self->recolor();
            },
            Qt::QueuedConnection);
      });
  return true;
}

bool CellsSession::colorByColumn(const QString& column) {
  if (!data_) return false;
  const auto* c = data_->table->column(column.toStdString());
  if (!c) {
    emit message(tr("Column '%1' not found in %2")
                     .arg(column, QString::fromStdString(data_->table->location)));
    return false;
  }
  colorBy_.kind = ColorBy::Kind::Column;
  colorBy_.name = c->name;
  geneValues_.clear();
  geneInColoring_ = false;
  colorBy_.range.reset();
  if (c->kind == data::CellColumnKind::Categorical) setGroups(column);
  recolor();
  return true;
}

void CellsSession::colorByDefault() {
  colorBy_.kind = ColorBy::Kind::Default;
  colorBy_.name.clear();
  colorBy_.range.reset();
  recolor();
}

void CellsSession::setLut(render::Lut lut) {
  colorBy_.lut = lut;
  recolor();
}

void CellsSession::setRange(std::optional<std::pair<double, double>> range) {
  colorBy_.range = range;
  recolor();
}

void CellsSession::setGroups(const QString& column) {
  if (!data_) return;
  const auto* c = data_->table->column(column.toStdString());
  if (!c || c->kind != data::CellColumnKind::Categorical || c == groups_) return;
  groups_ = c;
  hidden_.clear();
  hiddenMask_.clear();
  emit groupsChanged();
  emit hiddenChanged();
}

void CellsSession::setCategoryHidden(int category, bool hidden) {
  if (hidden)
    hidden_.insert(category);
  else
    hidden_.erase(category);
  hiddenMask_ = app::hiddenMask(groups_, hidden_);
  emit hiddenChanged();
}

void CellsSession::setCategoryColor(int category, std::uint32_t rgb) {
  if (!groups_) return;
  customColors_[groups_->name][category] = rgb;
  recolor();
  emit groupsChanged();
}

void CellsSession::setCategoryColors(std::map<std::string, std::map<int, std::uint32_t>> colors) {
  if (colors == customColors_) return;
  customColors_ = std::move(colors);
  recolor();
  emit groupsChanged();
}

void CellsSession::setNamedSelections(std::map<QString, std::vector<std::uint32_t>> named) {
  if (named == named_) return;
  named_ = std::move(named);
  emit namedSelectionsChanged();
}

void CellsSession::applyPick(const std::vector<std::uint32_t>& picked, widgets::SelectOp op) {
  selection_ = widgets::combineSelection(selection_, picked, op);
  emit selectionChanged();
  startMarkers();
}

void CellsSession::selectPolygon(const std::vector<widgets::Vec2>& polygon, widgets::SelectOp op,
                                 bool embedding) {
  if (!data_) return;
  const auto& grid = (embedding ? data_->embeddingGrid : data_->spatialGrid).get();
  applyPick(grid.inPolygon(polygon, hiddenMask_), op);
}

void CellsSession::clearSelection() {
  applyPick({}, widgets::SelectOp::Replace);
}

std::vector<std::uint8_t> CellsSession::selectionMask() const {
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(data_ ? data_->size() : 0), 0);
  for (auto i : selection_)
    if (i < mask.size()) mask[i] = 1;
  return mask;
}

void CellsSession::nameSelection(const QString& name) {
  if (name.trimmed().isEmpty()) return;
  named_[name.trimmed()] = selection_;
  emit namedSelectionsChanged();
}

void CellsSession::recallSelection(const QString& name) {
  const auto it = named_.find(name);
  if (it == named_.end()) return;
  applyPick(it->second, widgets::SelectOp::Replace);
}

data::Expected<std::filesystem::path> CellsSession::saveSidecar() const {
  if (!data_) return data::fail(data::Errc::InvalidArgument, "no cell table is open");
  const std::filesystem::path source(data_->table->location);
  const std::filesystem::path out = source.string() + ".tessera.json";
  nlohmann::json j;
  j["version"] = 1;
  j["source"] = source.filename().string();
  nlohmann::json cats = nlohmann::json::array();
  std::vector<int> codes(static_cast<std::size_t>(data_->size()), -1);
  int code = 0;
  nlohmann::json lists = nlohmann::json::object();
  for (const auto& [name, cells] : named_) {
    cats.push_back(name.toStdString());
    nlohmann::json ids = nlohmann::json::array();
    for (auto i : cells) {
      if (i < codes.size()) codes[i] = code;
      ids.push_back(data_->table->cellIds[i]);
    }
    lists[name.toStdString()] = std::move(ids);
    ++code;
  }
  // One categorical column (later selections win where they overlap) plus the id lists.
  j["obs"]["tessera_selection"] = {
      {"encoding", "categorical"}, {"categories", cats}, {"codes", codes}};
  j["selections"] = lists;
  const auto partial = out.string() + ".partial";
  {
    std::ofstream f(partial);
    if (!f) return data::fail(data::Errc::Io, partial + ": cannot write");
    f << j.dump(1);
    if (!f) return data::fail(data::Errc::Io, partial + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(partial, out, ec);
  if (ec) return data::fail(data::Errc::Io, out.string() + ": " + ec.message());
  return out;
}

data::Expected<void> CellsSession::exportSelectionIds(const std::filesystem::path& out) const {
  if (!data_) return data::fail(data::Errc::InvalidArgument, "no cell table is open");
  std::ofstream f(out);
  if (!f) return data::fail(data::Errc::Io, out.string() + ": cannot write");
  // .json: the list `tessera markers INPUT --group @file.json` reads; else one id per line
  // (`tessera export-cells --cells @file.txt`).
  if (out.extension() == ".json") {
    nlohmann::json ids = nlohmann::json::array();
    for (auto i : selection_)
      ids.push_back(data_->table->cellIds[i]);
    f << ids.dump() << '\n';
  } else {
    for (auto i : selection_)
      f << data_->table->cellIds[i] << '\n';
  }
  if (!f) return data::fail(data::Errc::Io, out.string() + ": write failed");
  return {};
}

void CellsSession::cancelMarkers() {
  if (markersStop_) markersStop_->request_stop();
  markersStop_.reset();
}

void CellsSession::startMarkers() {
  cancelMarkers();
  markers_.clear();
  if (!data_ || !data_->expression || selection_.empty()) {
    emit markersReady();
    return;
  }
  auto stop = std::make_shared<std::stop_source>();
  markersStop_ = stop;
  emit markersStarted();
  QPointer<CellsSession> self(this);
  auto progress = [self, stop](double f) {
    QMetaObject::invokeMethod(
        qApp,
        [self, stop, f] {
          if (self && !stop->stop_requested()) emit self->markersProgress(f);
        },
        Qt::QueuedConnection);
  };
  // The same engine call as `tessera markers`: every gene, best first.
  data_->expression->markers(
      selectionMask(), SIZE_MAX, stop->get_token(),
      [self, stop](data::Expected<std::vector<data::MarkerGene>> rows) {
        QMetaObject::invokeMethod(
            qApp,
            [self, stop, rows = std::move(rows)]() mutable {
              if (!self || stop->stop_requested()) return;
              self->markersStop_.reset();
              if (rows) {
                self->markers_ = std::move(*rows);
              } else if (rows.error().code != data::Errc::InvalidArgument) {
                // One side empty (every cell selected) is InvalidArgument: an empty table.
                emit self->message(QString::fromStdString(rows.error().message));
              }
              emit self->markersReady();
            },
            Qt::QueuedConnection);
      },
      progress);
}

void CellsSession::fetchGenes(const std::vector<std::int64_t>& genes,
                              std::function<void(std::vector<std::vector<float>>)> ready,
                              std::function<void(const QString&)> failed) {
  if (!data_ || !data_->expression) {
    if (failed) failed(tr("The cell table has no gene values to read."));
    return;
  }
  struct Pending {
    std::mutex mutex;
    std::vector<std::vector<float>> columns;
    std::size_t left = 0;
    bool failed = false;
  };
  auto pending = std::make_shared<Pending>();
  pending->columns.resize(genes.size());
  pending->left = genes.size();
  QPointer<CellsSession> self(this);
  auto d = data_;
  if (genes.empty()) return ready({});
  // The callbacks hold the table weakly: one still queued when the window (or the app) closes
  // must not be what destroys the table, and with it the expression engine, after the pools it
  // runs on are gone.
  const std::weak_ptr<const CellsData> weak = d;
  for (std::size_t k = 0; k < genes.size(); ++k)
    d->expression->gene(
        genes[k], {},
        [self, weak, pending, k, ready, failed](data::Expected<std::vector<float>> v) {
          bool last = false;
          std::string error;
          {
            std::lock_guard lock(pending->mutex);
            if (v)
              pending->columns[k] = std::move(*v);
            else if (!pending->failed)
              pending->failed = true, error = v.error().message;
            last = --pending->left == 0;
          }
          if (!error.empty() && failed)  // once, at the first failure
            QMetaObject::invokeMethod(
                qApp,
                [self, weak, failed, error] {
                  const auto d = weak.lock();
                  if (d && self && self->data_ && self->data_->table == d->table)
                    failed(QString::fromStdString(error));
                },
                Qt::QueuedConnection);
          if (!last && error.empty()) return;
          QMetaObject::invokeMethod(
              qApp,
              [self, weak, pending, ready, last, error] {
                const auto d = weak.lock();
                if (!d || !self || !self->showsTable(*d)) return;
                if (!error.empty()) emit self->message(QString::fromStdString(error));
                if (last && !pending->failed) ready(std::move(pending->columns));
              },
              Qt::QueuedConnection);
        });
}

void CellsSession::fetchCellTopGenes(
    std::int64_t cell, std::function<void(std::vector<std::pair<std::int64_t, float>>)> ready) {
  if (!data_ || !data_->expression) return;
  QPointer<CellsSession> self(this);
  data_->expression->cellTopGenes(
      cell, 8,
      [self, d = data_, ready](data::Expected<std::vector<std::pair<std::int64_t, float>>> top) {
        if (!top) return;
        QMetaObject::invokeMethod(
            qApp,
            [self, d, ready, top = std::move(*top)]() mutable {
              if (self && self->data_ == d) ready(std::move(top));
            },
            Qt::QueuedConnection);
      });
}

std::int64_t CellsSession::cellAt(double x, double y, double radius, bool embedding) const {
  if (!data_) return -1;
  return (embedding ? data_->embeddingGrid : data_->spatialGrid)
      .get()
      .nearest(x, y, radius, hiddenMask_);
}

void CellsSession::setHovered(std::int64_t cell) {
  if (cell == hovered_) return;
  hovered_ = cell;
  emit hoveredChanged(cell);
}

QString CellsSession::describeCell(std::int64_t cell) const {
  if (!data_ || cell < 0 || cell >= data_->size()) return {};
  const auto i = static_cast<std::size_t>(cell);
  QString text = QString::fromStdString(data_->table->cellIds[i]);
  if (groups_ && groups_->codes[i] >= 0)
    text += QStringLiteral(" · %1").arg(
        QString::fromStdString(groups_->categories[static_cast<std::size_t>(groups_->codes[i])]));
  if (!resolved_.values().empty())
    text += QStringLiteral(" · %1 %2")
                .arg(QString::fromStdString(resolved_.legend.title))
                .arg(resolved_.values()[i], 0, 'g', 4);
  else if (resolved_.column && resolved_.column != groups_ && resolved_.column->codes[i] >= 0)
    text += QStringLiteral(" · %1 %2")
                .arg(QString::fromStdString(resolved_.column->name),
                     QString::fromStdString(resolved_.column->categories[static_cast<std::size_t>(
                         resolved_.column->codes[i])]));
  return text;
}

}  // namespace tessera::app
