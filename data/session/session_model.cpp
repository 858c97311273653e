#include "data/session/session_model.h"

#include <algorithm>
#include <tuple>

namespace tessera::data {

SessionModel::Subscription::~Subscription() {
  reset();
}

void SessionModel::Subscription::reset() {
  if (auto list = list_.lock()) list->erase(id_);
  list_.reset();
}

SessionModel::SessionModel() : observers_(std::make_shared<std::map<int, Observer>>()) {}

SessionModel::~SessionModel() = default;

SessionModel::Subscription SessionModel::observe(Observer observer) {
  const int id = nextObserver_++;
  (*observers_)[id] = std::move(observer);
  return Subscription(observers_, id);
}

void SessionModel::notify(const SessionEvent& event) {
  // Observers may subscribe, unsubscribe or edit the model while being told: walk the ids known
  // now and skip those gone since.
  std::vector<int> ids;
  for (const auto& [id, fn] : *observers_)
    ids.push_back(id);
  for (int id : ids) {
    auto it = observers_->find(id);
    if (it == observers_->end()) continue;
    Observer fn = it->second;  // a copy: the observer may unsubscribe itself
    fn(event);
  }
}

void SessionModel::notifyAll(const std::vector<SessionEvent>& events) {
  for (const auto& e : events)
    notify(e);
}

void SessionModel::updateModified() {
  modified_ = adjusted_ || savedIndex_ != static_cast<long>(index_);
  notify({SessionChange::History, {}});
}

void SessionModel::reset(Session session) {
  session_ = std::move(session);
  commands_.clear();
  index_ = 0;
  savedIndex_ = 0;
  mergeable_ = false;
  adjusted_ = false;
  notify({SessionChange::Reset, {}});
  updateModified();
}

void SessionModel::push(Command command) {
  command.redo(session_);
  const bool merge = mergeable_ && !command.mergeKey.empty() && index_ == commands_.size() &&
                     index_ > 0 && commands_[index_ - 1].mergeKey == command.mergeKey &&
                     savedIndex_ != static_cast<long>(index_);
  if (merge) {
    commands_[index_ - 1].redo = std::move(command.redo);
  } else {
    commands_.resize(index_);  // a new edit drops what could be redone
    if (savedIndex_ > static_cast<long>(index_)) savedIndex_ = -1;
    commands_.push_back(command);
    ++index_;
    if (commands_.size() > kMaxUndo) {
      commands_.erase(commands_.begin());
      --index_;
      savedIndex_ = savedIndex_ > 0 ? savedIndex_ - 1 : -1;
    }
  }
  mergeable_ = true;
  notifyAll(command.events);
  updateModified();
}

void SessionModel::undo() {
  if (!canUndo()) return;
  auto& c = commands_[--index_];
  c.undo(session_);
  mergeable_ = false;
  notifyAll(c.events);
  updateModified();
}

void SessionModel::redo() {
  if (!canRedo()) return;
  auto& c = commands_[index_++];
  c.redo(session_);
  mergeable_ = false;
  notifyAll(c.events);
  updateModified();
}

std::string SessionModel::undoLabel() const {
  return canUndo() ? commands_[index_ - 1].label : std::string();
}

std::string SessionModel::redoLabel() const {
  return canRedo() ? commands_[index_].label : std::string();
}

void SessionModel::markSaved() {
  savedIndex_ = static_cast<long>(index_);
  adjusted_ = false;
  mergeable_ = false;
  updateModified();
}

void SessionModel::setCamera(const SessionCamera& camera) {
  if (camera == session_.camera) return;
  session_.camera = camera;
  notify({SessionChange::Camera, {}});
}

void SessionModel::adjust(const std::function<void(Session&)>& edit, const SessionEvent& event,
                          bool modifies) {
  const Session before = session_;
  edit(session_);
  if (session_ == before) return;
  // Undo steps recorded before hold whole values (a layer, the selections) taken before this
  // change; they stay valid because they restore what they changed and nothing else.
  mergeable_ = false;
  if (modifies) adjusted_ = true;
  notify(event);
  updateModified();
}

template <class Part>
void SessionModel::editPart(Part Session::*part, Part value, SessionEvent event,
                            const std::string& label) {
  if (session_.*part == value) return;
  Command c;
  c.label = label;
  c.undo = [part, old = session_.*part](Session& s) { s.*part = old; };
  c.redo = [part, value = std::move(value)](Session& s) { s.*part = value; };
  c.events = {std::move(event)};
  push(std::move(c));
}

void SessionModel::setLayer(const SessionLayer& layer, const std::string& label,
                            const std::string& mergeKey) {
  const SessionLayer* old = session_.layer(layer.id);
  if (!old || *old == layer) return;
  Command c;
  c.label = label;
  c.mergeKey = mergeKey;
  c.undo = [old = *old](Session& s) {
    if (auto* l = s.layer(old.id)) *l = old;
  };
  c.redo = [layer](Session& s) {
    if (auto* l = s.layer(layer.id)) *l = layer;
  };
  c.events = {{SessionChange::Layer, layer.id}};
  push(std::move(c));
}

void SessionModel::setChannels(const std::string& layer, const std::vector<ChannelState>& channels,
                               const std::string& mergeKey) {
  const SessionLayer* old = session_.layer(layer);
  if (!old) return;
  SessionLayer next = *old;
  next.channels = channels;
  setLayer(next, "Channel display", mergeKey);
}

void SessionModel::setCellsDisplay(const std::string& layer, const CellsDisplay& cells,
                                   const std::string& label, const std::string& mergeKey) {
  const SessionLayer* old = session_.layer(layer);
  if (!old) return;
  SessionLayer next = *old;
  next.cells = cells;
  setLayer(next, label, mergeKey);
}

void SessionModel::setLayerVisible(const std::string& layer, bool visible) {
  const SessionLayer* old = session_.layer(layer);
  if (!old) return;
  SessionLayer next = *old;
  next.visible = visible;
  setLayer(next, visible ? "Show layer" : "Hide layer");
}

void SessionModel::setLayerOpacity(const std::string& layer, double opacity) {
  const SessionLayer* old = session_.layer(layer);
  if (!old) return;
  SessionLayer next = *old;
  next.opacity = std::clamp(opacity, 0.0, 1.0);
  setLayer(next, "Layer opacity", "opacity:" + layer);
}

namespace {
// The parts a structural edit touches, restored together.
struct Structure {
  std::vector<SessionDataset> datasets;
  std::vector<SessionLayer> layers;
  std::vector<TablePairing> pairings;
  ClassifierLabels classifier;  ///< rows of a table: they go when it is replaced
};
Structure structureOf(const Session& s) {
  return {s.datasets, s.layers, s.pairings, s.classifier};
}
void restore(Session& s, const Structure& st) {
  s.datasets = st.datasets;
  s.layers = st.layers;
  s.pairings = st.pairings;
  s.classifier = st.classifier;
}
}  // namespace

void SessionModel::moveLayer(const std::string& layer, int index) {
  auto& ls = session_.layers;
  auto it = std::find_if(ls.begin(), ls.end(), [&](auto& l) { return l.id == layer; });
  if (it == ls.end()) return;
  const int from = static_cast<int>(it - ls.begin());
  const int to = std::clamp(index, 0, static_cast<int>(ls.size()) - 1);
  if (from == to) return;
  Structure before = structureOf(session_), after = before;
  SessionLayer moved = after.layers[from];
  after.layers.erase(after.layers.begin() + from);
  after.layers.insert(after.layers.begin() + to, moved);
  Command c;
  c.label = "Move layer";
  c.undo = [before](Session& s) { restore(s, before); };
  c.redo = [after](Session& s) { restore(s, after); };
  c.events = {{SessionChange::Datasets, {}}};
  push(std::move(c));
}

void SessionModel::removeLayer(const std::string& layer) {
  const SessionLayer* l = session_.layer(layer);
  if (!l) return;
  Structure before = structureOf(session_), after = before;
  const std::string dataset = l->dataset;
  std::erase_if(after.layers, [&](auto& x) { return x.id == layer; });
  const bool stillDrawn = std::any_of(after.layers.begin(), after.layers.end(),
                                      [&](auto& x) { return x.dataset == dataset; });
  if (!stillDrawn) {
    std::erase_if(after.datasets, [&](auto& d) { return d.id == dataset; });
    std::erase_if(after.pairings,
                  [&](auto& p) { return p.table == dataset || p.image == dataset; });
  }
  Command c;
  c.label = "Remove layer";
  c.undo = [before](Session& s) { restore(s, before); };
  c.redo = [after](Session& s) { restore(s, after); };
  c.events = {{SessionChange::Datasets, {}}};
  push(std::move(c));
}

void SessionModel::setDatasetAxes(const std::string& dataset, const std::string& axes) {
  const SessionDataset* d = session_.dataset(dataset);
  if (!d) return;
  ImageSelection select = d->select;
  select.axes = axes;
  setDatasetSelection(dataset, select, "Interpret Axes");
}

void SessionModel::setDatasetSelection(const std::string& dataset, const ImageSelection& select,
                                       const std::string& label) {
  const SessionDataset* d = session_.dataset(dataset);
  if (!d || sameImage(d->select, select)) return;
  Structure before = structureOf(session_), after = before;
  for (auto& x : after.datasets)
    if (x.id == dataset) {
      x.select = select;
      x.select.listPlateFields = false;
    }
  for (auto& l : after.layers)
    if (l.dataset == dataset && l.kind == LayerKind::Image) l.channels.clear();
  Command c;
  c.label = label;
  c.undo = [before](Session& s) { restore(s, before); };
  c.redo = [after](Session& s) { restore(s, after); };
  c.events = {{SessionChange::Datasets, {}}};
  push(std::move(c));
}

void SessionModel::setDatasetTable(const std::string& dataset, const std::string& table,
                                   const std::string& labels, const std::string& label) {
  Session next = session_;
  if (chooseTable(next, dataset, table, labels)) setStructure(next, label);
}

void SessionModel::setStructure(const Session& from, const std::string& label) {
  Structure before = structureOf(session_), after = structureOf(from);
  // Selections are rows of a table too: a replaced table takes them along. They are not part of
  // Structure, whose other edits (move, remove, add) leave them as they are.
  using Rows = std::pair<decltype(Session::selections), decltype(Session::selection)>;
  Rows rowsBefore{session_.selections, session_.selection},
      rowsAfter{from.selections, from.selection};
  if (before.datasets == after.datasets && before.layers == after.layers &&
      before.pairings == after.pairings && before.classifier == after.classifier &&
      rowsBefore == rowsAfter)
    return;
  Command c;
  c.label = label;
  c.undo = [before, rowsBefore](Session& s) {
    restore(s, before);
    std::tie(s.selections, s.selection) = rowsBefore;
  };
  c.redo = [after, rowsAfter](Session& s) {
    restore(s, after);
    std::tie(s.selections, s.selection) = rowsAfter;
  };
  c.events = {{SessionChange::Datasets, {}}};
  if (before.classifier != after.classifier) c.events.push_back({SessionChange::Classifier, {}});
  if (rowsBefore.first != rowsAfter.first) c.events.push_back({SessionChange::Selections, {}});
  if (rowsBefore.second != rowsAfter.second) c.events.push_back({SessionChange::Selection, {}});
  push(std::move(c));
}

void SessionModel::addDataset(SessionDataset dataset, std::vector<SessionLayer> layers,
                              std::optional<TablePairing> pairing) {
  Structure before = structureOf(session_), after = before;
  const std::string oldId = dataset.id;
  dataset.id = session_.freshId(dataset.id.empty() ? datasetKindName(dataset.kind) : dataset.id);
  after.datasets.push_back(dataset);
  Session probe = session_;  // ids must be unique against the dataset just added too
  probe.datasets = after.datasets;
  auto at = after.layers.begin() + static_cast<long>(session_.addedLayersAt());
  for (auto& l : layers) {
    l.dataset = dataset.id;
    l.id = probe.freshId(l.id.empty() ? layerKindName(l.kind) : l.id);
    probe.layers.push_back(l);
    at = after.layers.insert(at, l) + 1;
  }
  if (pairing) {
    if (pairing->table == oldId || pairing->table.empty()) pairing->table = dataset.id;
    if (pairing->image == oldId) pairing->image = dataset.id;
    after.pairings.push_back(*pairing);
  }
  Command c;
  c.label = "Add " + dataset.name;
  c.undo = [before](Session& s) { restore(s, before); };
  c.redo = [after](Session& s) { restore(s, after); };
  c.events = {{SessionChange::Datasets, {}}};
  push(std::move(c));
}

void SessionModel::setSelection(const std::string& name, std::vector<std::uint32_t> cells) {
  auto next = session_.selections;
  next[name] = std::move(cells);
  editPart(&Session::selections, std::move(next), {SessionChange::Selections, {}},
           "Name selection");
}

void SessionModel::removeSelection(const std::string& name) {
  auto next = session_.selections;
  if (!next.erase(name)) return;
  editPart(&Session::selections, std::move(next), {SessionChange::Selections, {}},
           "Remove selection");
}

void SessionModel::setCurrentSelection(std::vector<std::uint32_t> cells, const std::string& label) {
  std::sort(cells.begin(), cells.end());
  cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
  editPart(&Session::selection, std::move(cells), {SessionChange::Selection, {}}, label);
}

void SessionModel::setWaypoints(std::vector<Waypoint> waypoints, const std::string& label) {
  editPart(&Session::waypoints, std::move(waypoints), {SessionChange::Waypoints, {}}, label);
}

void SessionModel::setAnnotations(nlohmann::json annotations, const std::string& label) {
  editPart(&Session::annotations, std::move(annotations), {SessionChange::Annotations, {}}, label);
}

void SessionModel::setClassifier(ClassifierLabels labels, const std::string& label) {
  editPart(&Session::classifier, std::move(labels), {SessionChange::Classifier, {}}, label);
}

}  // namespace tessera::data
