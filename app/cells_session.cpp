#include "app/cells_session.h"

#include <QApplication>
#include <QPointer>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/app_context.h"

namespace tessera::app {

CellsSession::CellsSession(AppContext& ctx, QObject* parent) : QObject(parent), ctx_(ctx) {}

CellsSession::~CellsSession() {
  if (markersCancel_) markersCancel_->store(true);
  if (loadCancel_) loadCancel_->store(true);
}

void CellsSession::open(const std::filesystem::path& path, double imageWidth, double imageHeight,
                        const std::string& shownElement) {
  if (loadCancel_) loadCancel_->store(true);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  loadCancel_ = cancel;
  QPointer<CellsSession> self(this);
  ctx_.hdf5Pool.post(
      [self, cancel, path, imageWidth, imageHeight, shownElement] {
        auto result = loadCellsData(path, {}, imageWidth, imageHeight, shownElement);
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
  hovered_ = -1;
  groups_ = data_ ? data_->defaultGroups() : nullptr;
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
  auto r = resolveColoring(*data_, by);
  if (!r) {
    emit message(QString::fromStdString(r.error().message));
    return;
  }
  resolved_ = std::move(*r);
  emit coloringChanged();
}

bool CellsSession::colorByGene(const QString& gene) {
  if (!data_) return false;
  const std::string name = gene.toStdString();
  if (data_->table->geneIndex(name) < 0 || !data_->expression) {
    emit message(
        tr("Gene '%1' not found in %2").arg(gene, QString::fromStdString(data_->table->location)));
    return false;
  }
  colorBy_.kind = ColorBy::Kind::Gene;
  colorBy_.name = name;
  colorBy_.range.reset();
  recolor();
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

void CellsSession::applyPick(const std::vector<std::uint32_t>& picked, widgets::SelectOp op) {
  selection_ = widgets::combineSelection(selection_, picked, op);
  emit selectionChanged();
  startMarkers();
}

void CellsSession::selectPolygon(const std::vector<widgets::Vec2>& polygon, widgets::SelectOp op,
                                 bool embedding) {
  if (!data_) return;
  const auto& grid = embedding ? data_->embeddingGrid : data_->spatialGrid;
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
  if (markersCancel_) markersCancel_->store(true);
  markersCancel_.reset();
}

void CellsSession::startMarkers() {
  cancelMarkers();
  markers_.clear();
  if (!data_ || !data_->expression || selection_.empty()) {
    emit markersReady();
    return;
  }
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  markersCancel_ = cancel;
  emit markersStarted();
  QPointer<CellsSession> self(this);
  auto expr = data_->expression;
  ctx_.jobPool.post(
      [self, cancel, expr, mask = selectionMask()] {
        auto progress = [self, cancel](double f) {
          QMetaObject::invokeMethod(
              qApp,
              [self, cancel, f] {
                if (self && !cancel->load()) emit self->markersProgress(f);
              },
              Qt::QueuedConnection);
        };
        auto rows = expr->markers(mask, cancel.get(), progress);
        QMetaObject::invokeMethod(
            qApp,
            [self, cancel, rows = std::move(rows)]() mutable {
              if (!self || cancel->load()) return;
              self->markers_ = std::move(rows);
              self->markersCancel_.reset();
              emit self->markersReady();
            },
            Qt::QueuedConnection);
      },
      data::Priority::Visible);
}

std::int64_t CellsSession::cellAt(double x, double y, double radius, bool embedding) const {
  if (!data_) return -1;
  return (embedding ? data_->embeddingGrid : data_->spatialGrid).nearest(x, y, radius, hiddenMask_);
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
  if (!resolved_.values.empty())
    text += QStringLiteral(" · %1 %2")
                .arg(QString::fromStdString(resolved_.legend.title))
                .arg(resolved_.values[i], 0, 'g', 4);
  else if (resolved_.column && resolved_.column != groups_ && resolved_.column->codes[i] >= 0)
    text += QStringLiteral(" · %1 %2")
                .arg(QString::fromStdString(resolved_.column->name),
                     QString::fromStdString(resolved_.column->categories[static_cast<std::size_t>(
                         resolved_.column->codes[i])]));
  return text;
}

}  // namespace tessera::app
