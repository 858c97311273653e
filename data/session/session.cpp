#include "data/session/session.h"

#include <algorithm>

namespace tessera::data {
namespace {

template <class E, std::size_t N>
bool fromName(const std::string& name, const char* const (&names)[N], E& out) {
  for (std::size_t i = 0; i < N; ++i)
    if (name == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}

constexpr const char* kDatasetKinds[] = {"image", "table", "labels", "transcripts"};
constexpr const char* kLayerKinds[] = {"image", "cells", "labels", "transcripts", "annotations"};

}  // namespace

const char* datasetKindName(DatasetKind kind) {
  return kDatasetKinds[static_cast<int>(kind)];
}
bool datasetKindFromName(const std::string& name, DatasetKind& out) {
  return fromName(name, kDatasetKinds, out);
}
const char* layerKindName(LayerKind kind) {
  return kLayerKinds[static_cast<int>(kind)];
}
bool layerKindFromName(const std::string& name, LayerKind& out) {
  return fromName(name, kLayerKinds, out);
}

bool sameImage(const ImageSelection& a, const ImageSelection& b) {
  return a.series == b.series && a.well == b.well && a.field == b.field && a.axes == b.axes;
}

bool SessionDataset::operator==(const SessionDataset& o) const {
  return id == o.id && kind == o.kind && path == o.path && url == o.url && builtin == o.builtin &&
         name == o.name && sameImage(select, o.select) && table == o.table;
}

bool Session::operator==(const Session& o) const {
  return datasets == o.datasets && layers == o.layers && camera == o.camera &&
         pairings == o.pairings && selections == o.selections && selection == o.selection &&
         waypoints == o.waypoints && annotations == o.annotations && classifier == o.classifier;
}

std::string CellsDisplay::categoryColumn() const {
  if (colorKind == "column") return colorName;
  return colorKind.empty() ? groups : std::string();
}

const SessionDataset* Session::dataset(const std::string& id) const {
  auto it = std::find_if(datasets.begin(), datasets.end(), [&](auto& d) { return d.id == id; });
  return it == datasets.end() ? nullptr : &*it;
}

const SessionLayer* Session::layer(const std::string& id) const {
  auto it = std::find_if(layers.begin(), layers.end(), [&](auto& l) { return l.id == id; });
  return it == layers.end() ? nullptr : &*it;
}

SessionLayer* Session::layer(const std::string& id) {
  return const_cast<SessionLayer*>(std::as_const(*this).layer(id));
}

const SessionLayer* Session::firstLayer(LayerKind kind) const {
  auto it = std::find_if(layers.begin(), layers.end(), [&](auto& l) { return l.kind == kind; });
  return it == layers.end() ? nullptr : &*it;
}

const TablePairing* Session::pairingOf(const std::string& table) const {
  auto it =
      std::find_if(pairings.begin(), pairings.end(), [&](auto& p) { return p.table == table; });
  return it == pairings.end() ? nullptr : &*it;
}

std::string Session::freshId(const std::string& base) const {
  auto used = [&](const std::string& id) { return dataset(id) || layer(id); };
  if (!used(base)) return base;
  for (int n = 2;; ++n)
    if (auto id = base + "-" + std::to_string(n); !used(id)) return id;
}

std::size_t Session::addedLayersAt() const {
  return !layers.empty() && layers.back().kind == LayerKind::Annotations ? layers.size() - 1
                                                                         : layers.size();
}

void ensureAnnotationsLayer(Session& session) {
  if (session.firstLayer(LayerKind::Annotations)) return;
  SessionLayer l;
  l.id = session.freshId("annotations");
  l.kind = LayerKind::Annotations;
  l.name = "Annotations";
  session.layers.push_back(std::move(l));
}

bool chooseTable(Session& session, const std::string& dataset, const std::string& table,
                 const std::string& labels) {
  auto it = std::find_if(session.datasets.begin(), session.datasets.end(),
                         [&](const SessionDataset& d) { return d.id == dataset; });
  if (it == session.datasets.end() || it->table == table) return false;
  it->table = table;
  for (auto& l : session.layers)
    if (l.dataset == dataset && l.kind == LayerKind::Cells) l.cells = CellsDisplay{};
  if (!labels.empty()) {
    auto layer = std::find_if(session.layers.begin(), session.layers.end(), [&](auto& l) {
      return l.dataset == dataset && l.kind == LayerKind::Labels;
    });
    if (layer != session.layers.end()) {
      layer->name = labels;
    } else {
      SessionLayer l;
      l.id = session.freshId("labels");
      l.kind = LayerKind::Labels;
      l.dataset = dataset;
      l.name = labels;
      auto cells = std::find_if(session.layers.begin(), session.layers.end(), [&](auto& c) {
        return c.dataset == dataset && c.kind == LayerKind::Cells;
      });
      session.layers.insert(cells, l);
    }
  } else {
    // It annotates no labels: the old table's regions are not its cells.
    std::erase_if(session.layers, [&](const SessionLayer& l) {
      return l.dataset == dataset && l.kind == LayerKind::Labels;
    });
  }
  // Rows of the old table: they name other cells (or none) in the new one.
  session.selections.clear();
  session.selection.clear();
  if (session.classifier.table == dataset || session.classifier.table.empty())
    session.classifier = ClassifierLabels{};
  return true;
}

}  // namespace tessera::data
